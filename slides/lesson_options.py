"""A lesson's command-line options as its slides name them: the course's options
(options.py's COURSE_OPTIONS) and the lesson's own (its course cells' dicts of argparse
options), each the setting it changes, so that a slide writes `--seed 1` as `SEED = 1`, as a
notebook's reader changes it; and the cells that read the command line, which belong to the
course's machinery."""

import ast
import re
from pathlib import Path

from cell_names import names_an_option, prints

# The course's options, {setting: (flag, argparse's settings, help)}, and where they are.
COURSE_OPTIONS = "COURSE_OPTIONS"
OPTIONS_MODULE = Path(__file__).resolve().parent.parent / "options.py"
# An option in a text: in `code` with its value, or bare with a number.
QUOTED_OPTION = re.compile(r"`(--[a-z][a-z-]*)(?:[ =]([^`\s]+))?`")
BARE_OPTION = re.compile(r"(?<![\w`-])(--[a-z][a-z-]*)(?:[ =](\d[\d.]*)\b)?")
NUMBER = re.compile(r"^-?\d[\d.]*(e-?\d+)?$")


def mark_command_line_cells(steps):
    """A cell that reads the course's command line (one that names an option other than in
    what it prints) belongs to the course's machinery, as the cells titled so do."""
    for step in steps:
        if step.kind != "code":
            continue
        for code, _ in step.cells:
            try:
                statements = ast.parse(code).body
            except SyntaxError:
                continue
            if any(names_an_option(node) and not prints(node) for node in statements):
                step.kind = "course"


def option_table(node):
    """{flag: (setting, value)} of a dict literal of argparse options, {"--flag": {"dest":
    "SETTING", "action": "store_false", ...}}; the value that a flag without one sets."""
    found = {}
    for key, value in zip(node.keys, node.values):
        if not (isinstance(key, ast.Constant) and str(key.value).startswith("--")):
            continue
        if not isinstance(value, ast.Dict):
            continue
        settings = {
            k.value: v.value
            for k, v in zip(value.keys, value.values)
            if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)
        }
        if "dest" in settings:
            action = settings.get("action")
            implied = {"store_true": True, "store_false": False}.get(action)
            found[key.value] = (settings["dest"], implied)
    return found


def course_options():
    """{flag: (setting, value)} of every lesson's options (options.py's COURSE_OPTIONS)."""
    if not OPTIONS_MODULE.is_file():
        return {}
    found = {}
    for node in ast.walk(ast.parse(OPTIONS_MODULE.read_text())):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if not any(isinstance(t, ast.Name) and t.id == COURSE_OPTIONS for t in targets):
            continue
        for key, value in zip(node.value.keys, node.value.values):
            flag = value.elts[0] if isinstance(value, ast.Tuple) and value.elts else None
            if not (isinstance(key, ast.Constant) and isinstance(flag, ast.Constant)):
                continue
            settings = value.elts[1] if len(value.elts) > 1 else None
            action = next(
                (
                    v.value
                    for k, v in zip(getattr(settings, "keys", []), getattr(settings, "values", []))
                    if isinstance(k, ast.Constant) and k.value == "action"
                ),
                None,
            )
            implied = {"store_true": True, "store_false": False}.get(action)
            found[flag.value] = (key.value, implied)
    return found


def lesson_options(steps):
    """The options a lesson is run with: the course's, and its own (its course cells' dicts
    of argparse options)."""
    found = course_options()
    for step in steps:
        for code, _ in step.cells if step.kind == "course" else []:
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Dict):
                    found |= option_table(node)
    return found


def as_setting(lesson, flag, value=None):
    """An option as the setting it changes, written as code: `--seed 1` as `SEED = 1`,
    `--variant lab7` as `VARIANT = "lab7"`, `--no-schedule` as `SCHEDULE = False`, `--model`
    (its value named in words) as `MODEL_PATH`."""
    default = (flag[2:].upper().replace("-", "_"), None)
    if flag.startswith("--no-"):
        default = (flag[5:].upper().replace("-", "_"), False)
    name, implied = lesson.options.get(flag, default)
    if value is not None:
        return f"{name} = {value}" if NUMBER.match(value) else f'{name} = "{value}"'
    return name if implied is None else f"{name} = {implied}"


def without_options(text, lesson):
    """A text for a slide: each command-line option written as the setting it changes
    (as_setting), in code, as a notebook's reader changes it."""
    text = QUOTED_OPTION.sub(lambda match: f"`{as_setting(lesson, *match.groups())}`", text)
    return BARE_OPTION.sub(lambda match: f"`{as_setting(lesson, *match.groups())}`", text)
