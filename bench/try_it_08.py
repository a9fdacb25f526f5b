"""The answers to lesson 08's Try it: teaching the model own digits, without replay, and for
many more epochs. Exercise 1's two sittings are taught on lesson 07's page (try_it_06_07.py).
"""

import re

from try_it_06_07 import MODEL, WITHOUT_PHOTOS, own_digit_folder, page_visits, visit_results
from try_it_runs import MARK, Change, Edit, Input, Run, TryItError
from try_it_words import (
    answer,
    counted,
    judge,
    listing,
    mean,
    per_seed,
    ran,
    seeds_text,
    spread,
)

import outputs
import own_digits

L08 = "08_teach_handwriting"
SEEDS_08 = (42, 1, 2)  # each run adapts and reads MNIST's test set three times
MEASURE_ADAPTED = (  # how well the careful model reads the digits it was adapted on
    "import json\n"
    f'print("{MARK}" + json.dumps({{"adapt_right": '
    "int(np.sum(read(careful_model, x_adapt)[0] == y_adapt)), "
    '"adapt_images": len(y_adapt)}))'
)
NO_REPLAY = Edit(
    "sizes = (BATCH_SIZE, OWN_PER_BATCH, COPIES_PER_EPOCH)",
    "sizes = (OWN_PER_BATCH, OWN_PER_BATCH, COPIES_PER_EPOCH)",
    says="the careful way's `sizes = (BATCH_SIZE, OWN_PER_BATCH, COPIES_PER_EPOCH)` replaced "
    "by `sizes = (OWN_PER_BATCH, OWN_PER_BATCH, COPIES_PER_EPOCH)`, batches of the student's "
    "digits alone",
)
NAIVE_RATE = Edit(
    "FINE_TUNE_LEARNING_RATE = 3e-4",
    "FINE_TUNE_LEARNING_RATE = 1e-3",
    says="`FINE_TUNE_LEARNING_RATE = 3e-4` replaced by `1e-3`, the naive way's rate, with "
    "replay kept (a second run, to tell the two changes apart)",
)
CHANGES_08 = {
    "lesson": Change(after=(MEASURE_ADAPTED,)),
    "no replay": Change(edits=(NO_REPLAY,), after=(MEASURE_ADAPTED,)),
    "naive rate": Change(edits=(NAIVE_RATE,), after=(MEASURE_ADAPTED,)),
    "50 epochs": Change(options=("--epochs", "50"), after=(MEASURE_ADAPTED,)),
}
WAYS_08 = {"lesson": "as the lesson is", "no replay": "without replay", "naive rate": "at 1e-3"}
DIGIT_ROW = re.compile(r"^\s*(\d)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", re.M)


def adaptation(result):
    return result.record(outputs.ADAPTATION)


def per_digit(printed):
    """{digit: (held-out images, before, careful, naive)} from the lesson's table."""
    table = printed.split("Held-out digits read right, per digit:", 1)[-1]
    rows = {int(d): tuple(map(int, counts)) for d, *counts in DIGIT_ROW.findall(table)}
    if not rows:
        raise TryItError("lesson 08 printed no table of held-out digits per digit")
    return rows


def careful_error(result):
    return adaptation(result)["mnist_test_error_percent"]["careful"]


def held_out_right(result, way="careful"):
    return adaptation(result)["held_out_read_right"][way]


def gains_text(gains, seeds):
    """How many more held-out images each seed read right: 'no more held-out images right',
    '1 more held-out image right in every seed', '0, 1 and 2 more held-out images right
    (seeds 42, 1 and 2)'."""
    every = " in every seed" if len(gains) > 1 else ""
    if len(set(gains)) == 1 and gains[0] == 0:
        return "no more held-out images right"
    if len(set(gains)) == 1:
        more = "more" if gains[0] > 0 else "fewer"
        return f"{counted(abs(gains[0]), f'{more} held-out image')} right{every}"
    shown = listing(gains) + " more" if min(gains) >= 0 else listing(f"{g:+d}" for g in gains)
    return f"{shown} held-out images right ({seeds_text(seeds)})"


def digits_named(digits):
    """'none', 'the digit 4', 'the digits 4 and 7'."""
    if not digits:
        return "none"
    return f"the digit{'s' if len(digits) > 1 else ''} {listing(digits)}"


def answers_08(key):
    _, _, what = own_digit_folder(key)
    _, page = page_visits(key)
    taught = Input(str(page / own_digits.MY_DIGITS), f"outputs/{own_digits.MY_DIGITS}")
    seeds = key.seeds(SEEDS_08)
    taught_run = Run(L08, CHANGES_08["lesson"], model=MODEL, inputs=(taught,))
    mine = [key.run(taught_run.with_seed(s), "exercise 1") for s in seeds]
    records = [adaptation(result) for result in mine]
    record, rows = records[0], per_digit(mine[0].printed)
    better = [d for d, (_, before, careful, _) in rows.items() if careful > before]
    worse = [d for d, (_, before, careful, _) in rows.items() if careful < before]
    images = record["mnist_test_images"]
    before_error = record["mnist_test_error_percent"]["before"]
    careful_errors = [r["mnist_test_error_percent"]["careful"] for r in records]
    naive_errors = [r["mnist_test_error_percent"]["naive"] for r in records]
    costs = [round((error - before_error) * images / 100) for error in careful_errors]
    right_before = record["held_out_read_right"]["before"]
    careful_right = [r["held_out_read_right"]["careful"] for r in records]
    naive_right = [r["held_out_read_right"]["naive"] for r in records]
    gains = [right - right_before for right in careful_right]
    naive_worse = min(naive_errors) > max(careful_errors)
    first = answer(
        "two visits to lesson 07's page, each teaching one sitting in its teach mode "
        f"(`POST /teach?digit=D`), the two sittings made of {what}: each writer's images of a "
        "digit alternate between them, the first to the first sitting, which the lesson adapts "
        "on (so an image alone for its writer and digit is always adapted on: "
        f"{record['adapt_images']} adapted on, {record['held_out_images']} held out); then "
        f"`{Run(L08, model=MODEL, inputs=(taught,)).command()}` with "
        f"{seeds_text(seeds)}" + (" (`--seed N`)" if len(seeds) > 1 else ""),
        f"held out (the second sitting, {record['held_out_images']} images): "
        f"{right_before} read right before; after adapting carefully "
        f"{per_seed(careful_right, seeds, '', 0)}, the naive way "
        f"{per_seed(naive_right, seeds, '', 0)}. The digits with more of their held-out "
        f"images read right after adapting carefully ({seeds_text(seeds[:1])}): "
        f"{digits_named(better)}; with fewer: {digits_named(worse)}. MNIST test error "
        f"{before_error:.2f}% before; careful {spread(careful_errors)}; naive "
        f"{spread(naive_errors)}.",
        (
            f"Careful adapting read {gains_text(gains, seeds)} "
            if max(gains) > 0
            else "The careful way taught these digits nothing the model did not already read "
        )
        + (
            f"and MNIST paid {listing(costs)} test images ({seeds_text(seeds)}); "
            if max(costs) > 0
            else f"and MNIST lost nothing ({listing(costs)} test images); "
        )
        + f"the naive way {'forgot far more' if naive_worse else 'did not forget more'} of "
        f"MNIST {'in every seed' if len(seeds) > 1 else 'in this one run'}. "
        + (
            f"The naive way read more held-out images right ({listing(naive_right)} of "
            f"{record['held_out_images']}, against {right_before} before), at that cost. "
            if min(naive_right) > right_before
            else ""
        )
        + "Digits read right before cannot improve: a model that already reads a writer's "
        "style gains little from being taught it.",
        "the student's own counts, which depend on their digits (here the careful way read "
        f"{gains_text(gains, seeds)} and moved MNIST's test error by "
        f"{listing(f'{cost:+d}' for cost in costs)} images; the naive way's error was "
        f"{per_seed(naive_errors, seeds)}; docs/measurements.md measures both ways over "
        "writers and seeds too). Expected conclusion: what the careful way gained on the held-out "
        "digits, against what MNIST paid, and the naive way's cost beside it. Common wrong "
        "answer: judging the gain on the digits it adapted on rather than the held-out "
        f"sitting. {WITHOUT_PHOTOS}",
        key.took(mine, visit_results(key)),
    )

    runs = {
        name: [
            key.run(Run(L08, CHANGES_08[name], model=MODEL, seed=s), "exercise 2") for s in seeds
        ]
        for name in ("lesson", "no replay", "naive rate")
    }
    before = adaptation(runs["lesson"][0])["mnist_test_error_percent"]["before"]
    careful = {name: [careful_error(r) for r in results] for name, results in runs.items()}
    rises = {name: mean(values) - before for name, values in careful.items()}
    larger = "replay" if rises["no replay"] > rises["naive rate"] else "the learning rate"
    against_lesson = {
        name: judge(careful[name], careful["lesson"], "MNIST test error")
        for name in ("no replay", "naive rate")
    }
    rate_against_replay = judge(careful["naive rate"], careful["no replay"], "MNIST test error")
    held_out = adaptation(runs["lesson"][0])["held_out_images"]
    second = answer(
        ran(Run(L08, model=MODEL).command(), seeds, (NO_REPLAY,))
        + f"; and {NAIVE_RATE.shown()}. With no folder, the lesson adapts on the styles the "
        f"course draws and holds out {adaptation(runs['lesson'][0])['held_out_source']}",
        f"the careful way's MNIST test error: {spread(careful['no replay'])} without replay, "
        f"{spread(careful['naive rate'])} at Adam's usual rate with replay, "
        f"{spread(careful['lesson'])} as the lesson is, from {before:.2f}% before adapting. "
        f"Against the lesson as it is: without replay, {against_lesson['no replay'].words}; at "
        f"Adam's usual rate, {against_lesson['naive rate'].words}. "
        f"Held-out drawings read right (of {held_out}): "
        + "; ".join(
            f"{WAYS_08[name]} {per_seed([held_out_right(r) for r in results], seeds, '', 0)}"
            for name, results in runs.items()
        )
        + ".",
        f"Against the model before adapting, the MNIST test error changes by "
        f"{rises['no replay']:+.2f} percentage points without replay and "
        f"{rises['naive rate']:+.2f} at "
        f"Adam's usual rate with replay ({rises['lesson']:+.2f} as the lesson is): "
        + (
            f"{larger} matters more here"
            + (
                f" (at 1e-3 against without replay: {rate_against_replay.words}). "
                if len(seeds) > 1
                else ", in one run of each. "
            )
            if max(rises.values()) > 0
            else "neither change made MNIST pay in these runs. "
        )
        + "Replay puts MNIST's digits in every batch, so each step is also judged on what the "
        "model must not forget; a higher rate takes larger steps away from the weights that "
        "read MNIST."
        + (
            " With the features and batch normalisation frozen, only the classifier on top "
            "can forget, and at the lesson's low rate, batches of the new digits alone forget "
            "less of MNIST than Adam's usual rate does with replay"
            + (
                ", though more than the lesson's replay lets them, in every seed."
                if against_lesson["no replay"].kind == "higher"
                and against_lesson["no replay"].clear
                else "."
            )
            if rises["no replay"] - rises["lesson"] < (rises["naive rate"] - rises["lesson"]) / 2
            else ""
        )
        + (
            " The higher rate also read more held-out drawings right: it learns the new "
            "styles faster, and forgets MNIST faster."
            if mean(map(held_out_right, runs["naive rate"]))
            > mean(map(held_out_right, runs["lesson"]))
            else ""
        ),
        f"MNIST test errors per seed near {per_seed(careful['no replay'], seeds)} without "
        f"replay and {per_seed(careful['naive rate'], seeds)} at 1e-3, against "
        f"{per_seed(careful['lesson'], seeds)} as the lesson is. Expected conclusion: "
        + (
            f"{larger} matters more"
            + (
                ", its rise apart from the other's in every seed here; "
                if rate_against_replay.clear
                else ", though the two rises overlap between seeds; "
            )
            if max(rises.values()) > 0
            else "neither change makes MNIST pay much; "
        )
        + "both changes made one at a time. Common wrong answer: both changed in one run, "
        "so that neither can be blamed.",
        key.took(*runs.values()),
    )

    longer = [
        key.run(Run(L08, CHANGES_08["50 epochs"], model=MODEL, seed=s), "exercise 3") for s in seeds
    ]
    base = runs["lesson"]
    held, held_base = [held_out_right(r) for r in longer], [held_out_right(r) for r in base]
    adapt_images = base[0].mark("adapt_images")
    adapt, adapt_base = [r.mark("adapt_right") for r in longer], [
        r.mark("adapt_right") for r in base
    ]
    judged = judge(held, held_base, "held-out drawings read right", "fewer", "more", "images", 1)
    by_heart = judge(adapt, adapt_base, "adapted drawings read right", "fewer", "more", "images", 1)
    epochs = adaptation(base[0])["epochs"]
    third = answer(
        ran(Run(L08, CHANGES_08["50 epochs"], model=MODEL).command(), seeds)
        + ", against the lesson as it is with the same seeds, with no folder as in exercise 2",
        f"held-out drawings read right (of {adaptation(base[0])['held_out_images']}): "
        f"{listing(held)} after {adaptation(longer[0])['epochs']} epochs, {listing(held_base)} "
        f"after the lesson's {epochs} ({judged.words}); the drawings it adapted on: "
        f"{listing(adapt)} against {listing(adapt_base)} of {adapt_images}; "
        f"MNIST test error {spread([careful_error(r) for r in longer])} against "
        f"{spread([careful_error(r) for r in base])}.",
        (
            "The held-out drawings still improve with more epochs"
            if judged.kind == "more"
            else "The held-out drawings do not improve further"
        )
        + (
            ", while the drawings it adapted on are read better beyond the seeds' spread: the "
            "model starts to learn them by heart, which only digits it was not adapted on can "
            "reveal."
            if by_heart.kind == "more" and by_heart.clear
            else (
                f"; the drawings it adapted on were already all read right ({listing(adapt_base)}"
                f" of {adapt_images}), so they cannot show learning by heart"
                + (
                    ": that the held-out ones improved says the model is not just remembering."
                    if judged.kind == "more" and judged.clear
                    else "."
                )
                if min(adapt_base) == adapt_images
                else f"; the drawings it adapted on: {by_heart.words}, no sign of learning "
                "them by heart that the seeds can tell apart."
            )
        )
        + (
            " Against the lesson's epochs, MNIST's "
            + judge(
                [careful_error(r) for r in longer],
                [careful_error(r) for r in base],
                "test error",
            ).words
            + "."
            if len(seeds) > 1
            else ""
        ),
        f"held-out counts per seed near {per_seed(held, seeds, '', 0)} after "
        f"{adaptation(longer[0])['epochs']} epochs against {per_seed(held_base, seeds, '', 0)}"
        " (a student's own digits give their own counts). Expected conclusion: "
        + (
            "the held-out digits still improve, beyond the seeds' spread; "
            if judged.kind == "more" and judged.clear
            else "no improvement beyond the seeds' spread; "
        )
        + "learning by heart shows only as adapted digits read better while held-out ones "
        "do not. Common wrong answer: all adapted digits read right taken as learning by "
        "heart.",
        key.took(longer, base),
    )
    return [first, second, third]
