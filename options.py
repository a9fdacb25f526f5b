"""A lesson's command line: options that replace the settings its setup cell defines.

From a terminal the options come from the command line; a notebook has none, so there they
come from the lesson's `OPTIONS` line, written the same way ("--quick --epochs 3").
course.start builds the parser and parses them; this module holds no state but --json's.

Each of the course's options exists in a lesson that defines its setting (COURSE_OPTIONS):
--epochs in a lesson with EPOCHS, --data in one with MNIST_PATH, and so on, each with the
lesson's value as its default. A lesson adds its own options as {"--flag": argparse's
settings}, where "dest" names the setting the option replaces.

- `lesson_parser(description, settings, lesson_options)`: the parser;
- `parse(parser, argv)`: the settings the options change, as {name: value};
- `JsonLines` and `print_json`: lesson 06's --json, where standard output holds only JSON.
"""

import argparse
import json
import sys
from pathlib import Path

import common
from common import UserError

NOT_GIVEN = object()  # every option's default: what is not given changes nothing


def at_least_one(text):
    """An option's value that counts something that cannot be none: 1, 2, 3, ..."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def zero_or_more(text):
    """An option's value that counts something: 0, 1, 2, ..."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return int(text)


# The course's options, in the order --help lists them: {setting: (flag, argparse settings,
# help, where "{default}" stands for the lesson's value)}.
COURSE_OPTIONS = {
    "OUTPUT_DIR": (
        "--out",
        {"metavar": "DIR", "type": Path},
        "where models and figures go (default: outputs/ beside the scripts)",
    ),
    "MNIST_PATH": (
        "--data",
        {"metavar": "PATH"},
        "mnist.npz or a folder of the four IDX files (default: $MNIST_DATA, else Keras' "
        "download and cache)",
    ),
    "SEED": (
        "--seed",
        {"type": int},
        "random seed; the same seed gives the same numbers (default: {default})",
    ),
    "QUICK": (
        "--quick",
        {"action": "store_true"},
        f"a small subset ({common.QUICK_TRAIN_SIZE} training, {common.QUICK_TEST_SIZE} test "
        "images){quick_epochs}, to finish in seconds (for demos and tests)",
    ),
    "SHOW": ("--show", {"action": "store_true"}, "also open each figure in a window"),
    "EPOCHS": (
        "--epochs",
        {"metavar": "N", "type": at_least_one},
        f"passes over the training data (default: {{default}}; {common.QUICK_EPOCHS} with "
        "--quick)",
    ),
    "BATCH_SIZE": (
        "--batch-size",
        {"metavar": "N", "type": at_least_one},
        "images per gradient step (default: {default})",
    ),
}


class LessonParser(argparse.ArgumentParser):
    """argparse never taking an abbreviated option, and in a notebook a bad option as one
    line (a UserError)."""

    def __init__(self, description):
        self.course_epochs = False  # whether --epochs is the course's, which --quick sets
        super().__init__(
            description=terminal_description(description),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,  # --epoch is an error naming --epochs, not taken as it
        )

    def error(self, message):
        if message.startswith("unrecognized arguments:"):
            # Options are never abbreviated: name the one that was probably meant.
            known = [flag for action in self._actions for flag in action.option_strings]
            for word in message.split(":", 1)[1].split():
                meant = [flag for flag in known if word.startswith("--") and flag.startswith(word)]
                if meant:
                    message += f" (options are spelled out: did you mean {' or '.join(meant)}?)"
        if common.running_in_notebook():
            raise UserError(f"OPTIONS: {message}")
        super().error(message)


def terminal_description(docstring):
    """A lesson's header as `--help` shows it in a terminal: the title and description
    without their labels, and without the notebook's hint about its OPTIONS line. A script
    without a header has none."""
    if not isinstance(docstring, str) or not docstring.strip():
        return None
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


def shown_default(name, settings):
    value = settings[name]
    if value is None and "VARIANT" in settings:
        return "the variant's"
    return value


def lesson_parser(description, settings, lesson_options=None):
    """The command line of a lesson whose settings are `settings` (its namespace): the
    course's options for the settings it defines, and `lesson_options`."""
    lesson_options = lesson_options or {}
    parser = LessonParser(description)
    for name, (flag, argparse_settings, help_text) in COURSE_OPTIONS.items():
        if name not in settings or flag in lesson_options:
            continue
        course_epochs = "EPOCHS" in settings and "--epochs" not in lesson_options
        quick_epochs = f" and {common.QUICK_EPOCHS} epoch" if course_epochs else ""
        shown = help_text.format(default=shown_default(name, settings), quick_epochs=quick_epochs)
        parser.add_argument(flag, dest=name, default=NOT_GIVEN, help=shown, **argparse_settings)
        parser.course_epochs |= name == "EPOCHS"
    for flag, argparse_settings in lesson_options.items():
        parser.add_argument(flag, **{"default": NOT_GIVEN, **argparse_settings})
    return parser


def parse(parser, argv):
    """The settings that the options `argv` change, {name: value}; with --quick and no
    --epochs, a lesson with the course's --epochs trains for QUICK_EPOCHS."""
    given = {
        name: value
        for name, value in vars(parser.parse_args(argv)).items()
        if value is not NOT_GIVEN
    }
    if given.get("QUICK") and parser.course_epochs and "EPOCHS" not in given:
        given["EPOCHS"] = common.QUICK_EPOCHS
    return given


# %% --json: standard output holds only JSON lines

_json_stream = sys.stdout  # where print_json writes: standard output as the lesson started


class JsonLines(argparse.Action):
    """A flag (lesson 06's --json) after which standard output holds only the lines of
    `print_json`, so that another program can read them; every other line goes to stderr.
    In a notebook the cells' output stays as it is."""

    def __init__(self, option_strings, dest, **settings):
        settings.pop("default", None)
        super().__init__(option_strings, dest, nargs=0, default=NOT_GIVEN, **settings)

    def __call__(self, parser, namespace, values, option_string=None):
        global _json_stream
        setattr(namespace, self.dest, True)
        if not common.running_in_notebook() and sys.stdout is not sys.stderr:
            _json_stream, sys.stdout = sys.stdout, sys.stderr


def print_json(record):
    """One JSON object on one line of standard output (with --json, nothing else goes there)."""
    print(json.dumps(record), file=_json_stream, flush=True)
