"""Benchmark lesson 05: its default recipe, and the ablation that builds it up.

Runs 05_best_cnn.py on the full MNIST data as a student would, once per configuration,
one at a time, and prints test error, training time and whole wall time:

    plain deeper CNN            --no-batch-norm --no-augmentation --no-schedule
    + batch normalization       --no-augmentation --no-schedule
    + augmentation              --no-schedule
    + schedule (the default)    (no flags: also test-time augmentation, 8 copies)

    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz             # default only
    python bench/bench_best_cnn.py --data ../shared/data/mnist.npz --ablation  # all four

The default alone took 10.6 minutes on a 2-core CPU; with --ablation about 45 minutes.
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
ABLATION = [
    ("plain deeper CNN", ["--no-batch-norm", "--no-augmentation", "--no-schedule"]),
    ("+ batch normalization", ["--no-augmentation", "--no-schedule"]),
    ("+ augmentation", ["--no-schedule"]),
]
DEFAULT = ("+ schedule (the default)", [])
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
        "--tta", type=int, default=8, help="the default's test-time augmentation copies"
    )
    parser.add_argument("--out", help="keep the default run's outputs (model, figures) here")
    args = parser.parse_args()

    # The default runs first: it is the one with targets, and its result comes soonest.
    configurations = [DEFAULT] + (ABLATION if args.ablation else [])
    rows = []
    for label, flags in configurations:
        tta = args.tta if not flags else 0
        keep = args.out if not flags else None
        metrics, wall = run_configuration(flags, args.seed, args.data, tta, keep)
        rows.append({"configuration": label, "flags": flags, "wall_s": wall, **metrics})
        print(
            f"{label}: {metrics['test_error_percent']:.2f}% in {metrics['train_seconds']:.0f} s "
            f"of training, {wall:.0f} s wall",
            flush=True,
        )

    rows = rows[1:] + rows[:1]  # the table reads as the ablation builds up to the default
    print(
        f"\n| configuration | test error | one pass | training | wall | seed {args.seed} |"
        "\n| --- | --- | --- | --- | --- | --- |"
    )
    for row in rows:
        flags = row["flags"] or [f"(default: --tta {row['tta_copies']})"]
        print(
            f"| {row['configuration']} | {row['test_error_percent']:.2f}% "
            f"| {row['single_pass_test_error_percent']:.2f}% "
            f"| {row['train_seconds'] / 60:.1f} min | {row['wall_s'] / 60:.1f} min "
            f"| `{' '.join(flags)}` |"
        )
    default = rows[-1]
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
