"""Shared plumbing for the MNIST lessons: loading, preprocessing, seeding, outputs.

Every lesson imports this module first, by name (`import common`), so that TensorFlow
starts quietly, in a terminal and in a notebook alike. Nothing here builds or trains a
model: each lesson does that inline.

What is here:
- `load_mnist(path)`: MNIST as `(x_train, y_train), (x_test, y_test)` uint8 arrays, exactly
  like `keras.datasets.mnist.load_data()`, from a local `.npz`, a folder of the original IDX
  files, or Keras' own download and cache. Everything loaded is checked.
- The preprocessing the slides teach: `flatten_images`, `add_channel_axis`, `scale_pixels`,
  `one_hot_encode`.
- `set_seed`, `print_banner`, the options every lesson shares (`lesson_parser`,
  `parse_args`: the command line, or in a notebook the lesson's OPTIONS line), where outputs
  go (`output_dir`), how paths are printed (`display_path`), and how files are written
  without ever destroying a previous run's file (`save_figure`, which also shows the figure
  in a notebook, `save_json`, `save_model`, `finish_training_lesson`).

Bad input never ends in a traceback: it raises `UserError`, printed as one line (`error:
...`, exit status 1) from a terminal and shown as the cell's one-line error in a notebook.
Ctrl-C stops a lesson at once with one line (see `_stop_on_ctrl_c`).
"""

import argparse
import contextlib
import gzip
import json
import os
import platform
import shlex
import signal
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

# TensorFlow prints a wall of C++ log lines while it starts. They are hidden here, once, so
# that a lesson's output starts with what the lesson says. If the import itself fails, the
# hidden lines are printed after all, because then they matter.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


class UserError(Exception):
    """A mistake in the input that the user can fix: one line, no traceback.

    From a terminal it prints `error: <message>` on stderr and exits with status 1; in a
    notebook the cell shows that line and stops.
    """


def running_in_notebook():
    """True inside a Jupyter kernel: JupyterLab, Notebook, VS Code's interactive window, Colab."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, "kernel")


@contextlib.contextmanager
def _native_stderr_captured():
    """Send file descriptor 2, where C++ code writes, to a temporary file for a while.

    In a Jupyter kernel, descriptor 2 is a pipe that the kernel forwards to the notebook, so
    the same capture keeps the notebook quiet too."""
    stderr_fd = 2
    try:
        os.fstat(stderr_fd)
    except OSError:
        # No descriptor 2 at all (some IDE consoles): nothing to hide.
        yield None
        return
    sys.stderr.flush()
    saved_fd = os.dup(stderr_fd)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), stderr_fd)
        try:
            yield captured
        finally:
            sys.stderr.flush()
            os.dup2(saved_fd, stderr_fd)
            os.close(saved_fd)


with _native_stderr_captured() as _startup_log:
    try:
        import keras  # noqa: E402
        import tensorflow as tf  # noqa: E402
    except BaseException:
        if _startup_log is not None:
            _startup_log.seek(0)
            sys.stderr.write(_startup_log.read().decode(errors="replace"))
        raise


INTERRUPTED_STATUS = 130  # the shell's usual exit status after Ctrl-C
_saves_under_way = 0  # files being written by _replaced_atomically right now
_interrupted_while_saving = False


def _exit_interrupted():
    """End the program at once with one line. Standard output is line-buffered, so nothing
    complete is lost, and no flush can hang on a pipe that nobody reads."""
    os.write(2, b"\nInterrupted: files saved by earlier runs are unchanged.\n")
    os._exit(INTERRUPTED_STATUS)


def _stop_on_ctrl_c(signal_number, frame):
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
        _exit_interrupted()


def _report_interruption(exception_type, exception, trace):
    """A user's mistake or Ctrl-C ends a lesson with one line instead of a traceback."""
    if issubclass(exception_type, UserError):
        sys.stdout.flush()
        sys.stderr.write(f"error: {exception}\n")
        return  # Python then exits with status 1, as for any uncaught error.
    if issubclass(exception_type, KeyboardInterrupt):
        sys.stdout.flush()
        _exit_interrupted()
    sys.__excepthook__(exception_type, exception, trace)


sys.excepthook = _report_interruption


def _show_user_error_in_notebook(shell, exception_type, exception, trace, tb_offset=None):
    """In a notebook, a UserError shows its one line as the cell's error, no traceback."""
    one_line = [f"error: {exception}"]
    shell._showtraceback(exception_type, exception, one_line)
    return one_line


if running_in_notebook():
    from IPython import get_ipython

    get_ipython().set_custom_exc((UserError,), _show_user_error_in_notebook)

# Keras prints model summaries and progress through its own console; line-buffered output
# keeps our lines in order with them when the output goes to a file or a pipe, not a terminal.
if hasattr(sys.stdout, "reconfigure"):
    sys.stdout.reconfigure(line_buffering=True)


PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_OUT_DIR = PROJECT_DIR / "outputs"
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)
DEFAULT_SEED = 42
QUICK_TRAIN_SIZE = 2000  # training images in --quick mode
QUICK_TEST_SIZE = 500  # test images in --quick mode
QUICK_EPOCHS = 1  # epochs in --quick mode unless --epochs says otherwise
FIGURE_DPI = 80  # sharp enough on screen, small enough for notebooks kept in git
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_UBYTE_TYPE = 0x08  # the IDX type code for unsigned bytes
DOWNLOAD_HELP = (
    "If this machine is offline or behind a proxy, download mnist.npz elsewhere "
    "(https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz) and run "
    "with --data PATH or MNIST_DATA=PATH (a .npz, or a folder of the four IDX files); "
    "see Troubleshooting in README.md."
)


# %% Loading MNIST


def load_mnist(path=None):
    """Return MNIST as `(x_train, y_train), (x_test, y_test)`, uint8, checked.

    `path` (or, when it is None, the `MNIST_DATA` environment variable) names a `.npz` in
    Keras' layout or a folder with the four original IDX files, gzipped or not. Without
    either, Keras downloads MNIST once and then reads it from its cache (~/.keras/datasets).
    """
    if path is None:
        path = os.environ.get("MNIST_DATA") or None
    if path is None:
        arrays = _download_with_keras()
    else:
        path = Path(path).expanduser()
        if path.is_dir():
            arrays = _read_folder(path)
        elif path.is_file():
            arrays = _read_npz(path)
        else:
            raise UserError(
                f"{path} does not exist: point --data or MNIST_DATA at mnist.npz "
                "or at a folder with the four MNIST IDX files"
            )
    return _checked(arrays, source=str(path) if path else "Keras' MNIST download")


def describe_source(path=None):
    """Say in words where `load_mnist(path)` reads from, for the lesson's output."""
    path = path or os.environ.get("MNIST_DATA")
    if path:
        return display_path(path)
    return "keras.datasets.mnist (downloaded once, then cached in ~/.keras/datasets)"


def display_path(path):
    """A path as a lesson prints it: relative to the project folder if it lies inside it,
    with ~ for the home folder, as given if it was relative, else in full. Printed output,
    saved notebooks included, then shows no folder of the machine that ran it."""
    path = Path(path).expanduser()
    if not path.is_absolute():
        return str(path)
    path = path.resolve()
    if path.is_relative_to(PROJECT_DIR):
        return str(path.relative_to(PROJECT_DIR))
    if path.is_relative_to(Path.home()):
        return str(Path("~") / path.relative_to(Path.home()))
    return str(path)


def _download_with_keras():
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises bare Exceptions for network failures.
        reason = " ".join(str(error).split())
        raise UserError(f"could not download MNIST ({reason}). {DOWNLOAD_HELP}") from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _read_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        # NumPy takes any file it cannot recognise for a pickle; say so plainly.
        reason = "not a NumPy file" if "pickle" in str(error) else str(error)
        raise UserError(
            f"{path} is not a readable .npz file ({reason}); it may be truncated or "
            "corrupt: download mnist.npz again"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise UserError(f"{path} is a single .npy array, not an .npz with the four MNIST arrays")
    with archive:
        missing = [key for key in NPZ_KEYS if key not in archive.files]
        if missing:
            raise UserError(
                f"{path} lacks the keys {', '.join(missing)} (it has "
                f"{', '.join(archive.files) or 'none'}); it needs "
                f"{', '.join(NPZ_KEYS)} as keras.datasets.mnist writes them"
            )
        try:
            return {key: archive[key] for key in NPZ_KEYS}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise UserError(
                f"{path} cannot be read to the end ({error}); it is truncated or "
                "corrupt: download mnist.npz again"
            ) from None


def _read_folder(folder):
    found = {}
    for key, stem in IDX_FILES.items():
        # The original names, gzipped or not, and the common variant with a dot.
        names = [stem, stem + ".gz", stem.replace("-idx", ".idx")]
        names.append(names[-1] + ".gz")
        candidates = [folder / name for name in names if (folder / name).is_file()]
        if candidates:
            found[key] = candidates[0]
    if not found and (folder / "mnist.npz").is_file():
        return _read_npz(folder / "mnist.npz")
    missing = [IDX_FILES[key] for key in IDX_FILES if key not in found]
    if missing:
        raise UserError(
            f"{folder} lacks the MNIST file(s) {', '.join(missing)} (.gz or not); "
            "put the four IDX files or mnist.npz there"
        )
    return {key: _read_idx(file) for key, file in found.items()}


def _read_idx(path):
    """Read one IDX file: a 4-byte magic number, one 4-byte size per axis, then the data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            content = stream.read()
    except (OSError, EOFError) as error:
        raise UserError(
            f"{path} cannot be read ({error}); it may be truncated or corrupt: " "download it again"
        ) from None
    header_size = 4
    if len(content) < header_size or content[0] != 0 or content[1] != 0:
        raise UserError(f"{path} is not an IDX file (bad magic number)")
    type_code, rank = content[2], content[3]
    if type_code != IDX_UBYTE_TYPE:
        raise UserError(f"{path} holds IDX type 0x{type_code:02x}, not unsigned bytes")
    shape_end = header_size + 4 * rank
    if len(content) < shape_end:
        raise UserError(f"{path} is truncated inside its header: download it again")
    shape = tuple(np.frombuffer(content[header_size:shape_end], dtype=">u4").tolist())
    data = np.frombuffer(content[shape_end:], dtype=np.uint8)
    if data.size != int(np.prod(shape)):
        raise UserError(
            f"{path} holds {data.size} bytes of data where its header promises "
            f"{int(np.prod(shape))} for shape {shape}: it is truncated or corrupt, "
            "download it again"
        )
    return data.reshape(shape)


def _checked(arrays, source):
    """Check what was loaded and return it in Keras' layout, or raise UserError."""
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE or len(images) == 0:
            raise UserError(
                f"x_{split} in {source} has shape {images.shape}; MNIST images need "
                f"shape (N, {IMAGE_SHAPE[0]}, {IMAGE_SHAPE[1]}) with N > 0"
            )
        if images.dtype != np.uint8:
            raise UserError(
                f"x_{split} in {source} is {images.dtype}; MNIST images are uint8 "
                "(0-255), as keras.datasets.mnist returns them"
            )
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise UserError(
                f"y_{split} in {source} has shape {labels.shape} and dtype "
                f"{labels.dtype}; labels need to be one integer digit per image"
            )
        if len(labels) != len(images):
            raise UserError(f"{source} has {len(images)} {split} images but {len(labels)} labels")
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise UserError(
                f"y_{split} in {source} holds labels from {labels.min()} to "
                f"{labels.max()}; MNIST labels are the digits 0-{NUM_CLASSES - 1}"
            )
    return (
        (arrays["x_train"], arrays["y_train"].astype(np.uint8)),
        (arrays["x_test"], arrays["y_test"].astype(np.uint8)),
    )


def quick_subset(train, test):
    """The first few thousand images, for --quick runs that finish in seconds."""
    (x_train, y_train), (x_test, y_test) = train, test
    return (
        (x_train[:QUICK_TRAIN_SIZE], y_train[:QUICK_TRAIN_SIZE]),
        (x_test[:QUICK_TEST_SIZE], y_test[:QUICK_TEST_SIZE]),
    )


def load_lesson_data(args):
    """Load MNIST as the lesson's --data says, say from where, and cut it down for --quick."""
    print(f"Source: {describe_source(args.data)}")
    train, test = load_mnist(args.data)
    if args.quick:
        train, test = quick_subset(train, test)
        print(f"Quick mode: {len(train[0])} training and {len(test[0])} test images.")
    return train, test


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


# %% Seeding, banner, command line


def set_seed(seed):
    """Seed Python, NumPy and TensorFlow, and ask TensorFlow for deterministic ops.

    Two runs with the same seed on the same machine and versions print the same numbers.
    """
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def print_banner():
    """One line with the versions a bug report or a lecturer's slide needs."""
    print(
        f"Python {platform.python_version()} | TensorFlow {tf.__version__} | "
        f"Keras {keras.__version__} (backend: {keras.backend.backend()})"
    )


def print_heading(title):
    """A heading in the terminal that matches the lesson's `# %%` section. A notebook shows
    the section's own heading above the cell instead."""
    if not running_in_notebook():
        print(f"\n## {title}")


class _LessonParser(argparse.ArgumentParser):
    """argparse, except that in a notebook a bad option is one line, as a UserError."""

    def error(self, message):
        if running_in_notebook():
            raise UserError(f"OPTIONS: {message}")
        super().error(message)


def lesson_parser(description, epochs=None, batch_size=None, uses_mnist=True, draws_figures=True):
    """The command line every lesson shares; training lessons pass their defaults."""
    parser = _LessonParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="where models, metrics and figures go (default: outputs/ beside the scripts)",
    )
    if uses_mnist:
        parser.add_argument(
            "--data",
            metavar="PATH",
            help="mnist.npz or a folder of the four IDX files (default: $MNIST_DATA, "
            "else Keras' download and cache)",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed gives the same numbers (default: {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--quick",
            action="store_true",
            help=f"a small subset ({QUICK_TRAIN_SIZE} training, {QUICK_TEST_SIZE} test "
            f"images) and {QUICK_EPOCHS} epoch, to finish in seconds (for demos and tests)",
        )
    if draws_figures:
        parser.add_argument("--show", action="store_true", help="also open each figure in a window")
    if epochs is not None:
        parser.add_argument(
            "--epochs",
            type=int,
            help=f"passes over the training data (default: {epochs}; "
            f"{QUICK_EPOCHS} with --quick)",
        )
        parser.set_defaults(default_epochs=epochs)
    if batch_size is not None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=batch_size,
            help=f"images per gradient step (default: {batch_size})",
        )
    return parser


def parse_args(parser, notebook_options="", argv=None):
    """Parse the options, fill in --quick's epochs and check the numbers.

    From a terminal the options come from the command line. A notebook has no command line:
    there they come from `notebook_options`, the lesson's `OPTIONS` line, written the same
    way ("--quick --epochs 3").
    """
    if argv is None and running_in_notebook():
        argv = shlex.split(notebook_options)
    elif argv is None:
        # A lesson runs from a terminal: Ctrl-C stops it at once. (In a notebook, Ctrl-C,
        # "Interrupt the kernel", stays Jupyter's: it stops the cell.)
        signal.signal(signal.SIGINT, _stop_on_ctrl_c)
    args = parser.parse_args(argv)
    if hasattr(args, "default_epochs"):
        if args.epochs is None:
            args.epochs = QUICK_EPOCHS if args.quick else args.default_epochs
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
    if getattr(args, "batch_size", 1) < 1:
        parser.error("--batch-size must be at least 1")
    return args


# %% Where outputs go, written so that a failed run never destroys an earlier one


def output_dir(args, subfolder=None):
    """The output folder (created if needed), or one of its subfolders."""
    folder = Path(args.out).expanduser()
    if subfolder:
        folder = folder / subfolder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserError(
            f"cannot create the output folder {folder} ({error.strerror}); "
            "choose another with --out DIR"
        ) from None
    return folder


def _new_file_mode():
    """The permissions an ordinary new file gets here: read-write, less the user's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_NEW_FILE_MODE = _new_file_mode()


@contextlib.contextmanager
def _replaced_atomically(path):
    """Yield a temporary path beside `path`; move it over `path` only if all went well.

    A crash, an error or Ctrl-C while writing leaves the previous file untouched.
    """
    global _saves_under_way
    path = Path(path)
    _saves_under_way += 1  # Ctrl-C now waits until this file is complete (_stop_on_ctrl_c)
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
            _exit_interrupted()


def save_figure(figure, path, show=False, log=None):
    """Save a Matplotlib figure as PNG and print where. A notebook shows the saved picture
    below the cell; from a terminal a window opens only if asked (`--show`)."""
    import matplotlib.pyplot as plt

    with _replaced_atomically(path) as temporary:
        figure.savefig(temporary, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    print(f"Saved figure: {display_path(path)}", file=log or sys.stdout)
    if running_in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    elif show:
        plt.show()
    plt.close(figure)


def save_json(data, path):
    """Write `data` as indented JSON, replacing any earlier file only when complete."""
    with _replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")
    print(f"Saved: {display_path(path)}")


def save_model(model, path):
    """Save a Keras model as a `.keras` file, replacing an earlier one only when complete."""
    with _replaced_atomically(path) as temporary:
        model.save(temporary)
    print(f"Saved model: {display_path(path)}")


def progress_verbosity():
    """Keras' progress bar in a terminal; one line per epoch in a log file or a test."""
    return "auto" if sys.stdout.isatty() else 2


# %% Reporting what a trained model does


def print_predictions(probabilities, labels, indices):
    """Predicted digit, confidence and all ten probabilities for a few test images."""
    header = " ".join(f"{digit:>5}" for digit in range(NUM_CLASSES))
    print(f"image label predicted confidence | probability (%) of each digit\n{'':34}{header}")
    for index in indices:
        row = probabilities[index]
        predicted = int(np.argmax(row))
        mark = "" if predicted == labels[index] else "  <- wrong"
        cells = " ".join(f"{100 * value:5.1f}" for value in row)
        print(
            f"{index:5d} {labels[index]:5d} {predicted:9d} {100 * row[predicted]:9.2f}% | "
            f"{cells}{mark}"
        )


def training_curves_figure(history, title):
    """Accuracy and loss per epoch, training against validation, side by side."""
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["loss"]) + 1)
    figure, (accuracy_axis, loss_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for axis, metric, label in [
        (accuracy_axis, "accuracy", "Accuracy"),
        (loss_axis, "loss", "Loss (cross-entropy)"),
    ]:
        axis.plot(epochs, history[metric], "o-", label="training")
        if f"val_{metric}" in history:
            axis.plot(epochs, history[f"val_{metric}"], "s-", label="validation")
        axis.set_xlabel("Epoch")
        axis.set_ylabel(label)
        axis.set_title(f"{label} per epoch")
        axis.grid(True, alpha=0.3)
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def finish_training_lesson(
    args, name, model, history, scores, predicted_digits, test_labels, train_seconds, **extra
):
    """The end of every training lesson: save the model, its history and its numbers, and
    print the final line. Each file replaces the previous run's only once it is complete.

    `metrics/<name>.json` holds what lesson 04 and the benchmarks read: the test error, the
    count of misclassified images, the settings, the training time and anything in `extra`.
    """
    print_heading("Save")
    misclassified = int(np.sum(predicted_digits != test_labels))
    test_error_percent = 100 * misclassified / len(test_labels)
    metrics = {
        "test_error_percent": round(test_error_percent, 4),
        "misclassified": misclassified,
        "test_images": len(test_labels),
        "test_loss": scores["loss"],
        "parameters": model.count_params(),
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "train_seconds": round(train_seconds, 2),
        "seed": args.seed,
        "quick": args.quick,
        **extra,
    }
    history = {key: [float(value) for value in values] for key, values in history.items()}
    save_model(model, output_dir(args, "models") / f"{name}.keras")
    save_json(history, output_dir(args, "history") / f"{name}.json")
    save_json(metrics, output_dir(args, "metrics") / f"{name}.json")
    print(
        f"\nTest error: {test_error_percent:.2f}% "
        f"({misclassified} of {len(test_labels)} misclassified)"
    )


def saved_stages(out):
    """{name: metrics} for every lesson whose model and metrics are in the output folder."""
    stages = {}
    for metrics_file in sorted((Path(out) / "metrics").glob("*.json")):
        if (Path(out) / "models" / f"{metrics_file.stem}.keras").is_file():
            stages[metrics_file.stem] = json.loads(metrics_file.read_text())
    return stages


def best_saved_model(out, stages=None):
    """The path of the saved model with the lowest test error, or a UserError if none."""
    stages = saved_stages(out) if stages is None else stages
    if not stages:
        raise UserError(
            f"no saved model in {Path(out) / 'models'}: run 01_mlp_baseline.py "
            "(or 02-03, 05) first, or name one with --model PATH"
        )
    best = min(stages, key=lambda name: stages[name]["test_error_percent"])
    return Path(out) / "models" / f"{best}.keras"


def load_saved_model(path):
    """Load a `.keras` model, or end with one line saying what is wrong with the file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{path} does not exist: name a saved .keras model with --model PATH")
    try:
        return keras.models.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not a readable Keras model ({error}); train it again") from None
