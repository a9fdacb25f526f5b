"""Running a lesson as a student would, for the benchmarks, and reading what it saved.

metrics, history, stdout, wall_seconds = run_lesson(script, "--seed", "1", data=path)
"""

import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
import course  # noqa: E402, F401  (Keras started quietly, before outputs imports it)

import outputs  # noqa: E402  (the outputs folder's layout)


def run_lesson(script, *flags, data=None, out=None, environment=None, records=outputs.METRICS):
    """Run a lesson script in a fresh process with `flags` (and `--data`), its outputs in
    `out` or else a temporary folder. Returns its metrics (with the `name` it saved them
    under; `records` names their folder), its training history (None if it saved none),
    what it printed and the process's wall seconds; ends the benchmark with the lesson's
    error if the lesson fails.

    `environment` adds variables (KERAS_BACKEND, say). A copy of a lesson in another folder
    still finds the course's modules (PYTHONPATH)."""
    with tempfile.TemporaryDirectory() as temporary:
        out = Path(out or temporary)
        command = [sys.executable, str(script), *map(str, flags), "--out", str(out)]
        command += ["--data", str(data)] if data else []
        environment = {**os.environ, "PYTHONPATH": str(PROJECT_DIR), **(environment or {})}
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"error: {shlex.join(command)} failed:\n{result.stderr[-2000:]}")
        (metrics_file,) = (out / records).glob("*.json")  # one lesson, one set of numbers
        metrics = {"name": metrics_file.stem, **json.loads(metrics_file.read_text())}
        history_file = out / outputs.HISTORY / metrics_file.name
        history = json.loads(history_file.read_text()) if history_file.is_file() else None
    return metrics, history, result.stdout, wall
