"""What the MNIST lessons share: loading the data, preparing it, seeding, saving a model
safely, and two reports.

Nothing here builds or trains a model (each lesson does that inline), and importing this
module only defines things. It is one of the plain modules a student copies beside a
notebook, with mnist_files.py (which it reads MNIST with) and pictures.py.

- `load_mnist(path)`: MNIST as `(x_train, y_train), (x_test, y_test)` uint8 arrays, exactly
  like `keras.datasets.mnist.load_data()`, from a local `.npz`, a folder of the original IDX
  files, or Keras' own download and cache. Everything loaded is checked (mnist_files.py).
- `quick_subset` and `hold_out_validation`: the small data of `--quick`, and the validation
  images that the model is checked on after every epoch.
- The preprocessing the slides teach: `flatten_images`, `add_channel_axis`, `scale_pixels`,
  `one_hot_encode`.
- `set_seed`, the reports `print_predictions` and `training_curves_figure`; `save_model` and
  `load_model`: `<output folder>/models/`, replaced only once complete (`replaced_atomically`).

A mistake in the input raises `UserError`, whose message says what to do, naming a setting
as the user gave it: `--index` on a command line, else `INDICES` (`setting_name`).
"""

import contextlib
import os
import sys
import tempfile
import zipfile
from pathlib import Path

import keras
import numpy as np

import mnist_files

PROJECT_DIR = Path(__file__).resolve().parent
NUM_CLASSES = mnist_files.NUM_CLASSES  # the digits 0-9
IMAGE_SHAPE = mnist_files.IMAGE_SHAPE  # 28x28 pixels
DEFAULT_SEED = 42
QUICK_TRAIN_SIZE = 2000  # training images in --quick mode
QUICK_TEST_SIZE = 500  # test images in --quick mode
QUICK_EPOCHS = 1  # epochs in --quick mode unless --epochs says otherwise
CURVES_FONT_POINTS = 14  # the training curves' text: legible on a lecture slide
# Inside a lesson's output folder (OUTPUT_DIR): the models and figures it saves, and the
# training curves and test results that the course keeps of each model (lesson 04 reads them).
MODELS, FIGURES, HISTORY, METRICS = "models", "figures", "history", "metrics"
COMMAND_LINE = False  # True once course.start has taken a lesson's options from a terminal


def setting_name(constant, option):
    """How a message names a setting: by its option (`--index`) where the course's command
    line took the options from a terminal, else (in a notebook, or in cells copied without
    the course's) by the setup cell's constant (`INDICES`)."""
    return option if COMMAND_LINE else constant


def running_in_notebook():
    """True inside a Jupyter kernel: JupyterLab, Notebook, VS Code's interactive window, Colab."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, "kernel")


class UserError(Exception):
    """A mistake in the input that the user can fix: one line, no traceback.

    From a terminal it prints `error: <message>` on stderr and exits with status 1; in a
    notebook the cell shows that line and stops (course.py sets both up).
    """


# %% Loading MNIST


def load_mnist(path=None, quick=False):
    """Return MNIST as `(x_train, y_train), (x_test, y_test)`, uint8, checked, and say from
    where; with `quick`, only the first few thousand images (`quick_subset`).

    `path` (or, when it is None, the `MNIST_DATA` environment variable) names a `.npz` in
    Keras' layout or a folder with the four original IDX files, gzipped or not. Without
    either, Keras downloads MNIST once and then reads it from its cache (~/.keras/datasets).
    """
    path = path or os.environ.get("MNIST_DATA") or None
    print(f"Source: {describe_source(path)}")
    try:
        arrays = mnist_files.read(Path(path).expanduser()) if path else mnist_files.download()
        train, test = mnist_files.checked(arrays, source=path or "Keras' MNIST download")
    except mnist_files.BadMnistFile as error:
        raise UserError(str(error)) from None
    if quick:
        train, test = quick_subset(train, test)
        print(f"Quick mode: {len(train[0])} training and {len(test[0])} test images.")
    return train, test


def describe_source(path=None):
    """Say in words where MNIST is read from (`path`, else Keras' download)."""
    if path:
        return display_path(path)
    return "keras.datasets.mnist (downloaded once, then cached in ~/.keras/datasets)"


def display_path(path):
    """A path as a lesson prints it, so that it works from the folder the lesson was started
    in: relative to that folder when it lies below it, through `..` when both lie in the
    course's folder (a notebook in notebooks/ prints ../outputs/...), as given if it was
    given relative, else in full."""
    path = Path(path).expanduser()
    if not path.is_absolute():
        return str(path)
    path, here = path.resolve(), Path.cwd().resolve()
    if path.is_relative_to(here) and here != Path(here.anchor):
        return str(path.relative_to(here))
    if path.is_relative_to(PROJECT_DIR) and here.is_relative_to(PROJECT_DIR):
        return os.path.relpath(path, here)
    return str(path)


def quick_subset(train, test):
    """The first few thousand images, for --quick runs that finish in seconds."""
    (x_train, y_train), (x_test, y_test) = train, test
    return (
        (x_train[:QUICK_TRAIN_SIZE], y_train[:QUICK_TRAIN_SIZE]),
        (x_test[:QUICK_TEST_SIZE], y_test[:QUICK_TEST_SIZE]),
    )


def hold_out_validation(images, labels, fraction):
    """Split the last `fraction` of the training data off for validation.

    The model is checked on these images after every epoch; the test set stays untouched
    until the end, so that the final number is an honest estimate.
    """
    validation_size = int(len(images) * fraction)
    if validation_size == 0:
        raise UserError(f"{len(images)} training images are too few to hold out {fraction:.0%}")
    split = len(images) - validation_size
    return (images[:split], labels[:split]), (images[split:], labels[split:])


# %% Preprocessing, one small step each


def flatten_images(images):
    """(N, 28, 28) -> (N, 784): one row of pixels per image, for a dense network."""
    return images.reshape(len(images), -1)


def add_channel_axis(images):
    """(N, 28, 28) -> (N, 28, 28, 1): the single grey channel a Conv2D layer expects."""
    return images.reshape(*images.shape, 1)


def scale_pixels(images):
    """uint8 0-255 -> float32 0.0-1.0: small inputs keep the first updates stable."""
    return images.astype("float32") / 255.0


def one_hot_encode(labels):
    """Digits (N,) -> (N, 10) rows with a single 1, the target of a softmax output."""
    return keras.utils.to_categorical(labels, num_classes=NUM_CLASSES)


# %% Seeding


def set_seed(seed):
    """Seed Python, NumPy and the backend, and switch on the backend's deterministic ops.

    Two runs with the same seed on the same machine, versions and backend print the same
    numbers. (JAX's switch for GPUs must be set before JAX starts: course.py does that.)
    """
    keras.utils.set_random_seed(seed)
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    elif keras.backend.backend() == "torch":
        import torch

        # CUDA's matrix products are deterministic only with this workspace setting.
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.use_deterministic_algorithms(True, warn_only=True)


# %% Reporting what a trained model does


def print_predictions(probabilities, labels, indices):
    """The true digit, the digit read, its probability and all ten probabilities (rounded to
    whole percent) for a few test images, in 80 columns."""
    header = "".join(f"{digit:4d}" for digit in range(NUM_CLASSES))
    print(f"image  true  read      sure | probability (%) of each digit\n{'':28}|{header}")
    for index in indices:
        row = probabilities[index]
        predicted = int(np.argmax(row))
        mark = "" if predicted == labels[index] else "  wrong"
        cells = "".join(f"{100 * value:4.0f}" for value in row)
        print(
            f"{index:5d} {labels[index]:5d} {predicted:5d} {100 * row[predicted]:8.2f}% |"
            f"{cells}{mark}"
        )


def training_curves_figure(history, title):
    """Accuracy and loss per epoch, training against validation, side by side, with text
    large enough for a lecture deck."""
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["loss"]) + 1)
    with plt.rc_context({"font.size": CURVES_FONT_POINTS}):
        figure, (accuracy_axis, loss_axis) = plt.subplots(1, 2, figsize=(10, 4))
        for axis, metric, label in [
            (accuracy_axis, "accuracy", "Accuracy"),
            (loss_axis, "loss", "Loss (cross-entropy)"),
        ]:
            axis.plot(epochs, history[metric], "o-", label="training")
            if f"val_{metric}" in history:
                axis.plot(epochs, history[f"val_{metric}"], "s-", label="validation")
            axis.set_xlabel("Epoch")
            axis.set_title(f"{label} per epoch")
            axis.grid(True, alpha=0.3)
            axis.legend()
        figure.suptitle(title)
        figure.tight_layout()
    return figure


# %% Saving a model, so that no run destroys an earlier one

_saves = {"under_way": 0, "then": None}  # see call_when_saved


@contextlib.contextmanager
def replaced_atomically(path):
    """Yield a temporary path beside `path`; move it over `path` only if all went well, so
    that a crash, an error or Ctrl-C while writing leaves the earlier file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _saves["under_way"] += 1
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix
        )
        os.close(handle)
        try:
            yield Path(temporary)
            os.chmod(temporary, NEW_FILE_MODE)  # mkstemp's files are private; these are not
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    finally:
        _saves["under_way"] -= 1
        if _saves["then"] and not _saves["under_way"]:
            _saves["then"]()


def call_when_saved(action):
    """Call `action` now, or once the files being written are complete: how a program that
    stops on Ctrl-C (the course does) avoids leaving a save half done."""
    if _saves["under_way"]:
        _saves["then"] = action
    else:
        action()


def new_file_mode():
    """The permissions an ordinary new file gets here: read-write, less the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


NEW_FILE_MODE = new_file_mode()


def model_path(output_dir, name):
    """Where `save_model` puts the model `name`: <output_dir>/models/<name>.keras."""
    return Path(output_dir).expanduser() / MODELS / f"{name}.keras"


def save_model(model, output_dir, name):
    """Save `model` as <output_dir>/models/<name>.keras, replacing an earlier file only once
    the new one is complete; return its path."""
    path = model_path(output_dir, name)
    with replaced_atomically(path) as temporary:
        model.save(temporary)
    print(f"Saved model: {display_path(path)}")
    return path


def load_model(path):
    """A saved `.keras` model; a UserError that says what is wrong with the file."""
    path = Path(path).expanduser()
    if not path.is_file():
        setting = setting_name("MODEL_PATH", "--model PATH")
        raise UserError(f"{path} does not exist: name a saved .keras model with {setting}")
    try:
        return keras.models.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not a readable Keras model ({error}); train it again") from None
