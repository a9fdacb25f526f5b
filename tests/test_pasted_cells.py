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
PLAIN_MODULES = [
    "common.py",
    "mnist_files.py",
    "pictures.py",
    "convolution_pictures.py",
    "network_pictures.py",
]
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


def with_constants(cells, **values):
    """The pasted cells with setup constants changed, as a student changes them: QUICK=True
    turns `QUICK = False` into `QUICK = True`."""
    for constant, value in values.items():
        line = re.compile(rf"^{constant} = .*$", re.M)
        assert len(line.findall(cells)) == 1, f"one line sets {constant}"
        cells = line.sub(lambda _, text=f"{constant} = {value!r}": text, cells)
    return cells


def run_pasted(folder, cells, mnist_npz):
    """The pasted cells as a student's script in `folder`; the finished process."""
    script = folder / "my_coursework.py"
    script.write_text(cells)
    return subprocess.run(
        [sys.executable, script.name],
        cwd=folder,
        env=student_environment(mnist_npz),
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT_SECONDS,
    )


def epochs_trained(printed):
    """How many epochs Keras trained, from its one line per epoch (VERBOSE = 2)."""
    return len(re.findall(r"^\d+/\d+ - .* - val_loss: \d+\.\d+$", printed, re.M))


def final_test_error(printed):
    """The lesson's `Test error: ...` line, the last that it printed."""
    matches = [TEST_ERROR_LINE.match(line) for line in printed.strip().splitlines()]
    found = [match for match in matches if match]
    assert found, printed[-2000:]
    return found[-1]


def files_in(folder):
    """{path: (bytes, modification time)} of every file below `folder`."""
    return {
        path: (path.read_bytes(), path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


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
    """Pasted with QUICK = True, as a student tries them first: what --quick does, one epoch."""
    folder = fresh_folder(tmp_path)
    cells = with_constants("".join(pasted_cells(lesson)), QUICK=True, VERBOSE=2)
    result = run_pasted(folder, cells, mnist_npz)
    assert result.returncode == 0, result.stderr[-3000:]
    assert epochs_trained(result.stdout) == common.QUICK_EPOCHS
    assert int(final_test_error(result.stdout).group(3)) == 200  # all of the test's images
    saved = sorted(path.name for path in (folder / "outputs" / common.MODELS).iterdir())
    assert len(saved) == 1 and saved[0].startswith(lesson) and saved[0].endswith(".keras")
    figures = list((folder / "outputs" / common.FIGURES).glob(f"{lesson}_*.png"))
    assert len(figures) >= 2  # the model's diagram and the training curves at least


def test_pasted_cells_with_quick_train_the_epochs_that_epochs_says(tmp_path, mnist_npz):
    """QUICK = True means one epoch unless EPOCHS says otherwise, as --quick --epochs 2."""
    folder = fresh_folder(tmp_path)
    cells = "".join(pasted_cells("03_large_cnn"))
    result = run_pasted(folder, with_constants(cells, QUICK=True, EPOCHS=2, VERBOSE=2), mnist_npz)
    assert result.returncode == 0, result.stderr[-3000:]
    assert epochs_trained(result.stdout) == 2


def test_lesson_4_pasted_reads_the_model_that_model_path_names(tmp_path, mnist_npz, digit_model):
    """Lesson 4's cells pasted, MODEL_PATH set to the student's model: messages name the
    constants, not the course's options, and nothing speaks of a record a student lacks."""
    folder = fresh_folder(tmp_path)
    shutil.copy2(digit_model, folder / "my_model.keras")
    cells = with_constants("".join(pasted_cells("04_analyze_errors")), MODEL_PATH="my_model.keras")
    result = run_pasted(folder, cells, mnist_npz)
    assert result.returncode == 0, result.stderr[-3000:]
    printed = result.stdout
    assert "Name test images in INDICES to see all ten probabilities" in printed
    assert "--index" not in printed and "--model" not in printed
    assert "No training histories" not in printed
    last_line = printed.strip().splitlines()[-1]
    assert re.match(r"^Test error of my_model: \d+\.\d\d% \(\d+ of 200 misclassified\)$", last_line)
    figures = folder / "outputs" / common.FIGURES
    for figure in ("misclassified", "confidence", "confusion_matrix"):
        assert (figures / f"04_{figure}_my_model.png").is_file()
    assert not (figures / "04_training_curves_all.png").exists()  # no course record: no curves

    outside = with_constants(cells, INDICES=[5, 999])
    result = run_pasted(folder, outside, mnist_npz)
    assert result.returncode != 0
    assert "INDICES 999 is outside the test set (0 to 199)" in result.stderr
    assert "--index" not in result.stderr

    missing = with_constants(cells, MODEL_PATH="no_such_model.keras")
    result = run_pasted(folder, missing, mnist_npz)
    assert "name a saved .keras model with MODEL_PATH" in result.stderr
    assert "--model" not in result.stderr


def test_lesson_5_pasted_with_an_ingredient_off_replaces_no_earlier_file(tmp_path, mnist_npz):
    """A student who pastes lesson 5 and switches an ingredient off keeps the full recipe's
    model and figures, and every earlier run's: each run saves under a name of its own. A
    model trained without augmentation gets no test-time augmentation."""
    folder = fresh_folder(tmp_path)
    cells = with_constants("".join(pasted_cells("05_best_cnn")), QUICK=True)
    result = run_pasted(folder, cells, mnist_npz)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "test-time augmentation (8 copies)" in result.stdout
    outputs_folder = folder / "outputs"
    earlier = files_in(outputs_folder)
    assert common.model_path(outputs_folder, "05_best_cnn") in earlier
    for ingredient in ("BATCH_NORM", "AUGMENTATION", "SCHEDULE"):
        result = run_pasted(folder, with_constants(cells, **{ingredient: False}), mnist_npz)
        assert result.returncode == 0, result.stderr[-3000:]
        now = files_in(outputs_folder)
        changed = [path.name for path, saved in earlier.items() if now.get(path) != saved]
        assert not changed, (ingredient, changed)
        name = f"05_best_cnn_no_{ingredient.lower()}"
        assert common.model_path(outputs_folder, name).is_file()
        new_figures = [path.name for path in set(now) - set(earlier) if path.suffix == ".png"]
        assert new_figures and all(figure.startswith(name) for figure in new_figures)
        augmented = "test-time augmentation (8 copies)" in result.stdout
        assert augmented == (ingredient != "AUGMENTATION"), result.stdout[-2000:]
        earlier = now


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
