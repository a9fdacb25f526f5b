"""Lessons 01-03 end to end in quick mode, on digits the tests draw."""

import hashlib
import signal
import subprocess
import sys
import time

import pytest
from conftest import (
    PROJECT_DIR,
    QUICK_SEED,
    TRAINING_LESSONS,
    assert_clean_failure,
    check_lesson_outputs,
    run_script,
)


@pytest.mark.parametrize("name", TRAINING_LESSONS)
def test_lesson_quick(name, trained_outputs, mnist_arrays, capsys):
    out, results = trained_outputs
    input_shape = TRAINING_LESSONS[name][1]
    result = results[name]
    metrics = check_lesson_outputs(result, out, name, mnist_arrays, input_shape, capsys)
    assert metrics["seed"] == QUICK_SEED and metrics["batch_size"] == 200
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

    # A second run far too long to finish (a quick epoch takes milliseconds), stopped with
    # Ctrl-C while it trains.
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "01_mlp_baseline.py"), "--quick", "--epochs", "100000"]
        + ["--data", str(mnist_npz), "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("Epoch 2/"):
                break
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()  # never leave it running if the test fails
    assert process.returncode == 130
    assert "Traceback" not in stderr and "Interrupted" in stderr
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.rglob("*.*")}
    assert after == saved
