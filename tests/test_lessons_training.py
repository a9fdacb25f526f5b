"""Lessons 01-03 end to end in quick mode, on digits the tests draw."""

import common

import hashlib
import json
import re
import signal
import subprocess
import sys
import time

import keras
import numpy as np
import pytest
from conftest import PROJECT_DIR, assert_clean_failure, assert_png, run_script

TEST_ERROR_LINE = re.compile(r"^Test error: (\d+\.\d\d)% \((\d+) of (\d+) misclassified\)$")
METRIC_TYPES = {
    "test_error_percent": float,
    "misclassified": int,
    "epochs": int,
    "batch_size": int,
    "train_seconds": float,
    "seed": int,
    "parameters": int,
}
LESSONS = [
    ("01_mlp_baseline.py", "01_mlp_baseline", (784,)),
    ("02_simple_cnn.py", "02_simple_cnn", (28, 28, 1)),
    ("03_large_cnn.py", "03_large_cnn", (28, 28, 1)),
]


def check_lesson_outputs(result, out, name, mnist_arrays, input_shape, capsys):
    """What every training lesson promises: the final line, the files, a model that reloads."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "I0000" not in result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    match = TEST_ERROR_LINE.match(last_line)
    assert match, last_line
    x_test, y_test = mnist_arrays["x_test"], mnist_arrays["y_test"]
    assert int(match.group(3)) == len(y_test)

    metrics = json.loads((out / "metrics" / f"{name}.json").read_text())
    for key, kind in METRIC_TYPES.items():
        assert isinstance(metrics[key], kind), (key, metrics[key])
    assert metrics["misclassified"] == int(match.group(2))
    assert f"{metrics['test_error_percent']:.2f}" == match.group(1)
    assert metrics["epochs"] == common.QUICK_EPOCHS and metrics["quick"] is True
    assert metrics["train_seconds"] > 0

    history = json.loads((out / "history" / f"{name}.json").read_text())
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == metrics["epochs"]
    assert_png(out / "figures" / f"{name}_curves.png")

    # The saved model reloads and predicts exactly what the lesson reported.
    model = keras.models.load_model(out / "models" / f"{name}.keras")
    assert model.input_shape == (None, *input_shape)
    assert model.output_shape == (None, common.NUM_CLASSES)
    images = common.scale_pixels(x_test).reshape(len(x_test), *input_shape)
    probabilities = model.predict(images, verbose=0)
    assert int(np.sum(probabilities.argmax(axis=1) != y_test)) == metrics["misclassified"]
    assert model.count_params() == metrics["parameters"]
    capsys.readouterr()
    common.print_predictions(probabilities, y_test, range(4))
    assert capsys.readouterr().out in result.stdout
    return metrics


@pytest.mark.parametrize("script, name, input_shape", LESSONS)
def test_lesson_quick(script, name, input_shape, tmp_path, mnist_npz, mnist_arrays, capsys):
    result = run_script(script, "--quick", "--data", mnist_npz, "--out", tmp_path, "--seed", 3)
    metrics = check_lesson_outputs(result, tmp_path, name, mnist_arrays, input_shape, capsys)
    assert metrics["seed"] == 3 and metrics["batch_size"] == 200
    assert "Total params" in result.stdout  # model.summary()
    assert f"Training:   x ({metrics['train_images']}, {', '.join(map(str, input_shape))})" in (
        result.stdout
    )


@pytest.mark.parametrize(
    "variant, batch_size, parameters",
    [("tf2_notebook", 32, 3274634), ("deitel", 64, 485514), ("lab7", 128, 3156098)],
)
def test_large_cnn_variants(
    variant, batch_size, parameters, tmp_path, mnist_npz, mnist_arrays, capsys
):
    result = run_script(
        "03_large_cnn.py", "--variant", variant, "--quick", "--data", mnist_npz, "--out", tmp_path
    )
    name = f"03_large_cnn_{variant}"
    metrics = check_lesson_outputs(result, tmp_path, name, mnist_arrays, (28, 28, 1), capsys)
    assert metrics["variant"] == variant and metrics["batch_size"] == batch_size
    assert metrics["parameters"] == parameters


def test_missing_data_is_one_clear_line(tmp_path):
    result = run_script("02_simple_cnn.py", "--data", tmp_path / "missing.npz", "--out", tmp_path)
    assert_clean_failure(result, "does not exist")
    assert not (tmp_path / "models").exists()


def test_interrupted_training_keeps_the_previous_model(tmp_path, mnist_npz):
    first = run_script("01_mlp_baseline.py", "--quick", "--data", mnist_npz, "--out", tmp_path)
    assert first.returncode == 0, first.stderr
    saved = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.rglob("*.*")}

    # A long second run, stopped with Ctrl-C while it trains.
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "01_mlp_baseline.py"), "--quick", "--epochs", "500"]
        + ["--data", str(mnist_npz), "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stdout:
        if line.startswith("Epoch 2/"):
            break
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "Interrupted" in stderr
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.rglob("*.*")}
    assert after == saved
