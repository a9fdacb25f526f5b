"""Lesson 05 in quick mode: the full recipe with test-time augmentation. (test_notebooks runs
the lesson as a notebook with every ingredient switched off: the ablation.)"""

import json

import keras
import numpy as np
from conftest import PROJECT_DIR, assert_clean_failure, check_lesson_outputs, run_script


def test_best_cnn_quick_with_tta(tmp_path, mnist_npz, mnist_arrays, capsys):
    result = run_script(
        "05_best_cnn.py", "--quick", "--tta", 2, "--data", mnist_npz, "--out", tmp_path
    )
    metrics = check_lesson_outputs(
        result, tmp_path, "05_best_cnn", mnist_arrays, (28, 28, 1), capsys, tta=True
    )
    assert metrics["batch_norm"] and metrics["augmentation"] and metrics["schedule"]
    assert metrics["tta_copies"] == 2
    one_pass = metrics["single_pass_misclassified"]
    assert f"One pass of the model: {one_pass / 2:.2f}% test error ({one_pass} of 200" in (
        result.stdout
    )
    assert (
        f"With test-time augmentation (2 copies): {metrics['test_error_percent']:.2f}% "
        f"({metrics['misclassified']} of 200 misclassified)" in result.stdout
    )
    assert "augmentation (Sequential)" in result.stdout  # the layers are part of the model
    assert "batch_normalization" in result.stdout

    # The augmentation samples the nearest pixel: every augmented pixel is a pixel of the
    # original image or empty background, so the strokes are not blurred.
    model = keras.models.load_model(tmp_path / "models" / "05_best_cnn.keras")
    images = mnist_arrays["x_test"][:16, :, :, np.newaxis].astype("float32") / 255
    augmented = np.asarray(model.get_layer("augmentation")(images, training=True))
    assert not np.allclose(augmented, images)  # it did move the digits
    for original, moved in zip(images, augmented):
        assert np.isin(moved, np.append(original, 0.0)).all()


def test_bench_compares_a_candidate_over_seeds(tmp_path, mnist_npz):
    """The benchmark's --compare, in the lesson's quick mode: the lesson and a candidate (a copy
    of the lesson in another folder, with a flag) once per seed each, the seeds' numbers in one
    row per recipe, and a mean that is the mean of those numbers."""
    candidate = tmp_path / "elsewhere" / "my_variant.py"
    candidate.parent.mkdir()
    candidate.write_text((PROJECT_DIR / "05_best_cnn.py").read_text())
    results = tmp_path / "results"
    result = run_script(
        "bench/bench_best_cnn.py",
        "--compare",
        "--quick",
        "--seeds",
        "1",
        "2",
        "--candidate",
        f"{candidate} --no-schedule",
        "--data",
        mnist_npz,
        "--results",
        results,
        "--out",
        tmp_path / "kept",
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(next(results.glob("best_cnn-compare-*.json")).read_text())
    assert [(row["recipe"], row["seed"]) for row in rows] == [
        ("lesson", 1),
        ("candidate", 1),
        ("candidate", 2),  # the order alternates, so that a slow stretch falls on both
        ("lesson", 2),
    ]
    for row in rows:
        assert row["schedule"] is (row["recipe"] == "lesson")  # the candidate's flag counted
        assert row["tta_copies"] == 0 and row["quick"]
    lines = result.stdout.splitlines()
    for recipe, label in [
        ("lesson", "the lesson's recipe"),
        ("candidate", "candidate `my_variant.py --no-schedule`"),
    ]:
        errors = [row["single_pass_test_error_percent"] for row in rows if row["recipe"] == recipe]
        validation = [row["validation_error_percent"] for row in rows if row["recipe"] == recipe]
        cells = [
            cell.strip()
            for cell in next(x for x in lines if x.startswith(f"| {label} |")).split("|")
        ]
        assert cells[2:6] == [
            f"{errors[0]:.2f}%",
            f"{errors[1]:.2f}%",
            f"**{sum(errors) / 2:.3f}%**",
            f"{sum(validation) / 2:.3f}%",
        ]
    assert "Goal for candidate `my_variant.py --no-schedule`: mean" in result.stdout
    assert len(list(results.glob("*.log"))) == 4  # each run's own output, kept
    kept = sorted(path.parent.parent.name for path in tmp_path.glob("kept/*/models/*.keras"))
    assert kept == ["candidate-seed1", "candidate-seed2", "lesson-seed1", "lesson-seed2"]


def test_bench_candidate_that_is_not_a_file_is_one_clear_line(tmp_path):
    result = run_script("bench/bench_best_cnn.py", "--compare", "--candidate", tmp_path / "no.py")
    assert_clean_failure(result, "--candidate", "no.py")
