"""The parts a slide is made of (title, bullets, code, printed text, pictures, captions,
notes), their sizes, fonts and colours, and the estimates that keep text inside its box."""

import io
import re
import textwrap

from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name

# 16:9, in inches; every box lies inside the slide with this margin.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.9)
BODY_TOP, BODY_BOTTOM = Inches(1.3), Inches(6.95)
CAPTION_TOP, CAPTION_HEIGHT = Inches(7.0), Inches(0.35)
BODY_WIDTH = SLIDE_WIDTH - 2 * MARGIN
BODY_HEIGHT = BODY_BOTTOM - BODY_TOP
# Fonts every presentation program has, or substitutes with one of the same metrics
# (LibreOffice: Liberation Sans and Liberation Mono).
TEXT_FONT, CODE_FONT = "Arial", "Courier New"
TITLE_POINTS, TEXT_POINTS, CAPTION_POINTS = 32, 24, 12
CODE_POINTS = 20  # code large enough for the back of a room
OUTPUT_POINTS = 14  # what a step printed
SMALLEST_EXERCISE_POINTS = 16
SMALLEST_TITLE_POINTS = 24
BULLET_INDENT = Inches(0.4)  # what a bullet's marker takes from a line, in the estimate
LINE_SPACING = 1.2  # a line's height, in font sizes
# Characters of running text per line at 1 point, for Arial: about 2 em of width per 3.7
# characters on average, rounded so that the wrapping estimate errs towards fewer.
TEXT_CHARACTERS_PER_POINT_WIDTH = 1 / 0.56
MONOSPACE_ADVANCE = 0.6  # Courier New's characters are 0.6 em wide
CODE_BACKGROUND = RGBColor(0xF4, 0xF6, 0xF8)
OUTPUT_BACKGROUND = RGBColor(0xFF, 0xFA, 0xE8)
CAPTION_COLOUR = RGBColor(0x70, 0x70, 0x70)
CODE_STYLE = get_style_by_name("default")  # Pygments' colours, readable on a light slide


def text_box(slide, left, top, width, height, anchor=MSO_ANCHOR.TOP):
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.1))
    return shape


def add_runs(paragraph, text, points, colour=None, bold=False):
    """Text with `inline code` set in the code font."""
    for index, part in enumerate(text.split("`")):
        if not part:
            continue
        run = paragraph.add_run()
        run.text = part
        run.font.size = Pt(points)
        run.font.name = CODE_FONT if index % 2 else TEXT_FONT
        run.font.bold = bold
        if colour is not None:
            run.font.color.rgb = colour


def fitting_points(texts, largest, smallest, height, spacing_after=0):
    """The largest font size from `largest` down to `smallest` at which `texts` (one
    paragraph each) fit into `height`."""
    points = largest
    while points > smallest and paragraphs_height(texts, points, spacing_after, 0) > height:
        points -= 1
    return points


def add_title(slide, title):
    """The step's heading; a long one in a smaller size, so that two lines fit."""
    shape = text_box(slide, MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT, MSO_ANCHOR.MIDDLE)
    points = fitting_points(
        [title], TITLE_POINTS, SMALLEST_TITLE_POINTS, TITLE_HEIGHT - Inches(0.2)
    )
    add_runs(shape.text_frame.paragraphs[0], title, points, bold=True)


def add_caption(slide, text):
    shape = text_box(slide, MARGIN, CAPTION_TOP, BODY_WIDTH, CAPTION_HEIGHT)
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = 3  # right
    add_runs(paragraph, text, CAPTION_POINTS, colour=CAPTION_COLOUR)


def add_notes(slide, notes):
    slide.notes_slide.notes_text_frame.text = notes


def wrapped_line_count(text, points, width=BODY_WIDTH, indent=0):
    """How many lines `text` takes in a box of `width` at `points` (an estimate that errs
    towards more lines)."""
    usable = Emu(width - Inches(0.2) - indent).pt
    characters = max(1, int(usable * TEXT_CHARACTERS_PER_POINT_WIDTH / points))
    return len(textwrap.wrap(text.replace("`", ""), characters)) or 1


def paragraphs_height(texts, points, spacing_after, indent=BULLET_INDENT):
    """The height of `texts`, one paragraph each (indented as a bullet unless told)."""
    lines = sum(wrapped_line_count(text, points, indent=indent) for text in texts)
    return Pt(lines * points * LINE_SPACING + len(texts) * spacing_after)


def add_bullets(slide, top, height, items, points, numbered=False):
    shape = text_box(slide, MARGIN, top, BODY_WIDTH, height)
    frame = shape.text_frame
    for index, item in enumerate(items):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(points / 2)
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        marker = f"{index + 1}. " if numbered else "• "
        add_runs(paragraph, marker + item, points)
    return shape


def code_paragraphs(frame, code):
    """Syntax-coloured code, one paragraph a line, in the code font."""
    lines = [[]]
    for token_type, value in PythonLexer().get_tokens(code):
        for index, piece in enumerate(value.split("\n")):
            if index:
                lines.append([])
            if piece:
                lines[-1].append((token_type, piece))
    while lines and not lines[-1]:
        lines.pop()
    for index, tokens in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        run = paragraph.add_run()  # an empty line keeps its height with a space
        run.text = ""
        merged = []
        for token_type, piece in tokens:
            style = CODE_STYLE.style_for_token(token_type)
            key = (style["color"], style["bold"], style["italic"])
            if merged and merged[-1][0] == key:
                merged[-1][1] += piece
            else:
                merged.append([key, piece])
        runs = [run] + [paragraph.add_run() for _ in merged[1:]]
        for run, ((colour, bold, italic), piece) in zip(
            runs, merged or [[(None, False, False), " "]]
        ):
            run.text = piece
            run.font.name = CODE_FONT
            run.font.size = Pt(CODE_POINTS)
            run.font.bold = bool(bold)
            run.font.italic = bool(italic)
            if colour:
                run.font.color.rgb = RGBColor.from_string(colour)


def monospace_box(slide, top, lines, points, background):
    """A filled box just large enough for `lines` of monospace text at `points`."""
    height = Pt(len(lines) * points * LINE_SPACING) + Inches(0.3)
    shape = text_box(slide, MARGIN, top, BODY_WIDTH, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = background
    shape.text_frame.word_wrap = False
    return shape, height


def add_printed(slide, top, lines):
    shape, height = monospace_box(slide, top, lines, OUTPUT_POINTS, OUTPUT_BACKGROUND)
    for index, line in enumerate(lines):
        paragraph = (
            shape.text_frame.paragraphs[0] if index == 0 else shape.text_frame.add_paragraph()
        )
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        run = paragraph.add_run()
        run.text = line
        run.font.name = CODE_FONT
        run.font.size = Pt(OUTPUT_POINTS)
    return height


def printed_height(lines):
    return Pt(len(lines) * OUTPUT_POINTS * LINE_SPACING) + Inches(0.3)


def add_picture(slide, image, top, bottom):
    """The figure scaled to fit between `top` and `bottom` and the margins, aspect kept."""
    from PIL import Image

    width, height = Image.open(io.BytesIO(image)).size
    scale = min(BODY_WIDTH / width, (bottom - top) / height)
    shown_width, shown_height = int(width * scale), int(height * scale)
    left = int((SLIDE_WIDTH - shown_width) / 2)
    slide.shapes.add_picture(io.BytesIO(image), left, int(top), shown_width, shown_height)


def step_notes(lesson, step):
    """The speaker notes of a step's slides: its prose and the commands that run the lesson."""
    commands = "\n".join(lesson.run_commands)
    prose = "\n\n".join(step.prose)
    return "\n\n".join(part for part in (prose, f"Run the lesson:\n{commands}") if part)


def split_sentences(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", paragraph) if s.strip()]


def bullet_pages(items, points, height):
    """The items in as many slides as they need at `points`."""
    pages, current = [], []
    for item in items:
        if current and paragraphs_height([*current, item], points, points / 2) > height:
            pages.append(current)
            current = []
        current.append(item)
    if current:
        pages.append(current)
    return pages
