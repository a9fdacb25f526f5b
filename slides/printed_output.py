"""What a step printed, as a slide shows it: the course's bookkeeping left out (where a file
was saved, the data's source, the version banner), paths cut to their file's name, the
progress of every epoch but the last left out, lines wrapped to the slide's width, and
model.summary()'s table read into rows for a table of its own."""

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from pptx.util import Emu, Inches
from slide_parts import BODY_HEIGHT, BODY_WIDTH, LINE_SPACING, MONOSPACE_ADVANCE, OUTPUT_POINTS

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
# What a step printed fills at most one slide: as many lines and columns as fit at
# OUTPUT_POINTS in the body, inside a box with 0.1 inch of margin on each side.
BOX_MARGINS = Inches(0.3)
OUTPUT_COLUMNS = int((Emu(BODY_WIDTH).pt - Inches(0.2).pt) / (OUTPUT_POINTS * MONOSPACE_ADVANCE))
OUTPUT_LINES = int((Emu(BODY_HEIGHT).pt - BOX_MARGINS.pt) / (OUTPUT_POINTS * LINE_SPACING))
OUTPUT_HEAD_LINES = 5  # of a longer output, its first lines, then "…", then its last
# Lines of the course's bookkeeping, not of the lesson: where a file was saved or read, how
# the lesson was started, the version banner (the title slide's caption has it).
BOOKKEEPING = re.compile(
    r"^(Saved( figure| model)?: |Source: |Options from the OPTIONS line|The OPTIONS line \("
    r"|Backend: |Read with it: |Python \d+\.\d+\.\d+ \| Keras |(Posix|Windows)Path\()"
)
# A word that is a path: it starts at a folder (/, ./, ../, ~/) or names a file in a folder;
# not an address (http://...).
PATH_WORD = re.compile(
    r"(?<![\w/.~:-])(?:(?:~|\.{1,2})?/[\w./-]*\w|[\w.-]+/(?:[\w.-]+/)*[\w-]+\.[A-Za-z]\w{0,5})"
)
# A line that only says where something is: `Model: ../outputs/models/05_best_cnn.keras`.
ONLY_A_PATH = re.compile(r"^[\w ,'-]*:\s*(\S+)(\s+\(.*\))?$")
# What an expression cell shows of an object without a text of its own: not a result.
OBJECT_REPR = re.compile(r"^<[\w.]+( object)? at 0x[0-9a-f]+>$")
TABLE_CHARACTERS = set("┏┓┗┛┃━┡┩│└┘─┬┴┼╇╈┠┨┯┷╞╡╪├┤┳┻")
EPOCH_LINE = re.compile(r"^Epoch \d+/\d+$")
PROGRESS_LINE = re.compile(r"^\d+/\d+ [-━]")
SUMMARY_NAME = re.compile(r'^Model: "(.+)"$')
SUMMARY_TOTAL = re.compile(r"^\s*((?:Total|Trainable|Non-trainable) params): (.+)$")


@dataclass
class Summary:
    """model.summary()'s table: the model's name, the column headings, a row a layer, and
    the totals (Total params, Trainable params, Non-trainable params)."""

    name: str
    header: list
    rows: list = field(default_factory=list)
    totals: list = field(default_factory=list)


def output_text(outputs):
    """The text a cell printed or displayed (not its pictures), without colour codes."""
    text = ""
    for output in outputs:
        if output.output_type == "stream" and output.name == "stdout":
            text += output.text
        elif output.output_type in ("display_data", "execute_result"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                text += data["text/plain"] + "\n"
    return ANSI_ESCAPE.sub("", text)


def is_path(word):
    return bool(PATH_WORD.fullmatch(word.strip(",;:()'\"")))


def without_paths(line):
    """The line without the course's bookkeeping: None for a line that only says where a
    file is, else the line with each path cut to its file's name."""
    if BOOKKEEPING.match(line.strip()) or OBJECT_REPR.match(line.strip()):
        return None
    only = ONLY_A_PATH.match(line.strip())
    if only and is_path(only.group(1)):
        return None
    return PATH_WORD.sub(lambda match: PurePosixPath(match.group(0)).name or "", line)


def summary_table(outputs):
    """model.summary()'s table, read from what the cell printed, or None if it has none."""
    summary, current = None, None
    for line in output_text(outputs).splitlines():
        stripped = line.strip()
        name = SUMMARY_NAME.match(stripped)
        total = SUMMARY_TOTAL.match(stripped)
        if name:
            summary, current = Summary(name.group(1), []), None
        elif summary is None:
            continue
        elif stripped.startswith("┃"):
            cells = [cell.strip() for cell in stripped.strip("┃").split("┃")]
            summary.header = merged(summary.header, cells)
        elif stripped.startswith("│"):
            cells = [cell.strip() for cell in stripped.strip("│").split("│")]
            if current is None:
                current = cells
                summary.rows.append(current)
            else:
                current[:] = merged(current, cells)
        elif stripped[:1] in TABLE_CHARACTERS:
            current = None  # a rule between two rows
        elif total:
            summary.totals.append(f"{total.group(1)}: {total.group(2).strip()}")
    return summary if summary and summary.rows else None


def merged(cells, more):
    """A table row that rich wrapped over two lines, as one line a cell."""
    if not cells:
        return list(more)
    return [" ".join(part for part in pair if part) for pair in zip(cells, more)]


def printed_lines(outputs):
    """What a cell printed, as a slide shows it: no bookkeeping, no summary table (it has a
    slide of its own), the progress of the last epoch only, wrapped to OUTPUT_COLUMNS, and
    at most OUTPUT_LINES lines."""
    lines = [ANSI_ESCAPE.sub("", line).rstrip() for line in output_text(outputs).splitlines()]
    lines = [line for line in lines if line and not TABLE_CHARACTERS & set(line)]
    if summary_table(outputs):
        lines = [
            line
            for line in lines
            if not SUMMARY_NAME.match(line.strip()) and not SUMMARY_TOTAL.match(line)
        ]
    lines = [kept for line in lines if (kept := without_paths(line)) is not None]
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
        tail = OUTPUT_LINES - OUTPUT_HEAD_LINES - 1
        left_out = len(lines) - OUTPUT_HEAD_LINES - tail
        lines = [*lines[:OUTPUT_HEAD_LINES], f"… ({left_out} lines)", *lines[-tail:]]
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
