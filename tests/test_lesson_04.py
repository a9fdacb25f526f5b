"""Lesson 04 on models that lessons 01-03 trained in quick mode."""

import json
import re

import keras
import numpy as np
from conftest import assert_clean_failure, assert_png, run_script


def test_analysis_of_the_best_model(trained_outputs, mnist_npz, mnist_arrays):
    out, _ = trained_outputs
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--index", 5, 17)
    assert result.returncode == 0, result.stderr
    output = result.stdout

    # The comparison table has one row per saved stage, with the numbers of its metrics file.
    errors = {}
    for name in ("01_mlp_baseline", "02_simple_cnn", "03_large_cnn"):
        metrics = json.loads((out / "metrics" / f"{name}.json").read_text())
        errors[name] = metrics["test_error_percent"]
        row = re.search(rf"^{name} +([\d,]+) +([\d.]+)% +(\d+) .*\(--quick\)$", output, re.M)
        assert row, output
        assert int(row.group(1).replace(",", "")) == metrics["parameters"]
        assert int(row.group(3)) == metrics["misclassified"]

    # The best stage is analysed, and its count of mistakes is recomputed from its model.
    best = min(errors, key=errors.get)
    assert f"## Mistakes of {best}" in output
    model = keras.models.load_model(out / "models" / f"{best}.keras")
    images = (mnist_arrays["x_test"] / 255).reshape(-1, *model.input_shape[1:])
    predicted = model.predict(images, verbose=0).argmax(axis=1)
    wrong = int(np.sum(predicted != mnist_arrays["y_test"]))
    assert f"Misclassified: {wrong} of 200 test images" in output

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
        assert_png(out / "figures" / figure)
        assert f"Saved figure: {out / 'figures' / figure}" in output


def test_one_named_model(trained_outputs, mnist_npz):
    out, _ = trained_outputs
    model = out / "models" / "01_mlp_baseline.keras"
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--model", model)
    assert result.returncode == 0, result.stderr
    assert "## Mistakes of 01_mlp_baseline" in result.stdout
    assert_png(out / "figures" / "04_confusion_matrix_01_mlp_baseline.png")


def test_no_saved_model_says_which_lesson_to_run(tmp_path, mnist_npz):
    result = run_script("04_analyze_errors.py", "--out", tmp_path, "--data", mnist_npz)
    assert_clean_failure(result, "no saved model", "run 01_mlp_baseline.py")


def test_bad_model_and_index_are_one_clear_line(trained_outputs, tmp_path, mnist_npz):
    out, _ = trained_outputs
    missing = tmp_path / "missing.keras"
    result = run_script("04_analyze_errors.py", "--out", out, "--model", missing)
    assert_clean_failure(result, "does not exist")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a model")
    result = run_script("04_analyze_errors.py", "--out", out, "--model", broken)
    assert_clean_failure(result, "not a readable Keras model")
    result = run_script("04_analyze_errors.py", "--out", out, "--data", mnist_npz, "--index", 999)
    assert_clean_failure(result, "--index 999 is outside the test set (0 to 199)")
