"""Every lesson in quick mode on JAX, and models that cross to and from TensorFlow; a lesson
as a notebook under JAX; and the backend the course chooses when TensorFlow is missing."""

import course

import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

import keras
import pytest
from backend_lessons import LessonsOnABackend
from conftest import PROJECT_DIR, TEST_ERROR_LINE, assert_clean_failure
from jupyter_client import KernelManager
from test_notebooks import NOTEBOOKS_DIR, committed, run_in, text_of, with_options

JAX_INSTALLED = importlib.util.find_spec("jax") is not None
needs_jax = pytest.mark.skipif(not JAX_INSTALLED, reason="JAX is not installed")


@needs_jax
class TestLessonsOnJax(LessonsOnABackend):
    backend = "jax"


def run_with_hidden(tmp_path, hidden, script, *arguments, backend=None):
    """A lesson in a Python that lacks the `hidden` backends, as on a machine that never
    installed them: it sees only a copy of this one's packages (links to them) without those.
    KERAS_BACKEND is unset, and Keras' settings file is in a fresh folder, so that this
    machine's ~/.keras/keras.json does not choose either."""
    packages = Path(keras.__file__).resolve().parent.parent  # the folder keras is installed in
    visible = tmp_path / "site-packages"
    visible.mkdir()
    for entry in packages.iterdir():
        if not entry.name.lower().startswith(tuple(hidden)):
            (visible / entry.name).symlink_to(entry)
    environment = {**os.environ, "PYTHONPATH": str(visible), "KERAS_HOME": str(tmp_path)}
    for name in ("KERAS_BACKEND", "MNIST_DATA"):
        environment.pop(name, None)
    if backend:
        environment["KERAS_BACKEND"] = backend
    return subprocess.run(
        # -S: without the site-packages folder, whose place the copy takes.
        [sys.executable, "-S", str(PROJECT_DIR / script), *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd="/",
        env=environment,
        timeout=600,
    )


@pytest.mark.skipif(
    not any(importlib.util.find_spec(b) for b in course.BACKENDS[1:]),
    reason="neither PyTorch nor JAX is installed",
)
def test_without_tensorflow_the_course_chooses_the_next_backend(tmp_path, mnist_npz):
    result = run_with_hidden(
        tmp_path, ["tensorflow"], "02_simple_cnn.py", "--quick", "--data", mnist_npz,
        "--out", tmp_path / "out"
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    chosen = next(b for b in course.BACKENDS[1:] if importlib.util.find_spec(b))
    lines = result.stdout.splitlines()
    assert f"| {course.BACKEND_NAMES[chosen]} " in lines[0]
    assert lines[1] == (
        f"Backend: {chosen} (TensorFlow is not installed; set KERAS_BACKEND to choose)"
    )
    assert TEST_ERROR_LINE.match(lines[-1]) and "Traceback" not in result.stderr


def test_without_any_backend_a_lesson_says_what_to_install(tmp_path):
    result = run_with_hidden(tmp_path, course.BACKENDS, "00_load_data.py", "--quick")
    assert_clean_failure(result, "no Keras backend is installed", "requirements.txt")


def test_a_backend_asked_for_but_not_installed_is_one_line(tmp_path):
    result = run_with_hidden(tmp_path, ["jax"], "00_load_data.py", "--quick", backend="jax")
    assert_clean_failure(result, "KERAS_BACKEND is jax, which is not installed", "pip install jax")


@needs_jax
def test_a_notebook_runs_under_jax(mnist_npz, tmp_path):
    """KERAS_BACKEND, set for the kernel as a student sets it before starting Jupyter."""
    environment = {**os.environ, "KERAS_BACKEND": "jax"}
    environment.pop("MNIST_DATA", None)
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(NOTEBOOKS_DIR), env=environment)
    connection = manager.client()
    connection.allow_stdin = False
    connection.start_channels()
    try:
        connection.wait_for_ready(timeout=60)
        options = f"--quick --data {shlex.quote(str(mnist_npz))} --out {shlex.quote(str(tmp_path))}"
        notebook = with_options(committed("02_simple_cnn"), options)
        notebook, errors = run_in((manager, connection), notebook)
    finally:
        connection.stop_channels()
        manager.shutdown_kernel(now=True)
    assert not errors, text_of(errors)
    printed = text_of([output for cell in notebook.cells for output in cell.get("outputs", [])])
    assert "| JAX " in printed.splitlines()[0]
    assert TEST_ERROR_LINE.match(printed.strip().splitlines()[-1])
