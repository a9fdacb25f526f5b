"""What a slide shows of a code cell: the Setup cell's settings that the deck's other code
reads (not its imports); of any other cell, its code without the statements that only serve
its figure (figure_code.py: the figure is on the slide instead), without the prints of how to
run something from the command line, and without what its comments say of the course's
command line."""

import ast
import io
import re
import tokenize

from cell_names import loaded_names, names_an_option, prints, stored_names
from code_layout import comment_lines, indent_of
from figure_code import figure_rows, statement_lines, without_rows, without_statements

# A command-line option, or words about the course's command line, in a comment.
COMMAND_LINE_WORDS = re.compile(r"(?<![\w-])--[a-z][a-z-]*|\bcommand[- ]line\b", re.IGNORECASE)


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


def command_line_prints(statements, later_names=frozenset()):
    """The statements that print how to run something from the command line (the course's
    bookkeeping, which no slide shows printed either), and those that compute only what
    such a print reads."""
    found = {
        index
        for index, statement in enumerate(statements)
        if prints(statement) and names_an_option(statement)
    }
    for index, statement in enumerate(statements):
        bound = stored_names(statement)
        readers = [
            later
            for later in range(index + 1, len(statements))
            if loaded_names(statements[later]) & bound
        ]
        if bound and readers and set(readers) <= found and not bound & set(later_names):
            found.add(index)
    return found


def without_command_line_words(text):
    """A comment's words without what they say of the course's command line: a remark in
    brackets that names an option or the command line goes, and so does a sentence that
    still does."""
    text = re.sub(r"\s*\([^()]*\)", lambda m: "" if COMMAND_LINE_WORDS.search(m[0]) else m[0], text)
    sentences = re.split(r"(?<=[.!?])\s+", text)
    kept = [sentence for sentence in sentences if not COMMAND_LINE_WORDS.search(sentence)]
    return " ".join(kept).strip()


def without_command_line_comments(code):
    """The code's comments without what they say of the course's command line; a comment
    that changes is wrapped again, one that says nothing else goes."""
    lines = code.splitlines()
    result, run = [], []

    def flush():
        if not run:
            return
        indent = indent_of(run[0])
        text = " ".join(line.strip().lstrip("#").strip() for line in run)
        if COMMAND_LINE_WORDS.search(text):
            text = without_command_line_words(text)
            if text:
                result.extend(comment_lines(text, indent))
        else:
            result.extend(run)
        run.clear()

    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        if stripped.startswith("#"):
            if run and indent != indent_of(run[0]):
                flush()
            run.append(line)
            continue
        flush()
        result.append(end_comment_without_command_line(line))
    flush()
    return "\n".join(result)


def end_comment_without_command_line(line):
    """A line of code whose comment names the command line keeps only the rest of it."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line).readline))
    except (tokenize.TokenError, IndentationError):
        return line
    for token in tokens:
        if token.type == tokenize.COMMENT and COMMAND_LINE_WORDS.search(token.string):
            code = line[: token.start[1]].rstrip()
            words = without_command_line_words(token.string.lstrip("#").strip())
            return f"{code}  # {words}" if words else code
    return line


def settings_shown(code, wanted):
    """Of the Setup cell's statements, those that set a name in `wanted` and those that set
    what they read, in the cell's order, each with the comments right above it; the imports
    and the settings no slide reads stay in the notebook."""
    tree = ast.parse(code)
    statements = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom)]
    needed, kept = set(wanted), set()
    changed = True
    while changed:
        changed = False
        for index, statement in enumerate(statements):
            if index not in kept and stored_names(statement) & needed:
                kept.add(index)
                needed |= loaded_names(statement)
                changed = True
    left_out = {index for index in range(len(statements)) if index not in kept}
    imports = [index for index, node in enumerate(tree.body) if node not in statements]
    every = tree.body
    dropped = {every.index(statements[index]) for index in left_out} | set(imports)
    return without_statements(code, every, dropped)


def shown_code(kind, code, later_names=frozenset(), wanted=None):
    """A code cell's code as its slides show it; empty where no slide shows it.

    The Setup cell's: its settings that the deck's other code reads (`wanted`; all of them
    where None), without the imports. Any other cell's: without the statements that only
    serve its figure (figure_statements, told which names the later cells read) or print
    how to run something from the command line. Comments say nothing of the course's
    command line."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return code
    if kind == "setup":
        code = settings_shown(code, wanted) if wanted is not None else without_imports(code)
    else:
        lines = code.splitlines()
        rows = figure_rows(code, later_names)
        for index in command_line_prints(statements, later_names):
            rows.update(statement_lines(statements[index], lines))
        code = without_rows(code, rows)
    code = without_command_line_comments(code)
    return code if code.strip() else ""


def figure_code_left_out(kind, code, later_names=frozenset()):
    """Whether a slide leaves some of the cell's code out because it only serves a figure."""
    return kind != "setup" and bool(figure_rows(code, later_names))
