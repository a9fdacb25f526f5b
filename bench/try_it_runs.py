"""What a Try it exercise changes in its lesson, a run of the changed lesson, and what the
run printed and saved (try_it_kernel.py runs them).

    change = Change(options=("--epochs", "20"))                    # an option, or
    change = Change(edits=(Edit("layers.Dropout(0.2),\\n", ""),))  # an edit to a copy
    run = Run("02_simple_cnn", change, seed=1)

Each edit replaces text that must occur exactly once in the lesson, so a lesson that changed
breaks the exercise loudly; the lesson itself is never written. `check_change` checks a change
against a lesson's text without running anything.
"""

import hashlib
import json
import re
import shlex
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
sys.path.insert(0, str(PROJECT_DIR))
import course  # noqa: E402, F401  (Keras started quietly, before outputs imports it)

import options  # noqa: E402
import outputs  # noqa: E402

DEFAULT_SEED = 42  # every lesson's own seed: the unchanged run that exercises share
COMPARE_SEEDS = (DEFAULT_SEED, 1, 2)  # a comparison's seeds: the default and two more
TRY_IT_HEADING = "# %% [markdown]\n# ## Try it"  # where a lesson's exercises begin
RERUN = "# rerun the cell: "  # an `after` cell that runs the lesson's cell of this title again
MARK = "TRY-IT "  # a cell run after the lesson prints its measurement as MARK + JSON
SHOWN_DATA = "mnist.npz"  # the data, as the answers' commands show it


class TryItError(Exception):
    """An exercise that cannot be run as written: its text is gone, or the run failed."""


# %% What an exercise changes


@dataclass(frozen=True)
class Edit:
    """Replace `old`, which must occur exactly once in the lesson, by `new`."""

    old: str
    new: str
    says: str = ""  # the edit in words, for the answers; empty: shown as old -> new

    def shown(self):
        if self.says:
            return self.says
        return f"`{self.old.strip()}` replaced by `{self.new.strip()}`"


@dataclass(frozen=True)
class Change:
    """An exercise's change: options for the lesson, edits to its copy, and cells run after
    it in the same namespace that measure (print MARK + JSON) without changing the lesson."""

    options: tuple = ()
    edits: tuple = ()
    after: tuple = ()


def apply_edits(lesson, text, edits):
    """The lesson's text with the edits made; a TryItError naming the text an edit needs when
    it is not in the lesson's code exactly once. (The code ends with the Try it heading: the
    exercises' own words, which quote the code, are not searched.)"""
    code, heading, exercises = text.partition(TRY_IT_HEADING)
    code += heading
    for edit in edits:
        count = code.count(edit.old)
        if count != 1:
            where = "is not in" if count == 0 else f"occurs {count} times in"
            raise TryItError(f"the text an exercise edits {where} {lesson}.py: {edit.old!r}")
        code = code.replace(edit.old, edit.new)
    return code + exercises


def cell_source(lesson, text, title):
    """The code of the lesson's cell `# %% <title>`; a TryItError if it has none or two."""
    parts = re.split(r"^# %% ?(.*)$", text, flags=re.M)
    found = [source for name, source in zip(parts[1::2], parts[2::2]) if name.strip() == title]
    if len(found) != 1:
        raise TryItError(f"{lesson}.py has no single cell '# %% {title}', which an exercise runs")
    return found[0].strip("\n")


def after_cells(lesson, text, change):
    """The cells run after the lesson, each RERUN cell replaced by the lesson's own code."""
    return [
        cell_source(lesson, text, code.removeprefix(RERUN)) if code.startswith(RERUN) else code
        for code in change.after
    ]


def check_change(lesson, text, change):
    """Everything in `change` that the lesson's text must hold, checked without running it:
    each edit's text once, and each option's flag (a course option for a setting the lesson
    defines, or one of its own)."""
    after_cells(lesson, apply_edits(lesson, text, change.edits), change)
    course_flags = {flag: name for name, (flag, _, _) in options.COURSE_OPTIONS.items()}
    for flag in (word for word in change.options if str(word).startswith("--")):
        setting = course_flags.get(flag)
        known = f"\n{setting} = " in text if setting else f'"{flag}"' in text
        if not known:
            raise TryItError(f"{lesson}.py has no option {flag}, which an exercise uses")


# %% A run


@dataclass(frozen=True)
class ModelOf:
    """`--model PATH`: the model named `name` that another run saved."""

    run: "Run"
    name: str


@dataclass(frozen=True)
class Input:
    """A file or folder a lesson reads (its positional argument), and how the answers show
    it: as a student's path, not this machine's."""

    path: str
    shown: str


@dataclass(frozen=True)
class Run:
    """One run of a lesson: its change, seed (None: the lesson has none), the model it reads,
    the runs whose saved models it starts with (`stages`, as lesson 04 compares them), its
    positional arguments, and a folder shared with other runs (lesson 07's page visits)."""

    lesson: str
    change: Change = Change()
    seed: int | None = DEFAULT_SEED
    model: ModelOf | None = None
    stages: tuple = ()
    inputs: tuple = ()
    folder: str | None = None

    def arguments(self, model_path=None, shown=False):
        words = [item.shown if shown else item.path for item in self.inputs]
        words += self.change.options
        if shown and self.takes("MNIST_PATH"):
            words += ["--data", SHOWN_DATA]  # the kernel's runs get this machine's path
        if self.seed not in (None, DEFAULT_SEED):
            words += ["--seed", str(self.seed)]
        if self.model:
            words += ["--model", str(model_path or outputs.model_path("outputs", self.model.name))]
        return words

    def command(self):
        """The run as a student types it in a terminal (paths as the course's outputs/ folder
        has them; the key runs the same as a notebook, with these options in OPTIONS)."""
        return shlex.join(["python", f"{self.lesson}.py", *self.arguments(shown=True)])

    def takes(self, setting):
        """Whether the lesson defines `setting` in its setup, and so takes its option."""
        return f"\n{setting} = " in (PROJECT_DIR / f"{self.lesson}.py").read_text()

    def with_seed(self, seed):
        return replace(self, seed=seed)


@dataclass
class Result:
    """What a run printed and saved."""

    printed: str
    out: Path
    wall_seconds: float
    reused: bool = False
    marks: list = field(default_factory=list)
    visited: object = None  # what a visit to lesson 07's page returned
    load: float | None = None  # the machine's load average (1 minute) as the run ended

    def record(self, part, name=None):
        """A JSON record the lesson saved (outputs.METRICS, HISTORY or ADAPTATION); with no
        name, the only one of its kind."""
        if name is None:
            (path,) = (self.out / part).glob("*.json")
        else:
            path = outputs.record_path(self.out, name, part)
        return json.loads(path.read_text())

    def metrics(self, name=None):
        return self.record(outputs.METRICS, name)

    def history(self, name=None):
        return self.record(outputs.HISTORY, name)

    def mark(self, key):
        """The value `key` of the last measurement that cells after the lesson printed."""
        found = [mark[key] for mark in self.marks if key in mark]
        if not found:
            raise TryItError(f"no measurement {key!r} was printed: {self.printed[-1500:]}")
        return found[-1]


COLOURS = re.compile(r"\x1b\[[0-9;]*m")  # the terminal colours of model.summary()


def printed_text(notebook):
    """Everything the cells printed, tables (model.summary()) included, as one string
    without terminal colours."""
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.extend(line + "\n" for line in output.traceback)
            elif "image/png" not in output.get("data", {}):
                parts.append(output.get("data", {}).get("text/plain", "") + "\n")
    return COLOURS.sub("", "".join(parts))


def read_marks(printed):
    return [json.loads(line[len(MARK) :]) for line in printed.splitlines() if line.startswith(MARK)]


def digest(*parts):
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:20]
