"""The lecture's table of the stages as the committed notebooks measured them (parameters
from model.summary(), test error and training time from the lines each lesson prints),
its agenda with each part's minutes, and its recap with the measured errors."""

from lecture_plan import (
    EPOCH,
    ONE_PASS,
    PARTS,
    STAGES,
    TABLE_HEADER,
    TEST_ERROR,
    TOTAL_PARAMETERS,
    TRAINING_TIME,
    LectureProblem,
)
from lesson_reading import all_printed
from printed_output import summary_table
from slide_parts import BODY_HEIGHT, LEAD_POINTS, TEXT_POINTS, bullet_pages, table_height
from slide_plan import Part, Plan, bullets_part, text_part

ERROR = TABLE_HEADER.index("Test error")  # the test error's column of the table's rows


def measured(lesson):
    """A lesson's parameters, test error and training time, as its notebook printed them."""
    lines = [line.strip() for line in all_printed(lesson)]
    errors = [TEST_ERROR.match(line) for line in lines if TEST_ERROR.match(line)]
    times = [TRAINING_TIME.match(line) for line in lines if TRAINING_TIME.match(line)]
    epochs = [EPOCH.match(line) for line in lines if EPOCH.match(line)]
    totals = [
        TOTAL_PARAMETERS.match(total)
        for step in lesson.steps
        for _, outputs in step.cells
        for total in (summary_table(outputs).totals if summary_table(outputs) else [])
        if TOTAL_PARAMETERS.match(total)
    ]
    if not (errors and times and totals and epochs):
        raise LectureProblem(
            f"notebooks/{lesson.name}.ipynb printed no test error, training time, epochs or "
            "model.summary(): run it again"
        )
    error = errors[-1]
    # Lesson 5's test error averages test-time augmented copies; it prints its one pass too.
    passes = [ONE_PASS.match(line) for line in lines if ONE_PASS.match(line)]
    return {
        "parameters": totals[0].group(1),
        "epochs": epochs[-1].group(1),
        "test error": f"{error.group(1)} ({error.group(2)} of {int(error.group(3)):,})",
        "one pass": passes[-1].group(1) if passes else None,
        "training time": f"{float(times[-1].group(1)):.0f} s",
    }


def stage_rows(every_lesson):
    """The stage table's rows: each stage's measured parameters, test error and time."""
    rows = []
    for stage, name in STAGES:
        numbers = measured(every_lesson[name])
        lesson = f"{name[:2]}"
        rows.append(
            [
                stage,
                lesson,
                numbers["parameters"],
                numbers["epochs"],
                numbers["test error"],
                numbers["training time"],
            ]
        )
    return rows


def table_slide(every_lesson):
    rows = stage_rows(every_lesson)
    part = Part("table", (TABLE_HEADER, rows, ""), len(rows) + 1, table_height(len(rows) + 1))
    banner = next(
        (line for line in all_printed(every_lesson[STAGES[0][1]]) if line.startswith("Python")),
        "",
    )
    one_pass = [
        f"lesson {name[:2]}'s with test-time augmentation, {numbers['one pass']} in one pass"
        for _, name in STAGES
        if (numbers := measured(every_lesson[name]))["one pass"]
    ]
    words = text_part(
        "words",
        "Each number as the committed notebooks printed it: test error on all 10,000 test "
        f"images ({'; '.join(one_pass) or 'one pass each'}), training time on the machine "
        "that ran the notebooks.",
        LEAD_POINTS,
    )
    plan = Plan("The stages, as measured", [], [words, part])
    notes = (
        "The table is read from the executed notebooks' printed output, not typed in: the "
        "parameters from model.summary(), the test error and the training time from the "
        f"lines each lesson prints. The notebooks ran with {banner or 'the versions they name'}. "
        "Lesson 5's time is many times the others': augmentation and a deeper network. "
        "One run each; docs/measurements.md gives the spread over seeds."
    )
    return [plan], notes


def recap_slide(every_lesson):
    rows = stage_rows(every_lesson)
    errors = " -> ".join(f"{row[0]} {row[ERROR].split(' ')[0]}" for row in rows)
    items = [
        "An image is 28x28 numbers; a label becomes ten numbers, one-hot.",
        "A neuron: weights, a bias, an activation. Layers of them, trained by gradient "
        "descent on the cross-entropy, backpropagation computing the gradients.",
        "Convolutions slide small shared filters over the image: few parameters, patterns "
        "found anywhere; pooling shrinks the maps; dropout fights overfitting.",
        "Validation data chooses; the test set is used once, at the end.",
        f"Measured test error: {errors}.",
        "In the labs: run the lessons, change one hyperparameter at a time, and read what "
        "the model gets wrong (lesson 4).",
    ]
    pages = bullet_pages(items, TEXT_POINTS, BODY_HEIGHT)
    points = TEXT_POINTS if len(pages) == 1 else LEAD_POINTS
    plan = Plan("Recap", [], [bullets_part(items, points)])
    notes = "What to take home, and the measured error of each stage (the table before)."
    return [plan], notes


def agenda_slide():
    items = [f"{name}: {minutes} min" for name, minutes, _ in PARTS]
    total = sum(minutes for _, minutes, _ in PARTS)
    items.append(f"Questions: {90 - total} min")
    plan = Plan("Agenda", [], [bullets_part(items, TEXT_POINTS)])
    notes = (
        f"A 90-minute lecture in {len(PARTS)} parts, {total} minutes of slides and "
        f"{90 - total} of questions. Each part's first slide says in these notes how long "
        "it takes. The lesson decks (slides/NN_*.pptx) are for the labs."
    )
    return plan, notes
