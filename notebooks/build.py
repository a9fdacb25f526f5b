"""Make notebooks/*.ipynb from the lesson scripts, run them, and refresh the README's figures.

The scripts are the single source. Each becomes a notebook the way keras-io's tutobooks are
made: the header docstring and each section's heading and opening comments become markdown
cells, the code stays as it is in the script. Every notebook is then run top to bottom in a
real Jupyter kernel, in order (lessons 04 and 06 read the models that 01-03 and 05 save), so
that GitHub shows each lesson's printed numbers and figures. The runs happen in a scratch
copy of the project, outputs/notebook-build/, so they neither read nor change your own
outputs; what they save stays there for the next build.

    python -m pip install -r requirements-dev.txt
    python notebooks/build.py                          # MNIST from Keras' download and cache
    python notebooks/build.py --data ~/data/mnist.npz  # or a local copy
    python notebooks/build.py --only 06_predict_digit  # one lesson, with the saved models
    python notebooks/build.py --convert-only           # the notebooks, without running them
    python notebooks/build.py --text-only              # new words, the outputs kept

Each run, and --text-only, then makes the lessons' lecture decks again (slides/build.py).

--text-only is for a change to the words alone (the docstring, a heading, a comment, an
exercise): it keeps each notebook's outputs and refuses where a line of code changed.

Running everything takes about as long as the lessons themselves: lesson 05 trains for
about 11 minutes on a 2-core CPU.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
DOCS_FIGURES_DIR = PROJECT_DIR / "docs" / "figures"
SAMPLES_DIR = PROJECT_DIR / "samples"
STATIC_PAGE_DIR = PROJECT_DIR / "static_page"  # lesson 07's page without a server
SCRATCH_DIR = PROJECT_DIR / "outputs" / "notebook-build"  # a copy of the project to run in
# The figures the README shows, as the lessons name them.
README_FIGURES = [
    "00_random_digits.png",
    "02_simple_cnn_curves.png",
    "04_misclassified_03_large_cnn.png",
    "04_confusion_matrix_03_large_cnn.png",
    "06_photo_of_a_3.png",
    "08_teach_handwriting_before_after.png",
]
CELL_TIMEOUT_SECONDS = 3600  # lesson 05's training cell runs for about 11 minutes

# The lessons in the order they are run: lesson 04 after 05 (but before 06), so that its
# table compares every training lesson; 06 and 07 read the best saved model.
RUN_ORDER = [
    "00_load_data",
    "01_mlp_baseline",
    "02_simple_cnn",
    "03_large_cnn",
    "05_best_cnn",
    "04_analyze_errors",
    "06_predict_digit",
    "07_draw_digit",
    "08_teach_handwriting",
]
# The first line of every notebook's first code cell: a notebook has no __file__, and it sits
# in notebooks/, one folder below the course's modules (course.py, common.py, ...).
FIND_MODULES = 'import sys; sys.path.append("..")  # the course\'s modules are one folder up'


def lesson_scripts(folder=PROJECT_DIR):
    """The lesson scripts, in the order they are taught: 00_*.py, 01_*.py, ..."""
    return sorted(path for path in folder.glob("[0-9][0-9]_*.py"))


def header_markdown(docstring):
    """The header docstring (Title, Description, Run, Expected) as markdown."""
    lines = docstring.strip().splitlines()
    blocks, current = [], None
    for line in lines:
        label, _, rest = line.partition(":")
        if line and not line[0].isspace() and label in ("Title", "Description", "Expected"):
            current = [rest.strip()]
            blocks.append((label, current))
        elif line.startswith("Run"):
            current = []
            blocks.append((line, current))
        elif current is not None and line.strip():
            current.append(line.strip())
    markdown = []
    for label, content in blocks:
        if label == "Title":
            markdown.append(f"# {content[0]}")
        elif label == "Description":
            markdown.append(" ".join(content))
        elif label == "Expected":
            markdown.append(f"**Expected:** {' '.join(content)}")
        else:
            commands = [line for line in content if line.startswith("python ")]
            prose = [line for line in content if not line.startswith("python ")]
            markdown.append(f"**{label}**\n```bash\n" + "\n".join(commands) + "\n```")
            if prose:
                markdown.append(" ".join(prose))
    return "\n\n".join(markdown)


def split_leading_comments(source):
    """The full-line comments at the top of a cell (as text) and the code after them."""
    lines = source.splitlines()
    count = 0
    while count < len(lines) and lines[count].startswith("#"):
        count += 1
    # An empty comment line separates paragraphs, as a blank line does in markdown.
    words = [line.lstrip("#").strip() or "\n\n" for line in lines[:count]]
    text = " ".join(words).replace(" \n\n ", "\n\n")
    return text, "\n".join(lines[count:]).strip("\n")


def notebook_from_script(script):
    """The lesson as a notebook: markdown from the docstring and section headings, code as is."""
    parsed = jupytext.read(script, fmt="py:percent")
    cells = []
    for cell in parsed.cells:
        source = cell.source.strip("\n")
        if cell.cell_type == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        elif source.startswith('"""') and not cells:
            cells.append(nbformat.v4.new_markdown_cell(header_markdown(source.strip('"'))))
        else:
            title = cell.metadata.get("title")
            text, code = split_leading_comments(source)
            if code and not any(c.cell_type == "code" for c in cells):
                code = f"{FIND_MODULES}\n{code}"
            heading = f"## {title}" if title else ""
            markdown = "\n\n".join(part for part in (heading, text) if part)
            if markdown:
                cells.append(nbformat.v4.new_markdown_cell(markdown))
            if code:
                cells.append(nbformat.v4.new_code_cell(code))
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    for cell in notebook.cells:
        cell.pop("id", None)  # ids change on every build; without them git diffs stay small
    notebook.nbformat_minor = 4
    return notebook


def refresh_text(script, notebooks_dir=NOTEBOOKS_DIR):
    """The committed notebook with the script's words and its own outputs, or None if any
    code cell differs: then the outputs may no longer be what the code prints."""
    notebook = notebook_from_script(script)
    committed = nbformat.read(notebooks_dir / f"{script.stem}.ipynb", as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    committed_code = [cell for cell in committed.cells if cell.cell_type == "code"]
    if [cell.source for cell in code_cells] != [cell.source for cell in committed_code]:
        return None
    for cell, ran in zip(code_cells, committed_code):
        cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
    notebook.metadata = committed.metadata  # the kernel's details, written when it ran
    return notebook


def run_notebook(notebook, working_dir, environment=None):
    """Execute every cell in a fresh kernel started in `working_dir`; return the notebook."""
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(working_dir)}},
    )
    client.execute(env=environment or dict(os.environ))  # passed on to the kernel's process
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: noise in git
    return notebook


def write_notebook(notebook, path):
    """Write a notebook the way git likes it: stable, with a newline at the end."""
    path.write_text(nbformat.writes(notebook) + "\n")


LECTURE_AFTER = "06"  # the lecture is made from the notebooks of the lessons before


def build_decks(lessons):
    """The decks of these lessons, made again from their notebooks (slides/build.py), and
    the 90-minute lecture where one of them is among the lessons it is made from (00-05)."""
    lecture = ["lecture"] if any(lesson < LECTURE_AFTER for lesson in lessons) else []
    command = [
        sys.executable,
        str(PROJECT_DIR / "slides" / "build.py"),
        "--only",
        *lessons,
        *lecture,
    ]
    print("Building the lecture decks from the notebooks: python slides/build.py")
    subprocess.run(command, check=True)


def run_order(scripts):
    """The lessons in RUN_ORDER."""
    return sorted(scripts, key=lambda script: RUN_ORDER.index(script.stem))


def build(data=None, convert_only=False, only=None, text_only=False):
    """Write notebooks/*.ipynb, run unless `convert_only` or `text_only`; `only` names the
    lessons to write."""
    scripts = [script for script in lesson_scripts() if not only or script.stem in only]
    if text_only:
        refreshed = {script: refresh_text(script) for script in scripts}
        changed = [script.stem for script, notebook in refreshed.items() if notebook is None]
        if changed:
            sys.exit(f"error: code changed in {', '.join(changed)}: run it with --only")
        for script, notebook in refreshed.items():
            write_notebook(notebook, NOTEBOOKS_DIR / f"{script.stem}.ipynb")
            print(f"Refreshed the words of notebooks/{script.stem}.ipynb")
        build_decks([script.stem for script in scripts])
        return
    if convert_only:
        for script in scripts:
            write_notebook(notebook_from_script(script), NOTEBOOKS_DIR / f"{script.stem}.ipynb")
            print(f"Wrote notebooks/{script.stem}.ipynb")
        # Decks are made from what the notebooks printed and drew: these have no outputs yet.
        print("The lecture decks need building again once these notebooks have run:")
        print("    python notebooks/build.py, or python slides/build.py after running them")
        return
    # The scratch copy of the project: the lessons, the course's modules and the samples,
    # fresh each time; its outputs/ stays, so that one lesson can be run again with the
    # others' models.
    (SCRATCH_DIR / "notebooks").mkdir(parents=True, exist_ok=True)
    lesson_pages = PROJECT_DIR.glob("[0-9][0-9]_*.html")  # lesson 07's drawing page
    for file in [*PROJECT_DIR.glob("*.py"), *lesson_pages]:
        shutil.copy2(file, SCRATCH_DIR / file.name)
    shutil.copytree(SAMPLES_DIR, SCRATCH_DIR / "samples", dirs_exist_ok=True)
    # Lesson 07's static page: its forward pass is shown, and --static writes the page.
    shutil.copytree(STATIC_PAGE_DIR, SCRATCH_DIR / "static_page", dirs_exist_ok=True)
    # Lesson 07 shows the pictures of its page.
    shutil.copytree(DOCS_FIGURES_DIR, SCRATCH_DIR / "docs" / "figures", dirs_exist_ok=True)
    environment = dict(os.environ)
    environment.pop("MNIST_DATA", None)
    environment["BROWSER"] = "true"  # lesson 07 opens no browser tab on the building machine
    if data:
        # Printed as given, relative to the notebook: no folder of this machine shows.
        link = SCRATCH_DIR / "mnist.npz"
        link.unlink(missing_ok=True)
        link.symlink_to(Path(data).expanduser().resolve())
        environment["MNIST_DATA"] = "../mnist.npz"
    for script in run_order(scripts):
        start = time.perf_counter()
        notebook = notebook_from_script(script)
        run_notebook(notebook, SCRATCH_DIR / "notebooks", environment)
        write_notebook(notebook, NOTEBOOKS_DIR / f"{script.stem}.ipynb")
        print(f"Ran notebooks/{script.stem}.ipynb in {time.perf_counter() - start:.0f} s")
    build_decks([script.stem for script in scripts])
    DOCS_FIGURES_DIR.mkdir(parents=True, exist_ok=True)
    for name in README_FIGURES:
        figure = SCRATCH_DIR / "outputs" / "figures" / name
        if figure.is_file():
            shutil.copy2(figure, DOCS_FIGURES_DIR / name)
            print(f"Copied docs/figures/{name}")
        else:
            print(f"Not made yet (run its lesson): docs/figures/{name}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", metavar="PATH", help="mnist.npz or a folder of the four IDX files"
    )
    # Each of these writes the notebooks without running them, in its own way.
    without_running = parser.add_mutually_exclusive_group()
    without_running.add_argument(
        "--convert-only", action="store_true", help="write the notebooks without running them"
    )
    without_running.add_argument(
        "--text-only",
        action="store_true",
        help="take the words from the scripts and keep the outputs (no code may have changed)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="LESSON",
        help="run only these lessons, e.g. 06_predict_digit (the others' models must be saved)",
    )
    args = parser.parse_args()
    if args.data and not Path(args.data).expanduser().exists():
        sys.exit(f"error: {args.data} does not exist")
    known = {script.stem for script in lesson_scripts()}
    if args.only and not set(args.only) <= known:
        sys.exit(f"error: --only takes lesson names: {', '.join(sorted(known))}")
    build(args.data, args.convert_only, args.only, args.text_only)


if __name__ == "__main__":
    main()
