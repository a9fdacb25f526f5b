"""Lesson 06 end to end, as a script, with a model trained here on drawn digits: the steps
shown on the sample photo, then photos, drawings and numbers read, and bad images named."""

import json

from conftest import assert_png, run_script
from digits import NUMBERS, photo_of, written_number
from PIL import Image, ImageDraw, ImageFont

STEP_FIGURES = [
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
    headings = [line for line in lines if line.startswith("## Step")]
    assert len(headings) == len(STEP_FIGURES)
    for name in STEP_FIGURES:
        assert_png(tmp_path / "figures" / name)
        assert f"Saved figure: {tmp_path / 'figures' / name}" in lines
    assert "photo_of_a_3.jpg: 3 (" in result.stdout
    # Then, with no image named, the two samples, each with its figure.
    assert any(line.startswith("samples/photo_of_a_3.jpg: 3 (") for line in lines)
    assert any(line.startswith("samples/drawing_of_a_7.png: 7 (") for line in lines)
    assert_png(tmp_path / "figures" / "06_drawing_of_a_7.png")


def test_reads_photos_and_drawings_and_reports_bad_images(tmp_path, digit_model):
    """Ten photos and a drawing are read right; each bad file gets one line on stderr while
    the rest are still read, and the exit status says something went wrong."""
    folder = tmp_path / "images"
    folder.mkdir()
    for digit in range(10):
        photo_of(str(digit), seed=digit).save(folder / f"photo_{digit}.jpg")
    inverted = Image.new("L", (250, 250), 0)  # light strokes on black, as in a paint program
    ImageDraw.Draw(inverted).text((70, 30), "5", fill=230, font=ImageFont.load_default(size=160))
    inverted.save(folder / "drawing_5.png")
    (tmp_path / "notes.png").write_text("not an image")
    (tmp_path / "empty.jpg").write_bytes(b"")
    Image.new("RGB", (300, 300), (240, 240, 235)).save(tmp_path / "blank.png")
    result = run_script(
        "06_predict_digit.py",
        *(tmp_path / name for name in ("notes.png", "empty.jpg", "blank.png", "missing.png")),
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
    assert_png(tmp_path / "figures" / "06_photo_7.png")
    assert "Traceback" not in result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4, result.stderr
    assert "notes.png: not a PNG or JPEG image" in errors[0]
    assert "empty.jpg: the file is empty" in errors[1]
    assert "blank.png: no ink found" in errors[2]
    assert "missing.png: no such file" in errors[3]


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
    assert "photo.jpg: reads 2026" in result.stdout
