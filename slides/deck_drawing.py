"""A lesson's deck drawn with python-pptx from the plan of its slides (slide_plan.py): the
title slide, each planned slide's parts from the top of its body down, and Try it: the
lesson's exercises, at most MOST_EXERCISES a slide (a long one alone), each option in them
written as the setting it changes."""

from datetime import datetime

from lesson_options import without_options
from lesson_reading import measured_result
from lesson_slides import lesson_plans
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Inches, Pt
from slide_parts import (
    BODY_BOTTOM,
    BODY_HEIGHT,
    BODY_TOP,
    BODY_WIDTH,
    GAP,
    HEADING_COLOUR,
    HEADING_POINTS,
    LEAD_POINTS,
    MARGIN,
    OUTPUT_POINTS,
    SIDE_PANEL_WIDTH,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    SMALLEST_EXERCISE_POINTS,
    TEXT_POINTS,
    add_bullets,
    add_caption,
    add_code,
    add_notes,
    add_picture,
    add_printed,
    add_runs,
    add_table,
    add_text,
    add_title,
    fitting_points,
    paragraphs_height,
    text_box,
)
from slide_plan import plan_notes

FIXED_TIME = datetime(2000, 1, 1)  # in the deck's properties and zip entries: no build dates
MOST_EXERCISES = 3  # on one Try it slide, so that each stays large enough for a room
EXERCISE_POINTS = LEAD_POINTS  # the least size a slide of several exercises is set in
EXERCISES_HEIGHT = BODY_HEIGHT - Inches(0.2)
EXERCISE_SPACING = 12  # points after each exercise


def draw_side(slide, idea, items):
    """A short idea beside its picture: its title in bold, then its bullets."""
    shape = text_box(slide, MARGIN, BODY_TOP, SIDE_PANEL_WIDTH, BODY_HEIGHT)
    frame = shape.text_frame
    frame.paragraphs[0].space_after = Pt(TEXT_POINTS / 2)
    add_runs(frame.paragraphs[0], idea.title, TEXT_POINTS, HEADING_COLOUR, bold=True)
    for item in items:
        paragraph = frame.add_paragraph()
        paragraph.space_after = Pt(TEXT_POINTS / 2)
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        add_runs(paragraph, f"• {item}", TEXT_POINTS)


def draw_plan(slide, plan):
    """The slide's parts from the top of its body down; a picture takes the room left."""
    add_title(slide, plan.title)
    left, width, top = MARGIN, BODY_WIDTH, BODY_TOP
    if plan.side:
        draw_side(slide, *plan.side)
        left = MARGIN + SIDE_PANEL_WIDTH + GAP
        width = BODY_WIDTH - SIDE_PANEL_WIDTH - GAP
    for part in plan.parts:
        if part.kind == "picture":
            add_picture(slide, part.content, left, top, width, BODY_BOTTOM - top, part.alt_text)
            continue
        if part.kind == "code":
            height = add_code(slide, top, part.content, part.points)
        elif part.kind == "printed":
            height = add_printed(slide, top, part.content)
        elif part.kind == "table":
            header, rows, totals = part.content
            height = add_table(slide, top, header, rows)
            if totals:
                height += GAP + add_text(slide, top + height + GAP, totals, OUTPUT_POINTS)
        elif part.kind == "bullets":
            items, points = part.content
            add_bullets(slide, top, part.height, items, points)
            height = part.height
        elif part.kind == "heading":
            height = add_text(slide, top, part.content, HEADING_POINTS, True, colour=HEADING_COLOUR)
        else:  # a step's words, or the note that the rest of a cell is in the notebook
            italic = part.kind == "note"
            height = add_text(slide, top, part.content, LEAD_POINTS, italic=italic)
        top += height + GAP


def build_deck(lesson, plans=None):
    """The lesson's deck as a python-pptx Presentation."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    blank = deck.slide_layouts[6]
    properties = deck.core_properties
    properties.title = lesson.title
    properties.author = properties.last_modified_by = "mnist-keras-tutorial"
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    script = f"{lesson.name}.py"

    # The title slide: the lesson, what it teaches, and what its notebook measured.
    slide = deck.slides.add_slide(blank)
    result, banner = measured_result(lesson)
    heading_height, items_top = Inches(1.6), Inches(2.5)
    shape = text_box(slide, MARGIN, Inches(0.8), BODY_WIDTH, heading_height, MSO_ANCHOR.BOTTOM)
    points = fitting_points([lesson.title], 40, 28, heading_height - Inches(0.2))
    add_runs(shape.text_frame.paragraphs[0], lesson.title, points, bold=True)
    items = [lesson.description, *result]
    items_height = BODY_BOTTOM - items_top
    shape = text_box(slide, MARGIN, items_top, BODY_WIDTH, items_height)
    points = fitting_points(items, TEXT_POINTS, 18, items_height - Inches(0.2), 14)
    for index, item in enumerate(items):
        paragraph = (
            shape.text_frame.paragraphs[0] if index == 0 else shape.text_frame.add_paragraph()
        )
        paragraph.space_after = Pt(14)
        add_runs(paragraph, item, points)
    add_caption(slide, f"{script} · notebooks/{lesson.name}.ipynb · {banner}".rstrip(" ·"))
    commands = "\n".join(lesson.run_commands)
    add_notes(
        slide,
        f"{lesson.description}\n\nExpected: {lesson.expected}\n\nRun the lesson:\n{commands}",
    )

    for plan in lesson_plans(lesson) if plans is None else plans:
        slide = deck.slides.add_slide(blank)
        draw_plan(slide, plan)
        add_caption(slide, " · ".join([script, *plan.hints]))
        add_notes(slide, plan_notes(lesson, plan))

    # The exercises, numbered as in the lesson, at most MOST_EXERCISES a slide.
    exercises = [without_options(exercise, lesson) for exercise in lesson.exercises]
    pages = exercise_pages(exercises)
    first = 1
    for number, page in enumerate(pages, start=1):
        slide = deck.slides.add_slide(blank)
        add_title(slide, "Try it")
        points = fitting_points(
            page, TEXT_POINTS, SMALLEST_EXERCISE_POINTS, EXERCISES_HEIGHT, EXERCISE_SPACING
        )
        add_bullets(slide, BODY_TOP, BODY_HEIGHT, page, points, numbered=True, first=first)
        first += len(page)
        hint = [f"exercises {number} of {len(pages)}"] if len(pages) > 1 else []
        add_caption(slide, " · ".join([script, *hint]))
        add_notes(slide, f"The lesson's exercises.\n\nRun the lesson:\n{commands}")
    return deck


def exercise_pages(exercises):
    """The exercises in order on as few slides as hold at most MOST_EXERCISES each, each
    slide's exercises fitting its body at EXERCISE_POINTS or more (a long exercise alone)."""
    pages = []
    for exercise in exercises:
        page = pages[-1] if pages else None
        if (
            page is not None
            and len(page) < MOST_EXERCISES
            and paragraphs_height([*page, exercise], EXERCISE_POINTS, EXERCISE_SPACING)
            <= EXERCISES_HEIGHT
        ):
            page.append(exercise)
        else:
            pages.append([exercise])
    return pages or [[]]
