"""A code cell laid out for a slide: black at 72 columns, comments and docstrings wrapped,
and long cells cut into slides between two statements or two items of a `[...]` list, never
inside a call or a dict."""

import ast
import io
import re
import textwrap
import tokenize

import black

CODE_LINES, CODE_COLUMNS = 18, 72  # a slide's code, at slide_parts.CODE_POINTS
# A line that black cannot split (a long string) may run a little past CODE_COLUMNS; the
# code box is as wide as this, and a longer line is an error to fix in the lesson.
CODE_MOST_COLUMNS = 78
FEWEST_LINES = 4  # a code slide's fewest lines where a cell continues: no stray line alone
MOST_CODE_SLIDES = 2  # a longer cell shows its first slides; the rest is in the notebook
SETUP_SLIDES = 1  # the Setup cell shows its first constants, the lesson's own choices
# How good a place a line is to start the next slide of a cell's code.
NEVER, NESTED_STATEMENT, LIST_ITEM, STATEMENT = 0, 1, 2, 3


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
    """The cell's code laid out for a slide's width: the same program, black at CODE_COLUMNS,
    end-of-line comments that make a line too long moved above it, long comments wrapped."""
    mode = black.Mode(
        line_length=CODE_COLUMNS, preview=True, enabled_features={black.Preview.string_processing}
    )
    moved = [part for line in code.splitlines() for part in comment_moved_above(line)]
    formatted = black.format_str("\n".join(moved) + "\n", mode=mode)
    moved = [part for line in formatted.splitlines() for part in comment_moved_above(line)]
    return "\n".join(rewrapped_docstrings(rewrapped_comments(moved))).strip("\n")


def without_imports(code):
    """The code without its import statements (the Setup cell's slide shows its constants;
    the imports are in the notebook), and no run of blank lines left where they were."""
    tree = ast.parse(code)
    lines = code.splitlines()
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for row in range(node.lineno - 1, node.end_lineno):
                lines[row] = None
    kept = [line for line in lines if line is not None]
    result = []
    for line in kept:
        if line.strip() or (result and result[-1].strip()):
            result.append(line)
    return "\n".join(result).strip("\n")


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
        if index in inside_string or previous.endswith("\\") or index in opens_with_closer:
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


def best_break(priorities, start, limit):
    """Where a slide that starts at line `start` ends, at most `limit` lines on: before a
    top-level statement, else between two items of a list, else between two statements of a
    block, leaving FEWEST_LINES or more if it can; None where there is no such place."""
    for fewest in (FEWEST_LINES, 1):
        for wanted in (STATEMENT, LIST_ITEM, NESTED_STATEMENT):
            for index in range(start + limit, start + fewest - 1, -1):
                if priorities[index] >= wanted:
                    return index
    return None


def chunks_of_at_most(lines, priorities, limit):
    """As many lines a slide as fit in `limit`, each slide ended at its best break. A single
    statement longer than `limit` with no list to break in is cut at `limit` (the deck's
    build warns of it, and the tests fail on it)."""
    chunks, start = [], 0
    while len(lines) - start > limit:
        end = best_break(priorities, start, limit)
        end = start + limit if end is None else end
        chunks.append(lines[start:end])
        start = end
    chunks.append(lines[start:])
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "\n".join(chunk).strip()]


def code_chunks(
    code, most_lines=CODE_LINES, trailing_lines=0, trailing_thin=False, most_slides=MOST_CODE_SLIDES
):
    """The code split into slides of at most `most_lines` lines, each break between two
    statements, else between two items of a `[...]` list. Of the ways to split it, one that
    shows the whole cell (`most_slides` or fewer), then one with no slide shorter than
    FEWEST_LINES (no stray line alone), then the fewest slides, counting
    one more where what follows the code (`trailing_lines`, in code lines: what the cell
    printed) does not fit below its last slide, then, where what follows is too short for a
    slide of its own (`trailing_thin`), one that keeps it below the code, then the fewest
    slides of code, then the longest shortest slide."""
    lines = code.splitlines()
    priorities = break_priorities(lines)
    ways = [chunks_of_at_most(lines, priorities, limit) for limit in range(1, most_lines + 1)]

    def goodness(way):
        shortest = min(len(chunk.splitlines()) for chunk in way)
        together = len(way[-1].splitlines()) + trailing_lines <= most_lines
        slides = len(way) + (0 if together or not trailing_lines else 1)
        no_stray = len(way) == 1 or shortest >= FEWEST_LINES
        whole = len(way) <= most_slides
        return (whole, no_stray, -slides, together or not trailing_thin, -len(way), shortest)

    return max(ways, key=goodness)


def shown_chunks(
    code, note_lines, trailing_lines=0, trailing_thin=False, most_slides=MOST_CODE_SLIDES
):
    """The slides of a cell's code, at most `most_slides`, and how many lines of the cell
    are left out (they are in the notebook). Where lines are left out, the slides are as full
    as they can be, and the last keeps the room of `note_lines` code lines for the note that
    says so, and of `trailing_lines` for what the cell printed where that leaves it at least
    half a slide of code."""
    chunks = code_chunks(
        code, trailing_lines=trailing_lines, trailing_thin=trailing_thin, most_slides=most_slides
    )
    if len(chunks) <= most_slides:
        return chunks, 0
    lines = code.splitlines()
    priorities = break_priorities(lines)
    last = CODE_LINES - note_lines - trailing_lines
    last = last if last >= CODE_LINES // 2 else CODE_LINES - note_lines
    chunks, start = [], 0
    for limit in [CODE_LINES] * (most_slides - 1) + [last]:
        end = best_break(priorities, start, limit)
        end = start + limit if end is None else end
        chunks.append("\n".join(lines[start:end]).strip("\n"))
        start = end
    return chunks, sum(1 for line in lines[start:] if line.strip())


def draws_only(code):
    """Whether a cell only draws figures: each statement a call of a function whose name
    ends in `_figure` (or the assignment of one), or the definition of such a function (or
    of a `draw_...` one). Its figure teaches; its code does not, and stays in the notebook."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return False

    def drawing(statement):
        if isinstance(statement, ast.FunctionDef):
            return statement.name.endswith("_figure") or statement.name.startswith("draw_")
        call = statement.value if isinstance(statement, ast.Expr | ast.Assign) else None
        if not isinstance(call, ast.Call):
            return False
        function = call.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        return name.endswith("_figure")

    return bool(statements) and all(drawing(statement) for statement in statements)


def shown_code(kind, code):
    """A code cell's code as its slides show it: the Setup cell's without its imports; empty
    where no slide shows it (nothing left, or a cell that only draws)."""
    if kind == "setup":
        code = without_imports(code)
    return "" if not code.strip() or draws_only(code) else code


def cut_inside_brackets(code):
    """Whether a slide's code leaves a bracket open (or closes one it did not open) other
    than a `[` list and the brackets around it: a cut inside a call or a dict."""
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
    ends_inside = bool(stack) and stack[-1] != "["
    starts_inside = bool(unmatched_closers) and unmatched_closers[0] != "]"
    return ends_inside or starts_inside
