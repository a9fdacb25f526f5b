"""Benchmark lessons 01-03 against the slides' own recipes on the full MNIST data.

For each lesson and seed, runs the lesson script as a student would and, as the reference,
the same model trained exactly as the slides wrote it (bench/slides_reference.py: the test
set as validation data every epoch). Each run is a fresh process, one at a time, ours and
the reference alternating so that a slow spell of the machine hits both. Prints a table of
test error (mean over seeds) and time, with the ratio ours/reference.

    python bench/bench_lessons.py --data ../shared/data/mnist.npz
    python bench/bench_lessons.py --data mnist.npz --seeds 1 2 3 --lessons 01 02

Took about 11 minutes on a 2-core CPU with the default three seeds. Nothing is written
outside a temporary folder except the JSON of the results (bench/results/, not in git).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from lesson_runs import run_lesson

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
LESSONS = {
    "01": ("01_mlp_baseline.py", "mlp", "1.71"),
    "02": ("02_simple_cnn.py", "simple_cnn", "0.95"),
    "03": ("03_large_cnn.py", "large_cnn", "0.83"),
}


def run(command):
    """Run a command, return (its stdout, wall seconds); stop the benchmark if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"error: {' '.join(map(str, command))} failed:\n{result.stderr[-2000:]}")
    return result.stdout, wall


def run_our_lesson(script, seed, data):
    metrics, _, _, wall = run_lesson(PROJECT_DIR / script, "--seed", seed, data=data)
    return metrics["test_error_percent"], metrics["train_seconds"], wall


def run_reference(model, seed, data):
    stdout, wall = run(
        [sys.executable, BENCH_DIR / "slides_reference.py", model, "--seed", seed]
        + (["--data", data] if data else [])
    )
    result = json.loads(re.search(r"^RESULT (.*)$", stdout, re.MULTILINE).group(1))
    return result["test_error_percent"], result["train_seconds"], wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA"), help="MNIST .npz/IDX")
    parser.add_argument("--seeds", nargs="+", default=["1", "2", "3"])
    parser.add_argument("--lessons", nargs="+", choices=LESSONS, default=list(LESSONS))
    args = parser.parse_args()

    rows = []
    for lesson in args.lessons:
        script, model, published = LESSONS[lesson]
        ours, reference = [], []
        for seed in args.seeds:
            ours.append(run_our_lesson(script, seed, args.data))
            reference.append(run_reference(model, seed, args.data))
            print(
                f"{script} seed {seed}: ours {ours[-1][0]:.2f}% in {ours[-1][1]:.1f} s, "
                f"reference {reference[-1][0]:.2f}% in {reference[-1][1]:.1f} s",
                flush=True,
            )
        rows.append((script, published, ours, reference))

    def mean(results, column):
        return statistics.mean(result[column] for result in results)

    print(f"\nSeeds: {' '.join(args.seeds)}. Error and times are means over the seeds.")
    print(
        "| lesson | published error | our error | reference error | our training s "
        "| reference training s | ratio | our wall s | reference wall s | ratio |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    summary = []
    for script, published, ours, reference in rows:
        print(
            f"| {script} | {published}% | {mean(ours, 0):.2f}% | {mean(reference, 0):.2f}% "
            f"| {mean(ours, 1):.1f} | {mean(reference, 1):.1f} "
            f"| {mean(ours, 1) / mean(reference, 1):.2f} "
            f"| {mean(ours, 2):.1f} | {mean(reference, 2):.1f} "
            f"| {mean(ours, 2) / mean(reference, 2):.2f} |"
        )
        summary.append(
            {
                "script": script,
                "seeds": args.seeds,
                "ours": [dict(zip(("error", "train_s", "wall_s"), r)) for r in ours],
                "reference": [dict(zip(("error", "train_s", "wall_s"), r)) for r in reference],
            }
        )
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"lessons-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nSaved: {path}")


if __name__ == "__main__":
    main()
