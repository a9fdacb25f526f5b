"""The lecture decks, slides/<lesson>.pptx and .pdf, made from the executed notebooks.

A deck follows its lesson step by step, each slide titled with the step's heading, the
same as the notebook's cells: a title slide with the result the notebook printed, the
step's ideas in the lesson's own words, its code (syntax-coloured, at most 16 lines of 64
characters a slide, continued on the next slide between two statements), what it printed,
every figure it drew, and the lesson's Try it exercises. The speaker notes hold the step's
prose and the commands that run the lesson. Nothing is trained: the notebooks already ran.

    python -m pip install -r requirements-dev.txt
    python slides/build.py                       # every lesson
    python slides/build.py --only 02_simple_cnn  # one lesson
    python slides/build.py --check               # fail if a committed deck is out of step

The PDF is the PPTX as LibreOffice Impress renders it (`soffice --headless --convert-to
pdf`), made where `soffice` is installed (Debian: apt-get install libreoffice-impress) and
only when the PPTX changed. The same notebooks always give the same PPTX, byte for byte.
The code on a slide is the lesson's code laid out for 64 columns by black, with comments
wrapped and end-of-line comments moved above their line; it is the same program.
"""

import argparse
import ast
import base64
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tokenize
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import black
import nbformat
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
SLIDES_DIR = PROJECT_DIR / "slides"
# The notebook's first line, which finds the course's modules: not a line of the lesson.
FIND_MODULES = 'import sys; sys.path.append("..")  # the course\'s modules are one folder up'

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
CODE_POINTS, CODE_LINES, CODE_COLUMNS = 20, 16, 64  # large enough for the back of a room
# A line that black cannot split (a long string) may run a little past CODE_COLUMNS; the
# code box is as wide as this, and a longer line is an error to fix in the lesson.
CODE_MOST_COLUMNS = 70
OUTPUT_POINTS, OUTPUT_LINES, OUTPUT_COLUMNS = 14, 20, 100  # what a step printed
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
FIXED_TIME = datetime(2000, 1, 1)  # in the deck's properties and zip entries: no build dates

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
TABLE_CHARACTERS = set("┏┓┗┛┃━┡┩│└┘─┬┴┼╇╈┠┨┯┷╞╡╪")
EPOCH_LINE = re.compile(r"^Epoch \d+/\d+$")
PROGRESS_LINE = re.compile(r"^\d+/\d+ [-━]")
# A line that states what the lesson achieved, for the title slide.
RESULT_LINE = re.compile(r"^(Test error|Held-out digits|Done:|Serving)|: \d \(\d+\.\d%\)")
TIME_LINE = re.compile(r"^\w+ took [\d.]+ s\.$")
SAVED_FIGURE = re.compile(r"^Saved figure: (\S+)")


# %% Reading a notebook


@dataclass
class Step:
    """One step of a lesson: its heading, prose, code cells and what they printed and drew."""

    title: str
    prose: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # (code, outputs) of each code cell


@dataclass
class Lesson:
    name: str
    title: str
    description: str
    run_commands: list
    expected: str
    steps: list
    exercises: list


def plain(markdown):
    """Markdown's emphasis markers removed; inline `code` keeps its backticks."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", markdown).strip()


def read_header(markdown):
    """The title, description, run commands and expected result of a lesson's first cell."""
    title, description, commands, expected = "", [], [], ""
    in_commands = False
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block.startswith("# "):
            title = block[2:].strip()
        elif block.startswith("**Run"):
            commands = [line.strip() for line in block.splitlines() if line.startswith("python ")]
            in_commands = True
        elif block.startswith("**Expected:**"):
            expected = plain(block.removeprefix("**Expected:**"))
        elif not in_commands and block:
            description.append(plain(block))
    return title, " ".join(description), commands, expected


def numbered_items(markdown):
    """The items of a numbered markdown list, each as one line."""
    items = []
    for line in markdown.splitlines():
        match = re.match(r"^\d+\.\s+(.*)", line)
        if match:
            items.append(match.group(1).strip())
        elif items and line.strip():
            items[-1] += " " + line.strip()
    return items


def read_lesson(path):
    """The lesson a notebook holds, step by step."""
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    title, description, commands, expected = read_header(cells[0].source)
    steps, exercises = [], []
    for cell in cells[1:]:
        if cell.cell_type == "markdown":
            heading, _, rest = cell.source.partition("\n")
            if heading.startswith("## Try it"):
                exercises = numbered_items(rest)
            elif heading.startswith("## "):
                steps.append(Step(heading[3:].strip()))
                if rest.strip():
                    steps[-1].prose.extend(plain(p) for p in re.split(r"\n\s*\n", rest.strip()))
            elif steps:
                steps[-1].prose.append(plain(cell.source))
        elif cell.cell_type == "code":
            if not steps:
                steps.append(Step(title))
            code = "\n".join(line for line in cell.source.splitlines() if line != FIND_MODULES)
            steps[-1].cells.append((code, cell.get("outputs", [])))
    return Lesson(path.stem, title, description, commands, expected, steps, exercises)


# %% Code laid out for a slide


def comment_moved_above(line):
    """`code  # comment` as two lines, the comment first, when the line is too long."""
    if len(line) <= CODE_COLUMNS:
        return [line]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError):
        return [line]
    for token in tokens:
        if token.type == tokenize.COMMENT and line[: token.start[1]].strip():
            indent = line[: len(line) - len(line.lstrip())]
            return [indent + token.string, line[: token.start[1]].rstrip()]
    return [line]


def rewrapped_comments(lines):
    """Runs of full-line comments with a line too long for a slide, wrapped again as one
    paragraph at the same indent; shorter runs keep their own line breaks."""
    result, run = [], []

    def flush():
        if any(len(line) > CODE_COLUMNS for line in run):
            indent = run[0][: len(run[0]) - len(run[0].lstrip())]
            text = " ".join(line.lstrip().lstrip("#").strip() for line in run)
            prefix = indent + "# "
            result.extend(
                textwrap.wrap(
                    text,
                    CODE_COLUMNS,
                    initial_indent=prefix,
                    subsequent_indent=prefix,
                    break_on_hyphens=False,
                )
            )
        else:
            result.extend(run)
        run.clear()

    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        is_text = stripped.startswith("#") and stripped.lstrip("#").strip()
        if run and not (is_text and indent == run[0][: len(run[0]) - len(run[0].lstrip())]):
            flush()
        if is_text:
            run.append(line)
        else:
            result.append(line)
    flush()
    return result


def docstring_nodes(tree):
    """The docstrings of a module, its classes and its functions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                yield first


def rewrapped_docstrings(lines):
    """Docstrings with a line too long for a slide, each paragraph wrapped again."""
    tree = ast.parse("\n".join(lines))
    for node in sorted(docstring_nodes(tree), key=lambda node: -node.lineno):
        first, last = node.lineno - 1, node.end_lineno
        if all(len(line) <= CODE_COLUMNS for line in lines[first:last]):
            continue
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", node.value.value)]
        wrapped = []
        for number, paragraph in enumerate(p for p in paragraphs if p):
            if number:
                wrapped.append("")
            wrapped.extend(textwrap.wrap(paragraph, CODE_COLUMNS - len(indent) - 3))
        new = [f'{indent}"""{wrapped[0]}', *(indent + line if line else "" for line in wrapped[1:])]
        new.append(f'{indent}"""')
        lines[first:last] = new
    return lines


def slide_code(code):
    """The cell's code laid out for a slide's width: the same program, black at 64 columns,
    end-of-line comments that make a line too long moved above it, long comments wrapped."""
    mode = black.Mode(
        line_length=CODE_COLUMNS, preview=True, enabled_features={black.Preview.string_processing}
    )
    moved = [part for line in code.splitlines() for part in comment_moved_above(line)]
    formatted = black.format_str("\n".join(moved) + "\n", mode=mode)
    moved = [part for line in formatted.splitlines() for part in comment_moved_above(line)]
    return "\n".join(rewrapped_docstrings(rewrapped_comments(moved))).strip("\n")


def break_priorities(lines):
    """For each line, how good a place it is to start a new slide: 2 before a statement (with
    the comments just above it), 1 between two items of a bracketed list, 0 elsewhere."""
    depth_at_start, depth = [], 0
    source = "\n".join(lines) + "\n"
    starts = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            row = token.start[0] - 1
            starts.setdefault(row, depth if token.string not in ")]}" else depth + 1)
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                for inside in range(token.start[0], token.end[0]):
                    starts[inside] = -1  # inside a multi-line string
    except (tokenize.TokenError, IndentationError):
        return [0] * len(lines)
    depth_at_start = [starts.get(row, 0) for row in range(len(lines))]
    priorities = []
    for index in range(len(lines)):
        previous = lines[index - 1].rstrip() if index else ""
        if depth_at_start[index] == 0 and not previous.endswith("\\"):
            priority = 2
        elif depth_at_start[index] > 0 and previous.endswith((",", "(", "[")):
            priority = 1
        else:
            priority = 0
        priorities.append(priority)
    # A comment belongs to the line below it: break before the comment, not after it.
    for index in range(len(lines) - 1, 0, -1):
        if lines[index - 1].lstrip().startswith("#") and priorities[index] > 0:
            priorities[index - 1] = max(priorities[index - 1], priorities[index])
            priorities[index] = 0
    return priorities


def code_chunks(code):
    """The code split into slides of at most CODE_LINES lines, each break between two
    statements where there is one, else between two items of a list."""
    lines = code.splitlines()
    priorities = break_priorities(lines)
    chunks, start = [], 0
    while len(lines) - start > CODE_LINES:
        candidates = range(start + 1, start + CODE_LINES + 1)
        end = next(
            (
                index
                for wanted in (2, 1)
                for index in reversed(candidates)
                if priorities[index] >= wanted
            ),
            start + CODE_LINES,
        )
        chunks.append(lines[start:end])
        start = end
    chunks.append(lines[start:])
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "\n".join(chunk).strip()]


# %% What a step printed, cut to what matters


def printed_lines(outputs):
    """What a cell printed: its text, without the model summary's table, the progress of
    every epoch but the last, or anything past a slide's width."""
    text = ""
    for output in outputs:
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                text += data["text/plain"] + "\n"
    lines = [ANSI_ESCAPE.sub("", line).rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line and not TABLE_CHARACTERS & set(line)]
    epochs = [index for index, line in enumerate(lines) if EPOCH_LINE.match(line)]
    if len(epochs) > 1:
        left_out = set()
        for index in epochs[:-1]:
            left_out.add(index)
            if index + 1 < len(lines) and PROGRESS_LINE.match(lines[index + 1]):
                left_out.add(index + 1)
        first = epochs[0]
        lines = [line for index, line in enumerate(lines) if index not in left_out]
        lines.insert(first, f"… ({len(epochs) - 1} epochs before the last)")
    lines = [part for line in lines for part in wrapped_output(line)]
    if len(lines) > OUTPUT_LINES:
        head = 5
        tail = OUTPUT_LINES - head - 1
        lines = [*lines[:head], f"… ({len(lines) - head - tail} lines)", *lines[-tail:]]
    return lines


def wrapped_output(line):
    """A printed line too wide for the slide, broken at its last space before the edge (the
    continuation indented), or cut there if it has none."""
    parts = []
    while len(line) > OUTPUT_COLUMNS:
        cut = line.rfind(" ", OUTPUT_COLUMNS // 2, OUTPUT_COLUMNS)
        if cut < 0:
            return [*parts, line[: OUTPUT_COLUMNS - 1] + "…"]
        parts.append(line[:cut])
        line = "    " + line[cut:].lstrip()
    return [*parts, line]


def figures(outputs):
    """The PNG pictures a cell showed, each with the path it was saved under (or None)."""
    pictures, saved = [], None
    for output in outputs:
        if output.output_type == "stream":
            for line in output.text.splitlines():
                match = SAVED_FIGURE.match(line)
                if match:
                    saved = match.group(1)
        data = output.get("data", {})
        if "image/png" in data:
            pictures.append((base64.b64decode(data["image/png"]), saved))
            saved = None
    return pictures


def all_printed(lesson):
    """Every line the lesson's notebook printed, in order."""
    lines = []
    for step in lesson.steps:
        for _, outputs in step.cells:
            for output in outputs:
                if output.output_type == "stream" and output.name == "stdout":
                    lines.extend(ANSI_ESCAPE.sub("", output.text).splitlines())
    return lines


def measured_result(lesson):
    """The title slide's result: the lesson's result line and its time, as printed."""
    lines = all_printed(lesson)
    results = [line.strip() for line in lines if RESULT_LINE.search(line)]
    times = [line.strip() for line in lines if TIME_LINE.match(line.strip())]
    banner = next((line for line in lines if line.startswith("Python ")), "")
    parts = [part for part in (results[-1] if results else "", times[-1] if times else "") if part]
    return parts, banner


# %% Writing slides


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


def build_deck(lesson):
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

    for step in lesson.steps:
        notes = step_notes(lesson, step)
        # The ideas of the step, in the lesson's words.
        sentences = [s for paragraph in step.prose for s in split_sentences(paragraph)]
        for page in bullet_pages(sentences, TEXT_POINTS, BODY_HEIGHT):
            slide = deck.slides.add_slide(blank)
            add_title(slide, step.title)
            add_bullets(slide, BODY_TOP, BODY_HEIGHT, page, TEXT_POINTS)
            add_notes(slide, notes)
        for code, outputs in step.cells:
            laid_out = slide_code(code) if code.strip() else ""
            too_long = [line for line in laid_out.splitlines() if len(line) > CODE_MOST_COLUMNS]
            if too_long:
                sys.exit(
                    f"error: {script}, {step.title}: a line black cannot fit into "
                    f"{CODE_MOST_COLUMNS} columns; shorten it in the lesson: {too_long[0].strip()}"
                )
            chunks = code_chunks(laid_out) if laid_out else []
            printed = printed_lines(outputs)
            for index, chunk in enumerate(chunks):
                slide = deck.slides.add_slide(blank)
                add_title(slide, step.title)
                lines = chunk.splitlines()
                shape, height = monospace_box(slide, BODY_TOP, lines, CODE_POINTS, CODE_BACKGROUND)
                code_paragraphs(shape.text_frame, chunk)
                part = f" · code {index + 1} of {len(chunks)}" if len(chunks) > 1 else ""
                caption = f"{script}{part}"
                # What the step printed goes below its last code when there is room.
                room = BODY_HEIGHT - height - Inches(0.2)
                if index == len(chunks) - 1 and printed and printed_height(printed) <= room:
                    add_printed(slide, BODY_TOP + height + Inches(0.2), printed)
                    caption += " · below: what it printed"
                    printed = []
                add_caption(slide, caption)
                add_notes(slide, notes)
            if printed:
                slide = deck.slides.add_slide(blank)
                add_title(slide, step.title)
                add_printed(slide, BODY_TOP, printed)
                add_caption(slide, f"{script} · what it printed")
                add_notes(slide, notes)
            for image, saved in figures(outputs):
                slide = deck.slides.add_slide(blank)
                add_title(slide, step.title)
                add_picture(slide, image, BODY_TOP, BODY_BOTTOM)
                add_caption(slide, saved or script)
                add_notes(slide, notes)

    # The exercises, on one slide, numbered as in the lesson.
    slide = deck.slides.add_slide(blank)
    add_title(slide, "Try it")
    points = fitting_points(
        lesson.exercises, TEXT_POINTS, SMALLEST_EXERCISE_POINTS, BODY_HEIGHT - Inches(0.2), 12
    )
    add_bullets(slide, BODY_TOP, BODY_HEIGHT, lesson.exercises, points, numbered=True)
    add_caption(slide, script)
    add_notes(slide, f"The lesson's exercises.\n\nRun the lesson:\n{commands}")
    return deck


def deck_bytes(deck):
    """The PPTX file, with fixed times in its zip entries so that it is the same each build."""
    raw = io.BytesIO()
    deck.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(entry.filename))
    return fixed.getvalue()


def deck_contents(deck):
    """What `--check` compares: each slide's texts, notes and pictures."""
    slides = []
    for slide in deck.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        pictures = [
            hashlib.sha1(shape.image.blob).hexdigest()
            for shape in slide.shapes
            if shape.shape_type == 13  # a picture
        ]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        slides.append({"texts": texts, "pictures": pictures, "notes": notes})
    return slides


# %% Files


def lesson_notebooks(only=None):
    notebooks = sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
    return [path for path in notebooks if not only or path.stem in only]


def shown(path):
    """A path as the project names it (slides/02_simple_cnn.pptx), else as it is."""
    return str(path.relative_to(PROJECT_DIR)) if path.is_relative_to(PROJECT_DIR) else str(path)


def write_atomically(path, content):
    """Replace `path` only once the new file is complete."""
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def convert_to_pdf(paths):
    """Each PPTX as LibreOffice renders it, beside it as a PDF."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(
            "No PDF: LibreOffice's soffice is not installed (apt-get install libreoffice-impress)"
        )
        return
    with tempfile.TemporaryDirectory() as scratch:
        profile = Path(scratch) / "profile"
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            scratch,
            *map(str, paths),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=600)
        for path in paths:
            made = Path(scratch) / f"{path.stem}.pdf"
            if not made.is_file():
                sys.exit(f"error: LibreOffice made no PDF of {path.name}")
            write_atomically(path.with_suffix(".pdf"), made.read_bytes())
            print(f"Wrote {shown(path.with_suffix('.pdf'))}")


def build(only=None, force_pdf=False, slides_dir=SLIDES_DIR):
    """Write <lesson>.pptx for each notebook into `slides_dir`, and its PDF where the PPTX
    changed."""
    slides_dir.mkdir(exist_ok=True)
    changed = []
    for notebook in lesson_notebooks(only):
        deck = build_deck(read_lesson(notebook))
        content = deck_bytes(deck)
        path = slides_dir / f"{notebook.stem}.pptx"
        same = path.is_file() and path.read_bytes() == content
        if not same:
            write_atomically(path, content)
        print(f"{'Unchanged' if same else 'Wrote'} {shown(path)} ({len(deck.slides)} slides)")
        pdf = path.with_suffix(".pdf")
        # A PDF older than its PPTX was not made from it (an earlier build stopped early).
        if not same or force_pdf or not pdf.is_file() or pdf.stat().st_mtime < path.stat().st_mtime:
            changed.append(path)
    if changed:
        convert_to_pdf(changed)


def check(only=None, slides_dir=SLIDES_DIR):
    """Fail, naming the lesson and slide, where a committed deck differs from its notebook."""
    problems = []
    for notebook in lesson_notebooks(only):
        path = slides_dir / f"{notebook.stem}.pptx"
        if not path.is_file():
            problems.append(f"{shown(path)} is missing")
            continue
        expected = deck_contents(build_deck(read_lesson(notebook)))
        committed = deck_contents(Presentation(str(path)))
        for number, (want, have) in enumerate(zip(expected, committed), start=1):
            if want != have:
                title = (want["texts"] or ["?"])[0]
                problems.append(f"{shown(path)}, slide {number} ({title}) differs")
                break
        else:
            if len(expected) != len(committed):
                problems.append(
                    f"{shown(path)} has {len(committed)} slides, the notebook gives "
                    f"{len(expected)}"
                )
        if not path.with_suffix(".pdf").is_file():
            problems.append(f"{shown(path.with_suffix('.pdf'))} is missing")
    for problem in problems:
        print(f"out of step: {problem}", file=sys.stderr)
    if problems:
        sys.exit("error: the decks are not what the notebooks give: run python slides/build.py")
    print("The decks are in step with the notebooks.")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    parser.add_argument("--only", nargs="+", metavar="LESSON", help="e.g. 02_simple_cnn")
    parser.add_argument(
        "--check", action="store_true", help="compare the committed decks with the notebooks"
    )
    parser.add_argument(
        "--pdf", action="store_true", help="make the PDFs again even where the PPTX is unchanged"
    )
    args = parser.parse_args()
    known = {path.stem for path in lesson_notebooks()}
    if args.only and not set(args.only) <= known:
        sys.exit(f"error: --only takes lesson names: {', '.join(sorted(known))}")
    if args.check:
        check(args.only)
    else:
        build(args.only, args.pdf)


if __name__ == "__main__":
    main()  # the command is slides/build.py, which runs this
