"""A lesson's slides between its title slide and Try it, in the lesson's order: each step's
slides as slide_plan.py plans them, the course's cells and the choices a lesson did not make
(lesson 3's other decks' models) left out, then each slide with fewer than three lines and no
picture merged with a neighbour: a short idea goes beside its picture or above it, else on
top of the next slide, else below the previous one.

What each cell shows (shown_cells): code that only serves a figure stays in the notebook
unless a later cell reads what it computes, and the Setup cell shows the settings that the
deck's other code reads (all of them where those are too few for a slide), so that every
constant a slide uses is on a slide before it."""

from dataclasses import replace
from functools import partial

from cell_names import constants_read, free_names
from cell_shown import figure_code_left_out, shown_code
from lesson_options import without_options
from slide_parts import BODY_HEIGHT, BODY_WIDTH, GAP, HEADING_POINTS, SIDE_PANEL_WIDTH, picture_fits
from slide_plan import FEWEST_LINES, Plan, code_step_plans, idea_plans, text_part


def combined(first, second):
    """Two slides as one: the second's parts below the first's, under its own heading when
    it is another step's (a picture alone has the title it shows)."""
    own_title = second.title != first.title and not all(
        part.kind == "picture" for part in second.parts
    )
    heading = [text_part("heading", second.title, HEADING_POINTS)] if own_title else []
    steps = first.steps + [step for step in second.steps if step not in first.steps]
    return Plan(
        first.title,
        steps,
        first.parts + heading + second.parts,
        ideas=first.ideas + second.ideas,
        side=second.side,
        hints=first.hints + [hint for hint in second.hints if hint not in first.hints],
        first_of_step=first.first_of_step,
    )


def fits_together(first, second):
    """Whether `second`'s parts fit below `first`'s on one slide (a picture stays readable)."""
    if first.has_picture() or first.side or second.side:
        return False
    if any(part.new_slide for part in second.parts):
        return False
    merged = combined(first, second)
    text = [part for part in merged.parts if part.kind != "picture"]
    used = sum(part.height for part in text) + GAP * max(len(text) - 1, 0)
    pictures = [part for part in merged.parts if part.kind == "picture"]
    if not pictures:
        return used <= BODY_HEIGHT
    return len(pictures) == 1 and picture_fits(pictures[0].content, BODY_HEIGHT - used - GAP)


def picture_slide_for(plans, index):
    """The slide of an idea's picture: the first picture after it before the next idea, where
    the picture is alone on its slide (so that there is room for the idea with it)."""
    for plan in plans[index + 1 :]:
        if plan.ideas:
            return None
        if plan.has_picture():
            return plan if len(plan.parts) == 1 and plan.side is None else None
    return None


def with_picture(idea, picture):
    """A short idea's slide and its picture's as one: the idea beside the picture where the
    picture stays readable there, else above it; None where it fits neither way."""
    beside = BODY_WIDTH - SIDE_PANEL_WIDTH - GAP
    if picture_fits(picture.parts[0].content, BODY_HEIGHT, beside):
        return replace(
            picture,
            side=(idea.ideas[0], idea.parts[0].content[0]),
            ideas=idea.ideas + picture.ideas,
            steps=idea.steps + picture.steps,
        )
    return combined(idea, picture) if fits_together(idea, picture) else None


def is_idea_slide(plan):
    return bool(plan.ideas) and all(part.kind == "bullets" for part in plan.parts)


def merge_thin(plans):
    """Slides with fewer than FEWEST_LINES lines and no picture merged with a neighbour: first
    each short idea with its picture (before another slide takes it in), then a thin slide
    on top of the next step's first slide (code below an idea, or the next step's code below
    a short cell; never an idea below code), else below the previous slide, else, for a short
    cell that draws a figure, above that figure, which shrinks."""
    for plan in [plan for plan in plans if plan.is_thin() and is_idea_slide(plan)]:
        target = picture_slide_for(plans, plans.index(plan))
        merged = with_picture(plan, target) if target else None
        if merged:
            plans[plans.index(target)] = merged
            plans.remove(plan)
    index = 0
    while index < len(plans):
        plan = plans[index]
        following = plans[index + 1] if index + 1 < len(plans) else None
        previous = plans[index - 1] if index else None
        if not plan.is_thin():
            index += 1
            continue
        if (
            following
            and following.first_of_step
            and (is_idea_slide(plan) or not is_idea_slide(following))
            and fits_together(plan, following)
        ):
            plans[index : index + 2] = [combined(plan, following)]
        elif previous and fits_together(previous, plan):
            plans[index - 1 : index + 1] = [combined(previous, plan)]
            index -= 1
        elif (
            following
            and following.steps[0] in plan.steps
            and following.has_picture()
            and not following.side
        ):
            plans[index : index + 2] = [combined(plan, following)]
        else:
            index += 1
    return plans


def shown_cells(lesson):
    """{step: [(code as its slides show it, whether some of it was left out)] for each of
    its cells} of each code step and the Setup step (code_layout.shown_code): each cell told
    which names the later cells read, the Setup cell which settings the other cells' shown
    code reads."""
    cells = [(step, code) for step in lesson.steps for code, _ in step.cells]
    later = [set() for _ in cells]
    for index in range(len(cells) - 2, -1, -1):
        later[index] = later[index + 1] | free_names(cells[index + 1][1])
    shown = {}
    for (step, code), later_names in zip(cells, later):
        if step.kind == "code":
            kept = shown_code(step.kind, code, frozenset(later_names))
            left_out = figure_code_left_out(step.kind, code, frozenset(later_names))
            shown.setdefault(step, []).append((kept, left_out))
    wanted = set().union(*(constants_read(code) for cells in shown.values() for code, _ in cells))
    for step, code in cells:
        if step.kind == "setup":
            kept = shown_code(step.kind, code, wanted=wanted)
            every = shown_code(step.kind, code)
            if len(kept.splitlines()) < FEWEST_LINES:  # too few for a slide: all of them
                kept = every
            shown.setdefault(step, []).append((kept, kept != every))
    return shown


def lesson_plans(lesson):
    """The slides between the title slide and Try it, in the lesson's order."""
    script = f"{lesson.name}.py"
    spelled = partial(without_options, lesson=lesson)
    shown = shown_cells(lesson)
    plans = []
    for step in lesson.steps:
        if step.kind == "idea":
            plans += idea_plans(step, spelled)
        elif step.kind in ("code", "setup"):
            plans += code_step_plans(step, script, shown[step], spelled)
    return merge_thin(plans)
