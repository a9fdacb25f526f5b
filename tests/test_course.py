"""course.py: the options, one-line errors, safe saving, the saved models, and Ctrl-C.

Ctrl-C always stops a lesson at once, with one line, and never costs a saved file. Python
raises the KeyboardInterrupt of Ctrl-C wherever the program happens to be; raised inside a
finalizer (a `__del__` method, which TensorFlow runs many of while it trains) it is lost, and
training went on. course.py stops the program from a signal handler instead. These tests
send Ctrl-C at chosen points, so that none depends on timing.
"""

import course

import ast
import hashlib
import json
import signal
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import PROJECT_DIR

import common
import options
import outputs

# %% Command line: the options replace the settings a lesson defines

TRAINING_SETTINGS = {"__doc__": "test", "EPOCHS": 10, "BATCH_SIZE": 200, "QUICK": False}


def parse(settings, argv, lesson_options=None):
    return options.parse(options.lesson_parser("test", settings, lesson_options), argv)


def test_quick_means_one_epoch_unless_told_otherwise():
    settings = TRAINING_SETTINGS
    assert parse(settings, []) == {}
    assert parse(settings, ["--quick"]) == {"QUICK": True, "EPOCHS": common.QUICK_EPOCHS}
    assert parse(settings, ["--quick", "--epochs", "3"]) == {"QUICK": True, "EPOCHS": 3}
    assert parse(settings, ["--batch-size", "64"]) == {"BATCH_SIZE": 64}


def test_an_option_exists_where_the_lesson_defines_its_setting(capsys):
    with pytest.raises(SystemExit):
        parse({"QUICK": False}, ["--epochs", "3"])
    assert "unrecognized arguments: --epochs 3" in capsys.readouterr().err
    settings = {"MNIST_PATH": None, "SEED": 42, "OUTPUT_DIR": "outputs", "SHOW": False}
    changed = parse(settings, ["--data", "a.npz", "--seed", "1", "--out", "o", "--show"])
    assert changed == {"MNIST_PATH": "a.npz", "SEED": 1, "OUTPUT_DIR": Path("o"), "SHOW": True}


@pytest.mark.parametrize("arguments", [["--epochs", "0"], ["--batch-size", "-1"]])
def test_nonsense_numbers_are_refused(arguments, capsys):
    with pytest.raises(SystemExit) as raised:
        parse(TRAINING_SETTINGS, arguments)
    assert raised.value.code == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_a_lessons_own_options_replace_its_settings():
    settings = {"IMAGES": ["samples"], "TTA_COPIES": 8, "SCHEDULE": True, "EPOCHS": 10}
    own = {
        "IMAGES": {"nargs": "*"},
        "--tta": {"dest": "TTA_COPIES", "type": options.zero_or_more},
        "--no-schedule": {"dest": "SCHEDULE", "action": "store_false"},
        "--epochs": {"dest": "EPOCHS", "type": options.at_least_one},  # --quick leaves it
    }
    changed = parse(settings, ["a.png", "b.png", "--tta", "0", "--no-schedule"], own)
    assert changed == {"IMAGES": ["a.png", "b.png"], "TTA_COPIES": 0, "SCHEDULE": False}
    assert parse(settings, [], own) == {}
    assert parse({**settings, "QUICK": False}, ["--quick"], own) == {"QUICK": True}


def test_a_count_below_zero_is_refused(capsys):
    own = {"--tta": {"dest": "TTA_COPIES", "type": options.zero_or_more}}
    with pytest.raises(SystemExit) as raised:
        parse({"TTA_COPIES": 8}, ["--tta", "-1"], own)
    assert raised.value.code == 2
    assert "argument --tta: must be 0 or more, not '-1'" in capsys.readouterr().err


def test_start_puts_the_options_into_the_lessons_settings(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(sys, "argv", ["lesson.py", "--epochs", "3", "--out", str(tmp_path)])
    settings = {"__doc__": None, "EPOCHS": 7, "OUTPUT_DIR": "outputs", "VERBOSE": "auto"}
    changed = course.start(settings)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    assert changed == {"EPOCHS": 3, "OUTPUT_DIR": tmp_path}
    assert settings["EPOCHS"] == 3 and settings["OUTPUT_DIR"] == tmp_path
    assert settings["VERBOSE"] == 2  # one line per epoch: the output is no terminal here
    assert capsys.readouterr().out.startswith("Python ")


def test_a_script_takes_its_options_line_when_its_command_line_has_none(monkeypatch, capsys):
    settings = {"__doc__": "a script", "EPOCHS": 7}
    monkeypatch.setattr(sys, "argv", ["lesson.py"])
    assert course.start(settings, "--epochs 2") == {"EPOCHS": 2}
    assert "Options from the OPTIONS line: --epochs 2" in capsys.readouterr().out
    monkeypatch.setattr(sys, "argv", ["lesson.py", "--epochs", "3"])
    assert course.start(settings, "--epochs 2") == {"EPOCHS": 3}
    assert "The OPTIONS line (--epochs 2) is left out" in capsys.readouterr().out
    signal.signal(signal.SIGINT, signal.default_int_handler)


# %% Saving never destroys what an earlier run saved


def test_failed_json_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "metrics.json"
    outputs.save_json({"test_error_percent": 1.0}, path)
    with pytest.raises(TypeError):
        outputs.save_json({"not serializable": object()}, path)
    assert json.loads(path.read_text()) == {"test_error_percent": 1.0}
    assert [file.name for file in tmp_path.iterdir()] == ["metrics.json"]


def test_failed_model_save_keeps_the_old_model(tmp_path, monkeypatch):
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(2)])
    path = common.save_model(model, tmp_path, "model")
    assert path == tmp_path / common.MODELS / "model.keras"
    before = path.read_bytes()

    def interrupted(self, filepath, *args, **kwargs):
        with open(filepath, "wb") as partial:
            partial.write(b"half a model")
        raise KeyboardInterrupt

    monkeypatch.setattr(keras.Model, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        common.save_model(model, tmp_path, "model")
    assert path.read_bytes() == before
    assert [file.name for file in path.parent.iterdir()] == ["model.keras"]
    monkeypatch.undo()
    reloaded = common.load_model(path)
    np.testing.assert_array_equal(reloaded.get_weights()[0], model.get_weights()[0])


def test_unwritable_output_folder_is_a_user_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")

    with pytest.raises(common.UserError, match="choose another with --out"):
        outputs.folder(blocker / "outputs")


# %% Saved models: finding and loading them


def test_no_saved_model_says_which_lesson_to_run(tmp_path):
    with pytest.raises(common.UserError, match="no saved model in .*run 01_mlp_baseline.py"):
        outputs.best_saved_model(tmp_path)


def test_missing_or_broken_model_file_is_a_user_error(tmp_path):
    with pytest.raises(common.UserError, match="does not exist: name a saved .keras model"):
        common.load_model(tmp_path / "missing.keras")
    with pytest.raises(common.UserError, match="does not exist: name a saved .keras model"):
        outputs.find_model(tmp_path / "missing.keras", tmp_path)
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a model")
    with pytest.raises(common.UserError, match="is not a readable Keras model"):
        common.load_model(broken)


def test_the_best_saved_model_has_the_lowest_test_error(tmp_path):
    (tmp_path / outputs.METRICS).mkdir()
    (tmp_path / outputs.MODELS).mkdir()
    for name, error in [("01_mlp_baseline", 1.8), ("02_simple_cnn", 1.0), ("03_large_cnn", 1.2)]:
        outputs.save_json(
            {"test_error_percent": error}, tmp_path / outputs.METRICS / f"{name}.json"
        )
        (tmp_path / outputs.MODELS / f"{name}.keras").write_bytes(b"")
    (tmp_path / outputs.MODELS / "02_simple_cnn.keras").unlink()  # metrics without a model: skipped
    assert outputs.best_saved_model(tmp_path) == tmp_path / outputs.MODELS / "03_large_cnn.keras"


# %% Ctrl-C

SAFETY_TIMEOUT_SECONDS = 300  # only keeps a broken run from hanging the test suite


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_interrupted_training_keeps_the_previous_model(tmp_path, mnist_npz):
    """Ctrl-C in the middle of training: one line, status 130, the earlier run's files as
    they were."""
    for folder, suffix in [
        (outputs.MODELS, ".keras"),
        (outputs.METRICS, ".json"),
        (outputs.HISTORY, ".json"),
    ]:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"01_mlp_baseline{suffix}").write_text(f"an earlier run's {folder}")
    saved = {path: sha256(path) for path in tmp_path.rglob("*") if path.is_file()}

    # A second run far too long to finish, stopped with Ctrl-C as soon as it trains.
    process = subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "01_mlp_baseline.py"), "--quick", "--epochs", "100000"]
        + ["--data", str(mnist_npz), "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for line in process.stdout:
            if line.startswith("Epoch 2/"):
                break
        process.send_signal(signal.SIGINT)
        # Reading both pipes to the end: the lesson never waits on a full pipe. The time
        # limit only keeps a broken run from hanging the tests; it decides nothing.
        _, stderr = process.communicate(timeout=SAFETY_TIMEOUT_SECONDS)
    finally:
        process.kill()  # never leave it running if the test fails
    assert process.returncode == 130
    assert stderr.strip() == "Interrupted: files saved by earlier runs are unchanged."
    after = {path: sha256(path) for path in tmp_path.rglob("*") if path.is_file()}
    assert {path: after.get(path) for path in saved} == saved
    # Nothing else was saved but the figure drawn before training (the model's diagram).
    assert {path.parent.name for path in set(after) - set(saved)} <= {outputs.FIGURES}


# Python code that starts as a lesson does, then gets Ctrl-C at a chosen point.
CTRL_C_INSIDE_A_FINALIZER = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import course

arguments, sys.argv[1:] = sys.argv[1:], []
course.start({"__doc__": "a lesson"})  # as every lesson does

class Resource:
    def __del__(self):  # as TensorFlow's many finalizers do while a model trains
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(1000):  # Python looks for signals while this runs
            pass

Resource()
print("still running after Ctrl-C")
"""
CTRL_C_WHILE_SAVING = """
import os, signal, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import common
import course

arguments, sys.argv[1:] = sys.argv[1:], []
course.start({"__doc__": "a lesson"})  # as every lesson does

path = Path(arguments[1])
with common.replaced_atomically(path) as temporary:
    temporary.write_text("first half, ")
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(1000):
        pass
    with temporary.open("a") as rest:
        rest.write("second half")
print("still running after Ctrl-C")
"""


def run_python(code, *arguments):
    return subprocess.run(
        [sys.executable, "-c", code, str(PROJECT_DIR), *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=SAFETY_TIMEOUT_SECONDS,
    )


def test_ctrl_c_inside_a_finalizer_still_stops():
    """Python loses a KeyboardInterrupt raised inside a __del__ method ("Exception ignored");
    that is how training could go on after Ctrl-C. The lessons' handler exits instead."""
    result = run_python(CTRL_C_INSIDE_A_FINALIZER)
    assert result.returncode == 130, result.stderr
    assert "still running" not in result.stdout
    assert result.stderr.strip() == "Interrupted: files saved by earlier runs are unchanged."


def test_ctrl_c_while_saving_finishes_the_file_first(tmp_path):
    path = tmp_path / "metrics.json"
    path.write_text("the previous run's file")
    result = run_python(CTRL_C_WHILE_SAVING, path)
    assert result.returncode == 130, result.stderr
    assert "still running" not in result.stdout
    assert path.read_text() == "first half, second half"  # complete, never half written
    assert [file.name for file in tmp_path.iterdir()] == ["metrics.json"]


# %% The command line and the best saved model


def lesson_header(script):
    """A lesson's docstring, as `course.start(globals(), ...)` finds it."""
    return ast.get_docstring(ast.parse((PROJECT_DIR / script).read_text()), clean=False)


def test_options_are_never_abbreviated(capsys):
    parser = options.lesson_parser(lesson_header("02_simple_cnn.py"), TRAINING_SETTINGS)
    with pytest.raises(SystemExit) as stopped:
        options.parse(parser, ["--epoch", "2", "--quick"])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "unrecognized arguments: --epoch 2" in error and "did you mean --epochs?" in error


def test_help_reads_as_a_command_line():
    parser = options.lesson_parser(lesson_header("02_simple_cnn.py"), TRAINING_SETTINGS)
    shown = parser.format_help()
    assert "\nLesson 2 - A simple convolutional network\n\nOne convolutional layer" in shown
    assert "    python 02_simple_cnn.py --quick" in shown
    for notebook_word in ("Title:", "Description:", "OPTIONS", "In a notebook"):
        assert notebook_word not in shown


def test_terminal_description_drops_labels_and_the_notebook_hint():
    header = """
Title: Lesson 9 - A test
Description: One line,
    and its second line.

Run:
    python 09_test.py --quick   # fast
    In a notebook (notebooks/09_test.ipynb), set the same options in OPTIONS below; the
    page then works for as long as the kernel runs.

Expected: a number.
"""
    assert options.terminal_description(header) == (
        "Lesson 9 - A test\n\nOne line,\nand its second line.\n\nRun:\n"
        "    python 09_test.py --quick   # fast\n\nExpected: a number."
    )


def test_a_script_without_a_header_is_no_traceback(tmp_path):
    """A student's script that starts the course without a docstring of its own."""
    script = tmp_path / "mine.py"
    script.write_text(
        f"import sys; sys.path.insert(0, {str(PROJECT_DIR)!r})\n"
        "import course\nEPOCHS = 3\ncourse.start(globals())\nprint(f'epochs: {EPOCHS}')\n"
    )
    for arguments in ([], ["--epochs", "2"], ["--help"]):
        result = subprocess.run(
            [sys.executable, str(script), *arguments], capture_output=True, text=True
        )
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.startswith("usage: mine.py [-h] [--epochs N]")


def write_stage(out, name, error, quick):
    """A saved stage as lessons 01-05 leave it: a model file and its metrics."""
    (out / outputs.MODELS).mkdir(parents=True, exist_ok=True)
    (out / outputs.METRICS).mkdir(exist_ok=True)
    (out / outputs.MODELS / f"{name}.keras").write_bytes(b"a model")
    record = {"test_error_percent": error, "test_images": 500 if quick else 10000, "quick": quick}
    (out / outputs.METRICS / f"{name}.json").write_text(json.dumps(record))


def test_the_best_saved_model_is_one_trained_on_the_full_data(tmp_path):
    write_stage(tmp_path, "02_simple_cnn", 0.5, quick=True)
    write_stage(tmp_path, "01_mlp_baseline", 1.8, quick=False)
    write_stage(tmp_path, "03_large_cnn_deitel", 0.2, quick=True)
    best = outputs.best_saved_model(tmp_path)
    assert best == tmp_path / outputs.MODELS / "01_mlp_baseline.keras"
    assert outputs.quick_model_note(best) == ""
    # Only quick models: the best of them, named as quick, with the lesson that trains it.
    (tmp_path / outputs.MODELS / "01_mlp_baseline.keras").unlink()
    best = outputs.best_saved_model(tmp_path)
    assert best == tmp_path / outputs.MODELS / "03_large_cnn_deitel.keras"
    assert outputs.quick_model_note(best) == (
        " (trained with --quick on 2000 images: 0.20% test error; for a real one run python "
        "03_large_cnn.py)"
    )


def test_the_start_hands_the_data_cell_an_npz_as_given(mnist_npz, capsys):
    assert course.mnist_source(str(mnist_npz)) == str(mnist_npz)
    assert capsys.readouterr().out == f"Source: {mnist_npz}\n"


def test_the_start_hands_the_data_cell_an_idx_folder_as_one_npz(tmp_path, mnist_arrays, capsys):
    import digits

    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx", gzipped=True)
    converted = course.mnist_source(str(folder))
    assert Path(converted).suffix == ".npz" and not Path(converted).is_relative_to(folder)
    with np.load(converted) as data:
        for key, array in mnist_arrays.items():
            np.testing.assert_array_equal(data[key], array)
    assert capsys.readouterr().out == f"Source: {folder}\n"


def test_the_start_reads_mnist_data_when_no_path_is_given(mnist_npz, monkeypatch):
    monkeypatch.setenv("MNIST_DATA", str(mnist_npz))
    assert course.mnist_source(None) == str(mnist_npz)


def test_the_start_refuses_a_damaged_source_in_one_line(tmp_path):
    damaged = tmp_path / "mnist.npz"
    damaged.write_bytes(b"\x00" * 100)
    with pytest.raises(common.UserError, match="download mnist.npz again"):
        course.mnist_source(str(damaged))
