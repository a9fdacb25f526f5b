"""Benchmark lesson 05: its default recipe, and the ablation that builds it up.

Runs 05_best_cnn.py on the full MNIST data as a student would, once per configuration,
one at a time, and prints the test error in one plain pass and with test-time augmentation
(for the configurations trained with augmentation), training time and whole wall time:

    plain deeper CNN            --no-batch-norm --no-augmentation --no-schedule
    + batch normalization       --no-augmentation --no-schedule
    + augmentation              --no-schedule
    + schedule (the default)    (no flags)

    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz             # default only
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --ablation  # all four
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --only augmentation

The default alone took 11.3 minutes on a 2-core CPU; with --ablation about 45 minutes.
Results are also written as JSON to bench/results/ (not in git).
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
SCRIPT = BENCH_DIR.parent / "05_best_cnn.py"
# (short name for --only, label in the table, the lesson's flags)
ABLATION = [
    ("plain", "plain deeper CNN", ["--no-batch-norm", "--no-augmentation", "--no-schedule"]),
    ("batch-norm", "+ batch normalization", ["--no-augmentation", "--no-schedule"]),
    ("augmentation", "+ augmentation", ["--no-schedule"]),
]
DEFAULT = ("default", "+ schedule (the default)", [])
TARGET_MINUTES = 15
TARGET_ERROR = 0.40


def run_configuration(flags, seed, data, tta, keep=None):
    """Run the lesson once; return its metrics and the wall time of the whole process.

    Its outputs go to `keep` if given (to use the model later), else to a temporary folder.
    """
    with tempfile.TemporaryDirectory() as temporary:
        out = keep or temporary
        command = [sys.executable, SCRIPT, "--seed", seed, "--out", out, *flags]
        command += ["--data", data] if data else []
        command += ["--tta", str(tta)]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"error: {' '.join(map(str, command))} failed:\n{result.stderr[-2000:]}")
        metrics_file = next((Path(out) / "metrics").glob("*.json"))
        log = BENCH_DIR / "results" / f"{metrics_file.stem}-{time.strftime('%H%M%S')}.log"
        log.parent.mkdir(exist_ok=True)
        log.write_text(result.stdout)  # the per-epoch times, for a closer look
        return json.loads(metrics_file.read_text()), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA"), help="MNIST .npz/IDX")
    parser.add_argument("--seed", default="42", help="the lesson's seed (default: its own, 42)")
    parser.add_argument("--ablation", action="store_true", help="also run the three ablations")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[short for short, _, _ in [DEFAULT, *ABLATION]],
        help="run just these configurations",
    )
    parser.add_argument(
        "--tta", type=int, default=8, help="test-time augmentation copies (with augmentation)"
    )
    parser.add_argument("--out", help="keep the default run's outputs (model, figures) here")
    args = parser.parse_args()

    # The default runs first: it is the one with targets, and its result comes soonest.
    configurations = [DEFAULT] + (ABLATION if args.ablation or args.only else [])
    if args.only:
        configurations = [c for c in configurations if c[0] in args.only]
    rows = []
    for _, label, flags in configurations:
        # A model trained without augmentation reads augmented copies worse: one pass only.
        tta = 0 if "--no-augmentation" in flags else args.tta
        keep = args.out if not flags else None
        metrics, wall = run_configuration(flags, args.seed, args.data, tta, keep)
        rows.append({"configuration": label, "flags": flags, "wall_s": wall, **metrics})
        print(
            f"{label}: {metrics['test_error_percent']:.2f}% in {metrics['train_seconds']:.0f} s "
            f"of training, {wall:.0f} s wall",
            flush=True,
        )

    # The table reads as the ablation builds up to the default.
    if rows[0]["flags"] == DEFAULT[2]:
        rows = rows[1:] + rows[:1]
    print(
        f"\n| configuration | one pass | with test-time augmentation | training | wall "
        f"| flags (seed {args.seed}) |\n| --- | --- | --- | --- | --- | --- |"
    )
    for row in rows:
        flags = row["flags"] or ["(default)"]
        augmented = f"{row['test_error_percent']:.2f}%" if row["tta_copies"] else ""
        print(
            f"| {row['configuration']} | {row['single_pass_test_error_percent']:.2f}% "
            f"| {augmented} "
            f"| {row['train_seconds'] / 60:.1f} min | {row['wall_s'] / 60:.1f} min "
            f"| `{' '.join(flags)}` |"
        )
    default = rows[-1]
    if default["flags"] == DEFAULT[2]:  # the targets are for the default
        within_time = default["wall_s"] <= TARGET_MINUTES * 60
        within_error = default["test_error_percent"] <= TARGET_ERROR
        print(
            f"Default: {default['test_error_percent']:.2f}% (target <= {TARGET_ERROR:.2f}%: "
            f"{'met' if within_error else 'missed'}) in {default['wall_s'] / 60:.1f} min wall "
            f"(target <= {TARGET_MINUTES} min: {'met' if within_time else 'missed'})"
        )
    results_dir = BENCH_DIR / "results"
    results_dir.mkdir(exist_ok=True)
    path = results_dir / f"best_cnn-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"Saved: {path}")


if __name__ == "__main__":
    main()
