"""own_digits.py: the folders of labelled digits lesson 8 reads, and the styles it draws;
own_digits.save_new_file, which lesson 7's teach mode saves with."""

import numpy as np
import pytest

import handwriting
import own_digits
from common import UserError


def touch_images(folder, names):
    for name in names:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"")


def test_digit_folders_at_the_top_are_one_sitting(tmp_path):
    touch_images(tmp_path, ["3/a.png", "3/b.JPG", "7/c.jpeg", "7/notes.txt", "7/.hidden.png"])
    (tmp_path / "holiday").mkdir()  # not a digit: ignored
    images = own_digits.find_labelled_images(tmp_path)
    assert [(image.path.name, image.digit, image.session) for image in images] == [
        ("a.png", 3, ""),
        ("b.JPG", 3, ""),
        ("c.jpeg", 7, ""),
    ]


def test_session_folders_as_the_page_saves_them(tmp_path):
    touch_images(
        tmp_path, ["2026-12-02_090000/1/001.png", "2026-12-01_100000/4/001.png", "empty/x.png"]
    )
    images = own_digits.find_labelled_images(tmp_path)
    assert [(image.session, image.digit) for image in images] == [
        ("2026-12-01_100000", 4),
        ("2026-12-02_090000", 1),
    ]


@pytest.mark.parametrize(
    "names, words",
    [
        ([], "is empty"),
        (["photos/a.png"], "has no digit folders"),
        (["5/readme.txt"], "hold no PNG or JPEG images"),
    ],
)
def test_folders_without_labelled_images_say_what_to_do(tmp_path, names, words):
    touch_images(tmp_path, names)
    with pytest.raises(UserError, match=words):
        own_digits.find_labelled_images(tmp_path)


def test_a_file_instead_of_a_folder(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    with pytest.raises(UserError, match="is not a folder"):
        own_digits.find_labelled_images(tmp_path / "a.png")


def test_the_drawn_styles_two_hands_each_style_inked_and_reproducible():
    adapt, held_out = own_digits.drawn_styles(seed=5)
    again, _ = own_digits.drawn_styles(seed=5)
    per_style = own_digits.DRAWINGS_PER_STYLE
    assert len(adapt) == len(held_out) == per_style * len(own_digits.STYLES)
    assert sorted({digit.digit for digit in adapt}) == [1, 4, 7]
    assert all(np.array_equal(a.gray, b.gray) for a, b in zip(adapt, again))
    for digit in adapt + held_out:
        assert digit.gray.shape == (own_digits.CANVAS_SIDE, own_digits.CANVAS_SIDE)
        prepared = handwriting.prepare_digit(handwriting.clean_ink(digit.load()))
        assert prepared.shape == (28, 28) and prepared.max() > 0.5
    # The held-out hand draws other strokes, not the same pictures.
    assert not any(np.array_equal(a.gray, b.gray) for a, b in zip(adapt, held_out))


def test_a_new_file_never_replaces_an_old_one(tmp_path):
    (tmp_path / "001.png").write_bytes(b"old")
    names = (f"{number:03d}.png" for number in range(1, 10))
    path = own_digits.save_new_file(tmp_path, names, b"new")
    assert path == tmp_path / "002.png" and path.read_bytes() == b"new"
    assert (tmp_path / "001.png").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.png", "002.png"]
    with pytest.raises(FileExistsError):
        own_digits.save_new_file(tmp_path, ["001.png", "002.png"], b"third")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.png", "002.png"]
