"""Lesson 06 end to end, as a script, with a model trained here on drawn digits: the steps
shown on the sample photo, then photos, drawings and numbers read, and bad images named."""

import json
import subprocess
import sys

import pytest
from conftest import PROJECT_DIR, assert_clean_failure, assert_png, run_script
from digits import NUMBERS, photo_of, written_number
from figure_legibility import assert_legible_on_a_slide
from PIL import Image, ImageDraw, ImageFont

import outputs

STEP_FIGURES = [
    "06_resized_straight.png",
    "06_step1_grey.png",
    "06_step2_ink.png",
    "06_step3_cropped.png",
    "06_step4_fitted.png",
    "06_step5_centred.png",
    "06_step6_probabilities.png",
]


def test_the_steps_are_shown_on_the_sample_photo_and_the_samples_read(tmp_path, digit_model):
    result = run_script("06_predict_digit.py", "--model", digit_model, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    saved = [f"Saved figure: {tmp_path / 'figures' / name}" for name in STEP_FIGURES]
    assert [line for line in lines if line in saved] == saved  # the steps, in order
    for name in STEP_FIGURES:
        assert_png(tmp_path / outputs.FIGURES / name)
    assert "photo_of_a_3.jpg: 3 (" in result.stdout
    # Then, with no image named, the two samples, each with its figure (started in "/",
    # the lesson prints their paths in full).
    samples = PROJECT_DIR / "samples"
    assert any(line.startswith(f"{samples / 'photo_of_a_3.jpg'}: 3 (") for line in lines)
    assert any(line.startswith(f"{samples / 'drawing_of_a_7.png'}: 7 (") for line in lines)
    assert_png(tmp_path / outputs.FIGURES / "06_drawing_of_a_7.png")
    # Every figure the lesson drew is legible where a lecture deck shows it.
    for figure in sorted((tmp_path / outputs.FIGURES).glob("*.png")):
        assert_legible_on_a_slide(figure)
    # Before the walkthrough, the photo resized straight to 28x28, as the usual mistake.
    assert "photo_of_a_3.jpg, resized straight: " in result.stdout


def test_reads_photos_and_drawings_and_names_an_image_without_ink(tmp_path, digit_model):
    """Ten photos and a drawing are read right; a blank page gets one line on stderr while
    the rest are still read, and the exit status says something went wrong."""
    folder = tmp_path / "images"
    folder.mkdir()
    for digit in range(10):
        photo_of(str(digit), seed=digit).save(folder / f"photo_{digit}.jpg")
    inverted = Image.new("L", (250, 250), 0)  # light strokes on black, as in a paint program
    ImageDraw.Draw(inverted).text((70, 30), "5", fill=230, font=ImageFont.load_default(size=160))
    inverted.save(folder / "drawing_5.png")
    Image.new("RGB", (300, 300), (240, 240, 235)).save(tmp_path / "blank.png")
    result = run_script(
        "06_predict_digit.py",
        tmp_path / "blank.png",
        folder,
        "--model",
        digit_model,
        "--out",
        tmp_path,
    )
    assert result.returncode == 1
    for digit in range(10):
        assert f"photo_{digit}.jpg: {digit} (" in result.stdout, result.stdout
    assert "drawing_5.png: 5 (" in result.stdout
    assert_png(tmp_path / outputs.FIGURES / "06_photo_7.png")
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and "blank.png: no ink found" in errors[0], result.stderr


@pytest.mark.parametrize(
    "name, expected",
    [
        ("missing.png", "missing.png: no such file or folder"),
        ("notes.png", "notes.png: not a PNG or JPEG image"),
        ("empty.jpg", "empty.jpg: the file is empty"),
        ("folder", "folder: no PNG or JPEG images in this folder"),
    ],
)
def test_a_bad_image_ends_the_lesson_before_the_walkthrough(tmp_path, digit_model, name, expected):
    photo_of("8").save(tmp_path / "eight.jpg")
    (tmp_path / "notes.png").write_text("not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "readme.txt").write_text("no pictures here")
    out = tmp_path / "out"
    result = run_script(
        "06_predict_digit.py",
        tmp_path / "eight.jpg",
        tmp_path / name,
        "--model",
        digit_model,
        "--out",
        out,
    )
    assert_clean_failure(result, expected)
    assert "Saved figure" not in result.stdout and "Model:" not in result.stdout
    assert not (out / outputs.FIGURES).exists()


def test_a_quick_model_is_named_as_one(tmp_path, mnist_npz):
    """With only a --quick model saved, lesson 6 takes it and says so in the same line."""
    trained = run_script("01_mlp_baseline.py", "--quick", "--data", mnist_npz, "--out", tmp_path)
    assert trained.returncode == 0, trained.stderr
    error = json.loads((tmp_path / outputs.METRICS / "01_mlp_baseline.json").read_text())
    result = run_script("06_predict_digit.py", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    model_line = next(line for line in result.stdout.splitlines() if line.startswith("Model:"))
    assert model_line == (
        f"Model: {outputs.model_path(tmp_path, '01_mlp_baseline')} (trained with --quick on 2000 "
        f"images: {error['test_error_percent']:.2f}% test error; for a real one run python "
        "01_mlp_baseline.py)"
    )


def test_paths_are_printed_for_the_folder_the_student_is_in(tmp_path, digit_model):
    """Started in a folder, a lesson prints the paths below it relative to it."""
    result = subprocess.run(
        [
            sys.executable,
            str(PROJECT_DIR / "06_predict_digit.py"),
            "--model",
            digit_model,
            "--out",
            "results",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Saved figure: results/figures/06_step1_grey.png" in result.stdout.splitlines()
    assert f"Model: {digit_model}" in result.stdout  # not below the folder: in full
    assert (tmp_path / "results" / outputs.FIGURES / "06_step1_grey.png").is_file()


def test_json_output(tmp_path, digit_model):
    photo_of("8").save(tmp_path / "eight.jpg")
    result = run_script(
        "06_predict_digit.py",
        tmp_path / "eight.jpg",
        "--json",
        "--model",
        digit_model,
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert set(record) == {"image", "digit", "confidence", "top3"}
    assert record["digit"] == 8 and record["image"].endswith("eight.jpg")
    assert [pair[0] for pair in record["top3"]][0] == 8 and len(record["top3"]) == 3
    assert record["confidence"] == record["top3"][0][1] and 0 < record["confidence"] <= 1


def test_reads_numbers(tmp_path, digit_model):
    for name, (text, options) in NUMBERS.items():
        written_number(text, **options).save(tmp_path / f"{name}.png")
    photo_of("2026", size=(900, 300), at=(150, 60), font_size=120).save(tmp_path / "photo.jpg")
    result = run_script(
        "06_predict_digit.py", tmp_path, "--number", "--model", digit_model, "--out", tmp_path
    )
    assert result.returncode == 0, result.stderr
    for name, (text, _) in NUMBERS.items():
        assert f"{name}.png: reads {text}" in result.stdout, result.stdout
        assert_legible_on_a_slide(tmp_path / outputs.FIGURES / f"06_{name}.png")
    assert "photo.jpg: reads 2026" in result.stdout


def test_the_figure_of_a_long_number_is_legible_on_a_slide(tmp_path, digit_model):
    """Ten digits in a row: two rows of prepared digits under the original."""
    photo_of("0123456789", size=(1800, 300), at=(60, 60), font_size=120).save(tmp_path / "long.jpg")
    result = run_script(
        "06_predict_digit.py",
        tmp_path / "long.jpg",
        "--number",
        "--model",
        digit_model,
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert_legible_on_a_slide(tmp_path / outputs.FIGURES / "06_long.png")
