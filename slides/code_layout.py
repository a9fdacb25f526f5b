"""A code cell laid out for its slides: black at 72 columns, comments and docstrings wrapped,
and a cell too long for a slide cut into slides between two top-level statements, never inside
one; a statement too long for a slide at CODE_POINTS is shown whole in a smaller size, down to
SMALLEST_CODE_POINTS, and only one longer even then continues between two statements of its
block or two items of its list (the build warns of it). What a slide shows of a cell is
cell_shown.py's."""

import ast
import io
import re
import textwrap
import tokenize

import black
from figure_code import draws_only  # noqa: F401  (lecture.py reads it from here)
from slide_parts import (
    BODY_HEIGHT,
    CODE_POINTS,
    GAP,
    SMALLEST_CODE_POINTS,
    code_height,
    code_lines_that_fit,
)

CODE_COLUMNS = 72  # a slide's code, laid out by black
CODE_LINES = code_lines_that_fit(CODE_POINTS)  # 18 lines at 18 pt
# A line that black cannot split (a long string) may run a little past CODE_COLUMNS; the
# code box is as wide as this, and a longer line is an error to fix in the lesson.
CODE_MOST_COLUMNS = 78
FEWEST_LINES = 4  # a code slide's fewest lines where a cell continues: no stray line alone
# How good a place a line is to start the next slide of a cell's code.
NEVER, NESTED_STATEMENT, LIST_ITEM, STATEMENT = 0, 1, 2, 3
# A line that goes on with the block statement above it: `else:`, `elif ...:`, `except:`.
BLOCK_CONTINUATION = re.compile(r"^\s*(else|elif|except|finally)\b")
MOVED = "\ue000"  # ends a comment moved above its line while the layout runs


def comment_moved_above(line):
    """`code  # comment` as two lines, the comment first, when the line is too long (the
    comment marked MOVED, so that it is not joined to a comment above it)."""
    if len(line) <= CODE_COLUMNS:
        return [line]
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError):
        return [line]
    for token in tokens:
        if token.type == tokenize.COMMENT and line[: token.start[1]].strip():
            indent = indent_of(line)
            comment = token.string if token.string.endswith(MOVED) else token.string + MOVED
            return [indent + comment, line[: token.start[1]].rstrip()]
    return [line]


def indent_of(line):
    """The spaces a line starts with."""
    return line[: len(line) - len(line.lstrip())]


def comment_lines(text, indent):
    """`text` as comment lines at `indent`, wrapped to CODE_COLUMNS."""
    prefix = indent + "# "
    return textwrap.wrap(
        text, CODE_COLUMNS, initial_indent=prefix, subsequent_indent=prefix, break_on_hyphens=False
    )


def rewrapped_comments(lines):
    """Runs of full-line comments with a line too long for a slide, wrapped again as one
    paragraph at the same indent; shorter runs keep their own line breaks. A comment moved
    above its line is a run of its own."""
    result, run = [], []

    def flush():
        if any(len(line.removesuffix(MOVED)) > CODE_COLUMNS for line in run):
            indent = indent_of(run[0])
            text = " ".join(line.lstrip().lstrip("#").strip().removesuffix(MOVED) for line in run)
            result.extend(comment_lines(text, indent))
        else:
            result.extend(run)
        run.clear()

    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        is_text = stripped.startswith("#") and stripped.lstrip("#").strip()
        moved = line.endswith(MOVED)
        run_indent = indent_of(run[0]) if run else indent
        same_run = is_text and indent == run_indent
        if run and (moved or not same_run or run[-1].endswith(MOVED)):
            flush()
        if is_text:
            run.append(line)
        else:
            result.append(line)
    flush()
    return [line.removesuffix(MOVED) for line in result]


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
        indent = indent_of(lines[first])
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
    """The cell's code laid out for a slide's width: the same program, black at CODE_COLUMNS,
    end-of-line comments that make a line too long moved above it, long comments wrapped."""
    mode = black.Mode(
        line_length=CODE_COLUMNS, preview=True, enabled_features={black.Preview.string_processing}
    )
    moved = [part for line in code.splitlines() for part in comment_moved_above(line)]
    formatted = black.format_str("\n".join(moved) + "\n", mode=mode)
    moved = [part for line in formatted.splitlines() for part in comment_moved_above(line)]
    return "\n".join(rewrapped_docstrings(rewrapped_comments(moved))).strip("\n")


def break_priorities(lines):
    """For each line, how good a place it is to start a slide: STATEMENT before a top-level
    statement (with the comments just above it), LIST_ITEM before an item of a `[...]` list
    that is the innermost open bracket (a model's layers), NESTED_STATEMENT before a statement
    inside a function, class or block, but not its first (a slide never ends on `if ...:`),
    and NEVER inside a call, a dict or a string."""
    source = "\n".join(lines) + "\n"
    open_at_start, inside_string, opens_with_closer = {}, set(), set()
    stack = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            row = token.start[0] - 1
            if row not in open_at_start:
                open_at_start[row] = tuple(stack)
                if token.type == tokenize.OP and token.string in ")]}":
                    opens_with_closer.add(row)
            if token.type == tokenize.OP and token.string in "([{":
                stack.append(token.string)
            elif token.type == tokenize.OP and token.string in ")]}" and stack:
                stack.pop()
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside_string.update(range(token.start[0], token.end[0]))
    except (tokenize.TokenError, IndentationError):
        return [NEVER] * len(lines)
    priorities, last_code = [], ""
    for index in range(len(lines)):
        previous = lines[index - 1].rstrip() if index else ""
        brackets = open_at_start.get(index, ())
        # A blank line belongs to the statement after it.
        following = next((line for line in lines[index:] if line.strip()), "")
        indented = following[:1].isspace()
        continues_block = BLOCK_CONTINUATION.match(lines[index])
        if index in inside_string or previous.endswith("\\") or index in opens_with_closer:
            priority = NEVER
        elif continues_block:  # `else:` belongs to the `if` above it
            priority = NEVER
        elif not brackets and not indented:
            priority = STATEMENT
        elif not brackets:
            priority = NEVER if last_code.endswith(":") else NESTED_STATEMENT
        elif brackets[-1] == "[" and previous.endswith(","):
            priority = LIST_ITEM
        else:
            priority = NEVER
        priorities.append(priority)
        code_line = index not in inside_string and not lines[index].lstrip().startswith("#")
        if lines[index].strip() and code_line:
            last_code = lines[index].split("  #")[0].rstrip()
    # A comment belongs to the line below it: break before the comment, not after it.
    for index in range(len(lines) - 1, 0, -1):
        if lines[index - 1].lstrip().startswith("#") and priorities[index] > NEVER:
            priorities[index - 1] = max(priorities[index - 1], priorities[index])
            priorities[index] = NEVER
    return priorities


def best_break(priorities, start, limit, order=(STATEMENT, NESTED_STATEMENT, LIST_ITEM)):
    """Where a slide that starts at line `start` ends, at most `limit` lines on: before a
    top-level statement, else between two statements of a block, else between two items of
    a list, leaving FEWEST_LINES or more if it can; None where there is no such place."""
    for fewest in (FEWEST_LINES, 1):
        for rank in range(len(order)):
            for index in range(start + limit, start + fewest - 1, -1):
                if priorities[index] in order[: rank + 1]:
                    return index
    return None


def chunks_of_at_most(lines, priorities, limit):
    """As many lines a slide as fit in `limit`, each slide ended at its best break. A single
    statement longer than `limit` with no block or list to break in is cut at `limit` (the
    deck's build warns of it, and the tests fail on it)."""
    chunks, start = [], 0
    while len(lines) - start > limit:
        end = best_break(priorities, start, limit)
        end = start + limit if end is None else end
        chunks.append(lines[start:end])
        start = end
    chunks.append(lines[start:])
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "\n".join(chunk).strip()]


def code_sizes():
    """Each size code may be shown in, largest first, with the lines a slide holds at it."""
    return [
        (points, code_lines_that_fit(points))
        for points in range(CODE_POINTS, SMALLEST_CODE_POINTS - 1, -1)
    ]


def fitting_size(line_count):
    """The largest size at which `line_count` lines of code fit a slide; None if none."""
    return next((points for points, most in code_sizes() if line_count <= most), None)


def statement_units(lines):
    """The lines cut before each top-level statement (a statement keeps the comments and
    blank lines above it)."""
    priorities = break_priorities(lines)
    starts = sorted({0} | {index for index, value in enumerate(priorities) if value == STATEMENT})
    return [lines[first:last] for first, last in zip(starts, [*starts[1:], len(lines)])]


def joined(lines):
    return "\n".join(lines).strip("\n")


def continued_pieces(lines):
    """A statement too long for a slide even at SMALLEST_CODE_POINTS, at CODE_POINTS on as
    many slides as it needs, each ended between two statements of its block, else between
    two items of its list, else (the build warns) where the slide is full."""
    pieces = chunks_of_at_most(lines, break_priorities(lines), CODE_LINES)
    return [(piece, CODE_POINTS) for piece in pieces]


def cut_at_most(units, limit):
    """As many statements a slide as fit in `limit` lines, each slide shown at the largest
    size that holds it; a statement too long for any size continues (continued_pieces)."""
    most_lines = code_sizes()[-1][1]
    way, current = [], []
    for unit in [*units, None]:
        text = joined(current)
        long = unit is not None and len(joined(unit).splitlines()) > most_lines
        if unit is None or long or (current and len(joined(current + unit).splitlines()) > limit):
            if text.strip():
                way.append((text, fitting_size(len(text.splitlines()))))
            current = []
        if long:
            way.extend(continued_pieces(joined(unit).splitlines()))
        elif unit is not None:
            current = current + unit
    return way


def ways_to_cut(lines):
    """Ways to cut the code into slides between top-level statements: for each size and
    each number of lines up to what a slide holds at it, as many statements a slide as fit
    in that many lines."""
    units = statement_units(lines)
    ways = []
    for _, most in code_sizes():
        for limit in range(1, most + 1):
            way = cut_at_most(units, limit)
            if way and way not in ways:
                ways.append(way)
    return ways


def code_slides(code, trailing_height=0, trailing_thin=False):
    """The code on slides, as (code, points) each, cut between top-level statements. Of the
    ways to cut it, the one whose smallest size is largest, then one with no slide shorter
    than FEWEST_LINES (no stray line alone), then the fewest slides, counting one more where
    what follows the code (`trailing_height`: what the cell printed) does not fit below its
    last slide, then, where what follows is too short for a slide of its own
    (`trailing_thin`), one that keeps it below the code, then the fewest slides of code,
    then the largest sizes, then the longest shortest slide."""
    lines = code.splitlines()
    if not joined(lines).strip():
        return []

    def goodness(way):
        counts = [len(text.splitlines()) for text, _ in way]
        shortest = min(counts)
        together = code_height(counts[-1], way[-1][1]) + GAP + trailing_height <= BODY_HEIGHT
        slides = len(way) + (0 if together or not trailing_height else 1)
        no_stray = len(way) == 1 or shortest >= FEWEST_LINES
        smallest = min(points for _, points in way)
        sizes = sum(points for _, points in way)
        kept_below = together or not trailing_thin
        return (smallest, no_stray, -slides, kept_below, -len(way), sizes, shortest)

    return max(ways_to_cut(lines), key=goodness)


def code_chunks(code, trailing_height=0, trailing_thin=False):
    """The code of each slide of code_slides, without its size."""
    return [text for text, _ in code_slides(code, trailing_height, trailing_thin)]


def cut_inside_brackets(code):
    """Whether a slide's code leaves a bracket open or closes one it did not open: a cut
    inside a statement (a call, a list or a dict)."""
    stack, unmatched_closers = [], []
    # Without each line's indent: a slide that starts inside a list starts indented, which
    # the tokenizer would take for a statement's indent.
    flush_left = "\n".join(line.lstrip() for line in code.splitlines()) + "\n"
    try:
        for token in tokenize.generate_tokens(io.StringIO(flush_left).readline):
            if token.type == tokenize.OP and token.string in "([{":
                stack.append(token.string)
            elif token.type == tokenize.OP and token.string in ")]}":
                if stack:
                    stack.pop()
                else:
                    unmatched_closers.append(token.string)
    except tokenize.TokenError:
        pass  # brackets left open: the stack says which
    except IndentationError:
        return True
    return bool(stack) or bool(unmatched_closers)
