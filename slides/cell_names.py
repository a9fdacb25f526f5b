"""The names a cell's code reads and binds, statement by statement: what a figure's code
computes, what a later cell takes from an earlier one, which constants a slide uses."""

import ast
import re

CONSTANT_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
COMMAND_LINE_OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def loaded_names(node):
    return {
        name.id
        for name in ast.walk(node)
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Load)
    }


def stored_names(node):
    """The names a statement binds: assigned, looped over, defined or imported."""
    names = {
        name.id
        for name in ast.walk(node)
        if isinstance(name, ast.Name) and isinstance(name.ctx, ast.Store | ast.Del)
    }
    for inner in ast.walk(node):
        if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(inner.name)
        elif isinstance(inner, ast.Import | ast.ImportFrom):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in inner.names}
    return names


def local_names(node):
    """The names bound only inside a statement: its loops' and comprehensions' variables
    and its functions' arguments."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.comprehension | ast.For | ast.AsyncFor):
            names |= {n.id for n in ast.walk(inner.target) if isinstance(n, ast.Name)}
        elif isinstance(inner, ast.arg):
            names.add(inner.arg)
    return names


def free_names(code):
    """The names a cell reads before it binds them: what it takes from the cells before."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return names_read_first(tree.body, set())


def names_read_first(statements, bound):
    """The names these statements read before they bind them, in the order they run (a
    block's body after its header), `bound` being bound already; `bound` grows by what they
    bind."""
    free = set()
    for statement in statements:
        if isinstance(statement, ast.If | ast.While | ast.For | ast.AsyncFor | ast.With):
            headers = [getattr(statement, field, None) for field in ("test", "iter")]
            headers += [item.context_expr for item in getattr(statement, "items", [])]
            free |= set().union(*(loaded_names(h) for h in headers if h is not None)) - bound
            inner = set(bound)
            for target in [getattr(statement, "target", None)] + [
                item.optional_vars for item in getattr(statement, "items", [])
            ]:
                inner |= stored_names(target) if target is not None else set()
            free |= names_read_first(statement.body, inner)
            free |= names_read_first(getattr(statement, "orelse", []), set(inner))
        elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            # What a function binds anywhere in its body is its own.
            inside = set().union(*(stored_names(node) for node in statement.body))
            free |= loaded_names(statement) - bound - inside - local_names(statement)
        else:
            free |= loaded_names(statement) - bound - local_names(statement)
        bound |= stored_names(statement)
    return free


def constants_read(code):
    """The UPPER_CASE names (the lesson's settings and constants) that the code reads."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    return {name for name in loaded_names(tree) if CONSTANT_NAME.match(name)}


def call_name(call):
    function = call.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def root_name(node):
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def prints(node):
    return any(isinstance(call, ast.Call) and call_name(call) == "print" for call in ast.walk(node))


def names_an_option(node):
    """Whether a statement's strings name a command-line option (`--model`)."""
    return any(
        isinstance(inner, ast.Constant)
        and isinstance(inner.value, str)
        and COMMAND_LINE_OPTION.search(inner.value)
        for inner in ast.walk(node)
    )
