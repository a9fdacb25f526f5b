"""Lesson 05 in quick mode: the full recipe with test-time augmentation. (test_notebooks runs
the lesson as a notebook with every ingredient switched off: the ablation.)"""

import json

import keras
import numpy as np
from conftest import check_lesson_outputs, run_script


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


def test_bench_compares_the_previous_recipe_over_seeds(tmp_path, mnist_npz):
    """The benchmark's --compare, in the lesson's quick mode: each recipe once per seed, the
    seeds' numbers in one row per recipe, and a mean that is the mean of those numbers."""
    results = tmp_path / "results"
    result = run_script(
        "bench/bench_best_cnn.py",
        "--compare",
        "--quick",
        "--seeds",
        "1",
        "2",
        "--data",
        mnist_npz,
        "--results",
        results,
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(next(results.glob("best_cnn-compare-*.json")).read_text())
    assert [(row["recipe"], row["seed"]) for row in rows] == [
        ("previous", 1),
        ("default", 1),
        ("default", 2),  # the order alternates, so that a slow stretch falls on both
        ("previous", 2),
    ]
    for row in rows:
        switched_off = row["recipe"] == "previous"
        assert row["weight_decay"] is not switched_off
        assert row["label_smoothing"] is not switched_off
        assert row["weight_averaging"] is not switched_off
        assert row["tta_copies"] == 0 and row["quick"]
    lines = result.stdout.splitlines()
    for recipe, label in [("previous", "previous recipe"), ("default", "the lesson's recipe")]:
        errors = [row["single_pass_test_error_percent"] for row in rows if row["recipe"] == recipe]
        cells = [cell.strip() for cell in next(x for x in lines if f"| {label} (" in x).split("|")]
        assert cells[2:4] == [f"{error:.2f}%" for error in errors]
        assert cells[4] == f"**{sum(errors) / 2:.3f}%**"
    assert "Default: mean" in result.stdout
    assert len(list(results.glob("*.log"))) == 4  # each run's own output, kept
