"""Benchmark the lessons on each Keras backend: TensorFlow, JAX and PyTorch, in one run.

Trains lessons 1, 2 and 3 and two epochs of lesson 5 on every installed backend, each run a
fresh process as a student would start it (`KERAS_BACKEND=jax python 02_simple_cnn.py`).
The backends take turns in an order that rotates from round to round, so that a slow spell
of the machine falls on each of them. Prints the training seconds (the mean over rounds),
the ratio to TensorFlow, and the test error.

    python bench/bench_backends.py --data ../shared/data/mnist.npz
    python bench/bench_backends.py --data mnist.npz --rounds 2 --lessons 01 02
    python bench/bench_backends.py --data mnist.npz --lessons 01 02 --epochs 2 \\
        --backends tensorflow jax --steps-per-execution 1 10

--steps-per-execution trains each lesson once per value, in a copy of the lesson whose
`model.compile(...)` passes Keras' `steps_per_execution` (the lessons keep Keras' default,
1); PyTorch's backend takes only 1. One round of the default table took 27 minutes on
a 2-core CPU. The JSON of the results goes to bench/results/ (not in git).
"""

import argparse
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lesson_runs import PROJECT_DIR, run_lesson

BENCH_DIR = Path(__file__).resolve().parent
BACKENDS = ["tensorflow", "jax", "torch"]
# (script, the lesson's own flags for this benchmark)
LESSONS = {
    "01": ("01_mlp_baseline.py", []),
    "02": ("02_simple_cnn.py", []),
    "03": ("03_large_cnn.py", []),
    "05": ("05_best_cnn.py", ["--epochs", "2", "--tta", "0"]),
}


def with_steps_per_execution(script, steps, folder):
    """A copy of a lesson, in `folder`, whose one `model.compile(` asks Keras to run `steps`
    batches per call into the backend."""
    source = script.read_text()
    if source.count("model.compile(") != 1:
        sys.exit(f"error: {script.name} does not compile its model in one model.compile(")
    copy = Path(folder) / script.name
    copy.write_text(
        source.replace("model.compile(", f"model.compile(steps_per_execution={steps}, ")
    )
    return copy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA"), help="MNIST .npz/IDX")
    parser.add_argument("--lessons", nargs="+", choices=LESSONS, default=list(LESSONS))
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--rounds", type=int, default=1, help="runs of each lesson per backend")
    parser.add_argument("--epochs", help="train every lesson for this many epochs")
    parser.add_argument(
        "--steps-per-execution",
        nargs="+",
        type=int,
        default=[None],
        metavar="N",
        help="train once with each value (default: the course's setting per backend)",
    )
    parser.add_argument("--seed", default="42")
    parser.add_argument("--quick", action="store_true", help="the lessons' quick mode: a check")
    parser.add_argument("--results", type=Path, default=BENCH_DIR / "results")
    args = parser.parse_args()
    backends = [name for name in args.backends if importlib.util.find_spec(name)]
    missing = sorted(set(args.backends) - set(backends))
    if missing:
        print(f"Not installed, left out: {', '.join(missing)}")

    # Every (backend, steps per execution) pair, PyTorch's with 1 only.
    candidates = [
        (backend, steps)
        for backend in backends
        for steps in args.steps_per_execution
        if not (backend == "torch" and steps not in (None, 1))
    ]
    runs = []
    for lesson in args.lessons:
        script, flags = LESSONS[lesson]
        # argparse takes the last --epochs given, so --epochs here overrides the lesson's.
        flags = flags + ["--seed", args.seed] + (["--quick"] if args.quick else [])
        flags += ["--epochs", args.epochs] if args.epochs else []
        for round_number in range(args.rounds):
            shift = round_number % len(candidates)
            for backend, steps in candidates[shift:] + candidates[:shift]:
                environment = {"KERAS_BACKEND": backend}
                with tempfile.TemporaryDirectory() as copies:
                    lesson_file = PROJECT_DIR / script
                    if steps and steps != 1:
                        lesson_file = with_steps_per_execution(lesson_file, steps, copies)
                    metrics, _, stdout, wall = run_lesson(
                        lesson_file, *flags, data=args.data, environment=environment
                    )
                banner = stdout.splitlines()[0]
                runs.append(
                    {
                        "lesson": lesson,
                        "backend": backend,
                        "asked_steps_per_execution": steps,
                        "round": round_number,
                        "wall_s": wall,
                        "banner": banner,
                        **metrics,  # with the steps per execution the lesson used
                    }
                )
                print(
                    f"{script} on {backend} ({metrics['steps_per_execution']} steps per "
                    "execution): "
                    f"{metrics['train_seconds']:.1f} s of training, "
                    f"{metrics['test_error_percent']:.2f}% test error",
                    flush=True,
                )

    print(f"\n{runs[0]['banner'] if runs else ''}")
    print(
        f"Mean over {args.rounds} round(s), seed {args.seed}; ratio: training time against "
        "TensorFlow's (with the course's setting, or the same steps per execution)."
    )
    print("| lesson | backend | steps per execution | training s | ratio | test error |")
    print("| --- | --- | --- | --- | --- | --- |")
    for lesson in args.lessons:
        means = {}
        for backend, steps in candidates:
            chosen = [
                run
                for run in runs
                if (run["lesson"], run["backend"], run["asked_steps_per_execution"])
                == (lesson, backend, steps)
            ]
            seconds = statistics.mean(run["train_seconds"] for run in chosen)
            errors = sorted({f"{run['test_error_percent']:.2f}%" for run in chosen})
            means[backend, steps] = seconds
            reference = means.get(("tensorflow", steps)) or means.get(("tensorflow", None))
            ratio = f"{seconds / reference:.2f}" if reference else ""
            setting = ", ".join(sorted({str(run["steps_per_execution"]) for run in chosen}))
            print(
                f"| {' '.join([LESSONS[lesson][0], *LESSONS[lesson][1]])} | {backend} | {setting} "
                f"| {seconds:.1f} | {ratio} | {', '.join(errors)} |"
            )
    args.results.mkdir(parents=True, exist_ok=True)
    path = args.results / f"backends-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(runs, indent=2) + "\n")
    print(f"Saved: {path}")


if __name__ == "__main__":
    main()
