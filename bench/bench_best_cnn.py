"""Benchmark lesson 05: its recipe against the previous one over three seeds, and the ablation.

Runs 05_best_cnn.py on the full MNIST data as a student would, once per configuration, one at
a time, and prints the test error in one plain pass (and, for the default, with test-time
augmentation), the validation error of the trained model, training time and whole wall time.

    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz             # default only
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --compare   # 2 x 3 seeds
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --ablation  # every row
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --only previous weight-decay

--compare trains the previous recipe (the lesson with the last three ingredients switched
off) and today's with seeds 1, 2 and 3, alternating which goes first, so that the two meet
the same machine: this machine's speed drifts by up to 2x between hours. It prints each
seed's one-pass test error, the mean, the validation error, training minutes and the ratio of
training time to the previous recipe's. Each run takes 10-20 minutes on a 2-core CPU.

The ablation builds the recipe up one ingredient at a time, and adds each of the last three
alone to the previous recipe:

    plain deeper CNN              --no-batch-norm --no-augmentation --no-schedule + NEWER
    + batch normalization         --no-augmentation --no-schedule + NEWER
    + augmentation                --no-schedule + NEWER
    + schedule: previous recipe   NEWER
    + weight decay alone          ... (each of the three alone on the previous recipe)
    all of them: the default      (no flags)

where NEWER is --no-weight-decay --no-weight-averaging --no-label-smoothing.
Results are also written as JSON to bench/results/ (not in git), with each run's log.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
SCRIPT = BENCH_DIR.parent / "05_best_cnn.py"
NEWER = ["--no-weight-decay", "--no-weight-averaging", "--no-label-smoothing"]
# (short name for --only, label in the table, the lesson's flags)
ABLATION = [
    (
        "plain",
        "plain deeper CNN",
        ["--no-batch-norm", "--no-augmentation", "--no-schedule", *NEWER],
    ),
    ("batch-norm", "+ batch normalization", ["--no-augmentation", "--no-schedule", *NEWER]),
    ("augmentation", "+ augmentation", ["--no-schedule", *NEWER]),
    ("previous", "+ schedule: the previous recipe", NEWER),
    *[
        (
            flag.removeprefix("--no-"),
            f"previous + {flag.removeprefix('--no-').replace('-', ' ')}",
            [other for other in NEWER if other != flag],
        )
        for flag in NEWER
    ],
]
DEFAULT = ("default", "all of them: the default", [])
# The two recipes that --compare trains: (short name, label, the lesson's flags).
COMPARED = [("previous", "previous recipe", NEWER), ("default", "the lesson's recipe", [])]
SEEDS = ["1", "2", "3"]
# The goal for --compare: a mean one-pass error over the seeds at or below this, with no
# run training for longer than this.
GOAL_ERROR = 0.33
GOAL_TRAINING_MINUTES = 11


def run_configuration(flags, seed, args, tta, keep=None):
    """Run the lesson once; return its metrics and the wall time of the whole process.

    Its outputs go to `keep` if given (to use the model later), else to a temporary folder.
    """
    with tempfile.TemporaryDirectory() as temporary:
        out = keep or temporary
        command = [sys.executable, SCRIPT, "--seed", seed, "--out", out, *flags]
        command += ["--data", args.data] if args.data else []
        command += ["--tta", str(tta)] + (["--quick"] if args.quick else [])
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"error: {' '.join(map(str, command))} failed:\n{result.stderr[-2000:]}")
        metrics_file = next((Path(out) / "metrics").glob("*.json"))
        log = Path(args.results) / f"{metrics_file.stem}-seed{seed}-{time.strftime('%H%M%S')}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(result.stdout)  # the per-epoch times, for a closer look
        return json.loads(metrics_file.read_text()), wall


def minutes(seconds):
    return f"{seconds / 60:.1f} min"


def run_ablation(args):
    """The default and, with --ablation or --only, the other rows; one seed."""
    configurations = [DEFAULT] + (ABLATION if args.ablation or args.only else [])
    if args.only:
        configurations = [c for c in configurations if c[0] in args.only]
    rows = []
    for _, label, flags in configurations:
        # A model trained without augmentation reads augmented copies worse: one pass only.
        tta = 0 if "--no-augmentation" in flags else args.tta
        keep = args.out if not flags else None
        metrics, wall = run_configuration(flags, args.seed, args, tta, keep)
        rows.append({"configuration": label, "flags": flags, "wall_s": wall, **metrics})
        print(
            f"{label}: {metrics['single_pass_test_error_percent']:.2f}% in one pass, "
            f"{metrics['train_seconds']:.0f} s of training, {wall:.0f} s wall",
            flush=True,
        )

    # The table reads as the ablation builds up to the default.
    if rows[0]["flags"] == DEFAULT[2]:
        rows = rows[1:] + rows[:1]
    print(
        "\n| configuration | validation | one pass | with test-time augmentation | training "
        f"| wall | flags (seed {args.seed}) |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for row in rows:
        flags = row["flags"] or ["(default)"]
        augmented = f"{row['test_error_percent']:.2f}%" if row["tta_copies"] else ""
        print(
            f"| {row['configuration']} | {row['validation_error_percent']:.2f}% "
            f"| {row['single_pass_test_error_percent']:.2f}% | {augmented} "
            f"| {minutes(row['train_seconds'])} | {minutes(row['wall_s'])} "
            f"| `{' '.join(flags)}` |"
        )
    return rows


def run_comparison(args):
    """The previous recipe and the default, each with every seed, in one run."""
    recipes = COMPARED
    rows = []
    for index, seed in enumerate(args.seeds):
        # Alternate which recipe goes first, so that a slow stretch falls on both.
        for short, label, flags in recipes if index % 2 == 0 else recipes[::-1]:
            metrics, wall = run_configuration(flags, seed, args, tta=0)
            rows.append({"recipe": short, "seed": seed, "wall_s": wall, **metrics})
            print(
                f"{label}, seed {seed}: {metrics['single_pass_test_error_percent']:.2f}% in "
                f"one pass, validation {metrics['validation_error_percent']:.2f}%, "
                f"{minutes(metrics['train_seconds'])} of training",
                flush=True,
            )

    seed_columns = " | ".join(f"seed {seed}" for seed in args.seeds)
    print(
        f"\n| recipe | {seed_columns} | mean | validation, mean | training, each | training, "
        f"mean | ratio |\n|{' --- |' * (len(args.seeds) + 6)}"
    )
    summary = {}
    for short, label, flags in recipes:
        runs = sorted((row for row in rows if row["recipe"] == short), key=lambda r: r["seed"])
        errors = [row["single_pass_test_error_percent"] for row in runs]
        train_seconds = [row["train_seconds"] for row in runs]
        summary[short] = {
            "mean_error": statistics.mean(errors),
            "mean_validation_error": statistics.mean(r["validation_error_percent"] for r in runs),
            "mean_train_seconds": statistics.mean(train_seconds),
            "max_train_seconds": max(train_seconds),
        }
        ratio = summary[short]["mean_train_seconds"] / summary["previous"]["mean_train_seconds"]
        print(
            f"| {label} (`{' '.join(flags) or 'no flags'}`) | "
            + " | ".join(f"{error:.2f}%" for error in errors)
            + f" | **{summary[short]['mean_error']:.3f}%** "
            f"| {summary[short]['mean_validation_error']:.3f}% "
            f"| {', '.join(f'{seconds / 60:.1f}' for seconds in train_seconds)} min "
            f"| {minutes(summary[short]['mean_train_seconds'])} | {ratio:.2f} |"
        )
    default = summary["default"]
    within_error = default["mean_error"] <= GOAL_ERROR
    within_time = default["max_train_seconds"] <= GOAL_TRAINING_MINUTES * 60
    print(
        f"Default: mean {default['mean_error']:.3f}% in one pass (goal <= {GOAL_ERROR:.2f}%: "
        f"{'met' if within_error else 'missed'}), longest training "
        f"{minutes(default['max_train_seconds'])} (goal <= {GOAL_TRAINING_MINUTES} min: "
        f"{'met' if within_time else 'missed'})"
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA"), help="MNIST .npz/IDX")
    parser.add_argument("--seed", default="42", help="the lesson's seed (default: its own, 42)")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="the previous recipe against the default, over --seeds, in one run",
    )
    parser.add_argument("--seeds", nargs="+", default=SEEDS, help="seeds for --compare")
    parser.add_argument("--ablation", action="store_true", help="also run every ablation row")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=[short for short, _, _ in [DEFAULT, *ABLATION]],
        help="run just these configurations",
    )
    parser.add_argument(
        "--tta", type=int, default=8, help="test-time augmentation copies (with augmentation)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="run the lesson in its quick mode: checks this script, measures nothing",
    )
    parser.add_argument(
        "--results", default=BENCH_DIR / "results", help="where the JSON and the logs go"
    )
    parser.add_argument("--out", help="keep the default run's outputs (model, figures) here")
    args = parser.parse_args()

    rows = run_comparison(args) if args.compare else run_ablation(args)
    results_dir = Path(args.results)
    results_dir.mkdir(parents=True, exist_ok=True)
    kind = "compare" if args.compare else "ablation"
    path = results_dir / f"best_cnn-{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(rows, indent=2) + "\n")
    print(f"Saved: {path}")


if __name__ == "__main__":
    main()
