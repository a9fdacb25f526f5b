"""Running Try it exercises: each a copy of its lesson with the exercise's change, run as a
notebook in one Jupyter kernel, and what it printed and saved.

    key = Key(data="mnist.npz", quick=False, store=Path("outputs/try-it"))
    result = key.run(Run("02_simple_cnn", Change(options=("--epochs", "20"))), "exercise 1")
    result.metrics(), result.history(), result.printed, result.marks

Every run starts from an emptied namespace (`%reset -f`), as tests/test_notebooks.py runs the
notebooks, so TensorFlow starts once. Each distinct run is run once per invocation; in full
mode each finished run is also kept in the store, keyed by everything that decides its
numbers, and a later invocation reuses it.
"""

import ast
import hashlib
import importlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from try_it_runs import (
    COLOURS,
    PROJECT_DIR,
    Result,
    TryItError,
    after_cells,
    apply_edits,
    digest,
    printed_text,
    read_marks,
)

import outputs

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
sys.path.insert(0, str(NOTEBOOKS_DIR))
import build  # noqa: E402  (a lesson script as a notebook, as the course makes them)

OPTIONS_LINE = 'OPTIONS = ""'  # each lesson's notebook options, filled in for a run
# Before each run: the namespace emptied, and Keras' own state (the layers' name counters,
# the models built) cleared once it is loaded, so that a run starts as a fresh process would.
FRESH_START = (
    "%reset -f\n"
    "import sys\n"
    "if 'keras' in sys.modules:\n"
    "    sys.modules['keras'].backend.clear_session()"
)
# Quick mode draws the lessons' figures at a low resolution: they are checked to be drawn,
# not looked at, and at 200 dots per inch they take a third of a quick run.
QUICK_FIGURE_DPI = 50
QUICK_START = (
    f"sys.path.insert(0, {str(PROJECT_DIR)!r})\n"
    "import course  # the quiet start, as every lesson begins\n"
    "import pictures\n"
    f"pictures.FIGURE_DPI = {QUICK_FIGURE_DPI}"
)
QUICK_CELL_TIMEOUT_SECONDS = 600  # quick mode: a cell that takes longer has hung
QUICK_MAX_EPOCHS = 2  # quick mode: an exercise's --epochs N runs this many (more than one)
# What decides a run's numbers besides the lesson: the course's modules it imports.
COURSE_MODULES = [
    "common.py",
    "course.py",
    "handwriting.py",
    "mnist_files.py",
    "options.py",
    "outputs.py",
    "own_digits.py",
    "pictures.py",
]


# %% The key: one kernel, the runs, the store


class Key:
    """Runs exercises in one Jupyter kernel started in notebooks/, as a student opens them;
    each distinct run once per invocation, and in full mode once for all (the store)."""

    def __init__(
        self, data=None, quick=False, store=None, own_digits=None, progress=print, fresh=False
    ):
        self.data, self.quick, self.store, self.progress = data, quick, store, progress
        self.fresh = fresh  # run again what the store holds (and keep the new runs)
        self.own_digits = own_digits  # a folder of <digit>/ images, or None: the drawn styles
        self.work = Path(tempfile.mkdtemp(prefix="try-it-"))
        self.results, self.keys = {}, {}
        # Per lesson answered (`section`): the runs it used, each once (their results say how
        # long each took, whether it was kept, and the load as it ended).
        self.section, self.used = None, {}
        self.data_digest = self.file_digest(data) if data else os.environ.get("MNIST_DATA")
        self.modules_digest = digest(*(self.file_digest(PROJECT_DIR / m) for m in COURSE_MODULES))
        self.versions = versions()  # a kept run is reused only with the same ones
        self.manager = self.connection = None

    def took(self, *groups):
        """How long the runs behind an answer took here, each once, and how many of them were
        kept from an earlier invocation: 'Run time here: 3 runs of 0.4-0.5 min'."""
        results = list({id(r): r for group in groups for r in _flat(group)}.values())
        seconds = [result.wall_seconds for result in results]
        unit, scale, digits = (" s", 1, 0) if max(seconds) < 60 else (" min", 60, 1)
        low, high = (f"{value / scale:.{digits}f}" for value in (min(seconds), max(seconds)))
        each = low if low == high else f"{low}-{high}"
        count = len(results)
        text = f"Run time here: {count} run{'s' if count > 1 else ''} of {each}{unit}"
        kept = sum(result.reused for result in results)
        if kept:
            text += f", {kept} of them kept from an earlier invocation"
        return text

    @staticmethod
    def file_digest(path):
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()

    def seeds(self, seeds):
        """The seeds a comparison takes: all of them, or in quick mode only the first."""
        return list(seeds[:1] if self.quick else seeds)

    def lesson_text(self, lesson):
        return (PROJECT_DIR / f"{lesson}.py").read_text()

    def key_of(self, run):
        """A digest of everything that decides the run's numbers: the changed lesson's code
        (its comments and header left out, so that new words alone keep the kept runs), the
        cells after it, the options, seed, models and data, the course's modules."""
        if run not in self.keys:
            text = apply_edits(run.lesson, self.lesson_text(run.lesson), run.change.edits)
            after = after_cells(run.lesson, text, run.change)
            model = (self.key_of(run.model.run), run.model.name) if run.model else None
            stages = [self.key_of(stage) for stage in run.stages]
            parts = [code_of(text), after, run.change.options, run.seed, model, stages]
            parts += [self.quick, self.data_digest, sorted(self.versions.items())]
            self.keys[run] = digest(*parts, self.modules_digest, sys.version)
        return self.keys[run]

    def identity(self, run):
        """A run's name in the key's tallies, the same in every invocation that runs the same:
        its lesson's number, then a digest of its key and what it reads (shown as a student's
        paths, not this machine's)."""
        shown = [item.shown for item in run.inputs]
        return f"{run.lesson[:2]}-{digest(self.key_of(run), shown, run.folder)}"

    def stored(self, run):
        """Where a run is kept between invocations, or None (quick mode, inputs, folders)."""
        if self.store is None or run.inputs or run.folder:
            return None
        return Path(self.store) / f"{run.lesson}-{self.key_of(run)}"

    def run(self, run, label, visit=None):
        """The result of `run`, run now or earlier. `visit(url, result)` is called while
        lesson 07's page is served, before the server is stopped."""
        self.used.setdefault(self.section, set()).add(run)
        if run in self.results:
            return self.results[run]
        for dependency in [*run.stages, *([run.model.run] if run.model else [])]:
            self.run(dependency, f"a model that {run.lesson} reads")
        label = f"{self.section} {label}" if self.section != run.lesson else label
        kept = self.stored(run)
        if kept and not self.fresh and (kept / "result.json").is_file():
            saved = json.loads((kept / "result.json").read_text())
            result = Result(saved["printed"], kept / "out", saved["wall_seconds"], True)
            result.marks, result.load = read_marks(result.printed), saved.get("load")
            self.progress(f"{label}: {run.command()} (kept from an earlier invocation)")
        else:
            result = self.run_now(run, label, kept, visit)
        self.results[run] = result
        return result

    def out_folder(self, run, kept):
        if kept:
            shutil.rmtree(kept, ignore_errors=True)
            return kept / "out"
        name = run.folder or f"{run.lesson}-{self.key_of(run)}"
        return self.work / name

    def prepare(self, run, out):
        """The models and records of `run.stages` copied into `out`; `--model`'s path."""
        for stage in run.stages:
            source = self.results[stage].out
            for name in (path.stem for path in (source / outputs.METRICS).glob("*.json")):
                for part in (outputs.METRICS, outputs.HISTORY):
                    copy_file(outputs.record_path(source, name, part), out)
                copy_file(outputs.model_path(source, name), out)
        if run.model:
            return outputs.model_path(self.results[run.model.run].out, run.model.name)
        return None

    def run_now(self, run, label, kept, visit):
        out = self.out_folder(run, kept)
        out.mkdir(parents=True, exist_ok=True)
        words = run.arguments(self.prepare(run, out))
        words += ["--out", str(out)]
        words += ["--data", str(self.data)] if self.data and self.takes(run, "MNIST_PATH") else []
        words += self.quick_words(run, words) if self.quick else []
        notebook = self.notebook(run, shlex.join(words))
        self.progress(f"{label}: {run.command()} ...")
        start = time.perf_counter()
        printed = self.execute(notebook, run)
        result = Result(printed, out, time.perf_counter() - start)
        result.marks = read_marks(printed)
        if visit:
            try:
                result.visited = visit(served_url(printed), result)
            finally:
                self.execute(cells_notebook(["server.shutdown()", "server.server_close()"]), run)
        result.load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        self.progress(f"{label}: done in {result.wall_seconds:.0f} s")
        if kept:
            saved = {"printed": printed, "wall_seconds": result.wall_seconds, "load": result.load}
            saved["versions"] = self.versions  # what the key above includes, to read back
            (kept / "result.json").write_text(json.dumps(saved) + "\n")
        return result

    def quick_words(self, run, words):
        """Quick mode: the lesson's --quick, and at most QUICK_MAX_EPOCHS epochs (lesson 08's
        --quick keeps its epochs); an exercise's own --epochs N is shortened to that."""
        added = ["--quick"] if self.takes(run, "QUICK") else []
        if "--epochs" in words:
            at = words.index("--epochs") + 1
            words[at] = str(min(int(words[at]), QUICK_MAX_EPOCHS))
        elif self.takes(run, "EPOCHS"):
            added += ["--epochs", "1"]
        return added

    def takes(self, run, setting):
        """Whether the lesson defines `setting` in its setup, and so takes its option."""
        return f"\n{setting} = " in self.lesson_text(run.lesson)

    def notebook(self, run, words):
        """The lesson's copy with the change made, as a notebook whose OPTIONS line says
        `words`, the cells after it appended."""
        text = apply_edits(run.lesson, self.lesson_text(run.lesson), run.change.edits)
        copy = self.work / "copies" / f"{run.lesson}.py"
        copy.parent.mkdir(exist_ok=True)
        copy.write_text(text)
        notebook = build.notebook_from_script(copy)
        lines = [cell for cell in notebook.cells if OPTIONS_LINE in cell.source]
        if len(lines) != 1:
            raise TryItError(f"{run.lesson}.py: no single {OPTIONS_LINE} line to give options")
        lines[0].source = lines[0].source.replace(OPTIONS_LINE, f"OPTIONS = {words!r}")
        start = FRESH_START + ("\n" + QUICK_START if self.quick else "")
        notebook.cells.insert(0, nbformat.v4.new_code_cell(start))
        after = after_cells(run.lesson, text, run.change)
        notebook.cells += [nbformat.v4.new_code_cell(code) for code in after]
        return notebook

    def execute(self, notebook, run):
        """Run the cells in the kernel; a TryItError with the failing cell's error."""
        if self.manager is None:
            self.start_kernel()
        timeout = QUICK_CELL_TIMEOUT_SECONDS if self.quick else None
        client = NotebookClient(notebook, km=self.manager, timeout=timeout)
        client.kc = self.connection
        try:
            client.execute()
        except CellExecutionError as error:
            message = COLOURS.sub("", str(error))[-3000:]
            raise TryItError(f"{run.command()} failed:\n{message}") from None
        return printed_text(notebook)

    def start_kernel(self):
        environment = dict(os.environ)
        environment.pop("MNIST_DATA", None)  # only what a run passes counts
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(cwd=str(NOTEBOOKS_DIR), env=environment)
        self.connection = self.manager.client()
        self.connection.allow_stdin = False
        self.connection.start_channels()
        self.connection.wait_for_ready(timeout=60)

    def close(self):
        if self.manager is not None:
            self.connection.stop_channels()
            self.manager.shutdown_kernel(now=True)
        shutil.rmtree(self.work, ignore_errors=True)


def versions():
    """Keras, its backend and the backend's version, as the kernel's runs use them (it starts
    with this process's environment)."""
    import keras

    backend = keras.backend.backend()
    module = importlib.import_module(backend)  # loaded already: Keras runs on it
    return {
        "keras": keras.__version__,
        "backend": backend,
        "backend_version": getattr(module, "__version__", "unknown"),
    }


def _flat(group):
    return group if isinstance(group, (list, tuple)) else [group]


def code_of(text):
    """A lesson's code as Python reads it, without comments and without its header."""
    tree = ast.parse(text)
    first = tree.body[0] if tree.body else None
    if isinstance(first, ast.Expr) and isinstance(getattr(first, "value", None), ast.Constant):
        tree.body = tree.body[1:]
    return ast.dump(tree)


def copy_file(path, out):
    """A file of an output folder copied to the same place in `out`."""
    target = Path(out) / path.parent.name / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)


def cells_notebook(sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def served_url(printed):
    for line in printed.splitlines():
        if line.startswith("Serving the drawing page at "):
            return line.split()[-1]
    raise TryItError(f"lesson 07 did not say where it serves its page: {printed[-1500:]}")
