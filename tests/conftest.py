"""Fixtures shared by the tests: small MNIST-like data in each format, and a script runner."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import digits  # noqa: E402


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
    """Run a lesson as a student would, from another folder, and return the result."""
    environment = dict(os.environ)
    environment.pop("MNIST_DATA", None)  # only what the test passes counts
    environment.update(env or {})
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
