"""A lesson's executed notebook read for its deck: the header, then each step with its
heading, its kind (the course's machinery, the setup, an idea, or code), its words, and its
code cells with what they printed and drew."""

import ast
import base64
import io
import re
from dataclasses import dataclass, field

import nbformat
from lesson_options import lesson_options, mark_command_line_cells
from printed_output import ANSI_ESCAPE, without_paths

# The notebook's first line, which finds the course's modules: not a line of the lesson.
FIND_MODULES = 'import sys; sys.path.append("..")  # the course\'s modules are one folder up'
# The cells of the course's machinery are titled "The course's <what>: leave it out when you
# copy"; a deck shows nothing of them.
COURSE_TITLE = "The course's"
SETUP_TITLE = "Setup"
# A line that states what the lesson achieved, for the title slide.
RESULT_LINE = re.compile(r"^(Test error|Held-out digits|Done:|Serving)|: \d \(\d+\.\d%\)")
TIME_LINE = re.compile(r"^\w+ took [\d.]+ s\.$")
BANNER_LINE = re.compile(r"^Python \d+\.\d+\.\d+ \| Keras ")
LIST_ITEM = re.compile(r"^[-*]\s+(.*)")
# A cell that holds one of several choices: `if VARIANT == "deitel":` and nothing else.
CHOICE_VARIABLE = re.compile(r"^[A-Z][A-Z0-9_]*$")


@dataclass(eq=False)  # a step is itself: two steps are never the same by their fields
class Step:
    """One step of a lesson: its heading, its words (paragraphs), its code cells with their
    outputs, and its kind: "course", "setup", "idea", "code", or "other choice" (a cell of
    one choice that the lesson did not make)."""

    title: str
    prose: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # (code, outputs) of each code cell
    markdown: str = ""  # the words as the notebook has them, for an idea's list
    kind: str = "code"
    others: list = field(default_factory=list)  # the titles of the choices not made


@dataclass
class Figure:
    """A picture a cell showed, with what its PNG says of itself (pictures.save_figure)."""

    png: bytes
    size: tuple  # in pixels
    title: str
    description: str
    smallest_font: float | None  # in points at `dpi`, None where the PNG does not say
    dpi: float | None


@dataclass
class Lesson:
    name: str
    title: str
    description: str
    run_commands: list
    expected: str
    steps: list
    exercises: list
    # {flag: (the setting it sets, the value a flag without one sets, or None)}
    options: dict = field(default_factory=dict)


def plain(markdown):
    """Markdown's emphasis markers and links removed; inline `code` keeps its backticks."""
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", markdown)
    text = re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"\1", text)
    return re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", text).strip()


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


def paragraphs(markdown):
    """The markdown's paragraphs and list items, each as one line of plain text, with
    whether it is a list item (a line that starts with `- ` starts one)."""
    found = []  # [raw text, is_item]
    for block in re.split(r"\n\s*\n", markdown.strip()):
        current = None
        for line in block.splitlines():
            stripped = line.strip()
            item = LIST_ITEM.match(stripped)
            if item:
                current = [item.group(1), True]
                found.append(current)
            elif current is None and stripped:
                current = [stripped, False]
                found.append(current)
            elif stripped:
                current[0] += " " + stripped
    return [(plain(text), is_item) for text, is_item in found]


def split_sentences(paragraph):
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z`(])", paragraph) if s.strip()]


def idea_bullets(step):
    """An idea's bullets: its list's items when it has a list, else its sentences."""
    found = paragraphs(step.markdown)
    items = [text for text, is_item in found if is_item]
    if items:
        return items
    return [sentence for text, _ in found for sentence in split_sentences(text)]


def idea_text(step):
    """An idea's full text, for the speaker notes: its paragraphs, and its list as lines."""
    parts = []
    for text, is_item in paragraphs(step.markdown):
        if is_item and parts and parts[-1].startswith("- "):
            parts[-1] += f"\n- {text}"
        else:
            parts.append(f"- {text}" if is_item else text)
    return "\n\n".join(parts)


def choice_of(code):
    """(VARIABLE, "value") where the cell's code is one `if VARIABLE == "value":` alone."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.If) or tree.body[0].orelse:
        return None
    test = tree.body[0].test
    if (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and CHOICE_VARIABLE.match(test.left.id)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and isinstance(test.comparators[0], ast.Constant)
    ):
        return test.left.id, test.comparators[0].value
    return None


def setting(steps, name):
    """The value the Setup cell gives the constant `name` (None if it gives none)."""
    for step in steps:
        for code, _ in step.cells if step.kind == "setup" else []:
            for node in ast.parse(code).body:
                targets = node.targets if isinstance(node, ast.Assign) else []
                if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                    try:
                        return ast.literal_eval(node.value)
                    except ValueError:
                        return None
    return None


def mark_other_choices(steps):
    """Of the cells that each build one choice of the same constant (lesson 3's VARIANT), the
    deck shows the one the Setup cell chose, or where none is chosen the plain cell before
    them that they replace; the others, and an idea that only introduces them, are marked
    "other choice"."""
    groups = {}
    for step in steps:
        if step.kind == "code" and len(step.cells) == 1:
            choice = choice_of(step.cells[0][0])
            if choice:
                groups.setdefault(choice[0], []).append((choice[1], step))
    for variable, choices in groups.items():
        if len(choices) < 2:
            continue
        chosen = setting(steps, variable)
        # The chosen cell, else (the choices being alternatives to a plain cell before them,
        # under an idea of their own) the code step before the first of them.
        first = steps.index(choices[0][1])
        before = [step for step in steps[:first] if step.kind in ("code", "idea")]
        plain = next((step for step in reversed(before) if step.kind == "code"), None)
        kept = next((step for value, step in choices if value == chosen), plain)
        if kept is None:
            continue
        for _, step in choices:
            if step is not kept:
                step.kind = "other choice"
                kept.others.append(step.title)
        if kept is plain and before[-1].kind == "idea":
            before[-1].kind = "other choice"  # the idea that introduces the alternatives


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
                steps.append(Step(heading[3:].strip(), markdown=rest.strip()))
                if rest.strip():
                    steps[-1].prose.extend(plain(p) for p in re.split(r"\n\s*\n", rest.strip()))
            elif steps:
                steps[-1].prose.append(plain(cell.source))
                steps[-1].markdown += "\n\n" + cell.source
        elif cell.cell_type == "code":
            if not steps:
                steps.append(Step(title))
            code = "\n".join(line for line in cell.source.splitlines() if line != FIND_MODULES)
            steps[-1].cells.append((code, cell.get("outputs", [])))
    for step in steps:
        if step.title.startswith(COURSE_TITLE):
            step.kind = "course"
        elif step.title == SETUP_TITLE and step.cells:
            step.kind = "setup"
        elif not step.cells:
            step.kind = "idea"
    mark_other_choices(steps)
    mark_command_line_cells(steps)
    options = lesson_options(steps)
    return Lesson(path.stem, title, description, commands, expected, steps, exercises, options)


def figure_of(png):
    """The picture with what its PNG text chunks and pHYs chunk say of it."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        info, size = image.info, image.size
    font = info.get("Smallest font")
    dpi = info.get("dpi")
    return Figure(
        png=png,
        size=size,
        title=str(info.get("Title", "")).strip(),
        description=str(info.get("Description", "")).strip(),
        smallest_font=float(font) if font not in (None, "") else None,
        dpi=float(dpi[0]) if dpi else None,
    )


def figures(outputs):
    """The figures a cell drew, in order: the PNG pictures it showed that say what they show
    and how small their text is (pictures.save_figure writes both). A picture the course
    ships, such as a screenshot of lesson 7's page, says neither: it stays in the notebook,
    because nothing vouches that a room can read it."""
    shown = [
        figure_of(base64.b64decode(output["data"]["image/png"]))
        for output in outputs
        if "image/png" in output.get("data", {})
    ]
    return [figure for figure in shown if figure.smallest_font is not None]


def all_printed(lesson):
    """Every line the lesson's notebook printed, in order, the course's cells' included."""
    lines = []
    for step in lesson.steps:
        for _, outputs in step.cells:
            for output in outputs:
                if output.output_type == "stream" and output.name == "stdout":
                    lines.extend(ANSI_ESCAPE.sub("", output.text).splitlines())
    return lines


def measured_result(lesson):
    """The title slide's result: the lesson's result line and its time, as printed, and the
    version banner for its caption."""
    lines = all_printed(lesson)
    results = [without_paths(line.strip()) for line in lines if RESULT_LINE.search(line)]
    results = [line for line in results if line]
    times = [line.strip() for line in lines if TIME_LINE.match(line.strip())]
    banner = next((line for line in lines if BANNER_LINE.match(line)), "")
    parts = [part for part in (results[-1] if results else "", times[-1] if times else "") if part]
    return parts, banner
