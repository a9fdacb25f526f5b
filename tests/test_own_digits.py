"""own_digits.py: the folders of labelled digits lesson 8 reads, and the styles it draws;
own_digits.save_new_file, which lesson 7's teach mode saves with."""

import numpy as np
import pytest
from digits import canvas_png
from figure_legibility import assert_legible_on_a_slide, saved

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


# %% Lesson 8's digit sets and their figures


def write_digits(folder, digits_and_count):
    for digit, count in digits_and_count:
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        for number in range(count):
            (folder / str(digit) / f"{number:03d}.png").write_bytes(
                canvas_png(digit, stroke_width=2 + number)
            )


def test_the_drawn_styles_are_the_sets_without_a_folder():
    adapt, held_out, source = own_digits.digit_sets(None, None, seed=3, held_out_fraction=0.25)
    drawn_adapt, drawn_held_out = own_digits.drawn_styles(3)
    assert [d.name for d in adapt] == [d.name for d in drawn_adapt]
    assert [d.name for d in held_out] == [d.name for d in drawn_held_out]
    assert source == "the same styles, drawn with other strokes"
    with pytest.raises(UserError, match="--test needs a FOLDER"):
        own_digits.digit_sets(None, "elsewhere", seed=3, held_out_fraction=0.25)


def test_the_last_session_is_held_out(tmp_path):
    write_digits(tmp_path / "2026-12-01_100000", [(1, 2)])
    write_digits(tmp_path / "2026-12-02_090000", [(1, 1)])
    adapt, held_out, source = own_digits.digit_sets(tmp_path, None, 0, 0.25)
    assert {image.session for image in adapt} == {"2026-12-01_100000"}
    assert [image.session for image in held_out] == ["2026-12-02_090000"]
    assert source == "the last session, 2026-12-02_090000"


def test_one_sitting_holds_a_share_of_each_digit_out_and_says_so(tmp_path, capsys):
    write_digits(tmp_path, [(2, 4), (5, 8)])
    adapt, held_out, source = own_digits.digit_sets(tmp_path, None, 0, 0.25)
    assert sorted(image.digit for image in held_out) == [2, 5, 5]
    assert len(adapt) == 9 and not {i.path for i in adapt} & {i.path for i in held_out}
    assert source == "25% of each digit of the one sitting"
    assert "score is optimistic" in capsys.readouterr().out
    # The same seed holds out the same drawings.
    again = own_digits.digit_sets(tmp_path, None, 0, 0.25)[1]
    assert [image.path for image in again] == [image.path for image in held_out]


def test_one_image_per_digit_has_none_to_hold_out(tmp_path):
    write_digits(tmp_path, [(3, 1), (4, 1)])
    with pytest.raises(UserError, match="none to hold out"):
        own_digits.digit_sets(tmp_path, None, 0, 0.25)


def test_prepare_all_skips_what_it_cannot_read_and_names_it(tmp_path, capsys):
    write_digits(tmp_path, [(7, 2)])
    (tmp_path / "7" / "broken.png").write_bytes(b"not a picture")
    images, labels = own_digits.prepare_all(own_digits.find_labelled_images(tmp_path), "held-out")
    assert images.shape == (2, 28, 28, 1) and labels.tolist() == [7, 7]
    assert 0.0 <= images.min() and images.max() <= 1.0
    printed = capsys.readouterr().out
    assert "skipped: " in printed and "broken.png" in printed
    assert "Held-out: 2 images, of digits [7]" in printed
    (tmp_path / "7" / "000.png").write_bytes(b"")
    (tmp_path / "7" / "001.png").write_bytes(b"")
    with pytest.raises(UserError, match="none of the held-out digits could be read"):
        own_digits.prepare_all(own_digits.find_labelled_images(tmp_path), "held-out")


def test_the_adaptation_figures_are_legible_on_a_slide(tmp_path):
    labels = np.array([1, 1, 4, 4, 7, 7, 7, 1, 4, 1, 4, 7, 1, 4, 7, 1])
    answers = {
        "before": np.array([7, 1, 9, 9, 7, 7, 1, 7, 9, 7, 9, 7, 7, 9, 1, 7]),
        "careful": labels.copy(),
        "naive": np.full(len(labels), 4),
    }
    errors = {"before": 0.36, "careful": 0.47, "naive": 7.28}
    figure = own_digits.adaptation_figure(labels, answers, errors, 10000)
    assert_legible_on_a_slide(saved(figure, tmp_path, "before_after.png"))
    images = np.random.default_rng(0).random((len(labels), 28, 28, 1))
    figure = own_digits.misread_figure(images, labels, answers, 12)
    titles = [axis.get_title() for axis in figure.axes if axis.get_title()]
    assert len(titles) == 12 and titles[0] == "read 7, now 1"  # the first misread image
    assert_legible_on_a_slide(saved(figure, tmp_path, "misread.png"))
    read_right = {**answers, "before": labels}
    assert own_digits.misread_figure(images, labels, read_right, 12) is None
