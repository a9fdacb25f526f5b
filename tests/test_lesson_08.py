"""Lesson 08 end to end in quick mode, with the model trained here on drawn digits: it adapts
on the styles the course draws and reads their held-out drawings better, MNIST pays at most
a stated price, the original model is left as it was, and bad input gets one line."""

import hashlib
import json
import shutil
import urllib.request

import pytest
from conftest import assert_clean_failure, assert_png, run_script
from digits import canvas_png
from drawing_page import start_page_server
from figure_legibility import assert_legible_on_a_slide

import outputs
import own_digits

NAME = "08_teach_handwriting"
# In quick mode the MNIST-like test set has 200 images: the careful way may cost at most
# two points (4 images) on it, the naive way is seen to cost more.
MAX_CAREFUL_COST_POINTS = 2.0


def file_hash(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_lesson_8(*arguments, data, model, out):
    """The lesson in quick mode on the tests' MNIST-like data, with `model`."""
    return run_script(
        f"{NAME}.py", *arguments, "--quick", "--data", data, "--model", model, "--out", out
    )


@pytest.fixture(scope="module")
def adapted(digit_model, mnist_npz, tmp_path_factory):
    """The lesson run once on the drawn styles: (result, output folder, original's hash)."""
    out = tmp_path_factory.mktemp("outputs")
    original_hash = file_hash(digit_model)
    result = run_lesson_8(data=mnist_npz, model=digit_model, out=out)
    return result, out, original_hash


def test_the_new_styles_are_read_better_and_mnist_pays_little(adapted):
    result, out, _ = adapted
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", result.stderr
    record = json.loads((out / outputs.ADAPTATION / f"{NAME}.json").read_text())
    accuracy, errors = record["held_out_accuracy"], record["mnist_test_error_percent"]
    assert record["held_out_source"] == "the same styles, drawn with other strokes"
    assert record["adapt_images"] == record["held_out_images"] == 24
    assert accuracy["careful"] > accuracy["before"], accuracy
    read_right = record["held_out_read_right"]
    assert read_right == {way: round(24 * share) for way, share in accuracy.items()}
    assert errors["careful"] - errors["before"] <= MAX_CAREFUL_COST_POINTS, errors
    assert errors["naive"] > errors["careful"], errors  # forgetting, measured
    assert record["mnist_test_images"] == 200
    last_line = result.stdout.strip().splitlines()[-1]
    assert last_line == (
        f"Held-out digits read right: {accuracy['before']:.1%} before, "
        f"{accuracy['careful']:.1%} after; MNIST test error: {errors['before']:.2f}% -> "
        f"{errors['careful']:.2f}% (the naive way: {errors['naive']:.2f}%)"
    )
    for figure in ("learning_rates", "before_after", "misread_before"):
        assert_png(out / outputs.FIGURES / f"{NAME}_{figure}.png")
        assert_legible_on_a_slide(out / outputs.FIGURES / f"{NAME}_{figure}.png")


def test_the_original_model_is_untouched_and_the_adapted_one_has_its_own_name(adapted, digit_model):
    result, out, original_hash = adapted
    assert file_hash(digit_model) == original_hash
    assert (out / outputs.MODELS / f"{NAME}.keras").is_file()
    assert f"Read with it: python 07_draw_digit.py --model {outputs.model_path(out, NAME)}" in (
        result.stdout
    )
    # Lesson 6 reads with the adapted model; lesson 8's default stays the best MNIST model.
    assert not (out / outputs.METRICS).exists()
    reading = run_script(
        "06_predict_digit.py", "--model", out / outputs.MODELS / f"{NAME}.keras", "--out", out
    )
    assert reading.returncode == 0, reading.stderr


def test_adapting_its_own_output_again_is_refused(adapted, mnist_npz):
    _, out, _ = adapted
    adapted_model = out / outputs.MODELS / f"{NAME}.keras"
    before = file_hash(adapted_model)
    result = run_lesson_8(data=mnist_npz, model=adapted_model, out=out)
    assert_clean_failure(result, "is this lesson's own output", "copy it")
    assert file_hash(adapted_model) == before


def write_drawings(folder, digits_and_count):
    for digit, count in digits_and_count:
        (folder / str(digit)).mkdir(parents=True, exist_ok=True)
        for number in range(count):
            (folder / str(digit) / f"{number:03d}.png").write_bytes(
                canvas_png(digit, stroke_width=2 + number)
            )


def test_sessions_the_last_held_out_and_a_bad_image_skipped(tmp_path, digit_model, mnist_npz):
    """The page's layout: <session>/<digit>/<name>.png. The last session is held out; an
    unreadable file is named and skipped, and the rest are used."""
    folder = tmp_path / own_digits.MY_DIGITS
    write_drawings(folder / "2026-12-01_100000", [(1, 3), (4, 3)])
    write_drawings(folder / "2026-12-02_090000", [(1, 2), (4, 2)])
    (folder / "2026-12-01_100000" / "4" / "broken.png").write_bytes(b"not a picture")
    out = tmp_path / "out"
    result = run_lesson_8(folder, data=mnist_npz, model=digit_model, out=out)
    assert result.returncode == 0, result.stderr
    assert "Held out: the last session, 2026-12-02_090000" in result.stdout
    assert "Adaptation: 6 images, of digits [1, 4]" in result.stdout
    assert "Held-out: 4 images, of digits [1, 4]" in result.stdout
    assert "skipped: " in result.stdout and "broken.png: not a PNG or JPEG image" in result.stdout


def test_one_sitting_holds_some_out_and_says_the_score_is_optimistic(
    tmp_path, digit_model, mnist_npz
):
    folder = tmp_path / "photos"
    write_drawings(folder, [(2, 4), (5, 4)])
    result = run_lesson_8(folder, data=mnist_npz, model=digit_model, out=tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "score is optimistic" in result.stdout
    assert "Adaptation: 6 images" in result.stdout and "Held-out: 2 images" in result.stdout


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda folder: None, ["is empty", "teach mode"]),
        (lambda folder: (folder / "holiday").mkdir(), ["has no digit folders", "0/ ... 9/"]),
        (lambda folder: (folder / "3").mkdir(), ["digit folders hold no PNG or JPEG images"]),
    ],
    ids=["empty", "no digit folders", "no images"],
)
def test_a_folder_without_labelled_digits_is_one_line(tmp_path, make, words):
    folder = tmp_path / "digits"
    folder.mkdir()
    make(folder)
    result = run_script(f"{NAME}.py", folder, "--out", tmp_path / "out")
    assert_clean_failure(result, *words)


def test_a_missing_model_is_one_line(tmp_path, mnist_npz):
    folder = tmp_path / "digits"
    write_drawings(folder, [(7, 2)])
    result = run_script(
        f"{NAME}.py", folder, "--quick", "--data", mnist_npz, "--model", tmp_path / "none.keras"
    )
    assert_clean_failure(result, "none.keras does not exist", "--model PATH")


def test_every_image_unreadable_is_one_line_after_naming_them(tmp_path, digit_model):
    folder = tmp_path / "digits"
    (folder / "7").mkdir(parents=True)
    for name in ("a.png", "b.png", "c.png"):
        (folder / "7" / name).write_bytes(b"")
    shutil.copy(digit_model, folder / "7" / "d.jpg")
    result = run_script(f"{NAME}.py", folder, "--model", digit_model, "--out", tmp_path / "out")
    assert result.returncode == 1
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped: ")]
    assert len(skipped) == 3, result.stdout  # the three to adapt on; one is held out
    assert all("the file is empty" in line or "not a PNG" in line for line in skipped)
    assert result.stderr.strip() == (
        "error: none of the adaptation digits could be read: see the lines above"
    )


def test_the_pages_drawings_are_what_lesson_8_adapts_on(tmp_path, digit_model, mnist_npz):
    """A student's way through: two runs of lesson 7's page, each saving drawings in teach
    mode, then lesson 8 on outputs/my_digits: the second session is held out."""
    out = tmp_path / "outputs"
    sessions = []
    for stroke_widths in ([2, 4, 6], [3, 5]):
        process, url = start_page_server("--model", digit_model, "--out", out)
        try:
            assert url, process.stderr.read()
            for digit in (1, 4):
                for width in stroke_widths:
                    request = urllib.request.Request(
                        f"{url}teach?digit={digit}", data=canvas_png(digit, stroke_width=width)
                    )
                    with urllib.request.urlopen(request, timeout=120) as response:
                        assert response.status == 201
                        sessions.append(json.loads(response.read())["saved"].split("/")[1])
        finally:
            process.kill()
            process.wait()
    first, second = sorted(set(sessions))
    result = run_lesson_8(out / own_digits.MY_DIGITS, data=mnist_npz, model=digit_model, out=out)
    assert result.returncode == 0, result.stderr
    assert f"Held out: the last session, {second}" in result.stdout
    assert "Adaptation: 6 images, of digits [1, 4]" in result.stdout
    assert "Held-out: 4 images, of digits [1, 4]" in result.stdout
    assert (out / outputs.MODELS / f"{NAME}.keras").is_file()
