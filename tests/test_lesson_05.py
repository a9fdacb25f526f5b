"""Lesson 05 in quick mode: the full recipe with test-time augmentation. (test_notebooks runs
the lesson as a notebook with every ingredient switched off: the ablation.)"""

import json

import keras
import numpy as np
from conftest import check_lesson_outputs, run_script

import outputs


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
    model = keras.models.load_model(tmp_path / outputs.MODELS / "05_best_cnn.keras")
    images = mnist_arrays["x_test"][:16, :, :, np.newaxis].astype("float32") / 255
    augmented = np.asarray(model.get_layer("augmentation")(images, training=True))
    assert not np.allclose(augmented, images)  # it did move the digits
    for original, moved in zip(images, augmented):
        assert np.isin(moved, np.append(original, 0.0)).all()


def test_an_ingredient_switched_off_saves_under_its_own_name(tmp_path, mnist_npz):
    """--no-augmentation saves as 05_best_cnn_no_augmentation, never over the recipe's files;
    test-time augmentation, off by default without augmentation, still runs when asked."""
    result = run_script(
        "05_best_cnn.py",
        "--quick",
        "--no-augmentation",
        "--tta",
        2,
        "--data",
        mnist_npz,
        "--out",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Switched off: augmentation; test-time augmentation: 2 copies" in result.stdout
    name = "05_best_cnn_no_augmentation"
    metrics = json.loads((tmp_path / outputs.METRICS / f"{name}.json").read_text())
    assert metrics["tta_copies"] == 2 and not metrics["augmentation"]
    assert (tmp_path / outputs.MODELS / f"{name}.keras").is_file()
    saved = [path.name for path in (tmp_path / outputs.FIGURES).iterdir()]
    assert saved and all(figure.startswith(f"{name}_") for figure in saved), saved
    assert not (tmp_path / outputs.MODELS / "05_best_cnn.keras").exists()
