"""A student copies a lesson's cells into coursework: everything but the course's labelled
cells, pasted unchanged into a fresh folder that holds only the plain modules a student
copies along, runs there to the end, as a script and in a fresh Jupyter kernel."""

import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from conftest import PROJECT_DIR, TEST_ERROR_LINE
from jupyter_client import KernelManager
from nbclient import NotebookClient

import common

# What a student copies beside the pasted cells: common.py reads MNIST with mnist_files.py.
PLAIN_MODULES = ["common.py", "mnist_files.py", "pictures.py", "convolution_pictures.py"]
COURSE_CELL = re.compile(r"^# %% The course's .*$", re.M)
SAFETY_TIMEOUT_SECONDS = 600  # only keeps a broken run from hanging the test suite


def pasted_cells(lesson):
    """The lesson's cells, `# %%` line and all, without the course's labelled cells (and
    without the header docstring, which is no cell)."""
    parts = re.split(r"^(?=# %%)", (PROJECT_DIR / f"{lesson}.py").read_text(), flags=re.M)
    cells = [part for part in parts if part.startswith("# %%")]
    kept = [cell for cell in cells if not COURSE_CELL.match(cell)]
    assert len(kept) < len(cells), "the course's cells are labelled"
    return kept


def fresh_folder(tmp_path):
    folder = tmp_path / "coursework"
    folder.mkdir()
    for module in PLAIN_MODULES:
        shutil.copy2(PROJECT_DIR / module, folder)
    return folder


def student_environment(mnist_npz):
    """This Python's environment, with the test's small MNIST and no way to the course."""
    environment = {**os.environ, "MNIST_DATA": str(mnist_npz)}
    environment.pop("PYTHONPATH", None)
    return environment


def test_the_pasted_cells_leave_out_exactly_the_courses_cells():
    kept = "".join(pasted_cells("02_simple_cnn"))
    assert "course" not in re.sub(r"#.*", "", kept)  # no code names it, only comments may
    assert "import keras" in kept and "model.fit(" in kept and "common.save_model(" in kept


@pytest.mark.parametrize(
    "lesson", ["01_mlp_baseline", "02_simple_cnn", "03_large_cnn", "05_best_cnn"]
)
def test_a_lessons_pasted_cells_run_as_a_students_script(lesson, tmp_path, mnist_npz):
    folder = fresh_folder(tmp_path)
    script = folder / "my_coursework.py"
    script.write_text("".join(pasted_cells(lesson)))
    result = subprocess.run(
        [sys.executable, script.name],
        cwd=folder,
        env=student_environment(mnist_npz),
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    last_line = result.stdout.strip().splitlines()[-1]
    match = TEST_ERROR_LINE.match(last_line)
    assert match and int(match.group(3)) == 200, last_line  # all of the test's test images
    saved = sorted(path.name for path in (folder / "outputs" / common.MODELS).iterdir())
    assert len(saved) == 1 and saved[0].startswith(lesson) and saved[0].endswith(".keras")
    figures = list((folder / "outputs" / common.FIGURES).glob(f"{lesson}_*.png"))
    assert len(figures) >= 2  # the model's diagram and the training curves at least


def test_a_lessons_pasted_cells_run_in_a_fresh_kernel(tmp_path, mnist_npz):
    """The cells as a student pastes them into a new notebook, one notebook cell each."""
    folder = fresh_folder(tmp_path)
    cells = []
    for cell in pasted_cells("02_simple_cnn"):
        if cell.startswith("# %% [markdown]"):
            continue
        cells.append(nbformat.v4.new_code_cell(cell))
    notebook = nbformat.v4.new_notebook(cells=cells)
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(folder), env=student_environment(mnist_npz))
    try:
        client = NotebookClient(notebook, km=manager, timeout=SAFETY_TIMEOUT_SECONDS)
        client.execute()
    finally:
        manager.shutdown_kernel(now=True)
    printed = "".join(
        output.get("text", "")
        for cell in notebook.cells
        for output in cell.outputs
        if output.output_type == "stream"
    )
    match = TEST_ERROR_LINE.match(printed.strip().splitlines()[-1])
    assert match and int(match.group(3)) == 200, printed[-2000:]
    images = [
        output
        for cell in notebook.cells
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert len(images) >= 3  # the diagram, the curves and the filters, below their cells
    assert (folder / "outputs" / common.MODELS / "02_simple_cnn.keras").is_file()
