"""The lecture decks: made from the committed notebooks (no training), readable from the back
of a room, nothing outside a slide, every figure there, and in step with the notebooks."""

import ast
import base64
import hashlib
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import PROJECT_DIR
from pptx import Presentation
from pptx.util import Pt

SLIDES_DIR = PROJECT_DIR / "slides"
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
LESSONS = sorted(path.stem for path in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
MAX_DECKS_BYTES = 8_000_000
PICTURE = 13  # python-pptx's shape type of a picture


sys.path.insert(0, str(SLIDES_DIR))
import code_layout  # noqa: E402  (slides/build.py is the command that runs these)
import decks  # noqa: E402
import lesson_reading  # noqa: E402
import slide_parts  # noqa: E402


@pytest.fixture(scope="module")
def built_decks():
    """Every lesson's deck, built in memory from its committed notebook."""
    return {
        name: decks.build_deck(lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb"))
        for name in LESSONS
    }


def runs(shape):
    return [run for paragraph in shape.text_frame.paragraphs for run in paragraph.runs]


def is_monospace(shape):
    found = runs(shape)
    return bool(found) and all(run.font.name == slide_parts.CODE_FONT for run in found)


def code_boxes(slide):
    """The text boxes that show code: monospace at the code's size."""
    return [
        shape
        for shape in slide.shapes
        if shape.has_text_frame
        and is_monospace(shape)
        and runs(shape)[0].font.size == Pt(slide_parts.CODE_POINTS)
    ]


def notebook_images(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    return [
        hashlib.sha1(base64.b64decode(output["data"]["image/png"])).hexdigest()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def printed_text(name):
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    )


def program(code):
    """The code's syntax tree with each docstring's line breaks evened out: what the slide's
    layout may change and nothing else."""
    tree = ast.parse(code)
    for node in code_layout.docstring_nodes(tree):
        node.value.value = " ".join(node.value.value.split())
    return ast.dump(tree)


# %% What every deck holds


@pytest.mark.parametrize("name", LESSONS)
def test_title_slide_and_try_it_slide(name, built_decks):
    deck = built_decks[name]
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    first, last = deck.slides[0], deck.slides[-1]
    texts = [shape.text_frame.text for shape in first.shapes if shape.has_text_frame]
    assert texts[0] == lesson.title and lesson.title.startswith(f"Lesson {int(name[:2])} - ")
    # The measured result is a line that the notebook printed, as it printed it.
    result_lines = texts[1].splitlines()[1:]
    assert result_lines, "the title slide states no result"
    for line in result_lines:
        assert line in printed_text(name), line
    exercises = [shape for shape in last.shapes if shape.has_text_frame]
    assert exercises[0].text_frame.text == "Try it"
    items = exercises[1].text_frame.paragraphs
    assert len(items) == len(lesson.exercises) >= 3
    for number, (paragraph, exercise) in enumerate(zip(items, lesson.exercises), start=1):
        assert paragraph.text == f"{number}. {exercise.replace('`', '')}"


@pytest.mark.parametrize("name", LESSONS)
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
            assert len(lines) <= code_layout.CODE_LINES, (name, number)
            assert max(map(len, lines)) <= code_layout.CODE_MOST_COLUMNS, (name, number)
            # A box wide enough for its longest line at the code's size.
            width_needed = Pt(
                code_layout.CODE_MOST_COLUMNS
                * slide_parts.CODE_POINTS
                * slide_parts.MONOSPACE_ADVANCE
            )
            assert box.width >= width_needed
    assert code_slides >= 5


@pytest.mark.parametrize("name", LESSONS)
def test_code_on_slides_is_the_lessons_code(name, built_decks):
    """Cell by cell: the slides' code laid out again is the same program, and the code boxes
    together hold exactly those lines, in order."""
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    expected = []
    for step in lesson.steps:
        for code, _ in step.cells:
            if code.strip():
                laid_out = code_layout.slide_code(code)
                assert program(laid_out) == program(code), (name, step.title)
                expected.extend(line for line in laid_out.splitlines() if line.strip())
    shown = [
        line
        for slide in built_decks[name].slides
        for box in code_boxes(slide)
        for line in box.text_frame.text.split("\n")
        if line.strip()
    ]
    assert shown == expected


def test_a_long_statement_continues_on_the_next_slide_whole():
    code = "\n".join(f"value_{index} = {index}" for index in range(20))
    code += "\nmodel = keras.Sequential(\n    [\n" + "".join(
        f"        layers.Dense({index}),\n" for index in range(20)
    )
    code += "    ]\n)\n"
    chunks = code_layout.code_chunks(code_layout.slide_code(code))
    assert all(len(chunk.splitlines()) <= code_layout.CODE_LINES for chunk in chunks)
    # The twenty assignments break between two statements, the Sequential between layers.
    assert chunks[1].splitlines()[0].startswith("value_")
    assert chunks[0].splitlines()[-1].startswith("value_")
    layer_chunks = [chunk for chunk in chunks if "layers.Dense" in chunk]
    assert len(layer_chunks) >= 2
    for chunk in layer_chunks[1:]:
        assert chunk.splitlines()[0].strip().startswith("layers.Dense(")
    assert "\n".join(chunks).count("layers.Dense(") == 20


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
def test_everything_lies_inside_the_slide(name, built_decks):
    deck = built_decks[name]
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            assert shape.left >= 0 and shape.top >= 0, (name, number, shape.name)
            assert shape.left + shape.width <= deck.slide_width, (name, number, shape.name)
            assert shape.top + shape.height <= deck.slide_height, (name, number, shape.name)


@pytest.mark.parametrize("name", LESSONS)
def test_every_figure_of_the_notebook_is_in_the_deck(name, built_decks):
    shown = [
        hashlib.sha1(shape.image.blob).hexdigest()
        for slide in built_decks[name].slides
        for shape in slide.shapes
        if shape.shape_type == PICTURE
    ]
    assert shown == notebook_images(name)
    if name in ("02_simple_cnn", "03_large_cnn"):
        assert len(shown) >= 3  # the model, the training curves, the first layer's filters


@pytest.mark.parametrize("name", LESSONS)
def test_speaker_notes_on_every_slide(name, built_decks):
    run_command = f"python {name}.py"
    for number, slide in enumerate(built_decks[name].slides, start=1):
        assert slide.has_notes_slide, (name, number)
        notes = slide.notes_slide.notes_text_frame.text
        assert run_command in notes, (name, number)
    # A step with prose carries it in the notes of its code slides.
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    step = next(step for step in lesson.steps if step.prose and step.cells)
    notes = [
        slide.notes_slide.notes_text_frame.text
        for slide in built_decks[name].slides
        if code_boxes(slide) and slide.shapes[0].text_frame.text == step.title
    ]
    assert notes and all(step.prose[0] in text for text in notes)


def test_what_a_step_printed_is_cut_to_what_matters(built_decks):
    printed = [
        shape.text_frame.text
        for slide in built_decks["02_simple_cnn"].slides
        for shape in slide.shapes
        if shape.has_text_frame and is_monospace(shape) and shape not in code_boxes(slide)
    ]
    text = "\n".join(printed)
    assert "Total params: 592,074" in text  # the summary's totals, not its table
    assert "┃" not in text and "━" not in text
    epochs = re.findall(r"^Epoch \d+/\d+$", text, re.M)
    assert epochs == ["Epoch 7/7"]  # the last epoch only
    assert "Test error: 1.00% (100 of 10000 misclassified)" in text
    assert all(len(line) <= lesson_reading.OUTPUT_COLUMNS for line in text.splitlines())


# %% The files: in step, reproducible, small, and a PDF of each


def test_committed_decks_are_what_the_notebooks_give():
    """A build here gives the committed decks byte for byte (they were built in another
    process, at another time: the build is the same each time), and `--check` passes."""
    for name in LESSONS:
        lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
        built = decks.deck_bytes(decks.build_deck(lesson))
        assert (SLIDES_DIR / f"{name}.pptx").read_bytes() == built, f"rebuild {name}'s deck"
    result = subprocess.run(
        [sys.executable, str(SLIDES_DIR / "build.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_check_names_the_deck_and_slide_that_changed(tmp_path):
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


def test_decks_are_small():
    files = [*SLIDES_DIR.glob("*.pptx"), *SLIDES_DIR.glob("*.pdf")]
    assert sorted(path.name for path in files) == sorted(
        f"{name}.{kind}" for name in LESSONS for kind in ("pdf", "pptx")
    )
    assert sum(path.stat().st_size for path in files) <= MAX_DECKS_BYTES


def test_committed_pdfs_have_a_page_per_slide(built_decks):
    pdfplumber = pytest.importorskip("pdfplumber")
    for name in LESSONS:
        with pdfplumber.open(SLIDES_DIR / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(built_decks[name].slides), name


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_pdf_pages_hold_all_their_text(tmp_path):
    """LibreOffice renders the decks: a page per slide, every character inside its page, and
    the code in a monospace font."""
    pdfplumber = pytest.importorskip("pdfplumber")
    decks.build(slides_dir=tmp_path)
    names = LESSONS
    for name in names:
        deck = Presentation(str(tmp_path / f"{name}.pptx"))
        with pdfplumber.open(tmp_path / f"{name}.pdf") as pdf:
            assert len(pdf.pages) == len(deck.slides), name
            fonts = set()
            for number, (page, slide) in enumerate(zip(pdf.pages, deck.slides), start=1):
                # Each text box's rectangle in the PDF's points (1 pt = 12,700 EMU).
                boxes = [
                    (
                        s.left / 12700,
                        s.top / 12700,
                        (s.left + s.width) / 12700,
                        (s.top + s.height) / 12700,
                    )
                    for s in slide.shapes
                    if s.has_text_frame
                ]
                for char in page.chars:
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


@pytest.mark.parametrize("name", LESSONS)
def test_a_cell_split_over_slides_leaves_no_line_alone(name):
    lesson = lesson_reading.read_lesson(NOTEBOOKS_DIR / f"{name}.ipynb")
    for step in lesson.steps:
        for code, _ in step.cells:
            chunks = code_layout.code_chunks(code_layout.slide_code(code)) if code.strip() else []
            if len(chunks) > 1:
                shortest = min(len(chunk.splitlines()) for chunk in chunks)
                assert shortest >= code_layout.FEWEST_LINES, (name, step.title, shortest)
