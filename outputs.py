"""The course's records in the output folder, and the models that earlier lessons saved.

The layout, stated here (the lessons save models and figures through common.py and
pictures.py, which name their two folders; lesson 07's page saves digits through
own_digits.py):

    <out>/models/<name>.keras      a trained model (common.save_model)
    <out>/figures/<name>.png       the figures (pictures.save_figure)
    <out>/metrics/<name>.json      its test error and settings: a stage that lesson 04 compares
                                   and "the best saved model" is chosen from
    <out>/history/<name>.json      its loss and accuracy per epoch
    <out>/adaptation/<name>.json   lesson 08's record of an adapted model: kept out of
                                   metrics/, so that an adapted model is never a stage
    <out>/my_digits/               the digits that lesson 07's page collects (own_digits.py)

- `record`: the course's record of a training lesson (metrics and history), which lesson 04,
  the benchmarks and the tests read; `save_json` writes any such record safely;
- `stop_on_ctrl_c`: Ctrl-C ends a lesson at once, after a file being written is complete;
- `saved_stages`, `best_saved_model`, `find_model`: the models earlier lessons saved.
"""

import json
import os
from pathlib import Path

import keras
import numpy as np

import common
from common import (
    FIGURES,  # noqa: F401  (the layout, read from here too)
    HISTORY,
    METRICS,
    MODELS,
    UserError,
    model_path,
)

ADAPTATION = "adaptation"
DEFAULT_OUT_DIR = common.PROJECT_DIR / "outputs"
INTERRUPTED_STATUS = 130  # the shell's usual exit status after Ctrl-C


def folder(out, part=None):
    """The output folder `out` (created if needed), or one of its parts (METRICS, ...)."""
    path = Path(out).expanduser() / (part or "")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"cannot create the output folder {path} ({error.strerror}); "
            "choose another with --out DIR"
        ) from None
    return path


def record_path(out, name, part=METRICS):
    """A lesson's JSON record: its metrics, history (HISTORY) or adaptation (ADAPTATION)."""
    return Path(out).expanduser() / part / f"{name}.json"


# %% Ctrl-C, which waits for a file being written


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
    handler that exits cannot be lost that way. A file that is being written
    (common.replaced_atomically) is finished first, so that a save is never left half done.
    """
    common.call_when_saved(exit_interrupted)


def stopper(message):
    """A Ctrl-C handler for a program that runs until it is stopped (lesson 07's server):
    it prints `message` and exits with status 0, after a file being written is complete."""

    def stop(signal_number, frame):
        def exit_with_message():
            print(f"\n{message}", flush=True)
            os._exit(0)

        common.call_when_saved(exit_with_message)

    return stop


# %% The course's records


def save_json(data, path):
    """Write `data` as indented JSON, replacing any earlier file only when complete."""
    with common.replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")


def record(out, name, model, history, test_results, train_seconds, **settings):
    """The course's record of a training lesson: its history and metrics, each file
    replacing the previous run's only once it is complete.

    `test_results` is (the scores of model.evaluate, the predicted digits, the true ones).
    The metrics hold what lesson 04 and the benchmarks read: the test error, the count of
    misclassified images, the training time, and the `settings` (epochs, batch_size, seed,
    quick, and anything a lesson adds).
    """
    scores, predicted_digits, test_labels = test_results
    misclassified = int(np.sum(predicted_digits != test_labels))
    metrics = {
        "test_error_percent": round(100 * misclassified / len(test_labels), 4),
        "misclassified": misclassified,
        "test_images": len(test_labels),
        "test_loss": scores["loss"],
        "parameters": model.count_params(),
        "train_seconds": round(train_seconds, 2),
        "backend": keras.backend.backend(),
        "steps_per_execution": getattr(model, "steps_per_execution", 1),
        **settings,
    }
    history = {key: [float(value) for value in values] for key, values in history.items()}
    save_json(history, record_path(out, name, HISTORY))
    save_json(metrics, record_path(out, name))


def record_adaptation(out, name, measured):
    """The course's record of lesson 08's adapted model, kept apart from the stages."""
    save_json(measured, record_path(out, name, ADAPTATION))


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


def find_model(path, out, first_choice=None):
    """The model a lesson was given (`path`), else the stage `first_choice` where `out` holds
    it, else the best one saved in `out`, named on one line that says so when it was trained
    with --quick; a UserError if it does not exist."""
    preferred = model_path(out, first_choice) if first_choice else None
    if path:
        path = Path(path).expanduser()
    else:
        path = preferred if preferred and preferred.is_file() else best_saved_model(out)
    if not path.is_file():
        raise UserError(f"{path} does not exist: name a saved .keras model with --model PATH")
    print(f"Model: {common.display_path(path)}{quick_model_note(path)}")
    return path
