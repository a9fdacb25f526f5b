"""A lesson's command line, shared by every lesson, with the lesson's own options.

From a terminal the options come from the command line; a notebook has none, so there they
come from the lesson's `OPTIONS` line, written the same way ("--quick --epochs 3").
course.start builds the parser and parses them; this module holds no state but --json's.

- `lesson_parser(description, ...)`: --out, and for lessons that read MNIST --data, --seed
  and --quick, --show where figures are drawn, a training lesson's --epochs and
  --batch-size (with their defaults as given), --variant for lesson 03's recipes, and the
  lesson's own options;
- `parse(parser, argv)`: the options, with --epochs and --batch-size filled in;
- `JsonLines` and `print_json`: lesson 06's --json, where standard output holds only JSON.
"""

import argparse
import json
import sys
from pathlib import Path

import common
from common import UserError


class LessonParser(argparse.ArgumentParser):
    """argparse with a training lesson's defaults, never taking an abbreviated option, and
    in a notebook a bad option as one line (a UserError).

    `epochs` and `batch_size` are the lesson's defaults; `recipes`, lesson 03's, are
    {variant: {"epochs": ..., "batch_size": ...}}, the chosen variant's defaults instead."""

    def __init__(self, description, epochs=None, batch_size=None, recipes=None):
        super().__init__(
            description=terminal_description(description),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False,  # --epoch is an error naming --epochs, not taken as it
        )
        self.epochs, self.batch_size, self.recipes = epochs, batch_size, recipes

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
    recipes=None,
    uses_mnist=True,
    draws_figures=True,
    out=None,
):
    """The command line every lesson shares, with the lesson's own `options`
    ({"--flag": argparse's settings for it}); `out` is --out's default."""
    parser = LessonParser(description, epochs, batch_size, recipes)
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=out,
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
        quick_epochs = f" and {common.QUICK_EPOCHS} epoch" if epochs or recipes else ""
        parser.add_argument(
            "--quick",
            action="store_true",
            help=f"a small subset ({common.QUICK_TRAIN_SIZE} training, {common.QUICK_TEST_SIZE} "
            f"test images){quick_epochs}, to finish in seconds (for demos and tests)",
        )
    if draws_figures:
        parser.add_argument("--show", action="store_true", help="also open each figure in a window")
    if recipes:
        described = [
            f"{name} ({recipe['epochs']} epochs, batch {recipe['batch_size']})"
            for name, recipe in recipes.items()
        ]
        parser.add_argument(
            "--variant",
            choices=recipes,
            default=next(iter(recipes)),
            help="which model to train; each has its own epochs and batch size: "
            + ", ".join(described),
        )
    if epochs is not None or recipes:
        default = f"{epochs}" if epochs is not None else "the variant's"
        parser.add_argument(
            "--epochs",
            type=int,
            help=f"passes over the training data (default: {default}; "
            f"{common.QUICK_EPOCHS} with --quick)",
        )
    if batch_size is not None or recipes:
        default = f"{batch_size}" if batch_size is not None else "the variant's"
        parser.add_argument(
            "--batch-size", type=int, help=f"images per gradient step (default: {default})"
        )
    for flag, settings in (options or {}).items():
        parser.add_argument(flag, **settings)
    return parser


def parse(parser, argv=None):
    """Parse the options (`argv`, else the command line), fill in --epochs and --batch-size
    when they were not given (--quick's epochs, the lesson's defaults or its variant's) and
    check the numbers."""
    args = parser.parse_args(argv)
    epochs, batch_size = parser.epochs, parser.batch_size
    if parser.recipes:
        recipe = parser.recipes[args.variant]
        epochs, batch_size = recipe["epochs"], recipe["batch_size"]
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
    return args


def zero_or_more(text):
    """An option's value that counts something: 0, 1, 2, ..."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text!r}")
    return int(text)


# %% --json: standard output holds only JSON lines

_json_stream = sys.stdout  # where print_json writes: standard output as the lesson started


class JsonLines(argparse.Action):
    """A flag (lesson 06's --json) after which standard output holds only the lines of
    `print_json`, so that another program can read them; every other line goes to stderr.
    In a notebook the cells' output stays as it is."""

    def __init__(self, option_strings, dest, **settings):
        super().__init__(option_strings, dest, nargs=0, default=False, **settings)

    def __call__(self, parser, namespace, values, option_string=None):
        global _json_stream
        setattr(namespace, self.dest, True)
        if not common.running_in_notebook() and sys.stdout is not sys.stderr:
            _json_stream, sys.stdout = sys.stdout, sys.stderr


def print_json(record):
    """One JSON object on one line of standard output (with --json, nothing else goes there)."""
    print(json.dumps(record), file=_json_stream, flush=True)
