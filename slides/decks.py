"""The lecture decks, slides/<lesson>.pptx and .pdf, made from the executed notebooks.

A deck follows its lesson: a title slide with the result the notebook printed; then, step by
step, each idea (its bullets, titled with it), each step's code (syntax-coloured, 72 columns,
18 lines a slide at 18 pt; each cell whole, on as many slides as it needs, cut only between
two top-level statements, a statement longer than a slide shown whole in a smaller size down
to 14 pt; the Setup cell's settings that the deck's code reads, so that each constant is on
a slide before one uses it; without the code that only draws a figure, so that a cell that
only draws shows its figure alone), what it printed, model.summary()'s table, and every
figure it drew, with its alt text; and the lesson's Try it exercises, at most three a slide.
The course's own cells are on no slide, nor is its bookkeeping (where files were saved), nor
a command-line option (an exercise's `--seed 1` is written `SEED = 1`, the setting it
changes). A slide with fewer than three lines and no picture is merged with a neighbour, and
a deck holds at most MOST_SLIDES slides (the build warns where one holds more). The speaker
notes hold each step's words and the commands that run the lesson. Nothing is trained: the
notebooks already ran.

    python -m pip install -r requirements-dev.txt
    python slides/build.py                       # every lesson, and the lecture
    python slides/build.py --only 02_simple_cnn  # one lesson
    python slides/build.py --only lecture        # the 90-minute lecture (slides/lecture.py)
    python slides/build.py --check               # fail if a committed deck is out of step

The lecture deck, slides/lecture.pptx, is made from lessons 00-05's notebooks by
lecture.py: one story in at most 60 slides, for a lecture; the lessons' decks are for labs.

The PDF is the PPTX as LibreOffice Impress renders it (`soffice --headless --convert-to
pdf`), made where `soffice` is installed (Debian: apt-get install libreoffice-impress) and
only when the PPTX changed. The same notebooks always give the same PPTX, byte for byte.
The build also writes the concept map of docs/for_lecturers.md (concept_map.py).

This module writes and checks the decks' files; lesson_reading.py reads a notebook (and
lesson_options.py its command-line options), printed_output.py what it printed, cell_shown.py
what a slide shows of each cell (figure_code.py: the code that only serves a figure;
cell_names.py: the names a cell reads and binds), code_layout.py lays out its code,
slide_plan.py plans a step's slides, lesson_slides.py a lesson's, deck_drawing.py draws them,
and slide_parts.py holds the parts a slide is made of.
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
from pathlib import Path

import concept_map
import lecture
from deck_drawing import FIXED_TIME, build_deck
from lesson_reading import read_lesson
from lesson_slides import lesson_plans
from pptx import Presentation
from slide_plan import LessonProblem

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
SLIDES_DIR = PROJECT_DIR / "slides"
MOST_SLIDES = 45  # a lab deck, which follows its lesson (the lecture is lecture.py's)
PICTURE = 13  # python-pptx's shape type of a picture


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
        texts += [
            cell.text
            for shape in slide.shapes
            if shape.has_table
            for cell in shape.table.iter_cells()
        ]
        pictures = [
            (hashlib.sha1(shape.image.blob).hexdigest(), shape._element.nvPicPr.cNvPr.get("descr"))
            for shape in slide.shapes
            if shape.shape_type == PICTURE
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


def planned(notebook):
    """The lesson a notebook holds and the plan of its slides; a lesson that a slide cannot
    show stops the build with what to change."""
    lesson = read_lesson(notebook)
    try:
        return lesson, lesson_plans(lesson)
    except LessonProblem as problem:
        sys.exit(f"error: {problem}")


def build(only=None, force_pdf=False, slides_dir=SLIDES_DIR, document=concept_map.DOCUMENT):
    """Write <lesson>.pptx for each notebook into `slides_dir`, and its PDF where the PPTX
    changed; then the concept map of `document`, from every lesson's slides."""
    slides_dir.mkdir(exist_ok=True)
    changed, every_plan = [], {}
    for notebook in lesson_notebooks():
        lesson, plans = planned(notebook)
        every_plan[notebook.stem] = lesson, plans
        if only and notebook.stem not in only:
            continue
        deck = build_deck(lesson, plans)
        content = deck_bytes(deck)
        path = slides_dir / f"{notebook.stem}.pptx"
        same = path.is_file() and path.read_bytes() == content
        if not same:
            write_atomically(path, content)
        print(f"{'Unchanged' if same else 'Wrote'} {shown(path)} ({len(deck.slides)} slides)")
        warnings = {part.warning for plan in plans for part in plan.parts if part.warning}
        for warning in sorted(warnings):
            print(f"Warning: {shown(path)}, {warning} inside its brackets: split it in the lesson")
        if len(deck.slides) > MOST_SLIDES:
            print(
                f"Warning: {shown(path)} has {len(deck.slides)} slides, more than a lab's "
                f"{MOST_SLIDES}: shorten the lesson's cells or its ideas"
            )
        pdf = path.with_suffix(".pdf")
        # A PDF older than its PPTX was not made from it (an earlier build stopped early).
        if not same or force_pdf or not pdf.is_file() or pdf.stat().st_mtime < path.stat().st_mtime:
            changed.append(path)
    if not only or lecture.NAME in only:
        changed += build_lecture(slides_dir, force_pdf)
    if concept_map.write(every_plan, document):
        print(f"Wrote the concept map of {shown(document)}")
    if changed:
        convert_to_pdf(changed)


def lecture_deck():
    """The lecture's deck; a lecture that names what a notebook lacks stops the build."""
    try:
        return lecture.build_deck()
    except lecture.LectureProblem as problem:
        sys.exit(f"error: {problem}")


def build_lecture(slides_dir, force_pdf=False):
    """Write lecture.pptx into `slides_dir`; the paths whose PDF is to be made again."""
    deck = lecture_deck()
    content = deck_bytes(deck)
    path = slides_dir / f"{lecture.NAME}.pptx"
    same = path.is_file() and path.read_bytes() == content
    if not same:
        write_atomically(path, content)
    print(f"{'Unchanged' if same else 'Wrote'} {shown(path)} ({len(deck.slides)} slides)")
    if len(deck.slides) > lecture.MOST_SLIDES:
        print(f"Warning: {shown(path)} has more than {lecture.MOST_SLIDES} slides")
    pdf = path.with_suffix(".pdf")
    if not same or force_pdf or not pdf.is_file() or pdf.stat().st_mtime < path.stat().st_mtime:
        return [path]
    return []


def lecture_problems(slides_dir):
    """Where the committed lecture differs from what the notebooks give."""
    path = slides_dir / f"{lecture.NAME}.pptx"
    if not path.is_file():
        return [f"{shown(path)} is missing"]
    return differences(path, lecture_deck(), "the notebooks give")


def differences(path, expected_deck, source):
    """Where the committed deck at `path` differs from `expected_deck` (its first differing
    slide, or its number of slides), and whether its PDF is missing."""
    expected = deck_contents(expected_deck)
    committed = deck_contents(Presentation(str(path)))
    problems = []
    for number, (want, have) in enumerate(zip(expected, committed), start=1):
        if want != have:
            title = (want["texts"] or ["?"])[0]
            problems.append(f"{shown(path)}, slide {number} ({title}) differs")
            break
    else:
        if len(expected) != len(committed):
            problems.append(f"{shown(path)} has {len(committed)} slides, {source} {len(expected)}")
    if not path.with_suffix(".pdf").is_file():
        problems.append(f"{shown(path.with_suffix('.pdf'))} is missing")
    return problems


def check(only=None, slides_dir=SLIDES_DIR, document=concept_map.DOCUMENT):
    """Fail, naming the lesson and slide, where a committed deck differs from its notebook,
    or the concept map from the decks."""
    problems, every_plan = [], {}
    for notebook in lesson_notebooks():
        lesson, plans = planned(notebook)
        every_plan[notebook.stem] = lesson, plans
        if only and notebook.stem not in only:
            continue
        path = slides_dir / f"{notebook.stem}.pptx"
        if not path.is_file():
            problems.append(f"{shown(path)} is missing")
            continue
        problems += differences(path, build_deck(lesson, plans), "the notebook gives")
    if not only or lecture.NAME in only:
        problems += lecture_problems(slides_dir)
    if not concept_map.in_step(every_plan, document):
        problems.append(f"the concept map of {shown(document)} is not the decks'")
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
    parser.add_argument("--only", nargs="+", metavar="DECK", help="e.g. 02_simple_cnn, or lecture")
    parser.add_argument(
        "--check", action="store_true", help="compare the committed decks with the notebooks"
    )
    parser.add_argument(
        "--pdf", action="store_true", help="make the PDFs again even where the PPTX is unchanged"
    )
    args = parser.parse_args()
    known = {path.stem for path in lesson_notebooks()} | {lecture.NAME}
    if args.only and not set(args.only) <= known:
        sys.exit(f"error: --only takes lesson names: {', '.join(sorted(known))}")
    if args.check:
        check(args.only)
    else:
        build(args.only, args.pdf)
