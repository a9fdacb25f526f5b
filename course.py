"""The course's start of a lesson: Keras' backend started quietly, the options, one-line
errors, Ctrl-C and the banner. None of it is part of what a lesson teaches.

A lesson imports this module in its first cell, "The course's start", before Keras, because
importing it starts Keras' backend without its wall of log lines. Its command-line cell then
calls `start(globals(), OPTIONS)`: the options (the command line, or in a notebook the
lesson's OPTIONS line: options.py) replace the settings of the lesson's setup cell, a
user's mistake ends in one line in a terminal and in a notebook, Ctrl-C stops at once
(after a file being written is complete: outputs.stop_on_ctrl_c), and the banner names the
versions and the device.

The course's records and the models earlier lessons saved are outputs.py's.
"""

import atexit
import contextlib
import importlib.util
import json
import os
import platform
import shlex
import shutil
import signal
import sys
import tempfile
from pathlib import Path

# Keras 3 runs on TensorFlow, JAX or PyTorch, and the lessons are the same code on each. The
# backend is KERAS_BACKEND's, else the one in Keras' settings file (~/.keras/keras.json), else
# the first of these that is installed, in the order the benchmark recommends them
# (bench/bench_backends.py, docs/measurements.md).
BACKENDS = ("tensorflow", "torch", "jax")
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}


def _installed(backend):
    return importlib.util.find_spec(backend) is not None


def _configured_backend():
    """The backend that Keras' settings file names, or None."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json")) as settings:
            return json.load(settings).get("backend")
    except (OSError, ValueError, AttributeError):
        return None


def _choose_backend():
    """Set KERAS_BACKEND before Keras is imported when nothing chose an installed backend;
    return why, for the banner, or None when the choice was the user's (or Keras' default)."""
    asked = os.environ.get("KERAS_BACKEND")
    if asked in BACKENDS and not _installed(asked):
        sys.exit(
            f"error: KERAS_BACKEND is {asked}, which is not installed: python -m pip install "
            f"{asked}, or unset KERAS_BACKEND"
        )
    if asked:
        return None
    wanted = _configured_backend() or "tensorflow"
    if _installed(wanted):
        return None
    installed = [backend for backend in BACKENDS if _installed(backend)]
    if not installed:
        sys.exit(
            "error: no Keras backend is installed (TensorFlow, JAX or PyTorch): "
            "python -m pip install -r requirements.txt"
        )
    os.environ["KERAS_BACKEND"] = installed[0]
    return f"{BACKEND_NAMES.get(wanted, wanted)} is not installed; set KERAS_BACKEND to choose"


_backend_chosen_because = _choose_backend()
# The backends' own switches for reproducible numbers, read when they start: JAX's on a GPU
# (TensorFlow's and PyTorch's are switched on by common.set_seed).
if "--xla_gpu_deterministic_ops" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = (
        os.environ.get("XLA_FLAGS", "") + " --xla_gpu_deterministic_ops=true"
    ).strip()
# TensorFlow prints a wall of C++ log lines while it starts. They are hidden here, once, so
# that a lesson's output starts with what the lesson says. If the import itself fails, the
# hidden lines are printed after all, because then they matter.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


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

        if _installed("tensorflow"):
            # Keras seeds TensorFlow too wherever it is installed (keras.utils.set_random_seed),
            # whatever the backend: TensorFlow starts here, where its log lines are hidden.
            import tensorflow  # noqa: E402, F401
    except BaseException:
        if _startup_log is not None:
            _startup_log.seek(0)
            sys.stderr.write(_startup_log.read().decode(errors="replace"))
        raise

import numpy as np  # noqa: E402

import common  # noqa: E402
import mnist_files  # noqa: E402
import options  # noqa: E402
import outputs  # noqa: E402

# What the lessons' course cells call here: the model to open, the record, the options' types.
from options import JsonLines, at_least_one, print_json, zero_or_more  # noqa: E402, F401
from outputs import (  # noqa: E402, F401
    find_model,
    record,
    record_adaptation,
)


def start(settings, notebook_options="", lesson_options=None, ctrl_c=None, reads_mnist=False):
    """Begin a lesson from its command-line cell, and return {setting: value} of what the
    options changed.

    `settings` is the lesson's namespace (its `globals()`): the course's options for the
    settings the lesson defines (--epochs for EPOCHS, --data for MNIST_PATH, ...:
    options.COURSE_OPTIONS) and the lesson's own (`lesson_options`, {"--flag": argparse's
    settings, "dest" naming the setting}) replace them. Options come from the command line,
    or in a notebook from `notebook_options` (the OPTIONS line), which a script also takes
    when its command line has none. Ctrl-C in a terminal ends the lesson with status 130,
    or when `ctrl_c` is a message (lesson 07's server), with that message and status 0.
    With `reads_mnist`, the lesson's own cells read MNIST_PATH (lessons 0-3: Keras' loader,
    or NumPy for a copy), so the source is checked and prepared here first (mnist_source);
    the other lessons read it with common.load_mnist, which checks it as it reads.
    """
    show_user_errors_as_one_line()
    parser = options.lesson_parser(settings.get("__doc__"), settings, lesson_options)
    if common.running_in_notebook():
        argv = split_options(notebook_options)
    else:
        # A lesson runs from a terminal: Ctrl-C stops it at once. (In a notebook, Ctrl-C,
        # "Interrupt the kernel", stays Jupyter's: it stops the cell.)
        handler = outputs.stop_on_ctrl_c if ctrl_c is None else outputs.stopper(ctrl_c)
        signal.signal(signal.SIGINT, handler)
        argv = sys.argv[1:]
        common.COMMAND_LINE = True  # messages name the options: --index, not INDICES
        if notebook_options and not argv:
            argv = split_options(notebook_options)
            print(f"Options from the OPTIONS line: {notebook_options}")
        elif notebook_options:
            print(f"The OPTIONS line ({notebook_options}) is left out: the command line's count")
    changed = options.parse(parser, argv)
    settings.update(changed)
    if "VERBOSE" in settings:
        settings["VERBOSE"] = progress_verbosity()
    if "OUTPUT_DIR" in settings:
        outputs.folder(settings["OUTPUT_DIR"])  # one line now if it cannot be made
    print_banner()
    if reads_mnist:
        settings["MNIST_PATH"] = mnist_source(settings["MNIST_PATH"])
    return changed


def mnist_source(path):
    """The MNIST file the lesson's data cell reads, checked before it does, so that a
    missing, wrong or damaged source (or no network) ends in one line that says what to do.

    `path` (--data), else $MNIST_DATA: a .npz in Keras' layout is read as it is; a folder of
    the four IDX files is written once as a .npz in a temporary folder, removed when the
    lesson ends. None: Keras' download, which the data cell then finds in its cache.
    """
    path = path or os.environ.get("MNIST_DATA") or None
    print(f"Source: {common.describe_source(path)}")
    try:
        arrays = mnist_files.read(Path(path).expanduser()) if path else mnist_files.download()
        (x_train, y_train), (x_test, y_test) = mnist_files.checked(
            arrays, source=path or "Keras' MNIST download"
        )
    except mnist_files.BadMnistFile as error:
        raise common.UserError(str(error)) from None
    if not path or Path(path).expanduser().is_file():
        return path
    folder = Path(tempfile.mkdtemp(prefix="mnist-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    converted = folder / "mnist.npz"
    np.savez(converted, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return str(converted)


def split_options(line):
    """The OPTIONS line as a command line's words; a UserError if its quotes do not close."""
    try:
        return shlex.split(line)
    except ValueError as error:
        raise common.UserError(f"OPTIONS: {error}: {line}") from None


def print_banner():
    """One line with the versions and the device that trains, as a bug report or a
    lecturer's slide needs them."""
    backend = keras.backend.backend()
    module = sys.modules.get(backend) or importlib.import_module(backend)
    print(
        f"Python {platform.python_version()} | Keras {keras.__version__} | "
        f"{BACKEND_NAMES.get(backend, backend)} {module.__version__} | "
        f"trains on: {training_device()}"
    )
    if _backend_chosen_because:
        print(f"Backend: {backend} ({_backend_chosen_because})")


def training_device():
    """The device the backend trains on: "CPU", or the GPU's name."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        if gpus:
            return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU")
    elif backend == "jax":
        import jax

        device = jax.devices()[0]
        if device.platform != "cpu":
            return f"{device.device_kind} ({device.platform.upper()})"
    elif backend == "torch":
        import torch
        from keras.src.backend.torch.core import get_device

        device = str(get_device())
        if device.startswith("cuda"):
            return f"{torch.cuda.get_device_name(0)} (CUDA)"
        if device.startswith("mps"):
            return "Apple GPU (MPS)"
    return "CPU"


def progress_verbosity():
    """Keras' progress bar in a terminal ("auto"); one line per epoch (2) in a log file, a
    test or a notebook kept in git."""
    return "auto" if sys.stdout.isatty() else 2


# %% One-line errors and Ctrl-C


def show_user_errors_as_one_line():
    """A user's mistake (a UserError) ends a lesson with one line instead of a traceback: in
    a terminal through Python's last-chance handler, in a notebook through IPython's."""
    if common.running_in_notebook():
        from IPython import get_ipython

        get_ipython().set_custom_exc((common.UserError,), _show_user_error_in_notebook)
        return
    sys.excepthook = _report_interruption
    # Keras prints model summaries and progress through its own console; line-buffered
    # output keeps our lines in order with them when the output goes to a file or a pipe.
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)


def _show_user_error_in_notebook(shell, exception_type, exception, trace, tb_offset=None):
    """In a notebook, a UserError shows its one line as the cell's error, no traceback."""
    one_line = [f"error: {exception}"]
    shell._showtraceback(exception_type, exception, one_line)
    return one_line


def _report_interruption(exception_type, exception, trace):
    """A user's mistake or Ctrl-C ends a lesson with one line instead of a traceback."""
    if issubclass(exception_type, common.UserError):
        sys.stdout.flush()
        sys.stderr.write(f"error: {exception}\n")
        return  # Python then exits with status 1, as for any uncaught error.
    if issubclass(exception_type, KeyboardInterrupt):
        sys.stdout.flush()
        outputs.exit_interrupted()
    sys.__excepthook__(exception_type, exception, trace)
