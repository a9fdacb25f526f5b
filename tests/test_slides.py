"""The decks, reopened with python-pptx: made from the committed notebooks (no training),
lab decks of at most 45 slides and a 90-minute lecture of at most 60 (its minutes, code
slides and stage table checked), none of the course's machinery or bookkeeping, no figure
saving or command-line option on a slide, code never cut inside a call or a dict (a lesson's
code slides only between top-level statements, each cell shown whole), every constant on a
slide before a slide uses it, a cell that only draws shown as its figure, at most three
exercises a Try it slide, figures sharp and readable at the size shown and with alt text,
model.summary()'s table, no thin slides, printed text readable from the back of a room,
nothing outside a slide, a concept map that names its slides, and all in step with the
notebooks. The rules are also checked
on a small synthetic notebook (synthetic_lesson.py) that has every kind of cell the lessons
will have."""

import ast
import base64
import hashlib
import io
import re
import shutil
import subprocess
import sys
import tokenize

import nbformat
import pytest
import synthetic_lesson
from conftest import PROJECT_DIR
from PIL import Image
from pptx import Presentation
from pptx.util import Emu, Pt

SLIDES_DIR = PROJECT_DIR / "slides"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
DOCUMENT = PROJECT_DIR / "docs" / "for_lecturers.md"
LESSONS = sorted(path.stem for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
DECKS = [*LESSONS, synthetic_lesson.NAME]
LECTURE = "lecture"  # the 90-minute lecture, slides/lecture.py
EVERY_DECK = [*DECKS, LECTURE]
SUMMARY_LESSONS = ["01_mlp_baseline", "02_simple_cnn", "03_large_cnn", "05_best_cnn"]
MAX_DECKS_BYTES = 12_500_000
PICTURE = 13  # python-pptx's shape type of a picture
# What a lecture deck promises.
MOST_SLIDES = 45  # a lab deck follows its lesson; the lecture has its own limit
SMALLEST_SHOWN_DPI = 150  # a picture's pixels an inch as shown
SMALLEST_FIGURE_POINTS = 14  # a figure's smallest text as shown
SMALLEST_PRINTED_POINTS = 18  # what a step printed, and the summary's table
FEWEST_LINES = 3  # a slide with fewer lines of text needs a picture
MOST_EXERCISES = 3  # on a Try it slide
EMU_PER_INCH = 914400
# Lines of the course's bookkeeping, which no slide shows (the version banner may stay in the
# title slide's caption), and a printed path of a file.
BOOKKEEPING = re.compile(
    r"Saved figure: |Saved model: |Source: |Options from the OPTIONS line|Read with it: "
    r"|Python \d+\.\d+\.\d+ \| Keras|PosixPath\("
)
FILE_PATH = re.compile(r"(?:\.\.?/|~/|/)?\b[\w.-]+/[\w./-]*\.(?:png|keras|npz|json|jpe?g|html)\b")
COURSE_CODE = re.compile(r"import course|\b(?:course|outputs|options)\.")
REST_OF_CELL = re.compile(r"the rest of this cell .*is in the notebook")


sys.path.insert(0, str(SLIDES_DIR))
import cell_shown  # noqa: E402  (slides/build.py is the command that runs these)
import code_layout  # noqa: E402
import concept_map  # noqa: E402
import deck_drawing  # noqa: E402
import decks  # noqa: E402
import figure_code  # noqa: E402
import lecture  # noqa: E402
import lesson_options  # noqa: E402
import lesson_reading  # noqa: E402
import lesson_slides  # noqa: E402
import slide_parts  # noqa: E402
import slide_plan  # noqa: E402


def reopened(deck):
    """The deck as its file holds it, opened again with python-pptx."""
    return Presentation(io.BytesIO(decks.deck_bytes(deck)))


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """The synthetic lesson: its notebook's path, its lesson, its slides' plans."""
    path = synthetic_lesson.write_notebook(tmp_path_factory.mktemp("synthetic"))
    lesson = lesson_reading.read_lesson(path)
    return path, lesson, lesson_slides.lesson_plans(lesson)


@pytest.fixture(scope="module")
def built_decks(synthetic):
    """Every lesson's deck built from its committed notebook, and the synthetic one."""
    built = {
        name: reopened(
            decks.build_deck(lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb"))
        )
        for name in LESSONS
    }
    built[synthetic_lesson.NAME] = reopened(decks.build_deck(synthetic[1], synthetic[2]))
    built[LECTURE] = reopened(lecture.build_deck())
    return built


def notebook_path(name, synthetic):
    return synthetic[0] if name == synthetic_lesson.NAME else NOTEBOOKS_DIR / f"{name}.ipynb"


def runs(shape):
    return [run for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]


def is_monospace(shape):
    found = runs(shape)
    return bool(found) and all(run.font.name == slide_parts.CODE_FONT for run in found)


def code_boxes(slide):
    """The text boxes that show code: monospace on the code's colour (at CODE_POINTS, or
    smaller where a statement needs it)."""
    return [
        shape
        for shape in slide.shapes
        if shape.has_text_frame
        and is_monospace(shape)
        and shape.fill.type is not None
        and shape.fill.fore_color.rgb == slide_parts.CODE_BACKGROUND
    ]


def printed_boxes(slide):
    return [
        shape
        for shape in slide.shapes
        if shape.has_text_frame and is_monospace(shape) and shape not in code_boxes(slide)
    ]


def body_shapes(slide):
    """The shapes between the title and the caption."""
    return [
        shape
        for shape in slide.shapes
        if shape.top not in (slide_parts.TITLE_TOP, slide_parts.CAPTION_TOP)
    ]


def title_of(slide):
    titles = [s.text_frame.text for s in slide.shapes if s.top == slide_parts.TITLE_TOP]
    return titles[0] if titles else "?"


def slide_texts(slide):
    """Every text a slide shows: its text boxes and its tables' cells."""
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    for shape in slide.shapes:
        if shape.has_table:
            texts += [cell.text for cell in shape.table.iter_cells()]
    return texts


def text_lines(slide):
    """The lines of text in a slide's body: a monospace line each, running text as the
    deck's estimate wraps it, a table row each."""
    lines = 0
    for shape in body_shapes(slide):
        if shape.has_table:
            lines += len(shape.table.rows)
        elif shape.has_text_frame and is_monospace(shape):
            lines += len(shape.text_frame.paragraphs)
        elif shape.has_text_frame:
            for paragraph in shape.text_frame.paragraphs:
                size = max((run.font.size.pt for run in paragraph.runs), default=0)
                if paragraph.text.strip() and size:
                    lines += slide_parts.wrapped_line_count(paragraph.text, size, shape.width)
    return lines


def pictures(slide):
    return [shape for shape in slide.shapes if shape.shape_type == PICTURE]


def program(code):
    """The code's syntax tree with each docstring's line breaks evened out: what the slide's
    layout may change and nothing else."""
    tree = ast.parse(code)
    for node in code_layout.docstring_nodes(tree):
        node.value.value = " ".join(node.value.value.split())
    return ast.dump(tree)


# %% The checks, each returning what it found wrong, so that a test can also show it fails


def unclosed_brackets(code):
    """The brackets a slide's code opens and leaves open, or closes without opening, other
    than a `[` list and the brackets around it: where it was cut inside a call or dict."""
    flush_left = "\n".join(line.lstrip() for line in code.splitlines()) + "\n"
    stack, closed_unopened = [], []
    try:
        for token in tokenize.generate_tokens(io.StringIO(flush_left).readline):
            if token.type == tokenize.OP and token.string in "([{":
                stack.append(token.string)
            elif token.type == tokenize.OP and token.string in ")]}":
                if stack:
                    stack.pop()
                else:
                    closed_unopened.append(token.string)
    except tokenize.TokenError:
        pass  # the end came with brackets open: the stack holds them
    problems = []
    if stack and stack[-1] != "[":
        problems.append(f"ends inside {stack[-1]}")
    if closed_unopened and closed_unopened[0] != "]":
        problems.append(f"starts inside {closed_unopened[0]}")
    return problems


def open_brackets(code):
    """The brackets a slide's code leaves open or closes without opening, a `[` list's
    included: where a cell was cut inside a statement."""
    flush_left = "\n".join(line.lstrip() for line in code.splitlines()) + "\n"
    depth, problems = [], []
    try:
        for token in tokenize.generate_tokens(io.StringIO(flush_left).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth.append(token.string)
            elif token.type == tokenize.OP and token.string in ")]}":
                if depth:
                    depth.pop()
                else:
                    problems.append(f"starts inside {token.string}")
    except tokenize.TokenError:
        pass  # the end came with brackets open
    return problems + [f"ends inside {bracket}" for bracket in depth]


def cut_in_brackets(deck):
    """Each code slide that ends inside brackets (or starts inside them)."""
    return [
        f"slide {number}: {problem}"
        for number, slide in enumerate(deck.slides, start=1)
        for box in code_boxes(slide)
        for problem in open_brackets(box.text_frame.text)
    ]


def cut_statements(laid_out, slides):
    """The slides of a cell's code (`laid_out`; its slides' texts) that are not whole
    top-level statements, other than the pieces of a statement too long for a slide at any
    size."""
    most = slide_parts.code_lines_that_fit(slide_parts.SMALLEST_CODE_POINTS)
    units = ["\n".join(unit) for unit in code_layout.statement_units(laid_out.splitlines())]
    too_long = [unit for unit in units if len(unit.strip("\n").splitlines()) > most]
    found = []
    for text in slides:
        try:
            ast.parse(text)
        except SyntaxError as error:
            if not any(text in unit for unit in too_long):
                found.append(f"{text.splitlines()[0]} ... ({error.msg})")
    return found


def constants_before_use(deck):
    """Each constant (an UPPER_CASE name) that a code slide reads before a code slide of the
    deck, or an earlier line of its own, sets it."""
    shown, found = set(), []
    for number, slide in enumerate(deck.slides, start=1):
        for box in code_boxes(slide):
            try:
                statements = ast.parse(box.text_frame.text).body
            except SyntaxError:
                continue  # cut_statements names it
            for statement in statements:
                for node in ast.walk(statement):
                    is_name = isinstance(node, ast.Name) and re.fullmatch(
                        r"[A-Z][A-Z0-9_]+", node.id
                    )
                    if is_name and isinstance(node.ctx, ast.Load) and node.id not in shown:
                        found.append(f"slide {number}: {node.id}")
                shown |= {
                    node.id
                    for node in ast.walk(statement)
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
                }
    return found


def cut_code(deck):
    return [
        f"slide {number}: {problem}: {box.text_frame.text.splitlines()[-1].strip()}"
        for number, slide in enumerate(deck.slides, start=1)
        for box in code_boxes(slide)
        for problem in unclosed_brackets(box.text_frame.text)
    ]


def unreadable_pictures(deck):
    """Pictures shown at fewer than SMALLEST_SHOWN_DPI pixels an inch, or whose smallest font
    as shown is under SMALLEST_FIGURE_POINTS (or unknown: the PNG does not say it)."""
    problems = []
    for number, slide in enumerate(deck.slides, start=1):
        for picture in pictures(slide):
            image = Image.open(io.BytesIO(picture.image.blob))
            shown_inches = picture.width / EMU_PER_INCH, picture.height / EMU_PER_INCH
            dpi = min(image.width / shown_inches[0], image.height / shown_inches[1])
            name = image.info.get("Title") or picture._element.nvPicPr.cNvPr.get("descr")
            # In whole numbers: pixels an inch as shown, at least SMALLEST_SHOWN_DPI.
            sharp = all(
                pixels * EMU_PER_INCH >= SMALLEST_SHOWN_DPI * shown
                for pixels, shown in ((image.width, picture.width), (image.height, picture.height))
            )
            if not sharp:
                problems.append(f"slide {number} ({name}): {dpi:.0f} dpi as shown")
            font, saved_dpi = image.info.get("Smallest font"), image.info.get("dpi")
            if font is None or not saved_dpi:
                problems.append(f"slide {number} ({name}): its PNG does not say its smallest font")
                continue
            shown = float(font) * saved_dpi[0] * shown_inches[0] / image.width
            if float(font) and shown < SMALLEST_FIGURE_POINTS:
                problems.append(
                    f"slide {number} ({name}): smallest font {shown:.1f} pt as shown "
                    f"({font} pt at {saved_dpi[0]:.0f} dpi, {image.width} px shown "
                    f"{shown_inches[0]:.1f} in wide)"
                )
    return problems


def course_and_bookkeeping(deck):
    """Slides titled as the course's cells, the course's code on a slide, and bookkeeping
    lines or paths of files anywhere but in code and the title slide's caption."""
    found = []
    for number, slide in enumerate(deck.slides, start=1):
        if title_of(slide).startswith("The course's"):
            found.append(f"slide {number}: {title_of(slide)}")
        code = [box.text_frame.text for box in code_boxes(slide)]
        found += [f"slide {number}: {hit}" for text in code for hit in COURSE_CODE.findall(text)]
        # What the slide says besides its code (the code may print such a line; the slide
        # must not show it printed), and on the title slide besides its caption.
        texts = [text for text in slide_texts(slide) if text not in code]
        caption = [s.text_frame.text for s in slide.shapes if s.top == slide_parts.CAPTION_TOP]
        for text in texts if number > 1 else [text for text in texts if text not in caption]:
            for pattern in (BOOKKEEPING, FILE_PATH):
                found += [f"slide {number}: {match.group()}" for match in pattern.finditer(text)]
    return found


def thin_slides(deck):
    return [
        f"slide {number} ({title_of(slide)}): {text_lines(slide)} lines"
        for number, slide in enumerate(deck.slides, start=1)
        if number > 1 and text_lines(slide) < FEWEST_LINES and not pictures(slide)
    ]


# %% Every deck, the synthetic one included


@pytest.mark.parametrize("name", DECKS)
def test_a_lab_deck_is_at_most_45_slides(name, built_decks):
    assert len(built_decks[name].slides) <= MOST_SLIDES


@pytest.mark.parametrize("name", EVERY_DECK)
def test_no_course_cell_and_no_bookkeeping_on_any_slide(name, built_decks):
    assert not course_and_bookkeeping(built_decks[name])


@pytest.mark.parametrize("name", EVERY_DECK)
def test_code_is_never_cut_inside_a_call_or_a_dict(name, built_decks):
    assert not cut_code(built_decks[name])


@pytest.mark.parametrize("name", EVERY_DECK)
def test_figures_are_sharp_and_readable_at_the_size_shown(name, built_decks):
    assert not unreadable_pictures(built_decks[name])


@pytest.mark.parametrize("name", EVERY_DECK)
def test_every_picture_has_alt_text(name, built_decks):
    shown = [p for slide in built_decks[name].slides for p in pictures(slide)]
    for picture in shown:
        assert picture._element.nvPicPr.cNvPr.get("descr", "").strip(), picture.name


@pytest.mark.parametrize("name", EVERY_DECK)
def test_no_thin_slide(name, built_decks):
    """Every slide but the title slide has three lines of text or a picture."""
    assert not thin_slides(built_decks[name])


@pytest.mark.parametrize("name", EVERY_DECK)
def test_printed_text_and_tables_are_large(name, built_decks):
    checked = 0
    for number, slide in enumerate(built_decks[name].slides, start=1):
        for box in printed_boxes(slide):
            checked += 1
            for run in runs(box):
                assert run.font.size >= Pt(SMALLEST_PRINTED_POINTS), (number, run.text)
        for shape in slide.shapes:
            if shape.has_table:
                for cell in shape.table.iter_cells():
                    for run in runs(cell):
                        assert run.font.size >= Pt(SMALLEST_PRINTED_POINTS), (number, run.text)
    assert checked


def items_on(slide):
    return [s for s in slide.shapes if s.has_text_frame][1].text_frame.paragraphs


@pytest.mark.parametrize("name", DECKS)
def test_title_slide_and_try_it_slide(name, built_decks, synthetic):
    deck = built_decks[name]
    lesson = lesson_reading.read_lesson(notebook_path(name, synthetic))
    first, last = deck.slides[0], deck.slides[-1]
    texts = [shape.text_frame.text for shape in first.shapes if shape.has_text_frame]
    assert texts[0] == lesson.title and lesson.title.startswith(f"Lesson {int(name[:2])} - ")
    # The measured result is a line that the notebook printed, as it printed it.
    result_lines = texts[1].splitlines()[1:]
    assert result_lines, "the title slide states no result"
    for line in result_lines:
        assert line in printed_text(notebook_path(name, synthetic)), line
    # The exercises on the last slides, titled Try it, at most three a slide, numbered as in
    # the lesson, each option written as the setting it changes.
    try_it = [slide for slide in deck.slides if title_of(slide) == "Try it"]
    assert try_it == list(deck.slides)[-len(try_it) :] and last in try_it
    items = [
        paragraph
        for slide in try_it
        for paragraph in [s for s in slide.shapes if s.has_text_frame][1].text_frame.paragraphs
    ]
    assert all(len(items_on(slide)) <= MOST_EXERCISES for slide in try_it)
    for slide in try_it:  # several exercises on a slide only where they stay large
        sizes = [run.font.size for p in items_on(slide) for run in p.runs]
        assert len(items_on(slide)) == 1 or min(sizes) >= Pt(deck_drawing.EXERCISE_POINTS)
    assert len(items) == len(lesson.exercises) >= 3
    for number, (paragraph, exercise) in enumerate(zip(items, lesson.exercises), start=1):
        shown = lesson_options.without_options(exercise, lesson)
        assert paragraph.text == f"{number}. {shown.replace('`', '')}"


@pytest.mark.parametrize("name", EVERY_DECK)
def test_code_is_large_and_short_enough(name, built_decks):
    code_slides = 0
    for number, slide in enumerate(built_decks[name].slides, start=1):
        for shape in slide.shapes:
            if shape.has_text_frame:
                for run in runs(shape):
                    assert run.font.size >= Pt(slide_parts.CAPTION_POINTS), (name, number)
                    if run.font.name == slide_parts.CODE_FONT:
                        assert run.font.size >= Pt(14), (name, number)
        for box in code_boxes(slide):
            code_slides += 1
            lines = box.text_frame.text.split("\n")
            points = runs(box)[0].font.size.pt
            assert slide_parts.SMALLEST_CODE_POINTS <= points <= slide_parts.CODE_POINTS
            assert len(lines) <= slide_parts.code_lines_that_fit(points), (name, number)
            if len(lines) <= code_layout.CODE_LINES:  # smaller only where it must be
                assert points == slide_parts.CODE_POINTS, (name, number)
            assert max(map(len, lines)) <= code_layout.CODE_MOST_COLUMNS, (name, number)
            # A box wide enough for its longest line at the code's size.
            width_needed = Pt(
                code_layout.CODE_MOST_COLUMNS
                * slide_parts.CODE_POINTS
                * slide_parts.MONOSPACE_ADVANCE
            )
            assert box.width >= width_needed
    assert code_slides >= 5


@pytest.mark.parametrize("name", DECKS)
def test_code_on_slides_is_the_lessons_code(name, built_decks, synthetic):
    """Cell by cell, the course's cells and the choices not made left out: what a slide
    shows of each cell (lesson_slides.shown_cells) laid out again is the same program, its
    statements are the cell's own, the code boxes hold all of its lines in order, and no
    slide says that the rest of a cell is in the notebook."""
    lesson = lesson_reading.read_lesson(notebook_path(name, synthetic))
    shown = []  # each code line on the slides, in order
    for slide in built_decks[name].slides:
        for shape in slide.shapes:
            if shape in code_boxes(slide):
                shown += [line for line in shape.text_frame.text.split("\n") if line.strip()]
            elif shape.has_text_frame:
                assert not REST_OF_CELL.search(shape.text_frame.text), (name, title_of(slide))
    position = 0
    cells = lesson_slides.shown_cells(lesson)
    for step in lesson.steps:
        if step.kind not in ("code", "setup"):
            continue
        for (cell, _), (code, _) in zip(step.cells, cells[step]):
            if not code:
                continue
            laid_out = code_layout.slide_code(code)
            assert program(laid_out) == program(code), (name, step.title)
            assert statements_of(code) <= statements_of(cell), (name, step.title)
            for line in [line for line in laid_out.splitlines() if line.strip()]:
                assert shown[position] == line, (name, step.title)
                position += 1
    assert position == len(shown)


def statements_of(code):
    """The cell's simple statements (not blocks) at any depth, each as its syntax tree
    prints it."""
    return {
        ast.dump(node)
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.stmt) and not hasattr(node, "body")
    }


@pytest.mark.parametrize("name", EVERY_DECK)
def test_everything_lies_inside_the_slide(name, built_decks):
    deck = built_decks[name]
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (name, number, shape.name)
            assert shape.left + shape.width <= deck.slide_width, (name, number, shape.name)
            assert shape.top + shape.height <= deck.slide_height, (name, number, shape.name)


@pytest.mark.parametrize("name", DECKS)
def test_every_figure_of_the_notebook_is_in_the_deck(name, built_decks, synthetic):
    shown = [
        hashlib.sha1(shape.image.blob).hexdigest()
        for slide in built_decks[name].slides
        for shape in pictures(slide)
    ]
    assert shown == notebook_images(notebook_path(name, synthetic))
    if name in ("02_simple_cnn", "03_large_cnn"):
        assert len(shown) >= 3  # the model, the training curves, the first layer's filters


@pytest.mark.parametrize("name", DECKS)
def test_speaker_notes_on_every_slide(name, built_decks, synthetic):
    run_command = f"python {name}.py"
    for number, slide in enumerate(built_decks[name].slides, start=1):
        assert slide.has_notes_slide, (name, number)
        assert run_command in slide.notes_slide.notes_text_frame.text, (name, number)
    # A step with words carries them in the notes of its code slides.
    lesson = lesson_reading.read_lesson(notebook_path(name, synthetic))
    worded = [
        step
        for step in lesson.steps
        if step.prose
        and step.kind == "code"
        and not all(figure_code.draws_only(code) for code, _ in step.cells)
    ]
    if not worded:
        return
    step = worded[0]
    notes = [
        slide.notes_slide.notes_text_frame.text
        for slide in built_decks[name].slides
        if code_boxes(slide) and step.title in slide_texts(slide)  # its title or a heading
    ]
    assert notes and all(step.prose[0] in text for text in notes)


def notebook_images(path):
    """The figures a notebook drew: its pictures whose PNG says its smallest font (the
    course's screenshots of lesson 7's page stay in the notebook)."""
    notebook = nbformat.read(path, as_version=4)
    pngs = [
        base64.b64decode(output["data"]["image/png"])
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    return [
        hashlib.sha1(png).hexdigest()
        for png in pngs
        if "Smallest font" in Image.open(io.BytesIO(png)).info
    ]


def printed_text(path):
    notebook = nbformat.read(path, as_version=4)
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


# %% model.summary()'s table, and what a step printed


def summary_rows(path):
    """How many layers the notebook's printed summary table has: its rules between rows."""
    text = "".join(
        output.get("data", {}).get("text/plain", "") + output.get("text", "")
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )
    return text.count("├") + 1 if "┡" in text else 0


@pytest.mark.parametrize("name", [*SUMMARY_LESSONS, synthetic_lesson.NAME])
def test_the_summary_table_is_on_the_slides(name, built_decks, synthetic):
    tables = [
        shape.table
        for slide in built_decks[name].slides
        for shape in slide.shapes
        if shape.has_table
    ]
    assert tables, "no model.summary() table"
    assert all(table.cell(0, 0).text == "Layer (type)" for table in tables)
    rows = [row for table in tables for row in list(table.rows)[1:]]
    assert len(rows) == summary_rows(notebook_path(name, synthetic))
    texts = "\n".join(text for slide in built_decks[name].slides for text in slide_texts(slide))
    assert "Total params: " in texts and "Non-trainable params: " in texts
    for table in tables:
        for cell in table.iter_cells():
            assert all(run.font.size >= Pt(SMALLEST_PRINTED_POINTS) for run in runs(cell))


def test_what_a_step_printed_is_cut_to_what_matters(built_decks):
    slides = built_decks["02_simple_cnn"].slides
    printed = "\n".join(box.text_frame.text for slide in slides for box in printed_boxes(slide))
    everything = "\n".join(text for slide in slides for text in slide_texts(slide))
    assert "Total params: 592,074" in everything  # below the summary's table
    assert "┃" not in everything and "━" not in everything
    epochs = re.findall(r"^Epoch \d+/\d+$", printed, re.M)
    assert epochs == ["Epoch 7/7"]  # the last epoch only
    assert "Test error: 1.00% (100 of 10000 misclassified)" in printed
    columns = (slide_parts.BODY_WIDTH - Emu(int(0.2 * EMU_PER_INCH))) / Pt(
        SMALLEST_PRINTED_POINTS * slide_parts.MONOSPACE_ADVANCE
    )
    assert all(len(line) <= columns for line in printed.splitlines())


# %% The synthetic lesson: every rule, on a notebook that has each case


def slide_titled(deck, title):
    return [slide for slide in deck.slides if title_of(slide) == title]


def test_ideas_are_bullets_with_their_text_in_the_notes(built_decks):
    deck = built_decks[synthetic_lesson.NAME]
    (slide,) = slide_titled(deck, synthetic_lesson.IDEA_WITH_LIST)
    bullets = [
        p.text.removeprefix("• ") for s in body_shapes(slide) for p in s.text_frame.paragraphs
    ]
    assert bullets == synthetic_lesson.IDEA_ITEMS  # its list, not its sentences
    notes = slide.notes_slide.notes_text_frame.text
    assert "A dense layer looks at every pixel at once." in notes
    assert all(f"- {item}" in notes for item in synthetic_lesson.IDEA_ITEMS)
    (slide,) = slide_titled(deck, synthetic_lesson.IDEA_OF_SENTENCES)
    bullets = [p.text for s in body_shapes(slide) for p in s.text_frame.paragraphs]
    assert bullets == [
        "• Max pooling keeps the strongest response in each 2x2 block.",
        "• The image halves in each direction.",
        "• A small shift of the digit changes little.",
    ]
    # An idea too long for two slides: two slides, and the rest in the notes.
    long = slide_titled(deck, synthetic_lesson.LONG_IDEA)
    assert len(long) == slide_plan.MOST_IDEA_SLIDES
    assert slide_plan.MORE_IN_NOTES in "\n".join(slide_texts(long[-1]))
    assert "Sentence 39 says" in long[0].notes_slide.notes_text_frame.text


def test_a_short_idea_stands_beside_its_picture(built_decks):
    deck = built_decks[synthetic_lesson.NAME]
    beside = [
        slide
        for slide in deck.slides
        if any(synthetic_lesson.SHORT_IDEA in text for text in slide_texts(slide))
    ]
    assert len(beside) == 1 and pictures(beside[0])
    assert not slide_titled(deck, synthetic_lesson.SHORT_IDEA)
    # Beside it, a wide picture would be too small to read: the idea goes above it.
    (above,) = slide_titled(deck, synthetic_lesson.IDEA_ABOVE_WIDE_PICTURE)
    (picture,) = pictures(above)
    assert picture.top > max(s.top for s in body_shapes(above) if s.has_text_frame)


def test_setup_shows_constants_and_the_course_and_other_choices_are_left_out(built_decks):
    deck = built_decks[synthetic_lesson.NAME]
    (setup,) = slide_titled(deck, "Setup")
    code = "\n".join(box.text_frame.text for box in code_boxes(setup))
    # One setting (VARIANT) is read by a slide, too few for a slide: all are shown.
    assert "EPOCHS = 7" in code and 'VARIANT = "small"' in code and "import" not in code
    assert "imports are in the notebook" in setup.shapes[-1].text_frame.text
    titles = [title_of(slide) for slide in deck.slides]
    assert "The large model" not in titles and "The small model" in titles
    (chosen,) = slide_titled(deck, "The small model")
    assert any("The large model" in text for text in slide_texts(chosen))
    assert not any(title.startswith("The course's") for title in titles)


def test_a_statement_too_long_for_any_size_is_shown_whole_and_the_build_warns(
    built_decks, synthetic
):
    """A Sequential of 40 layers fits no slide even at the smallest size: it is shown
    whole, at CODE_POINTS, continued between two of its layers, and the build warns of it
    (a lesson must split it)."""
    slides = slide_titled(built_decks[synthetic_lesson.NAME], "A model too long for two slides")
    assert len(slides) >= 3
    shown = [
        line for s in slides for box in code_boxes(s) for line in box.text_frame.text.split("\n")
    ]
    assert shown == code_layout.slide_code(synthetic_lesson.long_sequential()).splitlines()
    assert all(
        runs(box)[0].font.size == Pt(slide_parts.CODE_POINTS)
        for s in slides
        for box in code_boxes(s)
    )
    plans = [plan for plan in synthetic[2] if plan.title == "A model too long for two slides"]
    assert any(part.warning for plan in plans for part in plan.parts)


def test_figures_carry_their_description_or_their_step(built_decks):
    deck = built_decks[synthetic_lesson.NAME]
    alt_texts = [
        picture._element.nvPicPr.cNvPr.get("descr")
        for slide in deck.slides
        for picture in pictures(slide)
    ]
    assert alt_texts == [
        synthetic_lesson.FIGURE_DESCRIPTION,
        "A picture that says nothing of itself",
        "Every mistake",
    ]


def test_short_cells_merge_and_bookkeeping_goes(built_decks):
    deck = built_decks[synthetic_lesson.NAME]
    # A short idea with no picture of its own goes on top of the next step's slide, and a
    # short cell takes the next step's code below it, each under its own heading.
    (merged,) = slide_titled(deck, synthetic_lesson.SHORT_IDEA_WITHOUT_PICTURE)
    assert "Evaluate" in slide_texts(merged) and code_boxes(merged)
    (merged,) = slide_titled(deck, "Print the result")
    assert "Inspect the training curves" in slide_texts(merged)
    texts = "\n".join(text for slide in list(deck.slides)[1:] for text in slide_texts(slide))
    assert "photo_3.jpg: 3 (99.1%)" in texts and "samples/" not in texts
    assert "Saved" not in texts and "Model: " not in texts and "Options" not in texts


def test_a_cell_that_only_draws_shows_its_figure_and_not_its_code(built_decks):
    code = (
        "figure = pictures.model_diagram_figure(model, 'Lesson 2')\n"
        "pictures.save_figure(figure, OUTPUT_DIR, '02_model.png', show=SHOW)"
    )
    assert figure_code.draws_only(code)
    assert figure_code.draws_only("def step_figure(image):\n    return image")
    assert not figure_code.draws_only(code + "\nprint(figure)")
    assert not figure_code.draws_only("model.summary()")
    # Matplotlib's calls, and what only they read, serve the figure; what a later cell
    # reads (`chosen`) or the cell prints stays.
    drawn = (
        "chosen = digits[:4]\n"
        "shown = chosen[:2]\n"
        "figure, axes = plt.subplots(1, 2)\n"
        "for index, axis in zip(shown, axes.flat):\n"
        "    axis.imshow(x_train[index])\n"
        "figure.savefig('a.png')\n"
        "print(len(chosen))\n"
    )
    assert figure_code.draws_only(drawn.replace("print(len(chosen))\n", ""))
    assert cell_shown.shown_code("code", drawn) == "chosen = digits[:4]\nprint(len(chosen))"
    assert cell_shown.shown_code("code", drawn, frozenset({"shown"})).startswith(
        "chosen = digits[:4]\nshown = chosen[:2]\nprint"
    )
    # Inside a loop that does more, the figure's statements go and the rest stays.
    loop = "for path in paths:\n    print(path)\n    figure = read_figure(path)\n"
    loop += "    pictures.save_figure(figure, OUTPUT_DIR, path.name)\n"
    assert cell_shown.shown_code("code", loop) == "for path in paths:\n    print(path)"
    deck = built_decks["02_simple_cnn"]
    diagrams = [
        slide for slide in deck.slides if "The model as a diagram" in slide_texts(slide)[:1]
    ]
    assert diagrams and all(pictures(slide) and not code_boxes(slide) for slide in diagrams)
    # Lesson 4's figure cells: the mistakes' grid shows its figure alone, the confidence
    # histogram's cell the code that computes and prints, not the code that draws.
    deck = built_decks["04_analyze_errors"]
    grid = slide_titled(deck, "Show the mistakes")
    assert grid and all(pictures(slide) and not code_boxes(slide) for slide in grid)
    histogram = slide_titled(deck, "How sure it was, right and wrong")
    code = "\n".join(box.text_frame.text for slide in histogram for box in code_boxes(slide))
    assert "sure_and_wrong" in code and "plt." not in code and "axis." not in code
    assert any(pictures(slide) for slide in histogram)


def test_the_checks_find_what_they_look_for(built_decks, tmp_path):
    """A deck with a cut call, a blurred picture with small text and a thin slide: each
    check names it."""
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    box = slide_parts.text_box(slide, slide_parts.MARGIN, slide_parts.BODY_TOP, 100, 100)
    box.text_frame.text = "model = keras.Sequential(\n    [\n        layers.Conv2D(\n"
    box.fill.solid()
    box.fill.fore_color.rgb = slide_parts.CODE_BACKGROUND
    for run in runs(box):
        run.font.name, run.font.size = slide_parts.CODE_FONT, Pt(slide_parts.CODE_POINTS)
    four_inches = Emu(4 * EMU_PER_INCH)
    for width, title, font in ((300, "Blurred", 12), (1200, "Small text", 8), (1200, None, None)):
        png = synthetic_lesson.png(width, width * 2 // 3, title, title, font)
        slide.shapes.add_picture(io.BytesIO(base64.b64decode(png)), 0, 0, four_inches)
    assert cut_code(deck) == ["slide 1: ends inside (: layers.Conv2D("]
    assert [problem.split(": ", 1)[1] for problem in unreadable_pictures(deck)] == [
        "75 dpi as shown",
        "smallest font 5.3 pt as shown (8 pt at 200 dpi, 1200 px shown 4.0 in wide)",
        "its PNG does not say its smallest font",
    ]
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    assert thin_slides(deck) == ["slide 2 (?): 0 lines"]
    slide_parts.add_title(slide, "The course's record: leave it out when you copy")
    slide_parts.add_printed(slide, slide_parts.BODY_TOP, ["Saved model: ../outputs/a.keras"])
    slide_parts.add_caption(slide, "a caption")
    assert course_and_bookkeeping(deck) == [
        "slide 2: The course's record: leave it out when you copy",
        "slide 2: Saved model: ",
        "slide 2: ../outputs/a.keras",
    ]


# %% The concept map


def concept_map_rows(text):
    inside = text.split(concept_map.START)[1].split(concept_map.END)[0]
    rows = [line.split(" | ") for line in inside.strip().splitlines() if line.startswith("| ")]
    return [
        (idea.lstrip("| "), deck.strip("`"), int(slide), figure.rstrip(" |"))
        for idea, deck, slide, figure in rows[2:]
    ]


def assert_entries_name_their_idea(rows, built):
    for idea, deck, number, figure in rows:
        slides = built[deck].slides
        assert 1 < number <= len(slides), (idea, deck, number)
        slide = slides[number - 1]
        assert idea == title_of(slide) or any(idea in text for text in slide_texts(slide))
        shown = re.search(r"\(slide (\d+)\)$", figure)
        assert figure == "-" or pictures(slides[int(shown.group(1)) - 1])


def test_the_concept_map_names_each_idea_and_its_figure(built_decks, synthetic):
    plans = {synthetic_lesson.NAME: synthetic[1:]}
    text = "\n".join([concept_map.START, *concept_map.markdown(plans), concept_map.END])
    rows = concept_map_rows(text)
    assert [row[0] for row in rows] == [
        synthetic_lesson.IDEA_WITH_LIST,
        synthetic_lesson.IDEA_OF_SENTENCES,
        synthetic_lesson.LONG_IDEA,
        synthetic_lesson.SHORT_IDEA_WITHOUT_PICTURE,
        synthetic_lesson.SHORT_IDEA,
        synthetic_lesson.IDEA_ABOVE_WIDE_PICTURE,
    ]
    assert [row[3] for row in rows[:4]] == ["-"] * 4
    assert rows[4][3].startswith("Training curves (slide ")
    assert rows[5][3] == f"The mistakes (slide {rows[5][2]})"  # on the idea's own slide
    assert_entries_name_their_idea(rows, built_decks)
    # The committed document's map: each entry's slide exists and teaches it.
    assert_entries_name_their_idea(concept_map_rows(DOCUMENT.read_text()), built_decks)


def test_the_build_writes_the_concept_map_between_its_markers(synthetic, tmp_path):
    document = tmp_path / "for_lecturers.md"
    document.write_text(f"# Before\n\n{concept_map.START}\nold\n{concept_map.END}\n\n# After\n")
    plans = {synthetic_lesson.NAME: synthetic[1:]}
    assert concept_map.write(plans, document) and not concept_map.write(plans, document)
    text = document.read_text()
    assert text.startswith("# Before\n\n") and text.endswith("\n\n# After\n")
    assert "old" not in text and f"| {synthetic_lesson.SHORT_IDEA} |" in text
    assert concept_map.in_step(plans, document)
    document.write_text(text.replace(synthetic_lesson.SHORT_IDEA, "Something else"))
    assert not concept_map.in_step(plans, document)


# %% Code laid out for slides


def test_a_long_statement_is_shown_whole_in_a_smaller_size():
    """Twenty assignments and a Sequential of 24 lines: the Sequential whole on a slide of
    its own at the size that holds it, the assignments on the slide before; a Sequential too
    long even at the smallest size continues between two of its layers."""
    code = "\n".join(f"value_{index} = {index}" for index in range(20))
    code += "\nmodel = keras.Sequential(\n    [\n" + "".join(
        f"        layers.Dense({index}),\n" for index in range(20)
    )
    code += "    ]\n)\n"
    slides = code_layout.code_slides(code_layout.slide_code(code))
    assert [len(text.splitlines()) for text, _ in slides] == [20, 24]
    assert [points for _, points in slides] == [16, slide_parts.SMALLEST_CODE_POINTS]
    assert slides[1][0].startswith("model = keras.Sequential(")
    assert all(not open_brackets(text) for text, _ in slides)
    layers = "".join(f"        layers.Dense({index}),\n" for index in range(30))
    longer = f"model = keras.Sequential(\n    [\n{layers}    ]\n)\n"
    chunks = code_layout.code_chunks(code_layout.slide_code(longer))
    assert len(chunks) == 2 and chunks[1].lstrip().startswith("layers.Dense(")
    assert "\n".join(chunks).count("layers.Dense(") == 30


def test_a_call_or_a_dict_is_never_cut():
    """Statements, then a call and a dict that each run over many lines: the slides break
    before them, never inside, even where that leaves a slide short."""
    code = "\n".join(f"value_{index} = {index}" for index in range(10))
    code += "\nmodel.fit(\n" + "".join(f"    argument_{i}={i},\n" for i in range(9)) + ")\n"
    code += "RECIPES = {\n" + "".join(f'    "name_{i}": {i},\n' for i in range(9)) + "}\n"
    chunks = code_layout.code_chunks(code_layout.slide_code(code))
    assert not any(unclosed_brackets(chunk) for chunk in chunks), chunks
    assert [chunk.splitlines()[0] for chunk in chunks[1:]] == ["model.fit(", "RECIPES = {"]


def test_a_block_continues_between_its_statements_never_after_its_header():
    """A function too long for a slide continues between two of its statements; a slide
    never ends on a block's header (`if x:`) with its body on the next."""
    code = "def long(x):\n" + "".join(f"    value_{index} = x + {index}\n" for index in range(12))
    code += "    if x:\n" + "".join(f"        y_{index} = {index}\n" for index in range(6))
    code += "".join(f"    z_{index} = {index}\n" for index in range(8)) + "    return x\n"
    chunks = code_layout.code_chunks(code_layout.slide_code(code))
    assert len(chunks) == 2
    assert not any(chunk.splitlines()[-1].rstrip().endswith(":") for chunk in chunks)
    assert chunks[1].splitlines()[0].startswith("    ") and "if x:" in chunks[0]


def test_slide_layout_keeps_the_program():
    code = (
        "RATE = 0.002  # falls along a cosine curve to zero at the last step of the run\n"
        "def read(path):\n"
        '    """Read one image and prepare it the way MNIST was prepared, step by step,'
        ' returning the array."""\n'
        "    return path\n"
    )
    laid_out = code_layout.slide_code(code)
    assert program(laid_out) == program(code)
    assert max(map(len, laid_out.splitlines())) <= code_layout.CODE_COLUMNS
    assert laid_out.splitlines()[0].startswith("# falls along")


@pytest.mark.parametrize("name", LESSONS)
def test_a_cell_split_over_slides_leaves_no_line_alone(name):
    """A slide of a cell's code shorter than FEWEST_LINES only where it fits on neither
    neighbour's slide, even at the smallest size (a statement of a whole slide beside it)."""
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    most = slide_parts.code_lines_that_fit(slide_parts.SMALLEST_CODE_POINTS)
    for cells in lesson_slides.shown_cells(lesson).values():
        for code, _ in cells:
            if not code:
                continue
            chunks = code_layout.code_chunks(code_layout.slide_code(code))
            counts = [len(chunk.splitlines()) for chunk in chunks]
            for index, count in enumerate(counts if len(chunks) > 1 else []):
                if count >= code_layout.FEWEST_LINES:
                    continue
                beside = counts[max(index - 1, 0) : index] + counts[index + 1 : index + 2]
                assert all(count + other > most for other in beside), (name, counts)


# %% The files: in step, reproducible, small, and a PDF of each


def test_committed_decks_are_what_the_notebooks_give():
    """A build here gives the committed decks byte for byte (they were built in another
    process, at another time: the build is the same each time), and `--check` passes (the
    concept map included)."""
    for name in LESSONS:
        lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
        built = decks.deck_bytes(decks.build_deck(lesson))
        assert (SLIDES_DIR / f"{name}.pptx").read_bytes() == built, f"rebuild {name}'s deck"
    result = subprocess.run(
        [sys.executable, str(SLIDES_DIR / "build.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_check_names_the_deck_and_slide_that_changed(tmp_path, capsys):
    for name in LESSONS:
        shutil.copy2(SLIDES_DIR / f"{name}.pptx", tmp_path)
        shutil.copy2(SLIDES_DIR / f"{name}.pdf", tmp_path)
    deck = Presentation(str(tmp_path / "02_simple_cnn.pptx"))
    title = deck.slides[4].shapes[0].text_frame.paragraphs[0].runs[0]
    title.text = title.text + " (edited)"
    deck.save(str(tmp_path / "02_simple_cnn.pptx"))
    decks.check(slides_dir=tmp_path, only=["00_load_data", "01_mlp_baseline"])  # untouched
    with pytest.raises(SystemExit) as stopped:
        decks.check(slides_dir=tmp_path)
    assert "run python slides/build.py" in str(stopped.value)
    (tmp_path / "03_large_cnn.pdf").unlink()
    with pytest.raises(SystemExit):
        decks.check(slides_dir=tmp_path, only=["03_large_cnn"])
    # A concept map out of step fails the check too.
    document = tmp_path / "for_lecturers.md"
    document.write_text(DOCUMENT.read_text().replace(concept_map.END, f"| x |\n{concept_map.END}"))
    capsys.readouterr()
    with pytest.raises(SystemExit):
        decks.check(slides_dir=tmp_path, only=["00_load_data"], document=document)
    assert capsys.readouterr().err.splitlines() == [
        "out of step: the concept map of " + str(document) + " is not the decks'"
    ]


def test_decks_are_small():
    files = [*SLIDES_DIR.glob("*.pptx"), *SLIDES_DIR.glob("*.pdf")]
    assert sorted(path.name for path in files) == sorted(
        f"{name}.{kind}" for name in [*LESSONS, LECTURE] for kind in ("pdf", "pptx")
    )
    assert sum(path.stat().st_size for path in files) <= MAX_DECKS_BYTES


def test_committed_pdfs_have_a_page_per_slide(built_decks):
    pdfplumber = pytest.importorskip("pdfplumber")
    for name in [*LESSONS, LECTURE]:
        with pdfplumber.open(SLIDES_DIR / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(built_decks[name].slides), name


def shape_boxes(slide):
    """Each text box's and table's rectangle in the PDF's points (1 pt = 12,700 EMU)."""
    return [
        (s.left / 12700, s.top / 12700, (s.left + s.width) / 12700, (s.top + s.height) / 12700)
        for s in slide.shapes
        if s.has_text_frame or s.has_table
    ]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_pdf_pages_hold_all_their_text(tmp_path):
    """LibreOffice renders the decks: a page per slide, every character inside its page and
    inside its text box or table, and the code in a monospace font."""
    pdfplumber = pytest.importorskip("pdfplumber")
    document = tmp_path / "for_lecturers.md"
    shutil.copy2(DOCUMENT, document)
    decks.build(slides_dir=tmp_path, document=document)
    for name in [*LESSONS, LECTURE]:
        deck = Presentation(str(tmp_path / f"{name}.pptx"))
        with pdfplumber.open(tmp_path / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(deck.slides), name
            fonts = set()
            for number, (page, slide) in enumerate(zip(pdf.pages, deck.slides), start=1):
                boxes = shape_boxes(slide)
                # A space where a line wraps may lie past the box's edge; nobody sees it.
                for char in (char for char in page.chars if char["text"].strip()):
                    assert 0 <= char["x0"] and char["x1"] <= page.width, (name, number, char)
                    assert 0 <= char["top"] and char["bottom"] <= page.height, (name, number)
                    # Text that overflows its box (onto the next box or the slide's edge)
                    # lies in no box.
                    assert any(
                        left - 1 <= char["x0"]
                        and char["x1"] <= right + 1
                        and top - 1 <= char["top"]
                        and char["bottom"] <= bottom + 1
                        for left, top, right, bottom in boxes
                    ), (name, number, char["text"], char["top"], char["bottom"])
                    fonts.add(char["fontname"])
            assert any("Mono" in font or "Courier" in font for font in fonts), fonts


# %% The lecture, and what no deck shows

FIGURE_SAVING = re.compile(r"\bsave_figure\(|\.savefig\(")
COMMAND_LINE_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
LECTURE_MINUTES = re.compile(r"^Part (\d+) of (\d+): (.+) · (\d+) minutes$", re.MULTILINE)


def committed_decks():
    """Every committed deck, the lecture included, as python-pptx opens its file."""
    return {name: Presentation(str(SLIDES_DIR / f"{name}.pptx")) for name in [*LESSONS, LECTURE]}


def shown_words(deck):
    """Each slide's number and the texts it shows (notes aside)."""
    return [(number, slide_texts(slide)) for number, slide in enumerate(deck.slides, start=1)]


def machinery_shown(decks):
    """Each slide of these decks that shows a figure-saving call or a command-line option."""
    found = []
    for name, deck in decks.items():
        for number, texts in shown_words(deck):
            for text in texts:
                for pattern in (FIGURE_SAVING, COMMAND_LINE_OPTION):
                    found += [f"{name} {number}: {hit}" for hit in pattern.findall(text)]
    return found


def test_no_slide_of_the_lecture_saves_a_figure_or_shows_a_command_line_option(built_decks):
    decks = {**committed_decks(), **built_decks}
    assert not machinery_shown({name: decks[name] for name in decks if name == LECTURE})


def test_no_slide_of_a_lab_deck_saves_a_figure_or_shows_a_command_line_option(built_decks):
    decks = {**committed_decks(), **built_decks}
    assert not machinery_shown({name: decks[name] for name in decks if name != LECTURE})


def test_no_committed_deck_cuts_a_call():
    for name, deck in committed_decks().items():
        assert not cut_code(deck), name


@pytest.mark.parametrize("name", [*LESSONS, LECTURE])
def test_no_code_slide_ends_inside_brackets(name, built_decks):
    """No code slide of the lessons' decks or the lecture, as built and as committed, ends
    (or starts) inside a `[...]`, a call or a dict."""
    assert not cut_in_brackets(built_decks[name])
    assert not cut_in_brackets(Presentation(str(SLIDES_DIR / f"{name}.pptx")))


@pytest.mark.parametrize("name", LESSONS)
def test_a_cell_is_cut_into_slides_only_between_top_level_statements(name):
    """Each slide of a cell's code is whole top-level statements; only a statement that no
    slide holds even at the smallest size (a class of many methods) continues between two
    statements of its block."""
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    for cells in lesson_slides.shown_cells(lesson).values():
        for code, _ in cells:
            laid_out = code_layout.slide_code(code) if code else ""
            assert not cut_statements(laid_out, code_layout.code_chunks(laid_out)), name


@pytest.mark.parametrize("name", LESSONS)
def test_every_constant_a_slide_uses_is_on_a_slide_before_it(name, built_decks):
    assert not constants_before_use(built_decks[name])
    assert not constants_before_use(Presentation(str(SLIDES_DIR / f"{name}.pptx")))


def test_the_rules_catch_a_saved_figure_a_command_line_and_a_cut_call():
    assert FIGURE_SAVING.search('pictures.save_figure(figure, OUTPUT_DIR, "a.png")')
    assert FIGURE_SAVING.search("figure.savefig(path)")
    assert COMMAND_LINE_OPTION.search("python 01_mlp_baseline.py --quick")
    assert not COMMAND_LINE_OPTION.search("x = a -- b; the 28-pixel row; 0.5--1")
    assert unclosed_brackets("model.fit(\n    x_fit,")
    assert open_brackets("model = keras.Sequential(\n    [\n        layers.Flatten(),") == [
        "ends inside (",
        "ends inside [",
    ]
    assert open_brackets("        layers.Dense(10),\n    ]\n)") == [
        "starts inside ]",
        "starts inside )",
    ]
    deck = Presentation()
    for code in ("steps = EPOCHS * 2\nRATE = 0.1", "x = RATE\nif y:", "EPOCHS = 3"):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        slide_parts.add_code(slide, slide_parts.BODY_TOP, code)
    assert constants_before_use(deck) == ["slide 1: EPOCHS"]
    slide = deck.slides.add_slide(deck.slide_layouts[6])
    slide_parts.add_code(slide, slide_parts.BODY_TOP, "model.fit(\n    x_fit,")
    assert cut_in_brackets(deck) == ["slide 4: ends inside ("]
    code = "\n".join(f"value_{index} = {index}" for index in range(20))
    code = code.replace("value_10 = 10", "if value_9:\n    value_10 = 10")
    lines = code.splitlines()
    assert not cut_statements(code, ["\n".join(lines[:10]), "\n".join(lines[10:])])
    cut = cut_statements(code, ["\n".join(lines[:11]), "\n".join(lines[11:])])
    assert [problem.split(" ... ")[0] for problem in cut] == ["value_0 = 0", "    value_10 = 10"]


def lecture_parts(deck):
    """The parts the lecture's notes name: (number, of, name, minutes) each."""
    found = []
    for slide in deck.slides:
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        found += [
            (int(number), int(of), name, int(minutes))
            for number, of, name, minutes in LECTURE_MINUTES.findall(notes)
        ]
    return found


def test_the_lecture_is_at_most_60_slides_with_an_agenda_and_a_recap(built_decks):
    deck = built_decks[LECTURE]
    assert len(deck.slides) <= lecture.MOST_SLIDES == 60
    titles = [title_of(slide) for slide in deck.slides]
    assert titles[1] == "Agenda" and titles[-1] == "Recap"


def test_the_lectures_notes_give_each_parts_minutes_at_most_80_in_all(built_decks):
    deck = built_decks[LECTURE]
    parts = lecture_parts(deck)
    assert [number for number, *_ in parts] == list(range(1, len(lecture.PARTS) + 1))
    assert {of for _, of, _, _ in parts} == {len(lecture.PARTS)}
    assert [(name, minutes) for _, _, name, minutes in parts] == [
        (name, minutes) for name, minutes, _ in lecture.PARTS
    ]
    total = sum(minutes for *_, minutes in parts)
    assert 0 < total <= 80
    agenda = "\n".join(slide_texts(deck.slides[1]))
    for _, _, name, minutes in parts:
        assert f"{name}: {minutes} min" in agenda
    assert f"Questions: {90 - total} min" in agenda


def test_the_lecture_has_at_most_12_code_slides_of_teaching_code(built_decks):
    deck = built_decks[LECTURE]
    code_slides = [slide for slide in deck.slides if code_boxes(slide)]
    assert 0 < len(code_slides) <= 12
    code = "\n".join(box.text_frame.text for slide in code_slides for box in code_boxes(slide))
    for call in ("keras.Sequential(", "model.compile(", "model.fit(", "model.evaluate("):
        assert call in code, call
    assert "plt." not in code and "figure" not in code and "OPTIONS" not in code


def printed_by(name):
    """Every line a lesson's committed notebook printed, from its JSON alone."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    lines = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout":
                lines += output["text"].splitlines()
            lines += output.get("data", {}).get("text/plain", "").splitlines()
    return [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in lines]  # no terminal colours


def test_the_lectures_stage_table_is_what_the_notebooks_printed(built_decks):
    deck = built_decks[LECTURE]
    tables = [
        [[cell.text for cell in row.cells] for row in shape.table.rows]
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table
    ]
    (table,) = [rows for rows in tables if rows[0] == lecture.TABLE_HEADER]
    assert [row[1] for row in table[1:]] == ["01", "02", "03", "05"]
    for row in table[1:]:
        name = next(path for path in LESSONS if path.startswith(row[1]))
        printed = "\n".join(printed_by(name))
        errors = re.findall(r"Test error: ([\d.]+%) \((\d+) of 10000", printed)
        assert row[4] == f"{errors[-1][0]} ({errors[-1][1]} of 10,000)", row
        seconds = re.findall(r"Training took ([\d.]+) s\.", printed)
        assert row[5] == f"{float(seconds[-1]):.0f} s", row
        epochs = re.findall(r"^Epoch \d+/(\d+)$", printed, re.M)
        assert row[3] == epochs[-1], row
        assert re.search(rf"Total params: .*\b{re.escape(row[2])}\b", printed), row


def test_the_lecture_shows_a_measured_overfitting_curve(built_decks):
    deck = built_decks[LECTURE]
    figure = (PROJECT_DIR / "docs" / "figures" / "overfitting_curves.png").read_bytes()
    shown = [picture.image.blob for slide in deck.slides for picture in pictures(slide)]
    assert figure in shown
    with Image.open(io.BytesIO(figure)) as image:
        description = image.info["Description"]
    lowest, last = map(
        float, re.findall(r"\(([\d.]+)\) at epoch \d+ and rises to ([\d.]+)", description)[0]
    )
    assert last > lowest  # it really overfits: the validation loss rose


def test_check_names_the_lecture_slide_that_changed(tmp_path):
    """The lecture is checked by the same rule as the lesson decks: its first changed slide,
    its number of slides, its PDF."""
    shutil.copy2(SLIDES_DIR / f"{LECTURE}.pptx", tmp_path)
    missing_pdf = decks.lecture_problems(tmp_path)  # the deck as built, without its PDF
    assert len(missing_pdf) == 1 and missing_pdf[0].endswith(".pdf is missing"), missing_pdf
    deck = Presentation(str(tmp_path / f"{LECTURE}.pptx"))
    title = deck.slides[2].shapes[0].text_frame.paragraphs[0].runs[0]
    title.text = title.text + " (edited)"
    deck.save(str(tmp_path / f"{LECTURE}.pptx"))
    problems = decks.lecture_problems(tmp_path)
    assert problems[0].endswith("slide 3 (Seventy thousand handwritten digits) differs"), problems


@pytest.mark.parametrize("name", ["00_load_data", "01_mlp_baseline", LECTURE])
def test_the_data_slides_show_the_calls_a_student_writes(name, built_decks):
    shown = "\n".join(text for slide in built_decks[name].slides for text in slide_texts(slide))
    assert "keras.datasets.mnist.load_data()" in shown
    if name != "00_load_data":  # lesson 0 shows the one-hot form in words and printed rows
        assert "keras.utils.to_categorical(" in shown and "/ 255" in shown
    assert "common.load_mnist" not in shown and "common.one_hot_encode" not in shown


@pytest.mark.parametrize("name", LESSONS[:6])
def test_every_picture_of_decks_0_to_5_says_what_it_shows_with_its_numbers(name, built_decks):
    """Alt text beyond the title: what the picture shows, with the numbers it shows (counts,
    ranges, the largest confusions), for a reader who cannot see it."""
    for number, slide in enumerate(built_decks[name].slides, start=1):
        for picture in pictures(slide):
            properties = picture._element.nvPicPr.cNvPr
            beyond_title = properties.get("descr").replace(properties.get("title"), "")
            assert re.search(r"\w{3}.*\d", beyond_title), (number, properties.get("descr"))
