"""How long each lesson takes as a student first runs it, with --quick and without.

Runs the lessons in order, each a fresh process as a student would start it, into one
temporary outputs folder (lessons 04, 06 and 08 read the models that the ones before them
saved), and prints a table of wall-clock seconds: starting Python and Keras included.
Lesson 07 serves its page until it is stopped, so it is timed to the line that says where
the page is.

    python bench/bench_quick.py --data ../shared/data/mnist.npz           # --quick only
    python bench/bench_quick.py --data ../shared/data/mnist.npz --full    # both (~15 min)

Nothing is written outside a temporary folder except the JSON of the results
(bench/results/, not in git).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
# The lessons in the order they are taught, and whether each takes --quick and --data.
LESSONS = [
    ("00_load_data.py", True),
    ("01_mlp_baseline.py", True),
    ("02_simple_cnn.py", True),
    ("03_large_cnn.py", True),
    ("05_best_cnn.py", True),
    ("04_analyze_errors.py", True),
    ("06_predict_digit.py", False),
    ("07_draw_digit.py", False),
    ("08_teach_handwriting.py", True),
]
SERVING = "Serving the drawing page at"  # lesson 07's line once its page can be opened
SERVER_TIMEOUT_SECONDS = 300


def time_lesson(script, flags, environment):
    """Wall seconds of one run; lesson 07 until it serves, then stopped."""
    command = [sys.executable, str(PROJECT_DIR / script), *flags]
    start = time.perf_counter()
    if script.startswith("07_"):
        server = subprocess.Popen(
            [*command, "--no-browser", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environment,
        )
        try:
            for line in server.stdout:
                if line.startswith(SERVING):
                    return time.perf_counter() - start
                if time.perf_counter() - start > SERVER_TIMEOUT_SECONDS:
                    break
            sys.exit(f"error: {script} did not serve its page: {server.stderr.read()[-2000:]}")
        finally:
            server.terminate()
            server.wait()
    result = subprocess.run(command, capture_output=True, text=True, env=environment)
    if result.returncode != 0:
        sys.exit(f"error: {script} {' '.join(flags)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", metavar="PATH", required=True, help="mnist.npz or IDX folder")
    parser.add_argument("--full", action="store_true", help="also time each lesson without --quick")
    args = parser.parse_args()
    modes = ["quick", "full"] if args.full else ["quick"]
    environment = {**os.environ, "BROWSER": "true"}
    seconds = {}
    for mode in modes:
        with tempfile.TemporaryDirectory() as out:
            for script, uses_mnist in LESSONS:
                flags = ["--out", out]
                if uses_mnist:
                    flags += ["--data", args.data] + (["--quick"] if mode == "quick" else [])
                seconds[(script, mode)] = time_lesson(script, flags, environment)
                print(f"{script} ({mode}): {seconds[(script, mode)]:.0f} s", flush=True)
    print()
    print("| lesson | " + " | ".join(f"{mode} (wall s)" for mode in modes) + " |")
    print("| --- |" + " --- |" * len(modes))
    for script, _ in sorted(LESSONS):
        cells = " | ".join(f"{seconds[(script, mode)]:.0f}" for mode in modes)
        print(f"| `{script}` | {cells} |")
    results = BENCH_DIR / "results"
    results.mkdir(exist_ok=True)
    record = {f"{script} {mode}": round(value, 1) for (script, mode), value in seconds.items()}
    (results / "bench_quick.json").write_text(json.dumps(record, indent=2) + "\n")


if __name__ == "__main__":
    main()
