"""A lesson's executed notebook read for its deck: the header, each step's heading, prose,
code and outputs, and what a step printed, cut to what matters on a slide."""

import base64
import re
from dataclasses import dataclass, field

import nbformat

# The notebook's first line, which finds the course's modules: not a line of the lesson.
FIND_MODULES = 'import sys; sys.path.append("..")  # the course\'s modules are one folder up'
OUTPUT_LINES, OUTPUT_COLUMNS = 20, 100  # what a step printed, at slide_parts.OUTPUT_POINTS
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
TABLE_CHARACTERS = set("┏┓┗┛┃━┡┩│└┘─┬┴┼╇╈┠┨┯┷╞╡╪")
EPOCH_LINE = re.compile(r"^Epoch \d+/\d+$")
PROGRESS_LINE = re.compile(r"^\d+/\d+ [-━]")
# A line that states what the lesson achieved, for the title slide.
RESULT_LINE = re.compile(r"^(Test error|Held-out digits|Done:|Serving)|: \d \(\d+\.\d%\)")
TIME_LINE = re.compile(r"^\w+ took [\d.]+ s\.$")
SAVED_FIGURE = re.compile(r"^Saved figure: (\S+)")


@dataclass
class Step:
    """One step of a lesson: its heading, prose, code cells and what they printed and drew."""

    title: str
    prose: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # (code, outputs) of each code cell


@dataclass
class Lesson:
    name: str
    title: str
    description: str
    run_commands: list
    expected: str
    steps: list
    exercises: list


def plain(markdown):
    """Markdown's emphasis markers removed; inline `code` keeps its backticks."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", markdown).strip()


def read_header(markdown):
    """The title, description, run commands and expected result of a lesson's first cell."""
    title, description, commands, expected = "", [], [], ""
    in_commands = False
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if block.startswith("# "):
            title = block[2:].strip()
        elif block.startswith("**Run"):
            commands = [line.strip() for line in block.splitlines() if line.startswith("python ")]
            in_commands = True
        elif block.startswith("**Expected:**"):
            expected = plain(block.removeprefix("**Expected:**"))
        elif not in_commands and block:
            description.append(plain(block))
    return title, " ".join(description), commands, expected


def numbered_items(markdown):
    """The items of a numbered markdown list, each as one line."""
    items = []
    for line in markdown.splitlines():
        match = re.match(r"^\d+\.\s+(.*)", line)
        if match:
            items.append(match.group(1).strip())
        elif items and line.strip():
            items[-1] += " " + line.strip()
    return items


def read_lesson(path):
    """The lesson a notebook holds, step by step."""
    notebook = nbformat.read(path, as_version=4)
    cells = notebook.cells
    title, description, commands, expected = read_header(cells[0].source)
    steps, exercises = [], []
    for cell in cells[1:]:
        if cell.cell_type == "markdown":
            heading, _, rest = cell.source.partition("\n")
            if heading.startswith("## Try it"):
                exercises = numbered_items(rest)
            elif heading.startswith("## "):
                steps.append(Step(heading[3:].strip()))
                if rest.strip():
                    steps[-1].prose.extend(plain(p) for p in re.split(r"\n\s*\n", rest.strip()))
            elif steps:
                steps[-1].prose.append(plain(cell.source))
        elif cell.cell_type == "code":
            if not steps:
                steps.append(Step(title))
            code = "\n".join(line for line in cell.source.splitlines() if line != FIND_MODULES)
            steps[-1].cells.append((code, cell.get("outputs", [])))
    return Lesson(path.stem, title, description, commands, expected, steps, exercises)


def printed_lines(outputs):
    """What a cell printed: its text, without the model summary's table, the progress of
    every epoch but the last, or anything past a slide's width."""
    text = ""
    for output in outputs:
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                text += data["text/plain"] + "\n"
    lines = [ANSI_ESCAPE.sub("", line).rstrip() for line in text.splitlines()]
    lines = [line for line in lines if line and not TABLE_CHARACTERS & set(line)]
    epochs = [index for index, line in enumerate(lines) if EPOCH_LINE.match(line)]
    if len(epochs) > 1:
        left_out = set()
        for index in epochs[:-1]:
            left_out.add(index)
            if index + 1 < len(lines) and PROGRESS_LINE.match(lines[index + 1]):
                left_out.add(index + 1)
        first = epochs[0]
        lines = [line for index, line in enumerate(lines) if index not in left_out]
        lines.insert(first, f"… ({len(epochs) - 1} epochs before the last)")
    lines = [part for line in lines for part in wrapped_output(line)]
    if len(lines) > OUTPUT_LINES:
        head = 5
        tail = OUTPUT_LINES - head - 1
        lines = [*lines[:head], f"… ({len(lines) - head - tail} lines)", *lines[-tail:]]
    return lines


def wrapped_output(line):
    """A printed line too wide for the slide, broken at its last space before the edge (the
    continuation indented), or cut there if it has none."""
    parts = []
    while len(line) > OUTPUT_COLUMNS:
        cut = line.rfind(" ", OUTPUT_COLUMNS // 2, OUTPUT_COLUMNS)
        if cut < 0:
            return [*parts, line[: OUTPUT_COLUMNS - 1] + "…"]
        parts.append(line[:cut])
        line = "    " + line[cut:].lstrip()
    return [*parts, line]


def figures(outputs):
    """The PNG pictures a cell showed, each with the path it was saved under (or None)."""
    pictures, saved = [], None
    for output in outputs:
        if output.output_type == "stream":
            for line in output.text.splitlines():
                match = SAVED_FIGURE.match(line)
                if match:
                    saved = match.group(1)
        data = output.get("data", {})
        if "image/png" in data:
            pictures.append((base64.b64decode(data["image/png"]), saved))
            saved = None
    return pictures


def all_printed(lesson):
    """Every line the lesson's notebook printed, in order."""
    lines = []
    for step in lesson.steps:
        for _, outputs in step.cells:
            for output in outputs:
                if output.output_type == "stream" and output.name == "stdout":
                    lines.extend(ANSI_ESCAPE.sub("", output.text).splitlines())
    return lines


def measured_result(lesson):
    """The title slide's result: the lesson's result line and its time, as printed."""
    lines = all_printed(lesson)
    results = [line.strip() for line in lines if RESULT_LINE.search(line)]
    times = [line.strip() for line in lines if TIME_LINE.match(line.strip())]
    banner = next((line for line in lines if line.startswith("Python ")), "")
    parts = [part for part in (results[-1] if results else "", times[-1] if times else "") if part]
    return parts, banner
