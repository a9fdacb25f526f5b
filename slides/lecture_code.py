"""The lecture's code slides: only the statements that teach (the cell's statements that
contain the words a lecture_plan.Code names, whole, with their comments), what the cell
printed where the plan asks, and notes that explain the code: the cell's words, its
comments, the model's layers from model.summary() and what it printed."""

import ast

from code_layout import draws_only
from lecture_plan import LectureProblem
from lesson_reading import Step
from printed_output import printed_lines, summary_table
from slide_parts import BODY_HEIGHT, printed_height
from slide_plan import Part, Plan, code_parts


def statement_sources(code, keep):
    """The top-level statements of `code` that contain one of the words of `keep`, whole,
    each with the comment lines right above it; a statement inside an `if` (or, choosing by
    `keep`, its `else`) stands for itself, dedented."""
    lines = code.splitlines()
    found = []

    def visit(body, indent):
        for node in body:
            if isinstance(node, ast.If) and (keep or not node.orelse):
                visit(node.body, indent + 4)
                visit(node.orelse, indent + 4)
                continue
            first = node.lineno - 1
            while first > 0 and lines[first - 1].strip().startswith("#"):
                first -= 1
            source = "\n".join(line[indent:] for line in lines[first : node.end_lineno])
            body_text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
            if not keep or any(word in body_text for word in keep):
                found.append(source)

    visit(ast.parse(code).body, 0)
    return "\n".join(found)


def code_slides(lesson, item, step):
    code, outputs = step.cells[0]
    shown = statement_sources(code, item.keep)
    if not shown or draws_only(shown):
        raise LectureProblem(f"{lesson.name}'s cell {item.cell!r} has no code with {item.keep}")
    parts = code_parts(Step(step.title, kind="code"), shown, f"{lesson.name}.py")
    if item.printed:
        printed = printed_lines(outputs)
        parts.append(Part("printed", printed, len(printed), printed_height(printed)))
    plans = []
    for part in parts:
        if plans and not part.new_slide and plans[-1].used_height() + part.height < BODY_HEIGHT:
            plans[-1].parts.append(part)
        else:
            plans.append(Plan(step.title, [step], [part]))
    return plans, code_notes(lesson, step, shown, outputs)


def code_notes(lesson, step, shown, outputs):
    """A code slide's notes: the cell's words, its own comments, the layers of the model it
    builds (model.summary(), from this cell or the next that prints it) and what it printed,
    so that a lecturer can explain each line."""
    notes = list(step.prose)
    comments = [
        line.strip().lstrip("#").strip()
        for line in shown.splitlines()
        if line.strip().startswith("#")
    ]
    if comments:
        notes.append("The code's comments: " + " ".join(comments))
    if "keras.Sequential" in shown:
        later = lesson.steps[lesson.steps.index(step) :]
        found = (summary_table(out) for later_step in later for _, out in later_step.cells)
        summary = next((table for table in found if table), None)
        if summary:
            layers = "; ".join(
                f"{row[0]}, output {row[1]}, {row[2]} parameters" for row in summary.rows
            )
            notes.append(
                f"model.summary(), layer by layer: {layers}. {' '.join(summary.totals[:1])}."
            )
    printed = printed_lines(outputs)
    if printed:
        notes.append("What the notebook printed:\n" + "\n".join(printed))
    return "\n\n".join(notes) or f"The code of {lesson.name}.py's cell {step.title}."
