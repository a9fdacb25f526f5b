"""Every lesson as a notebook: made from its script, run in a real Jupyter kernel.

One kernel runs all the lessons in order, in quick mode on the tests' own data, with its
namespace reset between lessons (`%reset -f`): a lesson that leaned on a name from an
earlier one fails, and TensorFlow is imported once instead of seven times.
"""

import ast
import builtins
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.request

import nbformat
import pytest
from conftest import PROJECT_DIR, TEST_ERROR_LINE
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
sys.path.insert(0, str(NOTEBOOKS_DIR))
import build  # noqa: E402

import outputs  # noqa: E402

SCRIPTS = {script.stem: script for script in build.lesson_scripts()}
TRAINING_LESSONS = ["01_mlp_baseline", "02_simple_cnn", "03_large_cnn", "05_best_cnn"]
LESSONS_WITHOUT_FIGURES = ["07_draw_digit"]  # it serves a page instead
PAGE_PICTURES = 2  # lesson 07's pictures of its page, drawing and in teach mode
ABLATION_NAME = "05_best_cnn_no_batch_norm_no_augmentation_no_schedule"
# What each lesson's OPTIONS line says when the tests run it as a notebook, besides --out:
# quick mode on the tests' data; lesson 05 as the ablation (test_lesson_05 runs the full
# recipe as a script); lessons 06 and 07 read no MNIST.
NOTEBOOK_OPTIONS = {
    "00_load_data": "--data {data} --quick",
    "01_mlp_baseline": "--data {data} --quick",
    "02_simple_cnn": "--data {data} --quick",
    "03_large_cnn": "--data {data} --quick",
    "04_analyze_errors": "--data {data}",
    "05_best_cnn": "--data {data} --quick --no-batch-norm --no-augmentation --no-schedule",
    "06_predict_digit": "",
    "07_draw_digit": "--port 0 --no-browser",
    "08_teach_handwriting": "--data {data} --quick",
}
MAX_CELL_LINES = 45  # a cell a student can read at once
OPTIONS_LINE = 'OPTIONS = ""'
# What must never reach a notebook: TensorFlow's start-up lines, a traceback, a folder of the
# machine that ran it.
LOG_WALL = re.compile(r"I0000|oneDNN|absl::InitializeLog|cuda drivers|Traceback")
ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/(?:home|root|tmp|work|Users|var|opt)/|[A-Z]:\\\\")
MAX_NOTEBOOKS_BYTES = 5_000_000


def committed(name):
    return nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)


def cell_texts(notebook):
    return [(cell.cell_type, cell.source) for cell in notebook.cells]


def text_of(cell_outputs):
    """Everything a list of cell outputs prints, as one string."""
    parts = []
    for output in cell_outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif output.output_type == "error":
            parts.extend(line + "\n" for line in output.traceback)
        elif "image/png" not in output.get("data", {}):  # a table, such as model.summary()
            parts.append(output.get("data", {}).get("text/plain", "") + "\n")
    return "".join(parts)


def with_options(notebook, options):
    """A copy of the notebook, without outputs, whose OPTIONS line says `options`: what a
    student does to run it in quick mode."""
    notebook = nbformat.from_dict(json.loads(json.dumps(notebook)))
    lines = [cell for cell in notebook.cells if OPTIONS_LINE in cell.source]
    assert len(lines) == 1, "every lesson has exactly one OPTIONS line"
    lines[0].source = lines[0].source.replace(OPTIONS_LINE, f"OPTIONS = {options!r}")
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


# %% The committed notebooks


@pytest.mark.parametrize("name", SCRIPTS)
def test_notebook_matches_its_script(name):
    """notebooks/ is made from the scripts: run `python notebooks/build.py` after a change."""
    made = build.notebook_from_script(SCRIPTS[name])
    assert cell_texts(committed(name)) == cell_texts(made)


def test_committed_notebooks_show_their_outputs_and_no_machine_paths():
    total_bytes = 0
    for name in SCRIPTS:
        notebook = committed(name)
        total_bytes += (NOTEBOOKS_DIR / f"{name}.ipynb").stat().st_size
        code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert all(cell.execution_count for cell in code_cells), f"{name} was not run"
        cell_outputs = [output for cell in code_cells for output in cell.outputs]
        printed = text_of(cell_outputs)
        assert not LOG_WALL.search(printed), (name, LOG_WALL.search(printed))
        assert not ABSOLUTE_PATH.search(printed), (name, ABSOLUTE_PATH.search(printed))
        images = [output for output in cell_outputs if "image/png" in output.get("data", {})]
        assert images or name in LESSONS_WITHOUT_FIGURES, f"{name} shows no figure"
        if name in TRAINING_LESSONS:
            last_line = printed.strip().splitlines()[-1]
            assert TEST_ERROR_LINE.match(last_line), (name, last_line)
            match = TEST_ERROR_LINE.match(last_line)
            assert int(match.group(3)) == 10000, "run on the full MNIST test set"
    assert total_bytes < MAX_NOTEBOOKS_BYTES


def test_every_lesson_has_its_notebook_options_and_its_place_in_the_build():
    assert set(NOTEBOOK_OPTIONS) == set(SCRIPTS) == set(build.RUN_ORDER)


@pytest.mark.parametrize("name", SCRIPTS)
def test_cells_a_student_can_follow(name):
    """No code cell is longer than a screen, and the first is the lesson's own setup, after
    one line that finds the course's modules one folder up."""
    code_cells = [cell.source for cell in committed(name).cells if cell.cell_type == "code"]
    longest = max(code_cells, key=lambda source: len(source.splitlines()))
    assert len(longest.splitlines()) <= MAX_CELL_LINES, longest
    first_line, second_line = code_cells[0].splitlines()[:2]
    assert first_line == build.FIND_MODULES
    assert second_line == "import course"


def test_the_build_refuses_two_ways_of_not_running():
    result = subprocess.run(
        [sys.executable, str(NOTEBOOKS_DIR / "build.py"), "--text-only", "--convert-only"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "not allowed with argument" in result.stderr


def test_readme_figures_are_there():
    for name in build.README_FIGURES:
        path = PROJECT_DIR / "docs" / "figures" / name
        assert path.is_file() and path.stat().st_size > 10_000, path
        assert f"docs/figures/{name}" in (PROJECT_DIR / "README.md").read_text()


# %% Running them in a real kernel


@pytest.fixture(scope="module")
def kernel():
    """One Jupyter kernel, started in notebooks/ as when a student opens a notebook there."""
    environment = dict(os.environ)
    environment.pop("MNIST_DATA", None)  # only what a test passes counts
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(NOTEBOOKS_DIR), env=environment)
    connection = manager.client()
    connection.allow_stdin = False
    connection.start_channels()
    connection.wait_for_ready(timeout=60)
    yield manager, connection
    connection.stop_channels()
    manager.shutdown_kernel(now=True)


def run_in(kernel, notebook):
    """Run the cells in the shared kernel, after emptying its namespace; stop at an error."""
    manager, connection = kernel
    notebook.cells.insert(0, nbformat.v4.new_code_cell("%reset -f"))
    client = NotebookClient(notebook, km=manager, timeout=600)
    client.kc = connection
    try:
        client.execute()
    except CellExecutionError:
        pass  # like Run All, stop at the failing cell; its error output is checked below
    errors = [
        output
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    return notebook, errors


@pytest.fixture(scope="module")
def executed(kernel, mnist_npz, tmp_path_factory):
    """Every lesson's committed notebook, run in order in quick mode: {name: (notebook, errors)}."""
    out = tmp_path_factory.mktemp("notebook_outputs")
    results = {}
    for name in SCRIPTS:
        options = NOTEBOOK_OPTIONS[name].format(data=shlex.quote(str(mnist_npz)))
        options += f" --out {shlex.quote(str(out))}"
        results[name] = run_in(kernel, with_options(committed(name), options))
        if name == "07_draw_digit":
            # Asked at once: the next notebook's %reset empties the namespace that the
            # page's handler runs in, as a kernel of its own would not.
            notebook, errors = results[name]
            printed = text_of(
                [output for cell in notebook.cells for output in cell.get("outputs", [])]
            )
            url = re.search(r"Serving the drawing page at (http://\S+)", printed).group(1)
            with urllib.request.urlopen(url, timeout=60) as response:
                PAGES_SERVED[name] = response.status, b"<canvas" in response.read()
    return out, results


PAGES_SERVED = {}  # {lesson: (status, whether the page has its canvas)}, asked by `executed`


@pytest.mark.parametrize("name", SCRIPTS)
def test_lesson_runs_as_a_notebook(name, executed):
    out, results = executed
    notebook, errors = results[name]
    assert not errors, text_of(errors)
    cell_outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    printed = text_of(cell_outputs)
    assert not LOG_WALL.search(printed), LOG_WALL.search(printed)
    # Figures are saved to files and shown below their cells.
    figures = [line for line in printed.splitlines() if line.startswith("Saved figure: ")]
    images = [output for output in cell_outputs if "image/png" in output.get("data", {})]
    assert figures or name in LESSONS_WITHOUT_FIGURES, name
    # Lesson 07 shows two pictures of its page, which the course ships: no path is printed.
    pictures = PAGE_PICTURES if name == "07_draw_digit" else 0
    assert len(images) == len(figures) + pictures, (figures, len(images))
    # A cell shows what it prints and draws, never the value its last line returned (a path
    # from saving a figure, {} from the course's start, a History at a memory address).
    returned = [o for o in cell_outputs if o.get("output_type") == "execute_result"]
    assert not returned, returned
    for line in figures:
        assert (out / outputs.FIGURES).is_dir() and line.removeprefix("Saved figure: ").startswith(
            str(out)
        )
    last_line = printed.strip().splitlines()[-1]
    if name in TRAINING_LESSONS:
        match = TEST_ERROR_LINE.match(last_line)
        assert match and int(match.group(3)) == 200, last_line
        saved_as = ABLATION_NAME if name == "05_best_cnn" else name
        metrics = json.loads((out / outputs.METRICS / f"{saved_as}.json").read_text())
        assert metrics["quick"] is True and f"{metrics['test_error_percent']:.2f}" == match.group(1)
    if name == "05_best_cnn":
        assert "Switched off: batch_norm, augmentation, schedule;" in printed
        assert not (metrics["batch_norm"] or metrics["augmentation"] or metrics["schedule"])
        # Without augmentation in training, test-time augmentation is off by default too.
        assert metrics["tta_copies"] == 0 and "test-time augmentation (" not in printed
        assert metrics["misclassified"] == metrics["single_pass_misclassified"]
        assert "batch_normalization" not in printed
    if name == "04_analyze_errors":
        # In a notebook, a message names the setup cell's constants, not the command line's.
        assert "Name test images in INDICES to see" in printed and "--index" not in printed
    if name == "06_predict_digit":
        # The kernel runs in notebooks/: the samples are printed as the notebook can open them.
        for sample in ("../samples/photo_of_a_3.jpg", "../samples/drawing_of_a_7.png"):
            assert re.search(rf"^{re.escape(sample)}: \d \(\d+\.\d%\)", printed, re.M), printed
    if name == "07_draw_digit":
        # The page is served beside the notebook (asked by `executed` right after it ran).
        assert PAGES_SERVED[name] == (200, True)
    if name == "08_teach_handwriting":
        assert "Held out: the same styles, drawn with other strokes" in printed
        record = json.loads((out / outputs.ADAPTATION / f"{name}.json").read_text())
        assert last_line.startswith(
            f"Held-out digits read right: {record['held_out_accuracy']['before']:.1%}"
        )


def test_test_time_augmentation_can_be_run_again(kernel, mnist_npz, tmp_path):
    """Lesson 05's Try it 3 runs the test-time augmentation cell again with another number of
    copies: it starts from the one-pass prediction each time, never from the last average."""
    options = NOTEBOOK_OPTIONS["05_best_cnn"].format(data=shlex.quote(str(mnist_npz)))
    notebook = with_options(committed("05_best_cnn"), f"{options} --tta 2 --out {tmp_path}")
    cells = notebook.cells
    (tta_cell,) = [cell for cell in cells if "for _ in range(TTA_COPIES)" in cell.source]
    again = [
        "averaged = probabilities.copy()",
        "TTA_COPIES = 0",
        tta_cell.source,
        "import numpy as np",
        "print('averaged differs:', not np.array_equal(averaged, single_pass_probabilities))",
        "print('one pass again:', np.array_equal(probabilities, single_pass_probabilities))",
    ]
    notebook.cells = cells + [nbformat.v4.new_code_cell(source) for source in again]
    notebook, errors = run_in(kernel, notebook)
    assert not errors, text_of(errors)
    printed = text_of([output for cell in notebook.cells[-2:] for output in cell.outputs])
    assert printed.split() == ["averaged", "differs:", "True", "one", "pass", "again:", "True"]


def test_user_error_in_a_notebook_is_one_line(kernel, tmp_path):
    notebook = with_options(committed("02_simple_cnn"), f"--data {tmp_path / 'missing.npz'}")
    notebook, errors = run_in(kernel, notebook)
    assert len(errors) == 1
    assert errors[0].traceback == [
        f"error: {tmp_path / 'missing.npz'} does not exist: point --data or MNIST_DATA at "
        "mnist.npz or at a folder with the four MNIST IDX files"
    ]
    # The cells after the failing one did not run.
    assert not any("Total params" in text_of(cell.get("outputs", [])) for cell in notebook.cells)


def test_bad_option_in_a_notebook_is_one_line(kernel):
    notebook, errors = run_in(kernel, with_options(committed("01_mlp_baseline"), "--epochs x"))
    assert len(errors) == 1
    assert errors[0].traceback == ["error: OPTIONS: argument --epochs: invalid int value: 'x'"]


# %% Cells a student can copy


def free_names(source):
    """Names a piece of code reads without defining them itself (builtins aside)."""
    tree = ast.parse(source)
    stored = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
    }
    loaded = {
        node.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }
    return loaded - stored - set(dir(builtins))


def model_cell(name):
    """The code under the lesson's model headings: one cell, or in lesson 03 one per deck."""
    cells = committed(name).cells
    heading = re.compile(r"## (Build the model|.*deeper network|.*(deck's|Deitel's) model)")
    found = [
        cells[index + 1].source
        for index, cell in enumerate(cells)
        if cell.cell_type == "markdown"
        and heading.match(cell.source)
        and cells[index + 1].cell_type == "code"
    ]
    assert found, f"{name} has no model cell"
    return "\n\n".join(found)


@pytest.mark.parametrize(
    "name, needs",
    [
        ("01_mlp_baseline", {"keras", "layers", "num_pixels", "num_classes"}),
        ("02_simple_cnn", {"keras", "layers", "input_shape", "num_classes"}),
        ("03_large_cnn", {"keras", "layers", "input_shape", "num_classes", "VARIANT"}),
        (
            "05_best_cnn",
            {"keras", "layers", "input_shape", "num_classes", "augmentation"}
            | {"AUGMENTATION", "BATCH_NORM", "DROPOUT_RATE"},
        ),
    ],
)
def test_model_cell_needs_only_names_a_student_copies(name, needs):
    assert free_names(model_cell(name)) == needs


@pytest.mark.parametrize(
    "name, preamble, parameters",
    [
        ("01_mlp_baseline", "num_pixels = 784", 623290),
        ("02_simple_cnn", "input_shape = (28, 28, 1)", 592074),
        ("03_large_cnn", "input_shape = (28, 28, 1)\nVARIANT = 'large_cnn'", 59933),
        ("03_large_cnn", "input_shape = (28, 28, 1)\nVARIANT = 'tf2_notebook'", 3274634),
        ("03_large_cnn", "input_shape = (28, 28, 1)\nVARIANT = 'deitel'", 485514),
        ("03_large_cnn", "input_shape = (28, 28, 1)\nVARIANT = 'lab7'", 3156098),
    ],
)
def test_model_cell_pasted_into_a_fresh_notebook(kernel, name, preamble, parameters):
    """keras-io's convention: with Keras imported, the input shape and the number of classes,
    the model cell builds the model on its own."""
    cells = [
        "import keras\nfrom keras import layers\nnum_classes = 10\n" + preamble,
        model_cell(name),
        "print(f'parameters: {model.count_params()}')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook, errors = run_in(kernel, notebook)
    assert not errors, text_of(errors)
    printed = text_of(notebook.cells[-1].outputs)
    count = int(re.search(r"parameters: (\d+)", printed).group(1))
    assert count == parameters


def code_outputs(notebook):
    return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]


def test_text_only_build_keeps_the_outputs_and_refuses_changed_code(tmp_path):
    script = SCRIPTS["02_simple_cnn"]
    source = script.read_text()
    committed = nbformat.read(NOTEBOOKS_DIR / f"{script.stem}.ipynb", as_version=4)
    assert any(code_outputs(committed))

    # New words only: the notebook takes them and keeps every output as it was.
    (tmp_path / "words").mkdir()
    reworded = tmp_path / "words" / script.name
    reworded.write_text(source.replace("Title: ", "Title: Reworded: ", 1))
    notebook = build.refresh_text(reworded)
    assert notebook.cells[0].source.startswith("# Reworded: Lesson 2")
    assert code_outputs(notebook) == code_outputs(committed)
    assert notebook.metadata == committed.metadata

    # A changed line of code: the outputs could be wrong now, so it refuses.
    (tmp_path / "code").mkdir()
    recoded = tmp_path / "code" / script.name
    recoded.write_text(source.replace("EPOCHS = ", "EPOCHS = 1 + ", 1))
    assert recoded.read_text() != source
    assert build.refresh_text(recoded) is None


def lesson_definition(name, definition):
    """The source of one function or class of a lesson, as a student copies it."""
    source = SCRIPTS[name].read_text()
    tree = ast.parse(source)
    node = next(
        node
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name == definition
    )
    return ast.get_source_segment(source, node)


def test_lesson_functions_pasted_into_a_fresh_notebook(kernel, digit_model):
    """Lesson 06's reading of an image and lesson 08's replay batches, copied with their
    imports into an empty notebook, run on what they are given."""
    cells = [
        "import sys; sys.path.append('..')\nimport math\nfrom pathlib import Path\n"
        "import keras\nimport numpy as np\nimport common\nimport handwriting",
        lesson_definition("06_predict_digit", "read_image"),
        lesson_definition("08_teach_handwriting", "ReplayBatches"),
        f"model = keras.models.load_model({str(digit_model)!r})\n"
        "original, digits, probabilities = read_image(\n"
        "    Path('../samples/photo_of_a_3.jpg'), model\n)\n"
        "print(f'read: {probabilities.argmax(axis=1).tolist()} {digits.shape}')",
        "own = np.ones((8, 28, 28, 1), 'float32')\n"
        "replay = np.zeros((50, 28, 28, 1), 'float32')\n"
        "labels = keras.utils.to_categorical(np.arange(8) % 10, 10)\n"
        "replay_labels = keras.utils.to_categorical(np.arange(50) % 10, 10)\n"
        "batches = ReplayBatches((own, labels), (replay, replay_labels),\n"
        "    keras.layers.Identity(), (784,), batch_size=10, own_per_batch=4,\n"
        "    copies_per_epoch=2, seed=0)\n"
        "images, batch_labels = batches[0]\n"
        "print(f'batches: {len(batches)} {images.shape} {batch_labels.shape} "
        "{int(images.sum(axis=1).astype(bool).sum())}')",
    ]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    notebook, errors = run_in(kernel, notebook)
    assert not errors, text_of(errors)
    assert "read: [3] (1, 28, 28)" in text_of(notebook.cells[-2].outputs)
    # Two copies of 8 own digits, 4 a batch: 4 batches of 4 own digits and 6 replayed.
    assert "batches: 4 (10, 784) (10, 10) 4" in text_of(notebook.cells[-1].outputs)
