"""Run every Try it exercise of the course and write the answer key, docs/answers.md.

For each exercise the script makes the change it asks for, an option or the edit it names in
a copy of the lesson (the lesson itself never changes), runs it as a notebook in one Jupyter
kernel, and reads the outcome from what the run printed and saved; the answers' sentences are
chosen by comparing the numbers measured. Runs that several exercises share (a lesson as it
is, with seed 42; the models lessons 04 and 06-08 read) run once.

    python bench/try_it.py --data mnist.npz --own-digits ../shared/data/own_digits
    python bench/try_it.py --data mnist.npz --only 05_best_cnn    # one section of the key
    python bench/try_it.py --quick --data mnist.npz               # does every exercise run?

--quick runs every exercise on the small data with one seed: the check that each still runs
as written. It prints the answers (or writes --out FILE) and never touches docs/answers.md.
Without it the key takes hours on a 2-core CPU, lesson 05 most of them; each finished run is
kept in --store, so an invocation that stops, or a later --only, reuses what ran, as long as
the lesson's code, the course's modules, the data and the Python, Keras and backend versions
are the same.
"""

import argparse
import os
import platform
import re
import signal
import sys
import time
from pathlib import Path

from try_it_00_02 import CHANGES_00, CHANGES_01, CHANGES_02, answers_00, answers_01, answers_02
from try_it_03_04 import CHANGES_03, CHANGES_04, answers_03, answers_04
from try_it_05 import CHANGES_05, answers_05
from try_it_06_07 import CHANGES_06, PAGE, answers_06, answers_07
from try_it_08 import CHANGES_08, answers_08
from try_it_kernel import Key
from try_it_runs import PROJECT_DIR, TryItError, check_change
from try_it_writing import exercises_of, key_document

import outputs

ANSWERS = PROJECT_DIR / "docs" / "answers.md"
STORE = outputs.DEFAULT_OUT_DIR / "try-it"  # finished runs, reused by later invocations
# Each lesson: the changes its exercises make, checked before anything runs; the function
# that answers them; and how many exercises it answers (the lesson's Try it must have as many).
LESSONS = {
    "00_load_data": (CHANGES_00, answers_00, 3),
    "01_mlp_baseline": (CHANGES_01, answers_01, 3),
    "02_simple_cnn": (CHANGES_02, answers_02, 3),
    "03_large_cnn": (CHANGES_03, answers_03, 3),
    "04_analyze_errors": (CHANGES_04, answers_04, 3),
    "05_best_cnn": (CHANGES_05, answers_05, 5),
    "06_predict_digit": (CHANGES_06, answers_06, 3),
    "07_draw_digit": ({"page": PAGE}, answers_07, 3),
    "08_teach_handwriting": (CHANGES_08, answers_08, 3),
}


class OneLineParser(argparse.ArgumentParser):
    """A mistake on the command line is one line, and a non-zero exit."""

    def error(self, message):
        self.exit(2, f"error: {message}\n")


def lesson_name(text):
    """'05', '05_best_cnn' or '05_best_cnn.py' as the lesson's name."""
    found = [name for name in LESSONS if text.removesuffix(".py") in (name, name[:2])]
    if not found:
        raise argparse.ArgumentTypeError(f"no lesson {text!r}: one of {', '.join(LESSONS)}")
    return found[0]


def existing(kind):
    def check(text):
        path = Path(text).expanduser().resolve()
        if not (path.is_file() if kind == "file" else path.is_dir()):
            raise argparse.ArgumentTypeError(f"{text} is not a {kind}")
        return path

    return check


def parse(argv):
    parser = OneLineParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        nargs="+",
        action="extend",
        type=lesson_name,
        metavar="LESSON",
        help="answer these lessons only (05, 05_best_cnn or 05_best_cnn.py; repeatable); "
        "the other sections of an existing key are kept",
    )
    parser.add_argument("--quick", action="store_true", help="small data, one seed: does it run?")
    parser.add_argument("--data", type=existing("file"), metavar="PATH", help="mnist.npz")
    parser.add_argument(
        "--own-digits",
        type=existing("folder"),
        metavar="FOLDER",
        help="real digits, one subfolder per digit (default: the styles the course draws)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help=f"write the key here (default: {ANSWERS.relative_to(PROJECT_DIR)}; with --quick, "
        "standard output)",
    )
    parser.add_argument("--store", type=Path, default=STORE, metavar="DIR", help="kept runs")
    parser.add_argument("--fresh", action="store_true", help="run everything again")
    args = parser.parse_args(argv)
    if args.data is None and not os.environ.get("MNIST_DATA") and args.quick:
        parser.error("--quick needs --data PATH (or MNIST_DATA)")
    return args


def check_lessons(names, folder=PROJECT_DIR):
    """Every change each lesson's exercises make, and their number, against the lessons as
    they are now (in `folder`): a lesson that lost a line an exercise edits, or an option it
    uses, fails here, before any run."""
    for name in names:
        changes, _, count = LESSONS[name]
        text = (Path(folder) / f"{name}.py").read_text()
        found = exercises_of(name, text)
        if len(found) != count:
            raise TryItError(f"{name}.py has {len(found)} exercises; the key answers {count}")
        for change in changes.values():
            check_change(name, text, change)


def machine():
    """The machine, in the words of docs/measurements.md."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    cpu_info, memory_info = Path("/proc/cpuinfo"), Path("/proc/meminfo")  # Linux only
    models = re.findall(
        r"^model name\s*: (.*)$", cpu_info.read_text() if cpu_info.exists() else "", re.M
    )
    cpu = models[0] if models else cpu
    if memory_info.exists():
        kilobytes = int(memory_info.read_text().split()[1])  # MemTotal
        memory = f", {kilobytes / 2**20:.0f} GiB"
    return f"{os.cpu_count()} CPU cores ({cpu}){memory}, {platform.system()}"


def main(argv=None):
    args = parse(argv)
    names = args.only or list(LESSONS)
    started = time.perf_counter()

    def progress(line):
        print(
            f"[{(time.perf_counter() - started) / 60:5.1f} min] {line}", file=sys.stderr, flush=True
        )

    store = None if args.quick else args.store
    # Stopped from outside, it still stops its kernel: the `finally` below runs.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit("error: stopped"))
    try:
        check_lessons(names)
        key = Key(args.data, args.quick, store, args.own_digits, progress, fresh=args.fresh)
        sections = {}
        try:
            for name in names:
                key.section = name
                progress(f"{name}: its exercises")
                sections[name] = LESSONS[name][1](key)
        finally:
            key.close()
    except TryItError as error:
        sys.exit(f"error: {error}")
    out = args.out or (None if args.quick else ANSWERS)
    document = key_document(sections, key, machine(), out, args.quick)
    if out is None:
        print(document)
    else:
        out.write_text(document)
        progress(f"wrote {out}")
    progress(f"the key took {(time.perf_counter() - started) / 60:.1f} min")


if __name__ == "__main__":
    main()
