"""The course's 90-minute lecture, slides/lecture.pptx and .pdf, made from the executed
notebooks of lessons 00-05 like the lessons' own decks (which stay for labs): one story in
the parts that lecture_plan.py lists, each idea with a picture drawn from the real data or
model, only the code that teaches, the stages as measured (lecture_stages.py) and a recap.
Each part's first slide says in its notes how many minutes it takes ("Part 2 of 7: ... ·
21 minutes"). The build stops where the lecture holds more than MOST_SLIDES slides,
MOST_CODE_SLIDES code slides or MOST_MINUTES minutes. slides/decks.py writes and checks it.
"""

import re
from dataclasses import dataclass

from lecture_code import code_slides
from lecture_plan import (  # noqa: F401  (decks.py and the tests read these from here)
    MOST_CODE_SLIDES,
    MOST_LEAD_LINES,
    MOST_MINUTES,
    MOST_SLIDES,
    NAME,
    NOTEBOOKS_DIR,
    OVERFITTING,
    OVERFITTING_COMMAND,
    OVERFITTING_FIGURE,
    PARTS,
    SMALLEST_BULLET_POINTS,
    STAGES,
    TABLE_HEADER,
    TITLE,
    Code,
    Figure,
    Idea,
    LectureProblem,
    Printed,
    Recap,
    StageTable,
)
from lecture_stages import ERROR, agenda_slide, recap_slide, stage_rows, table_slide
from lesson_reading import (
    figure_of,
    figures,
    idea_text,
    paragraphs,
    read_lesson,
    split_sentences,
)
from pptx.util import Inches
from printed_output import printed_lines
from slide_parts import (
    BODY_HEIGHT,
    GAP,
    LEAD_POINTS,
    TEXT_POINTS,
    bullet_pages,
    picture_fits,
    printed_height,
)
from slide_plan import Part, Plan, bullets_part, text_part


@dataclass
class Slide:
    """A planned slide of the lecture: its plan (title and parts, as a lesson's deck plans
    them), its speaker notes, its caption, and its part."""

    plan: Plan
    notes: str
    caption: str
    part: int = 0


def lessons():
    """Each lesson the lecture uses, read from its executed notebook."""
    names = {item.lesson for _, _, items in PARTS for item in items if hasattr(item, "lesson")}
    names |= {lesson for _, lesson in STAGES}
    found = {}
    for name in sorted(names):
        path = NOTEBOOKS_DIR / f"{name}.ipynb"
        if not path.is_file():
            raise LectureProblem(f"the lecture needs notebooks/{name}.ipynb")
        found[name] = read_lesson(path)
    return found


def step_of(lesson, title, kind=None):
    """The lesson's step of that title (an idea, or a code cell whose title starts so)."""
    for step in lesson.steps:
        if kind == "idea" and step.kind == "idea" and step.title == title:
            return step
        if kind != "idea" and step.kind in ("code", "setup") and step.title.startswith(title):
            return step
    what = "idea" if kind == "idea" else "cell"
    raise LectureProblem(
        f"slides/lecture.py names the {what} {title!r}, which {lesson.name} does not have: "
        "name one of its steps"
    )


def first_figure(lesson, title):
    """The first figure the cell of that title drew, with its alt text."""
    if title == OVERFITTING:
        figure = figure_of(OVERFITTING_FIGURE.read_bytes())
        return figure, figure.description
    step = step_of(lesson, title)
    for _, outputs in step.cells:
        for figure in figures(outputs):
            return figure, figure.description or figure.title or step.title
    raise LectureProblem(f"{lesson.name}'s cell {title!r} drew no figure")


def picture_part(figure, alt_text):
    return Part("picture", figure, 0, alt_text=alt_text)


def first_sentence(step):
    """An idea's first sentence, for the line above its figure."""
    found = paragraphs(step.markdown)
    return split_sentences(found[0][0])[0] if found else ""


def idea_slides(lesson, item):
    """An idea's slide: its figure under its first sentence, else its bullets."""
    step = step_of(lesson, item.title, "idea")
    notes = idea_text(step)
    if item.notes_from:
        printed = cell_printed(lesson, item.notes_from)
        notes += "\n\nWhat the notebook printed:\n" + "\n".join(printed)
    if item.printed:
        printed = cell_printed(lesson, item.printed)
        result = Part("printed", printed, len(printed), printed_height(printed))
        # The idea's bullets above what was printed, where they fit; else its first sentence.
        items = lecture_bullets(step)
        room = BODY_HEIGHT - result.height - GAP
        words = text_part("words", first_sentence(step), LEAD_POINTS)
        for points in range(TEXT_POINTS, SMALLEST_BULLET_POINTS - 1, -1):
            if bullets_part(items, points).height <= room:
                words = bullets_part(items, points)
                break
        return [Plan(step.title, [step], [words, result], ideas=[step])], notes
    if not item.figure:
        return bullet_slides(step), notes
    figure, alt_text = first_figure(lesson, item.figure)
    parts = [picture_part(figure, alt_text)]
    lead = text_part("words", first_sentence(step), LEAD_POINTS)
    if lead.lines <= MOST_LEAD_LINES and picture_fits(figure, BODY_HEIGHT - lead.height):
        parts.insert(0, lead)
    if item.figure == OVERFITTING:
        notes += (
            f"\n\nThe curves were measured, not drawn by hand: {OVERFITTING_COMMAND} trains "
            "lesson 1's network far longer at a constant learning rate (docs/measurements.md "
            "has the numbers and the machine)."
        )
    return [Plan(step.title, [step], parts, ideas=[step])], notes


def lecture_bullets(step):
    """An idea's bullets for the lecture: each sentence of its paragraphs and each item of
    its list, in order (a lesson's deck shows only the list where an idea has one)."""
    items = []
    for text, is_item in paragraphs(step.markdown):
        items += [text] if is_item else split_sentences(text)
    return [without_below(item) for item in items]


def bullet_slides(step):
    """An idea's bullets on one slide, in a smaller size if need be, else on two."""
    items = lecture_bullets(step)
    height = BODY_HEIGHT - Inches(0.2)
    for points in range(TEXT_POINTS, SMALLEST_BULLET_POINTS - 1, -1):
        pages = bullet_pages(items, points, height)
        if len(pages) == 1:
            break
    return [Plan(step.title, [step], [bullets_part(page, points)], ideas=[step]) for page in pages]


def figure_slides(lesson, item):
    step = step_of(lesson, item.cell)
    figure, alt_text = first_figure(lesson, item.cell)
    notes = "\n\n".join(step.prose) or step.title
    return [Plan(figure.title or step.title, [step], [picture_part(figure, alt_text)])], notes


def without_below(notes):
    """Notes from a notebook's words, where "below" points to the next cell: on a slide the
    picture or code is on the slide itself or the next, so the pointer goes."""
    notes = re.sub(r"\bBelow, ", "Here, ", notes)
    return re.sub(r" below\b", "", notes)


def cell_printed(lesson, title):
    step = step_of(lesson, title)
    printed = [line for code, outputs in step.cells for line in printed_lines(outputs)]
    if not printed:
        raise LectureProblem(f"{lesson.name}'s cell {title!r} printed nothing")
    return printed


def printed_slides(lesson, item):
    steps = [step_of(lesson, cell) for cell in (item.cell, *item.also)]
    printed = [line for cell in (item.cell, *item.also) for line in cell_printed(lesson, cell)]
    part = Part("printed", printed, len(printed), printed_height(printed))
    title = item.title or f"{steps[0].title}: what the notebook printed"
    notes = "\n\n".join(prose for step in steps for prose in step.prose)
    return [Plan(title, steps, [part])], notes or title


def lecture_slides(every_lesson=None):
    """Every slide after the title slide, in order, each with its notes and its part."""
    every_lesson = every_lesson or lessons()
    plan, notes = agenda_slide()
    slides = [Slide(plan, notes, "Agenda", 0)]
    for number, (name, minutes, items) in enumerate(PARTS, start=1):
        first = len(slides)
        for item in items:
            if isinstance(item, StageTable):
                plans, notes = table_slide(every_lesson)
                source = "notebooks 01, 02, 03, 05"
            elif isinstance(item, Recap):
                plans, notes = recap_slide(every_lesson)
                source = "notebooks 00-05"
            else:
                lesson = every_lesson[item.lesson]
                make = {
                    Idea: idea_slides,
                    Figure: figure_slides,
                    Code: lambda lesson, item: code_slides(
                        lesson, item, step_of(lesson, item.cell)
                    ),
                    Printed: printed_slides,
                }[type(item)]
                plans, notes = make(lesson, item)
                source = f"{lesson.name}.py"
                if isinstance(item, Idea) and item.figure == OVERFITTING:
                    source = "bench/bench_overfitting.py"
            for plan in plans:
                slides.append(Slide(plan, without_below(notes), source, number))
        header = f"Part {number} of {len(PARTS)}: {name} · {minutes} minutes"
        slides[first].notes = f"{header}\n\n{slides[first].notes}"
    code = [slide for slide in slides if any(part.kind == "code" for part in slide.plan.parts)]
    minutes = sum(minutes for _, minutes, _ in PARTS)
    if len(slides) + 1 > MOST_SLIDES or len(code) > MOST_CODE_SLIDES or minutes > MOST_MINUTES:
        raise LectureProblem(
            f"the lecture has {len(slides) + 1} slides, {len(code)} of code, {minutes} "
            f"minutes: at most {MOST_SLIDES}, {MOST_CODE_SLIDES} and {MOST_MINUTES}"
        )
    return slides


def build_deck(every_lesson=None):
    """The lecture as a python-pptx Presentation: a title slide, then lecture_slides()."""
    from deck_drawing import FIXED_TIME, draw_plan
    from pptx import Presentation
    from pptx.enum.text import MSO_ANCHOR
    from pptx.util import Inches, Pt
    from slide_parts import (
        BODY_BOTTOM,
        BODY_WIDTH,
        MARGIN,
        SLIDE_HEIGHT,
        SLIDE_WIDTH,
        add_caption,
        add_notes,
        add_runs,
        text_box,
    )

    every_lesson = every_lesson or lessons()
    slides = lecture_slides(every_lesson)
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    properties = deck.core_properties
    properties.title = TITLE
    properties.author = properties.last_modified_by = "mnist-keras-tutorial"
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1

    slide = deck.slides.add_slide(blank)
    shape = text_box(slide, MARGIN, Inches(0.8), BODY_WIDTH, Inches(1.6), MSO_ANCHOR.BOTTOM)
    add_runs(shape.text_frame.paragraphs[0], TITLE, 40, bold=True)
    shape = text_box(slide, MARGIN, Inches(2.7), BODY_WIDTH, BODY_BOTTOM - Inches(2.7))
    rows = stage_rows(every_lesson)
    subtitle = (
        f"From a multilayer perceptron ({rows[0][ERROR].split(' ')[0]} test error) to a "
        f"convolutional network ({rows[-1][ERROR].split(' ')[0]}): the ideas, the code and what "
        "each stage measured."
    )
    items = [subtitle, "A lecture of 90 minutes; the lessons' own decks are for the labs."]
    for index, item in enumerate(items):
        paragraph = (
            shape.text_frame.paragraphs[0] if index == 0 else shape.text_frame.add_paragraph()
        )
        paragraph.space_after = Pt(14)
        add_runs(paragraph, item, TEXT_POINTS)
    add_caption(slide, "slides/lecture.pptx, made from notebooks 00-05 by slides/build.py")
    add_notes(
        slide,
        f"{subtitle}\n\nThe lecture takes {sum(m for _, m, _ in PARTS)} minutes of slides; "
        "the rest of the 90 is for questions.",
    )
    for planned in slides:
        slide = deck.slides.add_slide(blank)
        draw_plan(slide, planned.plan)
        add_caption(slide, planned.caption)
        add_notes(slide, planned.notes)
    return deck
