"""A code cell laid out for a slide: black at 64 columns, comments and docstrings wrapped,
and long cells cut into slides between two statements."""

import ast
import io
import re
import textwrap
import tokenize

import black

CODE_LINES, CODE_COLUMNS = 16, 64  # a slide's code, at slide_parts.CODE_POINTS
# A line that black cannot split (a long string) may run a little past CODE_COLUMNS; the
# code box is as wide as this, and a longer line is an error to fix in the lesson.
CODE_MOST_COLUMNS = 70
FEWEST_LINES = 4  # a code slide's fewest lines where a cell continues: no stray line alone


def comment_moved_above(line):
    """`code  # comment` as two lines, the comment first, when the line is too long."""
    if len(line) <= CODE_COLUMNS:
        return [line]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError):
        return [line]
    for token in tokens:
        if token.type == tokenize.COMMENT and line[: token.start[1]].strip():
            indent = line[: len(line) - len(line.lstrip())]
            return [indent + token.string, line[: token.start[1]].rstrip()]
    return [line]


def rewrapped_comments(lines):
    """Runs of full-line comments with a line too long for a slide, wrapped again as one
    paragraph at the same indent; shorter runs keep their own line breaks."""
    result, run = [], []

    def flush():
        if any(len(line) > CODE_COLUMNS for line in run):
            indent = run[0][: len(run[0]) - len(run[0].lstrip())]
            text = " ".join(line.lstrip().lstrip("#").strip() for line in run)
            prefix = indent + "# "
            result.extend(
                textwrap.wrap(
                    text,
                    CODE_COLUMNS,
                    initial_indent=prefix,
                    subsequent_indent=prefix,
                    break_on_hyphens=False,
                )
            )
        else:
            result.extend(run)
        run.clear()

    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        is_text = stripped.startswith("#") and stripped.lstrip("#").strip()
        if run and not (is_text and indent == run[0][: len(run[0]) - len(run[0].lstrip())]):
            flush()
        if is_text:
            run.append(line)
        else:
            result.append(line)
    flush()
    return result


def docstring_nodes(tree):
    """The docstrings of a module, its classes and its functions."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                yield first


def rewrapped_docstrings(lines):
    """Docstrings with a line too long for a slide, each paragraph wrapped again."""
    tree = ast.parse("\n".join(lines))
    for node in sorted(docstring_nodes(tree), key=lambda node: -node.lineno):
        first, last = node.lineno - 1, node.end_lineno
        if all(len(line) <= CODE_COLUMNS for line in lines[first:last]):
            continue
        indent = lines[first][: len(lines[first]) - len(lines[first].lstrip())]
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", node.value.value)]
        wrapped = []
        for number, paragraph in enumerate(p for p in paragraphs if p):
            if number:
                wrapped.append("")
            wrapped.extend(textwrap.wrap(paragraph, CODE_COLUMNS - len(indent) - 3))
        new = [f'{indent}"""{wrapped[0]}', *(indent + line if line else "" for line in wrapped[1:])]
        new.append(f'{indent}"""')
        lines[first:last] = new
    return lines


def slide_code(code):
    """The cell's code laid out for a slide's width: the same program, black at 64 columns,
    end-of-line comments that make a line too long moved above it, long comments wrapped."""
    mode = black.Mode(
        line_length=CODE_COLUMNS, preview=True, enabled_features={black.Preview.string_processing}
    )
    moved = [part for line in code.splitlines() for part in comment_moved_above(line)]
    formatted = black.format_str("\n".join(moved) + "\n", mode=mode)
    moved = [part for line in formatted.splitlines() for part in comment_moved_above(line)]
    return "\n".join(rewrapped_docstrings(rewrapped_comments(moved))).strip("\n")


def break_priorities(lines):
    """For each line, how good a place it is to start a new slide: 2 before a statement (with
    the comments just above it), 1 between two items of a bracketed list, 0 elsewhere."""
    depth_at_start, depth = [], 0
    source = "\n".join(lines) + "\n"
    starts = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.OP and token.string in "([{":
                depth += 1
            elif token.type == tokenize.OP and token.string in ")]}":
                depth -= 1
            row = token.start[0] - 1
            starts.setdefault(row, depth if token.string not in ")]}" else depth + 1)
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                for inside in range(token.start[0], token.end[0]):
                    starts[inside] = -1  # inside a multi-line string
    except (tokenize.TokenError, IndentationError):
        return [0] * len(lines)
    depth_at_start = [starts.get(row, 0) for row in range(len(lines))]
    priorities = []
    for index in range(len(lines)):
        previous = lines[index - 1].rstrip() if index else ""
        if depth_at_start[index] == 0 and not previous.endswith("\\"):
            priority = 2
        elif depth_at_start[index] > 0 and previous.endswith((",", "(", "[")):
            priority = 1
        else:
            priority = 0
        priorities.append(priority)
    # A comment belongs to the line below it: break before the comment, not after it.
    for index in range(len(lines) - 1, 0, -1):
        if lines[index - 1].lstrip().startswith("#") and priorities[index] > 0:
            priorities[index - 1] = max(priorities[index - 1], priorities[index])
            priorities[index] = 0
    return priorities


def best_break(priorities, start, limit):
    """Where a slide that starts at line `start` ends, at most `limit` lines on: before a
    statement, else between two items of a list, leaving FEWEST_LINES or more if it can."""
    for fewest in (FEWEST_LINES, 1):
        for wanted in (2, 1):
            for index in range(start + limit, start + fewest - 1, -1):
                if priorities[index] >= wanted:
                    return index
    return start + limit


def chunks_of_at_most(lines, priorities, limit):
    """As many lines a slide as fit in `limit`, each slide ended at its best break."""
    chunks, start = [], 0
    while len(lines) - start > limit:
        end = best_break(priorities, start, limit)
        chunks.append(lines[start:end])
        start = end
    chunks.append(lines[start:])
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "\n".join(chunk).strip()]


def code_chunks(code):
    """The code split into slides of at most CODE_LINES lines, each break between two
    statements where there is one, else between two items of a list. Of the ways to split
    it, one with no slide shorter than FEWEST_LINES (no stray line alone), then the fewest
    slides, then the longest shortest slide."""
    lines = code.splitlines()
    priorities = break_priorities(lines)
    ways = [chunks_of_at_most(lines, priorities, limit) for limit in range(1, CODE_LINES + 1)]

    def goodness(way):
        shortest = min(len(chunk.splitlines()) for chunk in way)
        return (len(way) == 1 or shortest >= FEWEST_LINES, -len(way), shortest)

    return max(ways, key=goodness)
