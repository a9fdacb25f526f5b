"""The course's machinery, kept out of the lessons: a quiet start, options, errors, saving.

A lesson imports this module first, before Keras, because importing it starts Keras'
backend without its wall of log lines. Everything else happens when the lesson calls:

- `start(__doc__, OPTIONS, ...)`: the options (the command line, or in a notebook the
  lesson's OPTIONS line), one-line errors for the user's mistakes in a terminal and in a
  notebook, Ctrl-C that stops at once, and the banner with the versions;
- `print_heading`, `progress_verbosity`: output that lines up with the lesson's sections;
- `save_figure`, `save_json`, `save_model`: files that replace an earlier run's only once
  they are complete, so that a failed or interrupted run never destroys a saved result;
- `finish(...)`: the one call that ends a training lesson: the model, its history, its
  numbers, and the final line with the test error;
- `saved_stages`, `best_saved_model`, `load_saved_model`: the models earlier lessons saved.
"""

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import shlex
import signal
import sys
import tempfile
import zipfile
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
from common import UserError  # noqa: E402, F401  (lessons raise course.UserError too)

DEFAULT_OUT_DIR = common.PROJECT_DIR / "outputs"
FIGURE_DPI = 80  # sharp enough on screen, small enough for notebooks kept in git
INTERRUPTED_STATUS = 130  # the shell's usual exit status after Ctrl-C
# Batches that Keras runs per call into the backend. More than one saves round trips through
# Python, but measured on a 2-core CPU ten gained nothing on TensorFlow or JAX beyond the
# machine's drift (docs/measurements.md, "Backends"), and PyTorch's backend takes only one.
# A benchmark can ask for another number through the environment (to measure it on a GPU).
STEPS_PER_EXECUTION = int(os.environ.get("STEPS_PER_EXECUTION") or 1)


def running_in_notebook():
    """True inside a Jupyter kernel: JupyterLab, Notebook, VS Code's interactive window, Colab."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython else None
    return shell is not None and hasattr(shell, "kernel")


# %% Starting a lesson


def start(description, notebook_options="", epochs=None, batch_size=None, **choices):
    """Begin a lesson: its options, one-line errors, Ctrl-C and the banner. Returns the
    options, parsed, as `args`.

    `epochs` and `batch_size` are a training lesson's defaults. `choices` may hold:
    - `options`: the lesson's own options, {"--flag": argparse's settings for it};
    - `variants`: {name: (epochs, batch size, ...)}: a `--variant` option whose recipe sets
      the defaults of --epochs and --batch-size (the first is the default);
    - `uses_mnist=False` (no --data, --seed, --quick), `draws_figures=False` (no --show).
    """
    show_user_errors_as_one_line()
    parser = lesson_parser(description, epochs, batch_size, **choices)
    args = parse_args(parser, notebook_options)
    if getattr(args, "json", False) and not running_in_notebook():
        # --json: standard output holds only JSON (print_json); every other line, stderr.
        global _json_stream
        _json_stream, sys.stdout = sys.stdout, sys.stderr
    print_banner()
    return args


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


_json_stream = sys.stdout


def print_json(record):
    """One JSON object on one line of standard output (with --json, nothing else goes there)."""
    print(json.dumps(record), file=_json_stream, flush=True)


def print_heading(title):
    """A heading in the terminal that matches the lesson's `# %%` section. A notebook shows
    the section's own heading above the cell instead."""
    if not running_in_notebook():
        print(f"\n## {title}")


def progress_verbosity():
    """Keras' progress bar in a terminal; one line per epoch in a log file or a test."""
    return "auto" if sys.stdout.isatty() else 2


# %% Options


class _LessonParser(argparse.ArgumentParser):
    """argparse, except that in a notebook a bad option is one line, as a UserError."""

    def error(self, message):
        if message.startswith("unrecognized arguments:"):
            # Options are never abbreviated: name the one that was probably meant.
            known = [flag for action in self._actions for flag in action.option_strings]
            for word in message.split(":", 1)[1].split():
                meant = [flag for flag in known if word.startswith("--") and flag.startswith(word)]
                if meant:
                    message += f" (options are spelled out: did you mean {' or '.join(meant)}?)"
        if running_in_notebook():
            raise UserError(f"OPTIONS: {message}")
        super().error(message)


def terminal_description(docstring):
    """A lesson's header as `--help` shows it in a terminal: the title and description
    without their labels, and without the notebook's hint about its OPTIONS line."""
    lines, part = [], None
    for line in docstring.strip("\n").splitlines():
        if line.startswith("Title: "):
            lines += [line.removeprefix("Title: "), ""]
            continue
        if line.startswith("Description: "):
            part, line = "description", line.removeprefix("Description: ")
        elif line.strip().startswith("In a notebook"):
            part = "notebook hint"
        elif not line.strip():
            part = None
        if part == "notebook hint":
            part = None if line.rstrip().endswith(".") else part  # the hint's last line
            continue
        lines.append(line.strip() if part == "description" else line)
    return "\n".join(lines)


def lesson_parser(
    description,
    epochs=None,
    batch_size=None,
    options=None,
    variants=None,
    uses_mnist=True,
    draws_figures=True,
):
    """The command line every lesson shares, with the lesson's own options (see `start`)."""
    parser = _LessonParser(
        description=terminal_description(description),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # --epoch is an error naming --epochs, not taken as it
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
            default=common.DEFAULT_SEED,
            help="random seed; the same seed gives the same numbers "
            f"(default: {common.DEFAULT_SEED})",
        )
        quick_epochs = f" and {common.QUICK_EPOCHS} epoch" if epochs or variants else ""
        parser.add_argument(
            "--quick",
            action="store_true",
            help=f"a small subset ({common.QUICK_TRAIN_SIZE} training, {common.QUICK_TEST_SIZE} "
            f"test images){quick_epochs}, to finish in seconds (for demos and tests)",
        )
    if draws_figures:
        parser.add_argument("--show", action="store_true", help="also open each figure in a window")
    if variants:
        epochs, batch_size = next(iter(variants.values()))[:2]
        parser.add_argument(
            "--variant",
            choices=variants,
            default=next(iter(variants)),
            help="which model to train; each has its own epochs and batch size: "
            + ", ".join(f"{name} ({e} epochs, batch {b})" for name, (e, b, *_) in variants.items()),
        )
    if epochs is not None:
        parser.add_argument(
            "--epochs",
            type=int,
            help=f"passes over the training data (default: {epochs}; "
            f"{common.QUICK_EPOCHS} with --quick)",
        )
    if batch_size is not None:
        parser.add_argument(
            "--batch-size", type=int, help=f"images per gradient step (default: {batch_size})"
        )
    for flags, settings in (options or {}).items():
        parser.add_argument(*flags.split(), **settings)
    parser.set_defaults(default_epochs=epochs, default_batch_size=batch_size, variants=variants)
    return parser


def parse_args(parser, notebook_options="", argv=None):
    """Parse the options, fill in the defaults of --epochs and --batch-size (--quick's, or
    the chosen variant's) and check the numbers.

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
    epochs, batch_size = args.default_epochs, args.default_batch_size
    if args.variants:
        epochs, batch_size = args.variants[args.variant][:2]
    if epochs is not None:
        if args.epochs is None:
            args.epochs = common.QUICK_EPOCHS if args.quick else epochs
        if args.epochs < 1:
            parser.error("--epochs must be at least 1")
    if batch_size is not None:
        if args.batch_size is None:
            args.batch_size = batch_size
        if args.batch_size < 1:
            parser.error("--batch-size must be at least 1")
    for name in ("default_epochs", "default_batch_size", "variants"):
        delattr(args, name)
    return args


def zero_or_more(text):
    """An option's value that counts something: 0, 1, 2, ..."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return int(text)


# %% One-line errors and Ctrl-C


def show_user_errors_as_one_line():
    """A user's mistake (a UserError) ends a lesson with one line instead of a traceback: in
    a terminal through Python's last-chance handler, in a notebook through IPython's."""
    if running_in_notebook():
        from IPython import get_ipython

        get_ipython().set_custom_exc((UserError,), _show_user_error_in_notebook)
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
    if issubclass(exception_type, UserError):
        sys.stdout.flush()
        sys.stderr.write(f"error: {exception}\n")
        return  # Python then exits with status 1, as for any uncaught error.
    if issubclass(exception_type, KeyboardInterrupt):
        sys.stdout.flush()
        _exit_interrupted()
    sys.__excepthook__(exception_type, exception, trace)


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


def save_figure(figure, args, name):
    """Save a Matplotlib figure as `<out>/figures/<name>` (PNG) and print where. A notebook
    shows the saved picture below the cell; from a terminal a window opens only if asked
    (`--show`)."""
    import matplotlib.pyplot as plt

    path = output_dir(args, "figures") / name
    with _replaced_atomically(path) as temporary:
        figure.savefig(temporary, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    print(f"Saved figure: {common.display_path(path)}")
    if running_in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))
    elif getattr(args, "show", False):
        plt.show()
    plt.close(figure)


def show_picture(path):
    """A picture that the course ships (a PNG): its path printed, and in a notebook the
    picture shown below the cell."""
    if not Path(path).is_file():
        return
    print(f"Picture: {common.display_path(path)}")
    if running_in_notebook():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


def save_json(data, path):
    """Write `data` as indented JSON, replacing any earlier file only when complete."""
    with _replaced_atomically(path) as temporary:
        temporary.write_text(json.dumps(data, indent=2) + "\n")
    print(f"Saved: {common.display_path(path)}")


def save_model(model, path):
    """Save a Keras model as a `.keras` file, replacing an earlier one only when complete."""
    with _replaced_atomically(path) as temporary:
        model.save(temporary)
    print(f"Saved model: {common.display_path(path)}")


def finish(
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
        "backend": keras.backend.backend(),
        "steps_per_execution": STEPS_PER_EXECUTION,
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


# %% The models that earlier lessons saved


def saved_stages(out):
    """{name: metrics} for every lesson whose model and metrics are in the output folder."""
    stages = {}
    for metrics_file in sorted((Path(out) / "metrics").glob("*.json")):
        if (Path(out) / "models" / f"{metrics_file.stem}.keras").is_file():
            stages[metrics_file.stem] = json.loads(metrics_file.read_text())
    return stages


def best_saved_model(out, stages=None):
    """The path of the saved model with the lowest test error, among those trained on the
    full data if there are any (a --quick model's error is on 500 test images only); a
    UserError if there is none."""
    stages = saved_stages(out) if stages is None else stages
    if not stages:
        raise UserError(
            f"no saved model in {Path(out) / 'models'}: run 01_mlp_baseline.py "
            "(or 02-03, 05) first, or name one with --model PATH"
        )
    full = {name: metrics for name, metrics in stages.items() if not metrics.get("quick")}
    candidates = full or stages
    best = min(candidates, key=lambda name: candidates[name]["test_error_percent"])
    return Path(out) / "models" / f"{best}.keras"


def quick_model_note(path):
    """For a model that its metrics say was trained with --quick, a note saying so, with its
    test error and how to train a real one; else ""."""
    path = Path(path)
    metrics_file = path.parent.parent / "metrics" / f"{path.stem}.json"
    try:
        metrics = json.loads(metrics_file.read_text())
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


def open_model(path, out):
    """The model a lesson was given (`path`), else the best one saved in `out`: loaded and
    named on one line, which says so when it was trained with --quick. Returns the model
    and its path."""
    path = Path(path) if path else best_saved_model(out)
    model = load_saved_model(path)
    print(f"Model: {common.display_path(path)}{quick_model_note(path)}")
    return model, path


def load_saved_model(path):
    """Load a `.keras` model, or end with one line saying what is wrong with the file."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise UserError(f"{path} does not exist: name a saved .keras model with --model PATH")
    try:
        return keras.models.load_model(path)
    except (OSError, ValueError, zipfile.BadZipFile) as error:
        raise UserError(f"{path} is not a readable Keras model ({error}); train it again") from None
