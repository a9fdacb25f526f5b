"""Lessons 01-03 end to end in quick mode, on digits the tests draw, and lesson 04 on what
they saved. (They share one set of trained outputs, so they sit in one file: `pytest -n`
keeps a file on one worker.)"""

import json
import re
import shutil

import keras
import numpy as np
import pytest
from conftest import (
    QUICK_SEED,
    TRAINING_LESSONS,
    assert_clean_failure,
    assert_png,
    check_lesson_outputs,
    run_script,
)

import outputs


@pytest.mark.parametrize("name", TRAINING_LESSONS)
def test_lesson_quick(name, trained_outputs, mnist_arrays, capsys):
    out, results = trained_outputs
    input_shape = TRAINING_LESSONS[name][1]
    result = results[name]
    metrics = check_lesson_outputs(result, out, name, mnist_arrays, input_shape, capsys)
    assert metrics["seed"] == QUICK_SEED and metrics["batch_size"] == 200
    assert "Total params" in result.stdout  # model.summary()
    fit_images = len(mnist_arrays["x_train"]) - int(0.1 * len(mnist_arrays["x_train"]))
    assert f"Training:   x ({fit_images}, {', '.join(map(str, input_shape))})" in result.stdout


def test_another_decks_model(tmp_path, mnist_npz, mnist_arrays, capsys):
    """One deck end to end; test_notebooks builds every deck's model from the lesson's cell."""
    result = run_script(
        "03_large_cnn.py", "--variant", "deitel", "--quick", "--data", mnist_npz, "--out", tmp_path
    )
    name = "03_large_cnn_deitel"
    metrics = check_lesson_outputs(result, tmp_path, name, mnist_arrays, (28, 28, 1), capsys)
    assert metrics["variant"] == "deitel" and metrics["batch_size"] == 64
    assert metrics["parameters"] == 485514


# %% Lesson 04 on the models that lessons 01-03 saved


def test_analysis_of_lesson_3s_model(trained_outputs, mnist_npz, mnist_arrays):
    out, _ = trained_outputs
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--index", 5, 17)
    assert result.returncode == 0, result.stderr
    output = result.stdout

    # The comparison table has one row per saved stage, with the numbers of its metrics file.
    errors = {}
    for name in ("01_mlp_baseline", "02_simple_cnn", "03_large_cnn"):
        metrics = json.loads((out / outputs.METRICS / f"{name}.json").read_text())
        errors[name] = metrics["test_error_percent"]
        row = re.search(rf"^{name} +([\d,]+) +([\d.]+)% +(\d+) .*\(quick\)$", output, re.M)
        assert row, output
        assert int(row.group(1).replace(",", "")) == metrics["parameters"]
        assert int(row.group(3)) == metrics["misclassified"]

    # Lesson 3's model, the lecture's, is analysed, and its count of mistakes is recomputed
    # from its model.
    best = "03_large_cnn"
    assert f"Model: {outputs.model_path(out, best)}" in output
    model = keras.models.load_model(out / outputs.MODELS / f"{best}.keras")
    images = (mnist_arrays["x_test"] / 255).reshape(-1, *model.input_shape[1:])
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    wrong = int(np.sum(predicted != mnist_arrays["y_test"]))
    assert f"Misclassified by {best}: {wrong} of 200 test images" in output

    # Chosen indices, the confident mistakes, sklearn's report, pairs and unsure predictions.
    assert re.search(r"^ +5 +\d +\d +[\d.]+% \|", output, re.M)
    assert re.search(r"^ +17 +\d +\d +[\d.]+% \|", output, re.M)
    assert "most confident mistakes" in output
    assert "precision    recall  f1-score   support" in output
    assert "least confident correct predictions" in output
    for figure in (
        f"04_misclassified_{best}.png",
        f"04_confusion_matrix_{best}.png",
        "04_training_curves_all.png",
    ):
        assert_png(out / outputs.FIGURES / figure)
        assert f"Saved figure: {out / 'figures' / figure}" in output


def test_without_lesson_3s_model_the_best_saved_one_is_analysed(
    trained_outputs, mnist_npz, tmp_path
):
    out, _ = trained_outputs
    shutil.copytree(out, tmp_path / "out")
    (tmp_path / "out" / outputs.MODELS / "03_large_cnn.keras").unlink()
    errors = {
        name: json.loads((out / outputs.METRICS / f"{name}.json").read_text())["test_error_percent"]
        for name in ("01_mlp_baseline", "02_simple_cnn")
    }
    best = min(errors, key=errors.get)
    result = run_script("04_analyze_errors.py", "--out", tmp_path / "out", "--data", mnist_npz)
    assert result.returncode == 0, result.stderr
    assert f"Misclassified by {best}: " in result.stdout


def test_one_named_model(trained_outputs, mnist_npz):
    out, _ = trained_outputs
    model = out / outputs.MODELS / "01_mlp_baseline.keras"
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--model", model)
    assert result.returncode == 0, result.stderr
    assert "Misclassified by 01_mlp_baseline: " in result.stdout
    assert_png(out / outputs.FIGURES / "04_confusion_matrix_01_mlp_baseline.png")


def test_index_outside_the_test_set_is_one_clear_line(trained_outputs, mnist_npz):
    out, _ = trained_outputs
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--index", 999)
    assert_clean_failure(result, "--index 999 is outside the test set (0 to 199)")
