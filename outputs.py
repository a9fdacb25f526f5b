"""The outputs folder: where a lesson's files go, saved so that no run destroys an earlier one.

The layout, stated here once (lessons, benchmarks and tests use these names):

    <out>/models/<name>.keras      a trained model
    <out>/metrics/<name>.json      its test error and settings: a stage that lesson 04 compares
                                   and "the best saved model" is chosen from
    <out>/history/<name>.json      its loss and accuracy per epoch
    <out>/adaptation/<name>.json   lesson 08's record of an adapted model: kept out of
                                   metrics/, so that an adapted model is never a stage
    <out>/figures/<name>.png       the figures
    <out>/my_digits/               the digits that lesson 07's page collects

- `save_figure`, `save_json`, `save_model`: a file replaces an earlier one only once it is
  complete, and Ctrl-C waits for a file being written (`stop_on_ctrl_c`);
- `save_new_file`: a file that never replaces another (lesson 07's collected digits);
- `finish`: the end of a training lesson: its model, history, metrics and final line;
- `saved_stages`, `best_saved_model`, `open_model`: the models earlier lessons saved.
"""

import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

import keras
import numpy as np

import common
from common import UserError

MODELS, METRICS, HISTORY, ADAPTATION = "models", "metrics", "history", "adaptation"
FIGURES, MY_DIGITS = "figures", "my_digits"
DEFAULT_OUT_DIR = common.PROJECT_DIR / "outputs"
FIGURE_DPI = 80  # sharp enough on screen, small enough for notebooks kept in git
INTERRUPTED_STATUS = 130  # the shell's usual exit status after Ctrl-C


def folder(out, part=None):
    """The output folder `out` (created if needed), or one of its parts (MODELS, ...)."""
    path = Path(out).expanduser() / (part or "")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"cannot create the output folder {path} ({error.strerror}); "
            "choose another with --out DIR"
        ) from None
    return path


def model_path(out, name):
    return Path(out).expanduser() / MODELS / f"{name}.keras"


def record_path(out, name, part=METRICS):
    """A lesson's JSON record: its metrics, history (HISTORY) or adaptation (ADAPTATION)."""
    return Path(out).expanduser() / part / f"{name}.json"


# %% Ctrl-C, which waits for a file being written
#
# The two counters below are this module's own state: the saves under way, and whether
# Ctrl-C came during one. course.start installs `stop_on_ctrl_c` as the handler.

_saves_under_way = 0
_interrupted_while_saving = False


def exit_interrupted():
    """End the program at once with one line. Standard output is line-buffered, so nothing
    complete is lost, and no flush can hang on a pipe that nobody reads."""
    os.write(2, b"\nInterrupted: files saved by earlier runs are unchanged.\n")
    os._exit(INTERRUPTED_STATUS)


def stop_on_ctrl_c(signal_number, frame):
    """Ctrl-C ends a lesson at once.

    By default Python raises a KeyboardInterrupt wherever the program happens to be, and if
    that is inside a finalizer (a `__del__` method, of which TensorFlow runs many while it
    trains), Python prints "Exception ignored" and carries on: training just went on. A
    handler that exits cannot be lost that way. A file that is being written is finished
    first, so that a save is never left half done.
    """
    global _interrupted_while_saving
    if _saves_under_way:
        _interrupted_while_saving = True
    else:
        exit_interrupted()


def _new_file_mode():
    """The permissions an ordinary new file gets here: read-write, less the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_NEW_FILE_MODE = _new_file_mode()


@contextlib.contextmanager
def replaced_atomically(path):
    """Yield a temporary path beside `path`; move it over `path` only if all went well.

    A crash, an error or Ctrl-C while writing leaves the previous file untouched.
    """
    global _saves_under_way
    path = Path(path)
    _saves_under_way += 1  # Ctrl-C now waits until this file is complete (stop_on_ctrl_c)
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix
        )
        os.close(handle)
        try:
            yield Path(temporary)
            os.chmod(temporary, _NEW_FILE_MODE)  # mkstemp's files are private; outputs are not
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    finally:
        _saves_under_way -= 1
        if _interrupted_while_saving and not _saves_under_way:
            exit_interrupted()


# %% Saving


def save_new_file(folder, names, content):
    """Write `content` (bytes) to the first of `names` that is free in `folder`; its path.

    The file is written under a temporary name, then linked to its own name, which fails
    rather than replace another file: an earlier file is never overwritten, and a crash
    leaves no half-written one.
    """
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".new-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, _NEW_FILE_MODE)
        for name in names:
            try:
                os.link(temporary, Path(folder) / name)
                return Path(folder) / name
            except FileExistsError:
                continue
        raise FileExistsError(f"no free name in {folder}")
    finally:
        os.remove(temporary)


def save_figure(figure, out, name, show=False):
    """Save a Matplotlib figure as `<out>/figures/<name>` (PNG) and print where. A notebook
    shows the saved picture below the cell; from a terminal a window opens only if `show`
    (the lessons' --show)."""
    import matplotlib.pyplot as plt

    path = folder(out, FIGURES) / name
    with replaced_atomically(path) as temporary:
        figure.savefig(temporary, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    print(f"Saved figure: {common.display_path(path)}")
    if common.running_in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    elif show:
        plt.show()
    plt.close(figure)


def save_json(data, path):
    """Write `data` as indented JSON, replacing any earlier file only when complete."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")
    print(f"Saved: {common.display_path(path)}")


def save_model(model, path):
    """Save a Keras model as a `.keras` file, replacing an earlier one only when complete."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with replaced_atomically(path) as temporary:
        model.save(temporary)
    print(f"Saved model: {common.display_path(path)}")


def finish(out, name, model, history, test_results, train_seconds, **record):
    """The end of every training lesson: save the model, its history and its metrics, and
    print the final line. Each file replaces the previous run's only once it is complete.

    `test_results` is (the scores of model.evaluate, the predicted digits, the true ones).
    The metrics hold what lesson 04 and the benchmarks read: the test error, the count of
    misclassified images, the training time, and the settings in `record` (epochs,
    batch_size, seed, quick, and anything a lesson adds).
    """
    if not common.running_in_notebook():
        print("\n## Save")  # the lesson's own cell heading, in a terminal
    scores, predicted_digits, test_labels = test_results
    misclassified = int(np.sum(predicted_digits != test_labels))
    test_error_percent = 100 * misclassified / len(test_labels)
    metrics = {
        "test_error_percent": round(test_error_percent, 4),
        "misclassified": misclassified,
        "test_images": len(test_labels),
        "test_loss": scores["loss"],
        "parameters": model.count_params(),
        "train_seconds": round(train_seconds, 2),
        "backend": keras.backend.backend(),
        "steps_per_execution": getattr(model, "steps_per_execution", 1),
        **record,
    }
    history = {key: [float(value) for value in values] for key, values in history.items()}
    folder(out)
    save_model(model, model_path(out, name))
    save_json(history, record_path(out, name, HISTORY))
    save_json(metrics, record_path(out, name))
    print(
        f"\nTest error: {test_error_percent:.2f}% "
        f"({misclassified} of {len(test_labels)} misclassified)"
    )


# %% The models that earlier lessons saved


def saved_stages(out):
    """{name: metrics} for every lesson whose model and metrics are in the output folder."""
    stages = {}
    for metrics_file in sorted((Path(out).expanduser() / METRICS).glob("*.json")):
        if model_path(out, metrics_file.stem).is_file():
            stages[metrics_file.stem] = json.loads(metrics_file.read_text())
    return stages


def best_saved_model(out, stages=None):
    """The path of the saved model with the lowest test error, among those trained on the
    full data if there are any (a --quick model's error is on 500 test images only); a
    UserError if there is none."""
    stages = saved_stages(out) if stages is None else stages
    if not stages:
        raise UserError(
            f"no saved model in {Path(out) / MODELS}: run 01_mlp_baseline.py "
            "(or 02-03, 05) first, or name one with --model PATH"
        )
    full = {name: metrics for name, metrics in stages.items() if not metrics.get("quick")}
    candidates = full or stages
    return model_path(out, min(candidates, key=lambda name: candidates[name]["test_error_percent"]))


def quick_model_note(path):
    """For a model that its metrics say was trained with --quick, a note saying so, with its
    test error and how to train a real one; else ""."""
    path = Path(path)
    try:
        metrics = json.loads(record_path(path.parent.parent, path.stem).read_text())
    except (OSError, ValueError):
        return ""
    if not metrics.get("quick"):
        return ""
    lessons = sorted(common.PROJECT_DIR.glob("[0-9][0-9]_*.py"))
    lesson = next((script.name for script in lessons if path.stem.startswith(script.stem)), None)
    train = f"python {lesson}" if lesson else "its lesson without --quick"
    return (
        f" (trained with --quick on {common.QUICK_TRAIN_SIZE} images: "
        f"{metrics['test_error_percent']:.2f}% test error; for a real one run {train})"
    )


def load_saved_model(path):
    """Load a `.keras` model, or end with one line saying what is wrong with the file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{path} does not exist: name a saved .keras model with --model PATH")
    try:
        return keras.models.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not a readable Keras model ({error}); train it again") from None


def open_model(path, out):
    """The model a lesson was given (`path`), else the best one saved in `out`: loaded and
    named on one line, which says so when it was trained with --quick. Returns the model
    and its path."""
    path = Path(path) if path else best_saved_model(out)
    model = load_saved_model(path)
    print(f"Model: {common.display_path(path)}{quick_model_note(path)}")
    return model, path
