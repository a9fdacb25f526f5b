"""The statements of a cell that only serve its figure: they draw or save it, or compute
what only those read. A slide shows the figure instead of them (cell_shown.py)."""

import ast

from cell_names import call_name, loaded_names, local_names, prints, root_name, stored_names

# The calls that draw or save a figure: Matplotlib's (plt.*, and the methods of what they
# return), the course's picture functions (*_figure), and saving or showing a picture.
PLOTTING_MODULES = {"plt"}
FIGURE_CALLS = {"save_figure", "savefig", "show_picture"}
FIGURE_SUFFIX = "_figure"
BLOCKS = ("body", "orelse", "finalbody")


def draws(node, figure_names):
    """Whether a statement calls something that draws or saves a figure: Matplotlib, a
    function whose name ends in _figure, save_figure or savefig or show_picture, or a method
    of (or a call given) a figure or its axes (`figure_names`), or a loop over those."""
    for loop in (inner for inner in ast.walk(node) if isinstance(inner, ast.For)):
        if loaded_names(loop.iter) & figure_names:
            return True
    for call in (inner for inner in ast.walk(node) if isinstance(inner, ast.Call)):
        name = call_name(call)
        if name == "print":
            continue
        if name in FIGURE_CALLS or name.endswith(FIGURE_SUFFIX):
            return True
        if root_name(call.func) in PLOTTING_MODULES | figure_names:
            return True
        if loaded_names(call) & figure_names:
            return True
    return False


def figure_statements(statements, later_names=frozenset()):
    """Which top-level statements of a cell only serve its figure: each a statement that
    draws or saves a figure (or one that defines a `..._figure` or `draw_...` function), or
    one that computes what only such statements read; none prints, and nothing that one
    binds is read by a statement that does not draw, nor by a later cell (`later_names`)."""
    figure_names, changed = set(), True
    while changed:  # what the statements that draw bind: figures, axes, what those return
        drawing = [s for s in statements if not prints(s) and draws(s, figure_names)]
        more = set().union(*(stored_names(statement) for statement in drawing))
        changed = not more <= figure_names
        figure_names |= more
    figure, changed = set(), True
    while changed:
        changed = False
        for index, statement in enumerate(statements):
            if index in figure:
                continue
            if isinstance(statement, ast.FunctionDef):
                name = statement.name
                if name.endswith(FIGURE_SUFFIX) or name.startswith("draw_"):
                    figure.add(index)
                    changed = True
                continue
            bound = stored_names(statement) - local_names(statement)
            readers = [
                later
                for later in range(index + 1, len(statements))
                if loaded_names(statements[later]) & bound
            ]
            if bound & set(later_names) or any(later not in figure for later in readers):
                continue
            serves = not prints(statement) and (
                draws(statement, figure_names) or (bound and readers)
            )
            if not serves and isinstance(statement, ast.If):
                read_after = set(later_names).union(
                    *(loaded_names(later) for later in statements[index + 1 :])
                )
                serves = figure_block(statement, read_after)
            if serves:
                figure.add(index)
                changed = True
    return figure


def figure_block(statement, read_after):
    """Whether an `if` only serves a figure: each statement of its body does (told what is
    read after it), and its `else`, if any, does too or only prints that there is none."""
    body = figure_statements(statement.body, frozenset(read_after))
    if len(body) != len(statement.body):
        return False
    if not statement.orelse:
        return True
    orelse = figure_statements(statement.orelse, frozenset(read_after))
    says_so = all(
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and call_name(node.value) == "print"
        for node in statement.orelse
    )
    return len(orelse) == len(statement.orelse) or says_so


def draws_only(code, later_names=frozenset()):
    """Whether each statement of the cell only serves its figure (figure_statements): its
    figure teaches; its code does not, and stays in the notebook."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return False
    return bool(statements) and len(figure_statements(statements, later_names)) == len(statements)


def statement_lines(statement, lines):
    """The rows of a top-level statement, with its decorators and the comment lines right
    above it."""
    first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", []))])
    first -= 1
    while first > 0 and lines[first - 1].strip().startswith("#"):
        first -= 1
    return range(first, statement.end_lineno)


def without_statements(code, statements, left_out):
    """The code without the top-level statements numbered in `left_out` (nor the comments
    right above them), and no run of blank lines left where they were."""
    lines = code.splitlines()
    rows = {row for index in left_out for row in statement_lines(statements[index], lines)}
    return without_rows(code, rows)


def without_rows(code, rows):
    """The code without the lines numbered in `rows` (from 0), and no run of blank lines
    left where they were."""
    lines = [None if row in rows else line for row, line in enumerate(code.splitlines())]
    kept = []
    for line in lines:
        if line is None:
            continue
        if line.strip() or (kept and kept[-1].strip()):
            kept.append(line)
    return "\n".join(kept).strip("\n")


def figure_rows(code, later_names=frozenset()):
    """The lines of a cell that only serve its figure: its figure statements
    (figure_statements) and, inside a loop or a block that does more, those of its own
    statements that only serve the figure, where some of the block is left."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return set()
    lines = code.splitlines()
    rows = set()

    def visit(block, read_after, nested=True):
        figure = figure_statements(block, frozenset(read_after))
        if nested and len(figure) == len(block):
            return  # a block needs a statement: the one around it stays whole
        for index, statement in enumerate(block):
            after = set(read_after).union(*(loaded_names(node) for node in block[index + 1 :]))
            if index in figure:
                rows.update(statement_lines(statement, lines))
                continue
            headers = [getattr(statement, field, None) for field in ("test", "iter")]
            after |= set().union(*(loaded_names(h) for h in headers if h is not None))
            inner = [getattr(statement, name, []) for name in BLOCKS]
            inner += [handler.body for handler in getattr(statement, "handlers", [])]
            for nested in inner:
                if nested and not isinstance(statement, ast.FunctionDef | ast.ClassDef):
                    visit(nested, after)

    visit(statements, later_names, nested=False)
    return rows
