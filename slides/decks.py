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

This module builds and checks the decks; lesson_reading.py reads a notebook, code_layout.py
lays out its code, and slide_parts.py holds the parts a slide is made of.
"""

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime
from pathlib import Path

from code_layout import CODE_MOST_COLUMNS, code_chunks, slide_code
from lesson_reading import figures, measured_result, printed_lines, read_lesson
from pptx import Presentation
from pptx.enum.text import MSO_ANCHOR
from pptx.util import Inches, Pt
from slide_parts import (
    BODY_BOTTOM,
    BODY_HEIGHT,
    BODY_TOP,
    BODY_WIDTH,
    CODE_BACKGROUND,
    CODE_POINTS,
    MARGIN,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    SMALLEST_EXERCISE_POINTS,
    TEXT_POINTS,
    add_bullets,
    add_caption,
    add_notes,
    add_picture,
    add_printed,
    add_runs,
    add_title,
    bullet_pages,
    code_paragraphs,
    fitting_points,
    monospace_box,
    printed_height,
    split_sentences,
    step_notes,
    text_box,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent


NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"


SLIDES_DIR = PROJECT_DIR / "slides"


FIXED_TIME = datetime(2000, 1, 1)  # in the deck's properties and zip entries: no build dates


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
