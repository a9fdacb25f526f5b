"""Lesson 08 on real handwriting: what adapting gains on other writers' digits, and what it
costs on MNIST, for the careful recipe (replay, a low learning rate, frozen batch
normalization) and the naive one (the own digits alone, Adam's default rate).

The images of `../shared/data/own_digits/` (`<digit>/<writer>__<name>`) stand in for a
student's collected digits. They are split by writer, the part of the file name before the
first `__`: each writer in turn is held out, and the lesson adapts on all the others and
scores on that writer's digits, which it never saw. Each split is run with every seed.

    python bench/bench_teach.py --data ../shared/data/mnist.npz \
        --model outputs/models/05_best_cnn.keras
    python bench/bench_teach.py ... --epochs 2 5 10 20 --seeds 0   # choose the epochs
    python bench/bench_teach.py ... --all                          # adapt on every image

With several `--epochs`, each is run over the same splits: the lesson's EPOCHS is the value
that reads the held-out writers best (never the MNIST test set, which is only reported).
`--all` also adapts on all the images at once, as the lesson would on a student's folder,
and reports the time and the MNIST test error (its held-out column scores the images it was
adapted on, so it is not a result). Each run of the lesson takes 40-60 s on a 2-core CPU.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

from lesson_runs import PROJECT_DIR, run_lesson

import outputs

LESSON = PROJECT_DIR / "08_teach_handwriting.py"
DEFAULT_OWN_DIGITS = PROJECT_DIR.parent / "shared" / "data" / "own_digits"
RESULTS = PROJECT_DIR / "bench" / "results" / "teach.json"


def writer_of(path):
    return path.name.split("__")[0]


def split_by_writer(own_digits, held_out_writer, folder):
    """Folders `adapt/<digit>/` and `test/<digit>/` of links to the images: the held-out
    writer's in test, everyone else's in adapt."""
    return link_split(own_digits, folder, lambda path, _: writer_of(path) == held_out_writer)


def split_in_halves(own_digits, held_out_half, folder):
    """The same folders, each writer's images of each digit dealt alternately into two
    halves, half `held_out_half` (0 or 1) in test: where a writer drew a digit more than
    once, one drawing is adapted on and another scored, as when a student adapts on one
    sitting and is scored on another. (A digit drawn once is always in the first half.)"""
    return link_split(own_digits, folder, lambda _, turn: turn % 2 == held_out_half)


def link_split(own_digits, folder, held_out):
    """adapt/ and test/ under `folder`: `held_out(path, turn)` says where each image goes;
    `turn` counts the writer's earlier images of the same digit."""
    turns = {}
    for path in sorted(own_digits.glob("[0-9]/*")):
        key = (writer_of(path), path.parent.name)
        turn = turns[key] = turns.get(key, -1) + 1
        target = folder / ("test" if held_out(path, turn) else "adapt") / path.parent.name
        target.mkdir(parents=True, exist_ok=True)
        (target / path.name).symlink_to(path.resolve())
    return folder / "adapt", folder / "test"


def adapt(adapt_folder, test_folder, args, seed, epochs=None):
    """One run of the lesson: its record, with the process's wall seconds. `epochs` None:
    the lesson's own EPOCHS."""
    flags = [adapt_folder, "--test", test_folder, "--model", args.model, "--seed", seed]
    flags += [] if epochs is None else ["--epochs", epochs]
    record, _, _, wall = run_lesson(LESSON, *flags, data=args.data, records=outputs.ADAPTATION)
    return {**record, "wall_seconds": round(wall, 1)}


def correct(record, way):
    return record["held_out_read_right"][way]


def print_table(runs, epochs):
    """One row per held-out writer (or half): own digits read right (summed over seeds) and
    the mean MNIST test error, before and after each recipe."""
    rows = [run for run in runs if run["epochs"] == epochs]
    print(f"\n### {epochs} epochs, seeds {sorted({run['seed'] for run in rows})}")
    print("| held out | images | read right before | careful | naive |")
    print("| --- | ---: | ---: | ---: | ---: |")
    ways = ("before", "careful", "naive")
    totals = dict.fromkeys(("images", *ways), 0)
    for writer in sorted({run["writer"] for run in rows}):
        runs_of_writer = [run for run in rows if run["writer"] == writer]
        images = sum(run["held_out_images"] for run in runs_of_writer)
        counts = {way: sum(correct(run, way) for run in runs_of_writer) for way in ways}
        counts["images"] = images
        for key in totals:
            totals[key] += counts[key]
        cells = " | ".join(f"{counts[way] / images:.1%}" for way in ways)
        print(f"| {writer} | {images // len(runs_of_writer)} | {cells} |")
    cells = " | ".join(
        f"{totals[way] / totals['images']:.1%}" for way in ("before", "careful", "naive")
    )
    print(f"| all | {totals['images'] // len({run['seed'] for run in rows})} | {cells} |")
    mnist = {
        way: sum(run["mnist_test_error_percent"][way] for run in rows) / len(rows) for way in ways
    }
    worst = max(run["mnist_test_error_percent"]["careful"] for run in rows)
    print(
        f"\nMNIST test error, mean over {len(rows)} runs: before {mnist['before']:.2f}%, "
        f"careful {mnist['careful']:.2f}% (worst {worst:.2f}%), naive {mnist['naive']:.2f}%"
    )
    seconds = [run["adapt_seconds"] for run in rows]
    print(f"Careful adaptation: {min(seconds):.1f}-{max(seconds):.1f} s per run")


def save(runs, path=None):
    """Every run so far, after each: a benchmark stopped early keeps what it measured."""
    path = Path(path or RESULTS)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(runs, indent=2) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--own-digits", type=Path, default=DEFAULT_OWN_DIGITS)
    parser.add_argument("--data", required=True, help="mnist.npz or a folder of IDX files")
    parser.add_argument("--model", type=Path, required=True, help="the saved model to adapt")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, nargs="+", help="default: the lesson's EPOCHS")
    parser.add_argument(
        "--split",
        choices=("writers", "halves"),
        default="writers",
        help="writers: hold out each writer in turn (default); halves: half of every "
        "writer's images, then the other half",
    )
    parser.add_argument("--writers", nargs="+", help="hold out only these (default: each)")
    parser.add_argument("--all", action="store_true", help="also adapt on every image at once")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"default: {RESULTS}")
    args = parser.parse_args()

    writers = args.writers or sorted({writer_of(path) for path in args.own_digits.glob("[0-9]/*")})
    if args.split == "halves":
        folds = [(f"half {half + 1}", split_in_halves, half) for half in (0, 1)]
    else:
        folds = [(writer, split_by_writer, writer) for writer in writers]
    epoch_values = args.epochs or [None]
    runs = []
    with tempfile.TemporaryDirectory() as temporary:
        for writer, split, held_out in folds:
            adapt_folder, test_folder = split(args.own_digits, held_out, Path(temporary) / writer)
            for epochs in epoch_values:
                for seed in args.seeds:
                    record = adapt(adapt_folder, test_folder, args, seed, epochs)
                    runs.append({"writer": writer, **record})
                    save(runs, args.results)
                    print(
                        f"held out {writer}, {record['epochs']} epochs, seed {seed}: "
                        f"{correct(record, 'before')} -> {correct(record, 'careful')} of "
                        f"{record['held_out_images']}, MNIST "
                        f"{record['mnist_test_error_percent']['careful']:.2f}%",
                        flush=True,
                    )
        if args.all:
            for seed in args.seeds:
                record = adapt(args.own_digits, args.own_digits, args, seed, epoch_values[0])
                runs.append({"writer": "(all, adapted on)", **record})
                save(runs, args.results)
                print(
                    f"all {record['adapt_images']} images, seed {seed}: adapting took "
                    f"{record['adapt_seconds']:.1f} s; MNIST test error "
                    f"{record['mnist_test_error_percent']['before']:.2f}% -> "
                    f"{record['mnist_test_error_percent']['careful']:.2f}% (naive "
                    f"{record['mnist_test_error_percent']['naive']:.2f}%)",
                    flush=True,
                )
    print(f"Saved: {args.results}")
    split_runs = [run for run in runs if not run["writer"].startswith("(all")]
    for epochs in sorted({run["epochs"] for run in split_runs}):
        print_table(split_runs, epochs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
