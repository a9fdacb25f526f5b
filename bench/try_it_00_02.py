"""The answers to lessons 00-02's Try it: the data, the baseline and a first CNN.

Each lesson has CHANGES (every change its exercises make, checked before anything runs) and
an `answers_NN(key)` that runs them and returns one answer per exercise, written from the
numbers measured.
"""

import re

import numpy as np
from PIL import Image
from try_it_runs import (
    COMPARE_SEEDS,
    MARK,
    PROJECT_DIR,
    TRY_IT_HEADING,
    Change,
    Edit,
    Run,
    TryItError,
)
from try_it_words import (
    answer,
    judge,
    listing,
    mean,
    per_seed,
    percent,
    ran,
    seeds_text,
    spread,
    summary_layers,
    total_parameters,
)

import common

# %% Lesson 00

L00 = "00_load_data"
X_TRAIN_7_CELL = (
    "# %% Try it: one training image\n"
    "figure, axis = plt.subplots()\n"
    'axis.imshow(x_train[7], cmap="gray")\n'
    'pictures.save_figure(figure, OUTPUT_DIR, "00_x_train_7.png", show=SHOW)\n\n'
)
SHOW_X_TRAIN_7 = Edit(
    TRY_IT_HEADING,
    X_TRAIN_7_CELL + TRY_IT_HEADING,
    says='a cell that shows `plt.imshow(x_train[7], cmap="gray")`, saved as 00_x_train_7.png',
)
MEASURE_X_TRAIN_7 = (
    "import json\n"
    f'print("{MARK}" + json.dumps({{"label": int(y_train[7]), '
    '"brightest": int(x_train[7].max()), "darkest": int(x_train[7].min())}))'
)
CHANGES_00 = {"x_train[7]": Change(edits=(SHOW_X_TRAIN_7,), after=(MEASURE_X_TRAIN_7,))}
SEED_DRAWN = "00_random_digits.png"  # the figure whose images the seed chooses
FIXED_SHOWN = (  # what the other figures show, whatever the seed
    "the pixels of `x_train[0]`, `x_train[0]` to `x_train[3]`, and the first training "
    "images of four digits"
)
OTHER_SEED = 1  # exercise 3's seed


def class_counts(printed):
    """{digit: (training count, test count)} from lesson 00's table."""
    table = printed.split("digit  train   test", 1)[-1]
    rows = re.findall(r"^\s*(\d)\s+(\d+)\s+(\d+)$", table, re.M)[: common.NUM_CLASSES]
    if len(rows) != common.NUM_CLASSES:
        raise TryItError("lesson 00 printed no table of the class counts")
    return {int(digit): (int(train), int(test)) for digit, train, test in rows}


def figure_pixels(result, name):
    with Image.open(result.out / common.FIGURES / name) as image:
        return np.asarray(image.convert("RGB"))


def on_canvas(pixels, height, width):
    """A figure's pixels on a white canvas of the given size, at its top left corner."""
    canvas = np.full((height, width, pixels.shape[2]), 255, dtype=pixels.dtype)
    canvas[: pixels.shape[0], : pixels.shape[1]] = pixels
    return canvas


def lesson_figures(*results):
    """The figures every one of the runs saved, in the order the lesson saves them."""
    names = set.intersection(
        *({path.name for path in (r.out / common.FIGURES).glob("*.png")} for r in results)
    )
    lesson = (PROJECT_DIR / f"{L00}.py").read_text()
    place = {name: lesson.find(f'"{name}"') for name in names}
    return sorted(names, key=lambda name: (place[name] < 0, place[name], name))


def figure_change(base, other, name):
    """How a figure of two runs differs, in words: the same pixel for pixel, or the share of
    its pixels that differ. A figure is saved cut to what it shows, so a title of another
    width (another image's number) changes its size too: then both are laid on one canvas."""
    first, second = figure_pixels(base, name), figure_pixels(other, name)
    height = max(first.shape[0], second.shape[0])
    width = max(first.shape[1], second.shape[1])
    differing = np.any(on_canvas(first, height, width) != on_canvas(second, height, width), -1)
    if first.shape == second.shape and not differing.any():
        return None
    words = f"different ({100 * float(np.mean(differing)):.1f}% of its pixels"
    if first.shape != second.shape:
        words += (
            f"; its size changed too, {first.shape[1]}x{first.shape[0]} against "
            f"{second.shape[1]}x{second.shape[0]} pixels"
        )
    return words + ")"


def answers_00(key):
    base = key.run(Run(L00), "the lesson as it is (exercises 1 and 3)")
    counts = class_counts(base.printed)
    train_total = sum(train for train, _ in counts.values())
    test_total = sum(test for _, test in counts.values())
    common_digit = max(counts, key=lambda digit: counts[digit][0])
    rare_digit = min(counts, key=lambda digit: counts[digit][0])
    always = counts[common_digit][1] / test_total
    verdict = "more" if always > 0.1 else "not more"
    first = answer(
        ran(Run(L00).command()),
        f"the most common training digit is {common_digit} ({counts[common_digit][0]:,} of "
        f"{train_total:,}, {percent(100 * counts[common_digit][0] / train_total)}), the rarest "
        f"{rare_digit} ({counts[rare_digit][0]:,}, "
        f"{percent(100 * counts[rare_digit][0] / train_total)}). Always answering "
        f"{common_digit} is right on {counts[common_digit][1]:,} of the {test_total:,} test "
        f"images: {percent(100 * always)}.",
        f"{verdict.capitalize()} than 10%: the ten digits are not equally common, so a model "
        "that reads nothing scores the share of the most common digit, not a tenth. That share "
        "is the floor any model must beat.",
        f"{common_digit} the most common, {rare_digit} the rarest, and {verdict} than 10% "
        f"({percent(100 * always)} of the test images; the training share, "
        f"{percent(100 * counts[common_digit][0] / train_total)}, is as good an answer). "
        "Every student with the full data gets these same counts: no seed reaches them. "
        "Common wrong answer: exactly 10%, as if the ten digits were equally common.",
        key.took(base),
    )

    shown = key.run(Run(L00, CHANGES_00["x_train[7]"]), "exercise 2")
    label, brightest, darkest = (shown.mark(k) for k in ("label", "brightest", "darkest"))
    full_range = brightest == 255 and darkest == 0
    second = answer(
        ran(Run(L00).command(), edits=(SHOW_X_TRAIN_7,)),
        f"`x_train[7]` has the label {label}; its brightest pixel is {brightest}, its darkest "
        f"{darkest}. The figure to look at is the one the run saved, 00_x_train_7.png.",
        "MNIST stores each pixel as a whole number from 0 (background) to 255 (full ink), "
        + (
            "and this digit uses the whole range: black paper, at least one pixel of full ink."
            if full_range
            else f"and this digit uses {darkest} to {brightest} of that range."
        )
        + ' The lessons divide by 255 before training: `.astype("float32") / 255`.',
        f"the label {label}, {brightest} and {darkest}, the same for every student (the data "
        "are fixed). Common wrong answer: 1.0 and 0.0, the values after dividing by 255; "
        "`x_train` itself holds the stored whole numbers.",
        key.took(shown),
    )

    other = key.run(Run(L00, seed=OTHER_SEED), "exercise 3")
    figures = lesson_figures(base, other)
    changes = {name: figure_change(base, other, name) for name in figures}
    changed = [name for name in figures if changes[name]]
    same = [name for name in figures if not changes[name]]
    third = answer(
        ran(Run(L00, seed=OTHER_SEED).command()) + ", against the run with the default seed 42",
        f"of the lesson's {len(figures)} figures, "
        + "; ".join(f"{name} is {changes[name]}" for name in changed)
        + ("; " if changed and same else "")
        + (
            f"{listing(same)} {'is' if len(same) == 1 else 'are'} the same pixel for pixel"
            if same
            else ""
        )
        + ".",
        (
            f"Only {SEED_DRAWN} changes: the seed chooses which 24 training images the random "
            f"grid shows, while the other figures show the same images whatever the seed: "
            f"{FIXED_SHOWN}."
            if changed == [SEED_DRAWN]
            else f"Changed: {listing(changed) if changed else 'nothing'}; the lesson's seed "
            "only chooses the random grid's images, so look at what else the seed reaches."
        ),
        f"{listing(changed) if changed else 'no figure'} "
        f"{'changes' if len(changed) < 2 else 'change'} and "
        f"{listing(same) if same else 'no figure'} {'stays' if len(same) < 2 else 'stay'} the "
        "same, on any machine: the seed only draws the random grid. Common wrong answer: "
        "every figure changes, as if the seed shuffled the data.",
        key.took(base, other),
    )
    return [first, second, third]


# %% Lesson 01

L01 = "01_mlp_baseline"
HALF_HIDDEN = Edit("layers.Dense(num_pixels,", "layers.Dense(num_pixels // 2,")
CONSTANT_RATE = Edit("learning_rate=learning_rate", "learning_rate=0.001")
CHANGES_01 = {
    "half": Change(edits=(HALF_HIDDEN,)),
    "slides": Change(options=("--epochs", "10"), edits=(CONSTANT_RATE,)),
}
SPREAD_SEEDS = (42, 1, 2, 3)  # exercise 3: the default and the three seeds it names


def errors(results):
    return [result.metrics()["test_error_percent"] for result in results]


def seconds(results):
    return [result.metrics()["train_seconds"] for result in results]


def run_seeds(key, run, seeds, label):
    return [key.run(run.with_seed(seed), label) for seed in seeds]


def answers_01(key):
    seeds = key.seeds(COMPARE_SEEDS)
    base = run_seeds(key, Run(L01), key.seeds(SPREAD_SEEDS), "the lesson as it is")
    base_compared = base[: len(seeds)]
    half = run_seeds(key, Run(L01, CHANGES_01["half"]), seeds, "exercise 1")
    before, after = base[0].metrics()["parameters"], half[0].metrics()["parameters"]
    judged = judge(errors(half), errors(base_compared))
    moved = mean(errors(half)) - mean(errors(base_compared))
    lesson_spread = max(errors(base)) - min(errors(base))
    small = (  # as the answer prints them
        judged.clear and round(abs(moved), 2) <= round(lesson_spread, 2) and len(base) > len(seeds)
    )
    margin = (
        f" The margin is small, though: {abs(moved):.2f} percentage points on average is no "
        f"more than the {lesson_spread:.2f} the lesson itself moves over "
        f"{seeds_text(key.seeds(SPREAD_SEEDS))} (exercise 3), so more seeds would make it surer."
        if small
        else ""
    )
    first = answer(
        ran(Run(L01).command(), seeds, CHANGES_01["half"].edits),
        f"{after:,} parameters instead of {before:,} ({100 * after / before:.0f}%). Test "
        f"error {spread(errors(half))} against the lesson's {spread(errors(base_compared))}: "
        f"{judged.words}.",
        "Nearly all the weights sit between the 784 pixels and the hidden layer, so halving "
        "the layer halves the model. "
        + (
            f"Half the neurons cost test error in every seed, and the ranges over the "
            f"{len(seeds)} seeds do not overlap.{margin}"
            if judged.kind == "higher" and judged.clear
            else (
                "One run: no conclusion on the error."
                if len(seeds) == 1
                else (
                    "What it does to the error is no larger than what another seed does: "
                    "the baseline had more neurons than it needed to reach this error."
                    if not judged.clear
                    else "The smaller layer did better here, beyond the spread between seeds."
                )
            )
        ),
        f"{after:,} parameters (exact: the layers decide it, not the seed). Test error per "
        f"seed here {per_seed(errors(half), seeds)} against the lesson's "
        f"{per_seed(errors(base_compared), seeds)}; a student's run lands near these. Expected "
        + (
            f"conclusion: {judged.kind} with half the neurons, beyond the seeds' spread"
            + (" but by about the size of it." if small else ".")
            if judged.clear
            else "conclusion: no change beyond what another seed does."
        )
        + " Common wrong answer: one run's difference taken as what halving the layer does.",
        key.took(half, base_compared),
    )

    slides = run_seeds(key, Run(L01, CHANGES_01["slides"]), seeds, "exercise 2")
    judged = judge(errors(slides), errors(base_compared))
    faster = mean(seconds(base_compared)) < mean(seconds(slides))
    second = answer(
        ran(Run(L01, CHANGES_01["slides"]).command(), seeds, CHANGES_01["slides"].edits)
        + ", against the lesson as it is with the same seeds",
        f"test error {spread(errors(slides))} with the slides' recipe, "
        f"{spread(errors(base_compared))} with the lesson's (a rate from 0.002 falling to "
        f"zero): the slides' {judged.words}. Training took {spread(seconds(slides), ' s', 1)} "
        f"against {spread(seconds(base_compared), ' s', 1)}.",
        (
            "The lesson's recipe ends lower, beyond the spread between seeds. The two differ in "
            "three ways (the epochs, the starting rate, a constant rate against one that falls "
            "to zero), so these runs do not say which mattered; the falling rate is the likely "
            "one: big steps early and tiny ones at the end, so that the last weights settle "
            "instead of jumping around the minimum as at a constant rate. "
            if judged.kind == "higher" and judged.clear
            else (
                "The slides' recipe ends lower here, beyond the spread between seeds. "
                if judged.kind == "lower" and judged.clear
                else (
                    "Neither recipe ends lower beyond the spread between seeds. "
                    if len(seeds) > 1
                    else "One run of each: no conclusion on which ends lower. "
                )
            )
        )
        + (
            "The lesson's recipe also trains in less time, with fewer epochs."
            if faster
            else "The lesson's recipe did not train faster in these runs."
        ),
        f"test error per seed here {per_seed(errors(slides), seeds)} with the slides' recipe, "
        f"{per_seed(errors(base_compared), seeds)} with the lesson's. Expected conclusion: "
        + (
            "the lesson's recipe ends lower; which of its three differences matters is not "
            "settled by these runs."
            if judged.kind == "higher" and judged.clear
            else (
                "the slides' recipe ends lower."
                if judged.kind == "lower" and judged.clear
                else "neither ends lower beyond the spread between seeds."
            )
        )
        + " Common wrong answer: putting the difference down to the constant rate alone, "
        "though the epochs and the starting rate changed too.",
        key.took(slides, base_compared),
    )

    spread_errors = errors(base)
    low, high = min(spread_errors), max(spread_errors)
    test_images = base[0].metrics()["test_images"]
    images = round((high - low) * test_images / 100)
    third = answer(
        ran(Run(L01).command(), key.seeds(SPREAD_SEEDS)),
        f"test error {per_seed(spread_errors, key.seeds(SPREAD_SEEDS))}: "
        f"{spread(spread_errors)}, from lowest to highest {high - low:.2f} percentage points "
        f"({images} of {test_images:,} test images).",
        f"The seed alone moves the error by up to {high - low:.2f} percentage points, so two "
        "single runs that differ by less than that say nothing about which recipe is "
        "better: compare means over several seeds, the same seeds for both, and look at the "
        "spread.",
        f"any error near {spread(spread_errors)}: per seed here "
        f"{per_seed(spread_errors, key.seeds(SPREAD_SEEDS))}, a spread of about "
        f"{high - low:.2f} percentage points. Expected conclusion: two single runs that differ "
        "by less than the seeds' spread settle nothing. Common wrong answer: naming the best "
        "seed's model the better one.",
        key.took(base),
    )
    return [first, second, third]


# %% Lesson 02

L02 = "02_simple_cnn"
NO_DROPOUT = Edit(
    "        layers.Dropout(0.2),\n", "", says="the line `layers.Dropout(0.2),` removed"
)
WIDER_CONVOLUTION = Edit(
    'layers.Conv2D(32, kernel_size=(5, 5), activation="relu")',
    'layers.Conv2D(64, kernel_size=(5, 5), activation="relu")',
)
CHANGES_02 = {
    "20 epochs": Change(options=("--epochs", "20")),
    "no dropout": Change(edits=(NO_DROPOUT,)),
    "64 filters": Change(edits=(WIDER_CONVOLUTION,)),
}


def lowest_epoch(history):
    losses = history["val_loss"]
    return int(np.argmin(losses)) + 1, len(losses)


def gap(result):
    """Training accuracy minus validation accuracy after the last epoch, in points."""
    history = result.history()
    return 100 * (history["accuracy"][-1] - history["val_accuracy"][-1])


def answers_02(key):
    seeds = key.seeds(COMPARE_SEEDS)
    base = run_seeds(key, Run(L02), seeds, "the lesson as it is")
    longer = run_seeds(key, Run(L02, CHANGES_02["20 epochs"]), seeds, "exercise 1")
    lowest = [lowest_epoch(result.history()) for result in longer]
    rising = [
        result.history()["val_loss"][-1] - min(result.history()["val_loss"]) for result in longer
    ]
    # The training loss from the epoch of the lowest validation loss to the last: falling?
    fell = [
        result.history()["loss"][epoch - 1] - result.history()["loss"][-1]
        for result, (epoch, _) in zip(longer, lowest)
    ]
    training_falls = all(value > 0 for value in fell)
    judged = judge(errors(longer), errors(base))
    extra = longer[0].metrics()["epochs"] - base[0].metrics()["epochs"]
    at_end = all(epoch == total for epoch, total in lowest)
    first = answer(
        ran(Run(L02, CHANGES_02["20 epochs"]).command(), seeds),
        f"the validation loss was lowest in epoch "
        f"{per_seed([epoch for epoch, _ in lowest], seeds, '', 0)} of {lowest[0][1]}, and the "
        f"last epoch's was {listing(f'{value:.4f}' for value in rising)} above that lowest "
        "value"
        + (
            ""
            if at_end
            else "; from that epoch to the last the training loss changed by "
            + listing(f"{-value:+.4f}" for value in fell)
        )
        + f". Test error {spread(errors(longer))} "
        f"against {spread(errors(base))} in {base[0].metrics()['epochs']} epochs, with the "
        f"same seeds: {judged.words}.",
        (
            "The validation loss kept falling to the end: the learning rate falls to zero "
            "over all 20 epochs, so the last ones take tiny steps and hardly overfit."
            if at_end
            else "After its lowest point the validation loss rises again, by "
            f"{max(rising):.4f} at most, "
            + (
                "while the training loss keeps falling: the first sign of the network "
                "learning its training images by heart (overfitting), kept small by the "
                "schedule's shrinking steps."
                if training_falls
                else "while the training loss did not fall in every seed: rises this small "
                "are the noise of the last epochs' tiny steps more than overfitting."
            )
            + (" It cost no test error here." if judged.kind != "higher" else "")
        )
        + (
            f" {extra} more epochs buy a lower test error here."
            if judged.kind == "lower" and judged.clear
            else f" {extra} more epochs do not buy an error that stands out from the spread "
            "between seeds."
        ),
        f"a lowest epoch anywhere from {min(e for e, _ in lowest)} to "
        f"{max(e for e, _ in lowest)} of {lowest[0][1]} (per seed here: "
        f"{listing(e for e, _ in lowest)}), "
        + ("no rise after it" if at_end else "a small rise after it")
        + f", and a test error near {spread(errors(longer))}. Expected conclusion: "
        + (
            "longer training lowers the test error beyond the seeds' spread."
            if judged.kind == "lower" and judged.clear
            else "no test error bought beyond the seeds' spread."
        )
        + " Common wrong answer: the last epoch's validation loss read as the lowest, or a "
        "one-run difference in test error read as a gain.",
        key.took(longer, base),
    )

    bare = run_seeds(key, Run(L02, CHANGES_02["no dropout"]), seeds, "exercise 2")
    gaps, base_gaps = [gap(r) for r in bare], [gap(r) for r in base]
    judged_gap = judge(gaps, base_gaps, what="gap", lower="smaller", higher="larger")
    second = answer(
        ran(Run(L02).command(), seeds, CHANGES_02["no dropout"].edits),
        f"after the last epoch, training accuracy minus validation accuracy is "
        f"{spread(gaps, ' percentage points')} without dropout and "
        f"{spread(base_gaps, ' percentage points')} with it "
        f"({judged_gap.words}). Test error {spread(errors(bare))} against "
        f"{spread(errors(base))}.",
        (
            "Without dropout the network fits its training images more closely than images "
            "it has not seen: the gap widens. "
            if judged_gap.kind == "larger"
            else "The gap did not widen beyond the seeds' spread in 7 epochs: with a schedule "
            "that ends at zero, this short training leaves little time to overfit. "
        )
        + "Note that Keras measures the training accuracy during each epoch with dropout "
        "switched on, which lowers the lesson's training accuracy, and so its gap."
        + (
            " The test error hardly moved: in 7 epochs dropout changes the gap more than how "
            "well new digits are read."
            if not judge(errors(bare), errors(base)).clear
            else ""
        ),
        f"a gap per seed near {per_seed(gaps, seeds, ' points')} without dropout, "
        f"{per_seed(base_gaps, seeds, ' points')} with it. Expected conclusion: "
        + (
            "the gap widens without dropout, "
            if judged_gap.kind == "larger" and judged_gap.clear
            else "no change in the gap beyond the seeds' spread, "
        )
        + "and the test error stays within the seeds' spread. Common wrong answer: a gap that "
        "shrinks or a lower training accuracy read as dropout's failure, forgetting that "
        "Keras measures the training accuracy with dropout on.",
        key.took(bare, base),
    )

    wide = run_seeds(key, Run(L02, CHANGES_02["64 filters"]), seeds, "exercise 3")
    narrow_layers, wide_layers = summary_layers(base[0].printed), summary_layers(wide[0].printed)
    added = total_parameters(wide[0].printed) - total_parameters(base[0].printed)
    by_layer = [
        f"{kind} +{new - old:,}"
        for (_, kind, _, old), (_, _, _, new) in zip(narrow_layers, wide_layers)
        if new != old
    ]
    judged = judge(errors(wide), errors(base))
    third = answer(
        ran(Run(L02).command(), seeds, CHANGES_02["64 filters"].edits),
        f"`model.summary()` shows {total_parameters(wide[0].printed):,} parameters instead of "
        f"{total_parameters(base[0].printed):,}: {added:,} more ({listing(by_layer)}). Test "
        f"error {spread(errors(wide))} against {spread(errors(base))}: {judged.words}.",
        "The filters themselves are cheap (25 weights and a bias each); the cost is the dense "
        "layer after `Flatten`, which now reads twice as many feature maps, each 12x12. "
        + (
            "The extra filters lowered the error beyond the spread between seeds."
            if judged.kind == "lower" and judged.clear
            else "Twice the parameters did not buy an error lower than the seeds' spread: "
            "32 filters of 5x5 already find the strokes these digits are made of."
        ),
        f"{added:,} more parameters (exact), nearly all in the dense layer. Test error per "
        f"seed here {per_seed(errors(wide), seeds)} against "
        f"{per_seed(errors(base), seeds)}. Expected conclusion: "
        + (
            "lower beyond the seeds' spread."
            if judged.kind == "lower" and judged.clear
            else "not lower beyond the seeds' spread."
        )
        + " Common wrong answer: counting only the convolution's new parameters, or "
        "calling a one-run drop in error a gain.",
        key.took(wide, base),
    )
    return [first, second, third]
