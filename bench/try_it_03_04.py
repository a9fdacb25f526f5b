"""The answers to lessons 03 and 04's Try it: the larger CNN and the lecture decks' models,
and what the models get wrong.
"""

import re

from try_it_00_02 import L01, L02, errors, run_seeds
from try_it_05 import RECIPE
from try_it_runs import COMPARE_SEEDS, MARK, Change, Edit, ModelOf, Run, TryItError
from try_it_words import (
    answer,
    counted,
    judge,
    listing,
    per_seed,
    percent,
    ran,
    spread,
    summary_layers,
    total_parameters,
)

# %% Lesson 03

L03 = "03_large_cnn"
VARIANTS = ["tf2_notebook", "deitel", "lab7"]
VARIANT_SEEDS = (42,)  # each variant trains for minutes: one seed, judged by lesson 3's spread
NO_SECOND_POOLING = Edit(
    '        layers.Conv2D(15, kernel_size=(3, 3), activation="relu"),\n'
    "        layers.MaxPooling2D(pool_size=(2, 2)),\n",
    '        layers.Conv2D(15, kernel_size=(3, 3), activation="relu"),\n',
    says="the `MaxPooling2D` line after `Conv2D(15, ...)` removed",
)
CHANGES_03 = {
    **{variant: Change(options=("--variant", variant)) for variant in VARIANTS},
    "no second pooling": Change(edits=(NO_SECOND_POOLING,)),
    "batch 50": Change(options=("--batch-size", "50")),
}
STAGE_ROW = re.compile(r"^(\S+)\s+([\d,]+)\s+([\d.]+)%\s+(\d+)\s+([\d.]+)s", re.M)


def per_epoch(result):
    metrics = result.metrics()
    return metrics["train_seconds"] / metrics["epochs"]


def answers_03(key):
    seeds = key.seeds(COMPARE_SEEDS)
    base = run_seeds(key, Run(L03), seeds, "the lesson as it is")
    variants = {v: Run(L03, CHANGES_03[v]) for v in VARIANTS}
    trained = {
        v: run_seeds(key, variants[v], key.seeds(VARIANT_SEEDS), "exercise 1") for v in VARIANTS
    }
    compared = key.run(
        Run("04_analyze_errors", seed=None, stages=(Run(L03), *variants.values())),
        "exercise 1, lesson 04 on the four models",
    )
    table = {
        name: (int(p.replace(",", "")), float(e))
        for name, p, e, _, _ in STAGE_ROW.findall(compared.printed)
    }
    if len(table) != len(VARIANTS) + 1:
        raise TryItError(f"lesson 04 listed {sorted(table)}, not lesson 3's four models")
    most = max(table, key=lambda name: table[name][0])
    lowest = min(table, key=lambda name: table[name][1])
    rows = "; ".join(f"{name} {p:,} parameters, {percent(e)}" for name, (p, e) in table.items())
    variant_errors = {v: errors(results) for v, results in trained.items()}
    above = [v for v, e in variant_errors.items() if min(e) > max(errors(base))]
    below = [v for v, e in variant_errors.items() if max(e) < min(errors(base))]
    inside = [v for v in VARIANTS if v not in above + below]
    one_run = len(key.seeds(VARIANT_SEEDS)) == 1
    first = answer(
        ran([variants[v].command() for v in VARIANTS], key.seeds(VARIANT_SEEDS))
        + f", then `{Run(L04, seed=None).command()}` on the four saved models",
        f"lesson 04's table (seed 42): {rows}. Lesson 3's own model over "
        f"{counted(len(seeds), 'seed')}: {spread(errors(base))}.",
        (
            f"{most} has the most parameters and also the lowest error in this run. "
            if most == lowest
            else f"{most} has the most parameters ({table[most][0]:,}), but {lowest} the "
            f"lowest error in this run ({table[lowest][0]:,} parameters). "
        )
        + "Most of a big model's weights sit in the wide dense layer after `Flatten`, not in "
        "the convolutions that find the strokes, so the parameter count alone does not rank "
        "the models."
        + (
            " One run of each deck's model: no conclusion on which reads digits best. Held "
            f"against lesson 3's own model over its {len(seeds)} seeds, "
            f"{spread(errors(base))}: "
            + "; ".join(
                f"{listing(found)} {where}"
                for where, found in (
                    ("above that range", above),
                    ("below it", below),
                    ("inside it", inside),
                )
                if found
            )
            + ": a hint where to look, not a ranking."
            if one_run and len(seeds) > 1
            else (" One run: no conclusion." if one_run else "")
        ),
        f"the parameter counts exactly ({most} the most: the layers decide them, not the "
        "seed), and errors near these for seed 42; another seed moves each about as much as "
        f"it moves lesson 3's own model, {spread(errors(base))}. Expected conclusion: the "
        "most parameters "
        + (
            "went with the lowest error in this run"
            if most == lowest
            else "did not give the lowest error"
        )
        + ", and one run of each model ranks nothing. Common wrong answer: the biggest "
        "model is the best, or a ranking read off one run of each.",
        key.took(*trained.values(), compared),
    )

    pooled = key.run(Run(L03, CHANGES_03["no second pooling"]), "exercise 2")
    before, after = summary_layers(base[0].printed), summary_layers(pooled.printed)
    flatten = [shape for _, kind, shape, _ in before if kind == "Flatten"][0]
    flatten_after = [shape for _, kind, shape, _ in after if kind == "Flatten"][0]
    dense, units = [(count, shape) for _, kind, shape, count in before if kind == "Dense"][0]
    dense_after = [count for _, kind, _, count in after if kind == "Dense"][0]
    units = int(units.strip("()").split(",")[-1])  # (None, 128): a bias per neuron
    total, total_after = total_parameters(base[0].printed), total_parameters(pooled.printed)
    second = answer(
        ran(Run(L03).command(), edits=CHANGES_03["no second pooling"].edits),
        f"{total_after:,} parameters instead of {total:,} ({total_after / total:.1f} times). "
        f"`Flatten` gives {flatten_after} instead of {flatten}, and the first dense layer has "
        f"{dense_after - units:,} weights and {units} biases ({dense_after:,} parameters) "
        f"instead of {dense - units:,} weights and {units} biases. Test error "
        f"{percent(pooled.metrics()['test_error_percent'])} (seed 42, one run; the lesson's "
        f"{percent(base[0].metrics()['test_error_percent'])}).",
        "Pooling has no weights, but it halves each side of the feature maps: without it "
        f"`Flatten` hands four times as many numbers to the dense layer of {units} neurons, "
        "and each number needs a weight to every neuron. The convolutions do not change.",
        f"{total_after:,} parameters and {flatten_after} from `Flatten`, exactly (the layers "
        "decide them). The test error is not what the exercise asks: one run, no conclusion. "
        "Common wrong answer: that pooling's own weights were removed (it has none), or that "
        "the convolutions grew.",
        key.took(pooled),
    )

    small = run_seeds(key, Run(L03, CHANGES_03["batch 50"]), seeds, "exercise 3")
    epoch, base_epoch = [per_epoch(r) for r in small], [per_epoch(r) for r in base]
    judged = judge(errors(small), errors(base))
    timed = judge(epoch, base_epoch, "time per epoch", "shorter", "longer", "s", 1)
    third = answer(
        ran(Run(L03, CHANGES_03["batch 50"]).command(), seeds)
        + ", against the lesson as it is with the same seeds",
        f"an epoch took {spread(epoch, ' s', 1)} instead of {spread(base_epoch, ' s', 1)} "
        f"with batches of 200 ({timed.words}). Test error {spread(errors(small))} against "
        f"{spread(errors(base))}: {judged.words}.",
        (
            "An epoch is slower: four times as many steps, each on a quarter of the images, "
            "and each step has a fixed cost besides its arithmetic, paid four times as often. "
            if timed.kind == "longer"
            else "An epoch was not clearly slower here: four times as many steps, each on a "
            "quarter of the images, cost this CPU about as much in all. "
        )
        + (
            "The error is lower in every seed, beyond the spread between seeds: four times as "
            f"many updates in the same {base[0].metrics()['epochs']} epochs, each a little "
            "noisier."
            if judged.kind == "lower" and judged.clear
            else "The error is not lower beyond the spread between seeds."
        ),
        f"an epoch slower with batches of 50 (here {per_seed(epoch, seeds, ' s', 1)} against "
        f"{per_seed(base_epoch, seeds, ' s', 1)}; seconds depend on the machine, the ratio "
        f"less), and a test error per seed near {per_seed(errors(small), seeds)} against "
        f"{per_seed(errors(base), seeds)}. Expected conclusion: "
        + (
            "lower error beyond the seeds' spread, more updates per epoch."
            if judged.kind == "lower" and judged.clear
            else "no error lower beyond the seeds' spread."
        )
        + " Common wrong answer: an epoch four times as slow exactly, or faster because each "
        "batch is smaller.",
        key.took(small, base),
    )
    return [first, second, third]


# %% Lesson 04

L04 = "04_analyze_errors"
SURE, UNSURE = 0.9, 0.6  # a mistake made with at least / less than this confidence
MEASURE_GRID = (
    "import json\n"
    "grid = wrong[: GRID_ROWS * GRID_COLUMNS]\n"
    "second_guess = np.argsort(-probabilities[grid], axis=1)[:, 1]\n"
    f'print("{MARK}" + json.dumps({{"grid": len(grid), "wrong": len(wrong), '
    '"second_is_true": int(np.sum(second_guess == y_test[grid])), '
    f'"sure": int(np.sum(confidence[grid] >= {SURE})), '
    f'"unsure": int(np.sum(confidence[grid] < {UNSURE}))}}))'
)
DRAW_CHOSEN = (
    "figure, axes = plt.subplots(1, len(INDICES), figsize=(2.2 * len(INDICES), 2.6))\n"
    "for axis, index in zip(np.atleast_1d(axes), INDICES):\n"
    '    axis.imshow(x_test[index], cmap="gray")\n'
    '    axis.set_title(f"#{index}: {predicted[index]} (true {y_test[index]})")\n'
    '    axis.axis("off")\n'
    'pictures.save_figure(figure, OUTPUT_DIR, f"04_chosen_{stage}.png")'
)
CHANGES_04 = {"grid": Change(after=(MEASURE_GRID,)), "chosen": Change(after=(DRAW_CHOSEN,))}
MISCLASSIFIED = re.compile(r"^Misclassified by (\S+): (\d+) of (\d+) test images", re.M)
PAIR = re.compile(r"^a (\d) read as (\d): (\d+) times$", re.M)
PREDICTION_ROW = re.compile(
    r"^\s*(\d+)\s+(\d)\s+(\d)\s+([\d.]+)% \|((?:\s+[\d.]+){10})(?:  wrong)?$", re.M
)


def course_models(key):
    """The models lessons 01, 02, 03 and 05 save with seed 42, as a student has them."""
    runs = [Run(L01), Run(L02), Run(L03), RECIPE]
    for run in runs:
        key.run(run, "a saved model that lessons 04 and 06-08 read")
    return runs


def misclassified(printed):
    """(the model's name, how many test images it read wrong) as lesson 04 printed them."""
    found = MISCLASSIFIED.search(printed)
    if not found:
        raise TryItError("lesson 04 printed no 'Misclassified by ...' line")
    return found.group(1), int(found.group(2))


def confused_pairs(printed):
    return [(int(true), int(read), int(count)) for true, read, count in PAIR.findall(printed)]


def prediction_rows(printed, after):
    """{image: (label, predicted, confidence %, probabilities %)} printed after `after`."""
    rows = {}
    for index, label, predicted, confidence, cells in PREDICTION_ROW.findall(
        printed.split(after, 1)[-1]
    ):
        probabilities = [float(value) for value in cells.split()]
        rows.setdefault(int(index), (int(label), int(predicted), float(confidence), probabilities))
    return rows


def pairs_text(pairs):
    return listing(f"{true} read as {read} ({count} times)" for true, read, count in pairs)


def answers_04(key):
    stages = tuple(course_models(key))
    analysed = key.run(Run(L04, CHANGES_04["grid"], seed=None, stages=stages), "exercise 1")
    stage, wrong = misclassified(analysed.printed)
    grid = analysed.mark("grid")
    second, sure, unsure = (analysed.mark(k) for k in ("second_is_true", "sure", "unsure"))
    first = answer(
        ran(Run(L04).command())
        + " in a folder where lessons 01, 02, 03 and 05 saved their models (seed 42)",
        f"lesson 04 analysed {stage}; it reads {wrong} of the test images wrong, and the grid "
        f"shows the first {grid}. Of those {grid}, the model's second guess was the true "
        f"digit for {second}; it was less than {UNSURE:.0%} sure of its wrong answer for "
        f"{unsure}, and {SURE:.0%} or more for {sure}.",
        "Accept any count a student backs with the images' numbers; which to count is for "
        f"the eye: look at 04_misclassified_{stage}.png"
        + (" (the README shows the same recipe and seed's grid). " if stage == L03 else ". ")
        + "The numbers point where to look: a "
        "mistake made without confidence, with the true digit as second guess, is usually a "
        "digit that could be either; a mistake made with 90% or more is where to check whether "
        "a person would have read it right, or whether the label itself looks wrong.",
        "any count backed by the images' numbers in the student's own grid (their model, "
        f"trained with another seed or machine, reads other images wrong than these {wrong}). "
        "Expected conclusion: some mistakes a person would also make or argue about, some a "
        "person would not. Common wrong answer: all of them are the model's fault, or all are "
        "bad labels.",
        key.took(analysed),
    )

    mlp = key.run(Run(L04, seed=None, stages=stages, model=ModelOf(Run(L01), L01)), "exercise 2")
    stage_pairs, mlp_pairs = confused_pairs(analysed.printed), confused_pairs(mlp.printed)
    shared = {(t, r) for t, r, _ in stage_pairs} & {(t, r) for t, r, _ in mlp_pairs}
    second_answer = answer(
        ran(Run(L04, model=ModelOf(Run(L01), L01)).command()),
        f"lesson 1's model: {pairs_text(mlp_pairs)}; {stage}: {pairs_text(stage_pairs)}. "
        f"{len(shared)} of the {len(stage_pairs)} pairs "
        f"{'is' if len(shared) == 1 else 'are'} the same"
        + (f" ({listing(f'{t} as {r}' for t, r in sorted(shared))})." if shared else "."),
        (
            "Some confusions lie in the digits themselves, and every model meets them; "
            if shared
            else "No pair is shared: the two models fail in different places; "
        )
        + f"lesson 1's network reads {misclassified(mlp.printed)[1]} images wrong against "
        f"{wrong}, and adds confusions of its own: it sees pixels in fixed places, not "
        "strokes, so a digit that sits or leans differently looks like another.",
        "the student's own two lists (the pairs and their counts change with the models' "
        "seeds; counts of 2 or 3 swap places easily). Expected conclusion: "
        + (
            "a few pairs shared, the ones in the digits themselves, and the dense network "
            "making far more mistakes of its own."
            if shared
            else "the two models fail in different places, the dense network far more often."
        )
        + " Common wrong answer: the same pairs in the same order, or a pair read from one "
        "image.",
        key.took(mlp),
    )

    confident = prediction_rows(analysed.printed, "most confident mistakes:")
    chosen_indices = list(confident)[:3]
    if not chosen_indices:
        raise TryItError("lesson 04 printed no table of its most confident mistakes")
    chosen = key.run(
        Run(
            L04,
            Change(options=("--index", *map(str, chosen_indices)), after=(DRAW_CHOSEN,)),
            seed=None,
            stages=stages,
        ),
        "exercise 3",
    )
    rows = prediction_rows(chosen.printed, "Chosen test images")
    described = [
        f"#{index}: a {rows[index][0]} read as {rows[index][1]} with {rows[index][2]:.1f}% "
        f"(the true digit {rows[index][3][rows[index][0]]:.0f}%)"
        for index in chosen_indices
    ]
    all_sure = all(rows[index][2] >= 100 * SURE for index in chosen_indices)
    third = answer(
        ran(Run(L04, Change(options=("--index", *map(str, chosen_indices)))).command())
        + "; in a copy of the lesson, a cell that draws the three images side by side, saved "
        f"as 04_chosen_{stage}.png",
        f"{'; '.join(described)}. The lesson prints these numbers; the added cell drew the "
        f"three images side by side, 04_chosen_{stage}.png.",
        (
            f"Yes: the model was {SURE:.0%} or more sure of each of the three, and wrong. "
            if all_sure
            else "Not all three are confident: the model is less sure than 90% of some. "
        )
        + "Whether a person would read them right is for the eye. A softmax probability "
        "ranks the ten digits for one image; training pushes it towards the share of answers "
        "given with it that are right, but a network that fits its training images closely "
        "is often surer than its test answers warrant"
        + (
            f", and these three show that {SURE:.0%} or more can come with a wrong answer."
            if all_sure
            else ": a high probability is no promise of a right answer."
        ),
        "the three most confident mistakes of the student's own model (its image numbers "
        "differ with the model), and yes if the student saw probabilities of 90% or more on "
        "a wrong answer. Common wrong answer: a probability of 99% read as 99% sure to be "
        "right.",
        key.took(chosen),
    )
    return [first, second_answer, third]
