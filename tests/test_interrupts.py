"""Ctrl-C always stops a lesson at once, with one line, and never costs a saved file.

Python raises the KeyboardInterrupt of Ctrl-C wherever the program happens to be; raised
inside a finalizer (a `__del__` method, which TensorFlow runs many of while it trains) it is
lost, and training went on. common.py stops the program from a signal handler instead.
These tests send Ctrl-C at chosen points, so that none depends on timing.
"""

import hashlib
import signal
import subprocess
import sys

from conftest import PROJECT_DIR

SAFETY_TIMEOUT_SECONDS = 300  # only keeps a broken run from hanging the test suite


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_interrupted_training_keeps_the_previous_model(tmp_path, mnist_npz):
    """Ctrl-C in the middle of training: one line, status 130, the earlier run's files as
    they were."""
    for folder, suffix in [("models", ".keras"), ("metrics", ".json"), ("history", ".json")]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"01_mlp_baseline{suffix}").write_text(f"an earlier run's {folder}")
    saved = {path: sha256(path) for path in tmp_path.rglob("*") if path.is_file()}

    # A second run far too long to finish, stopped with Ctrl-C as soon as it trains.
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
        process.send_signal(signal.SIGINT)
        # Reading both pipes to the end: the lesson never waits on a full pipe. The time
        # limit only keeps a broken run from hanging the tests; it decides nothing.
        _, stderr = process.communicate(timeout=SAFETY_TIMEOUT_SECONDS)
    finally:
        process.kill()  # never leave it running if the test fails
    assert process.returncode == 130
    assert stderr.strip() == "Interrupted: files saved by earlier runs are unchanged."
    after = {path: sha256(path) for path in tmp_path.rglob("*") if path.is_file()}
    assert after == saved


# Python code that imports common as a lesson does, then gets Ctrl-C at a chosen point.
CTRL_C_INSIDE_A_FINALIZER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import common

arguments, sys.argv[1:] = sys.argv[1:], []
common.parse_args(common.lesson_parser("a lesson", uses_mnist=False))  # as every lesson does

class Resource:
    def __del__(self):  # as TensorFlow's many finalizers do while a model trains
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # Python looks for signals while this runs
            pass

Resource()
print("still running after Ctrl-C")
"""
CTRL_C_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import common

arguments, sys.argv[1:] = sys.argv[1:], []
common.parse_args(common.lesson_parser("a lesson", uses_mnist=False))  # as every lesson does

path = Path(arguments[1])
with common._replaced_atomically(path) as temporary:
    temporary.write_text("first half, ")
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(1000):
        pass
    with temporary.open("a") as rest:
        rest.write("second half")
print("still running after Ctrl-C")
"""


def run_python(code, *arguments):
    return subprocess.run(
        [sys.executable, "-c", code, str(PROJECT_DIR), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT_SECONDS,
    )


def test_ctrl_c_inside_a_finalizer_still_stops():
    """Python loses a KeyboardInterrupt raised inside a __del__ method ("Exception ignored");
    that is how training could go on after Ctrl-C. The lessons' handler exits instead."""
    result = run_python(CTRL_C_INSIDE_A_FINALIZER)
    assert result.returncode == 130, result.stderr
    assert "still running" not in result.stdout
    assert result.stderr.strip() == "Interrupted: files saved by earlier runs are unchanged."


def test_ctrl_c_while_saving_finishes_the_file_first(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("the previous run's file")
    result = run_python(CTRL_C_WHILE_SAVING, path)
    assert result.returncode == 130, result.stderr
    assert "still running" not in result.stdout
    assert path.read_text() == "first half, second half"  # complete, never half written
    assert [file.name for file in tmp_path.iterdir()] == ["metrics.json"]
