"""Fixtures shared by the tests: small MNIST-like data in each format, and a script runner."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import course  # noqa: E402, F401  (Keras' quiet start, as in the lessons)

import digits  # noqa: E402
import keras  # noqa: E402

import common  # noqa: E402
import outputs  # noqa: E402


@pytest.fixture(scope="session")
def mnist_arrays():
    """The four arrays, 600 training and 200 test images drawn by `digits`."""
    return digits.make_mnist_like()


@pytest.fixture(scope="session")
def mnist_npz(mnist_arrays, tmp_path_factory):
    """The arrays as an .npz in Keras' layout."""
    path = tmp_path_factory.mktemp("data") / "mnist.npz"
    np.savez_compressed(path, **mnist_arrays)
    return path


def run_script(script, *arguments, env=None, timeout=600):
    """Run a lesson as a student would, from another folder, and return the result. `env`
    adds variables to this process's environment, or with None removes them."""
    environment = dict(os.environ)
    environment.pop("MNIST_DATA", None)  # only what the test passes counts
    for name, value in (env or {}).items():  # a value of None: the variable is unset
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / script), *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd="/",
        env=environment,
        timeout=timeout,
    )


def assert_clean_failure(result, *expected_words):
    """A user's mistake: non-zero exit, no traceback, one line on stderr saying what to do."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    for word in expected_words:
        assert word in lines[0], lines[0]


def assert_png(path):
    """A real PNG file that decodes to a picture of some size."""
    from PIL import Image

    assert path.is_file(), path
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert image.width > 100 and image.height > 100


@pytest.fixture(scope="session")
def digit_model(tmp_path_factory):
    """A small dense network that reads the tests' drawn digits well; trained in seconds."""
    images, labels = digits.make_digits(3000, seed=11)
    common.set_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(common.scale_pixels(common.flatten_images(images)), labels, epochs=8, verbose=0)
    path = tmp_path_factory.mktemp("model") / "drawn_digits.keras"
    model.save(path)
    return path


TRAINING_LESSONS = {
    "01_mlp_baseline": ("01_mlp_baseline.py", (784,)),
    "02_simple_cnn": ("02_simple_cnn.py", (28, 28, 1)),
    "03_large_cnn": ("03_large_cnn.py", (28, 28, 1)),
}
QUICK_SEED = 3


@pytest.fixture(scope="session")
def trained_outputs(mnist_npz, tmp_path_factory):
    """One output folder where lessons 01-03 each ran once in quick mode: (folder, results)."""
    out = tmp_path_factory.mktemp("outputs")
    results = {
        name: run_script(script, "--quick", "--data", mnist_npz, "--out", out, "--seed", QUICK_SEED)
        for name, (script, _) in TRAINING_LESSONS.items()
    }
    return out, results


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


def check_lesson_outputs(result, out, name, mnist_arrays, input_shape, capsys, tta=False):
    """What every training lesson promises: the final line, the files, a model that reloads.

    With test-time augmentation (lesson 05) the final numbers average several predictions,
    so the reloaded model is checked against the one-pass numbers instead."""
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "I0000" not in result.stderr
    last_line = result.stdout.strip().splitlines()[-1]
    match = TEST_ERROR_LINE.match(last_line)
    assert match, last_line
    x_test, y_test = mnist_arrays["x_test"], mnist_arrays["y_test"]
    assert int(match.group(3)) == len(y_test)

    metrics = json.loads((out / outputs.METRICS / f"{name}.json").read_text())
    for key, kind in METRIC_TYPES.items():
        assert isinstance(metrics[key], kind), (key, metrics[key])
    assert metrics["misclassified"] == int(match.group(2))
    assert f"{metrics['test_error_percent']:.2f}" == match.group(1)
    assert metrics["epochs"] == common.QUICK_EPOCHS and metrics["quick"] is True
    assert metrics["train_seconds"] > 0

    history = json.loads((out / outputs.HISTORY / f"{name}.json").read_text())
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        assert len(history[key]) == metrics["epochs"]
    assert_png(out / outputs.FIGURES / f"{name}_curves.png")
    assert_png(out / outputs.FIGURES / f"{name}_model.png")  # the model as a diagram
    if name.startswith(("02_", "03_")):  # what the first convolutional layer learned
        assert_png(out / outputs.FIGURES / f"{name}_filters.png")

    # The saved model reloads and predicts exactly what the lesson reported.
    model = keras.models.load_model(out / outputs.MODELS / f"{name}.keras")
    assert model.input_shape == (None, *input_shape)
    assert model.output_shape == (None, common.NUM_CLASSES)
    images = common.scale_pixels(x_test).reshape(len(x_test), *input_shape)
    probabilities = model.predict(images, verbose=0)
    one_pass_key = "single_pass_misclassified" if tta else "misclassified"
    assert int(np.sum(probabilities.argmax(axis=1) != y_test)) == metrics[one_pass_key]
    assert model.count_params() == metrics["parameters"]
    if not tta:
        capsys.readouterr()
        common.print_predictions(probabilities, y_test, range(4))
        assert capsys.readouterr().out in result.stdout
    return metrics
