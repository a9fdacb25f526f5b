"""The answers to lesson 05's Try it: the ablation, stronger augmentation, more copies at test
time, one more well-known ingredient over two seeds, and harder training images.

Each run trains for 11-19 minutes on the 2-core CPU of docs/measurements.md. The recipe with
seed 42 is the model that lessons 06-08 read and one of the saved models lesson 04 lists; it
also answers exercise 3, whose cells run after it in the same namespace, as a student runs
them in the notebook.
"""

import re

from try_it_runs import MARK, PROJECT_DIR, RERUN, Change, Edit, Run, TryItError
from try_it_words import (
    answer,
    counted,
    far,
    judge,
    listing,
    per_seed,
    percent,
    placed,
    ran,
    seeds_text,
    validation_images,
)

L05 = "05_best_cnn"
MORE_COPIES = 32  # exercise 3's test-time augmentation
LESSON_THEN_MORE = (
    "lesson_copies = predicted_digits.copy()  # with the lesson's own TTA_COPIES\n"
    f"TTA_COPIES = {MORE_COPIES}"
)
MEASURE_COPIES = (
    "import json\n"
    "one_pass = single_pass_probabilities.argmax(axis=1)\n"
    f'print("{MARK}" + json.dumps({{"copies": TTA_COPIES, '
    '"changed": int(np.sum(predicted_digits != one_pass)), '
    '"changed_from_lesson": int(np.sum(predicted_digits != lesson_copies)), '
    '"fixed": int(np.sum((one_pass != y_test) & (predicted_digits == y_test))), '
    '"broken": int(np.sum((one_pass == y_test) & (predicted_digits != y_test))), '
    '"wrong": int(np.sum(predicted_digits != y_test)), '
    '"wrong_lesson": int(np.sum(lesson_copies != y_test)), "images": len(y_test)}))'
)
TTA_CELL = "Ingredient 5: test-time augmentation"
RECIPE = Run(L05, Change(after=(LESSON_THEN_MORE, RERUN + TTA_CELL, MEASURE_COPIES)))
STRONGER = Edit("ROTATION_DEGREES = 10", "ROTATION_DEGREES = 20")
WEIGHT_DECAY = Edit(
    "keras.optimizers.Adam(learning_rate=learning_rate)",
    "keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=0.05)",
)
ERASING = Edit(
    '    ],\n    name="augmentation",\n',
    "        layers.RandomErasing(factor=(0.5, 0.5), scale=(0.02, 0.15), fill_value=0.0, "
    'value_range=(0, 1)),\n    ],\n    name="augmentation",\n',
    says="`layers.RandomErasing(factor=(0.5, 0.5), scale=(0.02, 0.15), fill_value=0.0, "
    "value_range=(0, 1))` added at the end of `augmentation`",
)
# Exercise 4's ingredient, over two seeds against the recipe over the same two (docs/measurements.md
# measured the other two with seed 1: neither read fewer validation images wrong).
INGREDIENT = ("weight decay", WEIGHT_DECAY)
INGREDIENT_SEEDS = (42, 1)
CHANGES_05 = {
    "recipe": RECIPE.change,
    "no augmentation": Change(options=("--no-augmentation",)),
    "no schedule": Change(options=("--no-schedule",)),
    "rotation 20": Change(edits=(STRONGER,)),
    INGREDIENT[0]: Change(edits=(INGREDIENT[1],)),
    "erasing": Change(edits=(ERASING,)),
}


def one_pass(result):
    return result.metrics()["single_pass_test_error_percent"]


def with_tta(result):
    metrics = result.metrics()
    return metrics["test_error_percent"] if metrics["tta_copies"] else None


def minutes(result):
    return result.metrics()["train_seconds"] / 60


def validation_errors(result):
    """Validation images the trained model reads wrong (Keras checked them after the last
    epoch, and the lesson saves the last epoch's model)."""
    accuracy = result.history()["val_accuracy"][-1]
    return round((1 - accuracy) * validation_images(result.printed))


SEED_TABLE = "| seed | validation error of the trained model"  # docs/measurements.md's


def measured_runs():
    """[(seed, one-pass test error, validation errors)] of the recipe's runs in the seed table
    of docs/measurements.md (its lesson 5 section)."""
    text = (PROJECT_DIR / "docs" / "measurements.md").read_text()
    if SEED_TABLE not in text:
        raise TryItError("docs/measurements.md has no seed table for lesson 05")
    table = text.split(SEED_TABLE, 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| (\d+)[^|]*\| [\d.]+% \((\d+)\) \| ([\d.]+)% \|", table, re.M)
    return [(int(seed), float(error), int(count)) for seed, count, error in rows]


def measured_before(seed):
    """(one-pass test error, validation errors) of the seed's run in docs/measurements.md's
    seed table, or None where it has no row of its own."""
    rows = [(error, count) for row_seed, error, count in measured_runs() if row_seed == seed]
    return rows[0] if len(rows) == 1 else None


def rerun_note(recipes, seeds):
    """Where a seed of the recipe read otherwise here than in docs/measurements.md: say so,
    since a student who compares the two will ask."""
    notes = []
    for seed, result in zip(seeds, recipes):
        before = measured_before(seed)
        now = (one_pass(result), validation_errors(result))
        if before and (round(before[0], 2), before[1]) != (round(now[0], 2), now[1]):
            notes.append(
                f"seed {seed} read {percent(now[0])} and {now[1]} validation errors here, run "
                f"as a notebook, and {percent(before[0])} and {before[1]} in docs/measurements.md, "
                "run as a script"
            )
    if not notes:
        return ""
    return (
        f" The same seed does not always repeat its numbers: {'; '.join(notes)}. Why was not "
        "established (docs/measurements.md finds the same of two notebook builds with seed "
        "42), so each is one run, within the recipe's spread over seeds."
    )


def answers_05(key):
    seeds = key.seeds(INGREDIENT_SEEDS)
    recipes = [key.run(RECIPE.with_seed(s), "the recipe (all exercises)") for s in seeds]
    recipe = recipes[0]
    one_passes = [one_pass(result) for result in recipes]
    recipe_seeds = (
        f"the recipe's one-pass error per seed: {per_seed(one_passes, seeds)}"
        if len(seeds) > 1
        else f"the recipe's one-pass error {percent(one_pass(recipe))} (one seed)"
    )
    # The recipe's spread over every run of it measured: here, and (in full mode) the runs
    # of docs/measurements.md, where the course measured it over more seeds.
    elsewhere = [] if key.quick else measured_runs()
    all_passes = one_passes + [error for _, error, _ in elsewhere]
    over = (
        f"its {len(all_passes)} runs measured, {len(recipes)} here and {len(elsewhere)} in "
        "docs/measurements.md"
        if elsewhere
        else None
    )
    low, high = min(all_passes), max(all_passes)
    recipe_range = f"; over {over}: {low:.2f}-{high:.2f}%" if elsewhere else ""
    off = {
        name: key.run(Run(L05, CHANGES_05[name]), "exercise 1")
        for name in ("no augmentation", "no schedule")
    }
    costs = {name: one_pass(result) - one_pass(recipe) for name, result in off.items()}
    worst = max(costs, key=costs.get)
    span = f"the {low:.2f}-{high:.2f}% the recipe spans over {over or seeds_text(seeds)}"
    times = [minutes(result) for result in (*recipes, *off.values())]
    missing = {name: f"the missing {name.removeprefix('no ')}" for name in off}
    first = answer(
        ran([Run(L05, CHANGES_05[name]).command() for name in off], [42]),
        "one plain pass: "
        + "; ".join(
            f"without {name.removeprefix('no ')} {percent(one_pass(result))} "
            f"({costs[name]:+.2f} percentage points)"
            for name, result in off.items()
        )
        + f", against the recipe's {percent(one_pass(recipe))} (with test-time augmentation "
        f"{percent(with_tta(recipe))}); {recipe_seeds}{recipe_range}. Against that range: "
        + "; ".join(
            f"without {name.removeprefix('no ')} {placed(one_pass(result), all_passes)}"
            for name, result in off.items()
        )
        + f". One run of each: no conclusion. Each run trained for "
        f"{min(times):.1f}-{max(times):.1f} minutes here.{rerun_note(recipes, seeds)}",
        (
            f"In this one run {missing[worst]} cost the most; one run of each settles no "
            "ranking, "
            + (
                "and a single run of the recipe gives no range to hold them against. "
                if len(all_passes) < 2
                else "but "
                + " and ".join(
                    f"{missing[name]}'s error lies {placed(one_pass(off[name]), all_passes)}"
                    for name in sorted(off, key=costs.get, reverse=True)
                )
                + " the recipe's own range: "
                + (
                    f"only {missing[worst]}'s is clearly outside what another run of the "
                    "recipe gives. "
                    if far(one_pass(off[worst]), all_passes)
                    and sum(far(one_pass(r), all_passes) for r in off.values()) == 1
                    else "read each against that range, one run at a time. "
                )
            )
            + (
                "The reason to expect it: without augmentation the network sees the same "
                "54,000 images in every epoch and fits them ever more closely; with it, each "
                "epoch brings new variants of every digit."
                if worst == "no augmentation"
                else "The reason to expect it: at a constant rate the last steps are as large "
                "as the first, so the weights keep jumping around the minimum instead of "
                "settling in it."
            )
            if costs[worst] > 0
            else "Neither missing ingredient cost test error in this run."
        ),
        f"one-pass errors near these ({span}). Expected conclusion: {missing[worst]} cost "
        "the most in this run"
        + (
            ", clearly outside the recipe's own range, named with the caveat that one run of each "
            "settles no ranking; an error just outside or inside that range shows nothing on "
            "its own"
            if far(one_pass(off[worst]), all_passes)
            else ", though one run of each settles no ranking"
        )
        + ". Common wrong answer: the ranking of two single runs stated as the lesson's "
        "finding without that caveat, or the test-time augmentation error compared with a "
        "one-pass error.",
        key.took(*off.values()),
    )

    stronger = key.run(Run(L05, CHANGES_05["rotation 20"]), "exercise 2")
    gain, base_gain = (one_pass(r) - with_tta(r) for r in (stronger, recipe))
    worse = one_pass(stronger) - one_pass(recipe)
    second = answer(
        ran(RECIPE.command(), [42], (STRONGER,)),
        f"one plain pass {percent(one_pass(stronger))} against the recipe's "
        f"{percent(one_pass(recipe))}: {percent(one_pass(stronger))} lies "
        f"{placed(one_pass(stronger), all_passes)} {span}; one run: no conclusion. With "
        f"test-time augmentation {percent(with_tta(stronger))} against "
        f"{percent(with_tta(recipe))}: test-time augmentation moves the error by {-gain:+.2f} "
        f"percentage points from one pass, against {-base_gain:+.2f} with the recipe.",
        (
            "One plain pass was worse in this one run, "
            if worse > 0
            else "One plain pass was not worse in this one run, "
        )
        + (
            "but not clearly outside what another run of the recipe gives: no conclusion. "
            if not far(one_pass(stronger), all_passes)
            else "far outside the recipe's own range, though one run of each is no " "conclusion. "
        )
        + "What to expect: digits turned by up to 20 degrees are further from the upright "
        "test digits. What this run measured: test-time augmentation, which averages over "
        "such turns, "
        + (
            f"helped more ({-gain:+.2f} against {-base_gain:+.2f} percentage points)."
            if gain > max(base_gain, 0)
            else f"did not help more ({-gain:+.2f} against {-base_gain:+.2f} percentage points)."
        ),
        f"errors near these ({span}). Expected conclusion: a change of {abs(worse):.2f} "
        "percentage points in one run settles nothing. Common wrong answer: 'stronger "
        "augmentation is worse' from one run.",
        key.took(stronger),
    )

    copies = {name: recipe.mark(name) for name in ("changed", "changed_from_lesson", "fixed")}
    lesson_copies, images = recipe.metrics()["tta_copies"], recipe.mark("images")
    third = answer(
        f"`{RECIPE.command()}` as a notebook (seed 42), then in the same namespace "
        f"`TTA_COPIES = {MORE_COPIES}` and the cell *{TTA_CELL}* again",
        f"with {MORE_COPIES} copies {copies['changed']} of the {images:,} answers differ from "
        f"one plain pass: {counted(copies['fixed'], 'wrong answer')} became right and "
        f"{counted(recipe.mark('broken'), 'right one')} wrong. Between {MORE_COPIES} copies "
        f"and the lesson's {lesson_copies}, {copies['changed_from_lesson']} answers differ. "
        f"Test images read wrong: {recipe.mark('wrong')} with {MORE_COPIES} copies, "
        f"{recipe.mark('wrong_lesson')} with {lesson_copies}, "
        f"{recipe.metrics()['single_pass_misclassified']} in one pass.",
        f"Averaging changed {copies['changed']} of the {images:,} answers: for all the others "
        "the average of the turned copies gives the plain pass's answer. "
        + (
            f"Going from {lesson_copies} to {MORE_COPIES} copies still changed "
            f"{copies['changed_from_lesson']} answers, against {copies['changed']} that "
            f"averaging changed at all: the average over {lesson_copies} copies had not settled."
            if copies["changed_from_lesson"]
            else f"Going from {lesson_copies} to {MORE_COPIES} copies changed no answer: the "
            f"average over {lesson_copies} copies had settled."
        )
        + (
            f" More copies did not read more right in this one run ({recipe.mark('wrong')} "
            f"wrong against {recipe.mark('wrong_lesson')}): an average over more turned copies "
            "is a steadier estimate, not a better model."
            if recipe.mark("wrong") >= recipe.mark("wrong_lesson")
            else ""
        ),
        f"a count of this size, a small share of the {images:,} (here {copies['changed']}; a "
        "student's model and its turned copies are others, so the count differs). Expected "
        "conclusion: averaging moves few answers, a small share of the test set, some of them "
        "from right to wrong. Common wrong answer: the change in test errors taken for the "
        "number of answers changed (a right answer made wrong and a wrong one made right cancel).",
        key.took(recipe),
    )

    name, edit = INGREDIENT
    tried = [key.run(Run(L05, CHANGES_05[name], seed=s), "exercise 4") for s in seeds]
    counts = [validation_errors(r) for r in tried]
    base_counts = [validation_errors(r) for r in recipes]
    all_counts = base_counts + [count for _, _, count in elsewhere]
    count_range = (
        f"the recipe alone read {min(all_counts)}-{max(all_counts)} validation images wrong "
        f"over {over}"
        if over
        else ""
    )
    judged = judge(
        counts, base_counts, "validation errors", "fewer", "more", unit="images", digits=1
    )
    fourth = answer(
        ran(RECIPE.command(), seeds, (edit,)) + ", against the recipe with the same seeds",
        f"validation images read wrong (of {validation_images(recipe.printed):,}): "
        f"{listing(counts)} with {name}, {listing(base_counts)} with the recipe "
        f"({seeds_text(seeds)}): {judged.words}. The test errors are left out on purpose.",
        (
            f"{name.capitalize()} read fewer validation images wrong in every seed, beyond the "
            "spread between seeds. "
            if judged.kind == "fewer" and judged.clear
            else (
                f"{name.capitalize()} read fewer validation images wrong in every seed, but by "
                "less than the seeds themselves move the count: no clear win. "
                if judged.kind == "fewer"
                else f"{name.capitalize()} did not beat the recipe over these seeds. "
            )
        )
        + "Judge by the validation images because choosing by the test error tunes the "
        "recipe to the test set, and the error it reports is then no longer a fair estimate. "
        + (
            f"Judge over seeds: the recipe alone read {listing(base_counts)} wrong with "
            f"{seeds_text(seeds)}. "
            if len(seeds) > 1
            else ""
        )
        + "The question on the average of the weights was not measured here: batch "
        "normalization's statistics were gathered with the last weights, not the averaged "
        "ones; docs/measurements.md recomputed them for the averaged weights (seed 1), and the "
        "average gained nothing there, with its statistics recomputed or not.",
        f"validation counts per seed near {per_seed(counts, seeds, '', 0)} with {name} and "
        f"{per_seed(base_counts, seeds, '', 0)} with the recipe, for whichever ingredient "
        "the student tried (these are weight decay's; another ingredient gives its own)"
        + (f" ({count_range}" if count_range else "")
        + (
            ("; " if count_range else " (")
            + "the same seed need not repeat its count: exercise 1 compares the recipe's runs "
            "with docs/measurements.md's)"
            if rerun_note(recipes, seeds)
            else (")" if count_range else "")
        )
        + ". Expected conclusion: "
        + ("a gain beyond the seeds' spread" if judged.clear else "no clear win over two seeds")
        + ", judged on the validation images. Common wrong answer: choosing by the test "
        "error, or by one seed.",
        key.took(tried, recipes),
    )

    erased = key.run(Run(L05, CHANGES_05["erasing"]), "exercise 5")
    last = {label: r.history() for label, r in (("erasing", erased), ("recipe", recipe))}
    accuracy = {label: round(100 * h["accuracy"][-1], 2) for label, h in last.items()}
    loss = {label: h["val_loss"][-1] for label, h in last.items()}
    epochs = recipe.metrics()["epochs"]
    wrong_count, wrong_base = validation_errors(erased), validation_errors(recipe)
    recipe_accuracies = [round(100 * r.history()["accuracy"][-1], 2) for r in recipes]
    fifth = answer(
        ran(RECIPE.command(), [42], (ERASING,)),
        f"last epoch's training accuracy {percent(accuracy['erasing'])} against "
        f"{percent(accuracy['recipe'])}; validation loss {loss['erasing']:.4f} against "
        f"{loss['recipe']:.4f}; validation errors {wrong_count} against {wrong_base}: "
        f"one run: no conclusion; {wrong_count} lies "
        f"{placed(wrong_count, all_counts, 'images', 0)} the {min(all_counts)}-"
        f"{max(all_counts)} the recipe read wrong over "
        f"{over or seeds_text(seeds)}. The "
        f"recipe's own training accuracy per seed: {per_seed(recipe_accuracies, seeds)}.",
        (
            "Harder images lower the training accuracy: in this one run it lies "
            f"{placed(accuracy['erasing'], recipe_accuracies)} the recipe's range over "
            f"{seeds_text(seeds)}, far outside it, as expected, since it is measured on the "
            "erased images. "
            if far(accuracy["erasing"], recipe_accuracies)
            and accuracy["erasing"] < min(recipe_accuracies)
            else (
                "The training accuracy fell, in one run: no conclusion. "
                if accuracy["erasing"] < accuracy["recipe"]
                else "The training accuracy did not fall. "
            )
        )
        + (
            "The validation loss rose in this one run: in a fixed "
            f"{epochs} epochs the network may not catch up with images that hard, but one run "
            "of each settles neither that nor the validation errors."
            if loss["erasing"] > loss["recipe"]
            else "The validation loss did not rise in this one run: the extra variety cost "
            "nothing here."
        )
        + " Its test-time augmentation erases too, since it reuses `augmentation`.",
        "a training accuracy "
        + ("lower" if accuracy["erasing"] < accuracy["recipe"] else "no higher")
        + f" with erasing (here {percent(accuracy['erasing'])} against "
        f"{percent(accuracy['recipe'])}), and a validation loss and count near these"
        + (f" ({count_range})" if count_range else "")
        + ". "
        "Expected conclusion: "
        "harder images lower the training accuracy; whether they help or hurt the "
        "validation error, one run does not say"
        + (
            ". A student who cites docs/measurements.md's run of the same erasing with seed 1 "
            "(its second round of candidates, made with an older copy of the lesson) has a "
            "second run in which the validation loss rose too: accept the conclusion that "
            f"harder images raise the validation loss in {epochs} epochs, stated as two runs"
            if loss["erasing"] > loss["recipe"]
            else ""
        )
        + ". Common wrong answer: the lower training accuracy read as a worse model.",
        key.took(erased),
    )
    return [first, second, third, fourth, fifth]
