"""How well lesson 06 reads real handwriting: prepared the MNIST way against a plain resize.

Reads a folder of labelled digit images, one subfolder per digit (`0/`, `1/`, ... `9/`), as
`../shared/data/own_digits/` is laid out, with a saved lesson model. Prints the accuracy per
contributor (the part of the file name before the first `__`, if any) and overall, for lesson
06's preparation and for the usual mistake of resizing the photo straight to 28x28.

    python bench/bench_own_digits.py ../shared/data/own_digits
    python bench/bench_own_digits.py ../shared/data/own_digits \
        --model outputs/models/03_large_cnn.keras
    python bench/bench_own_digits.py ../shared/data/own_digits \
        --model seed1/models/05_best_cnn.keras --model seed2/models/05_best_cnn.keras

With several `--model`s, each model's count is printed and the table is for the average of
their probabilities (an ensemble). Takes a few seconds. Lists every image read wrong.
"""

import argparse
import sys
from collections import defaultdict
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
import course  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

import common  # noqa: E402
import handwriting  # noqa: E402
import outputs  # noqa: E402


def naive_input(path):
    """What many tutorials do: grey, resize to 28x28, scale to 0-1. No inversion, no centring."""
    with Image.open(path) as image:
        return np.asarray(image.convert("L").resize((28, 28)), dtype=np.float32) / 255


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder with one subfolder per digit")
    parser.add_argument(
        "--model",
        type=Path,
        action="append",
        help="a saved model; repeat to average several (default: the best one in outputs/)",
    )
    parser.add_argument("--out", type=Path, default=outputs.DEFAULT_OUT_DIR)
    args = parser.parse_args()
    course.show_user_errors_as_one_line()

    model_paths = args.model or [outputs.best_saved_model(args.out)]
    models = [common.load_model(path) for path in model_paths]
    samples = [
        (path, int(path.parent.name))
        for path in sorted(args.folder.glob("[0-9]/*"))
        if path.suffix.lower() in handwriting.IMAGE_SUFFIXES
    ]
    if not samples:
        sys.exit(f"error: no images in {args.folder}/0 ... {args.folder}/9")

    prepared, naive = [], []
    for path, _ in samples:
        gray = handwriting.load_grayscale(path)
        prepared.append(handwriting.prepare_digit(handwriting.clean_ink(gray)))
        naive.append(naive_input(path))
    labels = np.array([label for _, label in samples])
    probabilities = {}
    for method, images in [("prepared", prepared), ("naive resize", naive)]:
        batch = np.stack(images)
        probabilities[method] = [
            model.predict(batch.reshape(len(batch), *model.input_shape[1:]), verbose=0)
            for model in models
        ]
    for path, model_probabilities in zip(model_paths, probabilities["prepared"]):
        right = int(np.sum(model_probabilities.argmax(axis=1) == labels))
        print(f"Model: {path}: {right}/{len(labels)} prepared images read right")
    if len(models) > 1:
        print(f"The table is for the average of these {len(models)} models' probabilities.")
    results = {method: np.mean(p, axis=0).argmax(axis=1) for method, p in probabilities.items()}

    by_contributor = defaultdict(list)
    for index, (path, _) in enumerate(samples):
        by_contributor[path.name.split("__")[0]].append(index)
    print("\n| contributor | images | prepared | naive resize |\n| --- | --- | --- | --- |")
    for contributor, indices in sorted(by_contributor.items()):
        cells = [
            f"{np.mean(results[method][indices] == labels[indices]):.0%}"
            for method in ("prepared", "naive resize")
        ]
        print(f"| {contributor} | {len(indices)} | {cells[0]} | {cells[1]} |")
    totals = {method: int(np.sum(results[method] == labels)) for method in results}
    print(
        f"| all | {len(labels)} | {totals['prepared']}/{len(labels)} = "
        f"{100 * totals['prepared'] / len(labels):.1f}% | {totals['naive resize']}/{len(labels)} "
        f"= {100 * totals['naive resize'] / len(labels):.1f}% |"
    )
    wrong = np.flatnonzero(results["prepared"] != labels)
    for index in wrong:
        path, label = samples[index]
        print(f"read wrong: {path} is a {label}, read as {results['prepared'][index]}")


if __name__ == "__main__":
    main()
