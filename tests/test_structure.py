"""How the project is laid out: the lessons' setup is short, and shared code is imported by
name (a lesson's file is never loaded by its path)."""

import ast
import re
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

THIS_FILE = Path(__file__).resolve()

LESSONS = sorted(PROJECT_DIR.glob("[0-9][0-9]_*.py"))
PYTHON_FILES = [
    path
    for path in PROJECT_DIR.rglob("*.py")
    if not {"outputs", ".venv", ".ci-venv"} & set(path.relative_to(PROJECT_DIR).parts)
    and path.resolve() != THIS_FILE
]
MAX_SETUP_STATEMENTS = 3  # e.g. args = course.start(...), the seed, epochs and batch size


def setup_cell(script):
    """The statements of a lesson's first `# %%` cell."""
    source = script.read_text()
    cells = re.split(r"^# %%.*$", source, flags=re.M)
    return ast.parse(cells[1]).body


def plumbing(statement):
    """Neither an import nor a constant (a name in capitals) nor a function definition."""
    if isinstance(statement, (ast.Import, ast.ImportFrom, ast.FunctionDef)):
        return False
    if isinstance(statement, ast.Assign):
        names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        return not (names and all(name.isupper() for name in names))
    return True


@pytest.mark.parametrize("name", ["01_mlp_baseline", "02_simple_cnn"])
def test_a_training_lessons_setup_is_three_statements(name):
    statements = [s for s in setup_cell(PROJECT_DIR / f"{name}.py") if plumbing(s)]
    assert len(statements) <= MAX_SETUP_STATEMENTS, [ast.unparse(s) for s in statements]
    assert ast.unparse(statements[0]).startswith("args = course.start(__doc__, OPTIONS")
    assert "common.set_seed(args.seed)" in [ast.unparse(s) for s in statements]


@pytest.mark.parametrize("script", LESSONS, ids=lambda path: path.stem)
def test_a_lesson_imports_course_first(script):
    imports = [s for s in setup_cell(script) if isinstance(s, (ast.Import, ast.ImportFrom))]
    assert ast.unparse(imports[0]) == "import course"


def test_no_file_loads_a_lesson_by_its_path():
    """Lessons 6 and 7, the benchmarks and the tests import handwriting.py by name."""
    loaders = re.compile(r"spec_from_file_location|run_path|SourceFileLoader|exec\(")
    for path in PYTHON_FILES:
        found = loaders.search(path.read_text())
        assert not found, f"{path.relative_to(PROJECT_DIR)}: {found.group()}"


# %% The course's modules, by concern

MAX_MODULE_LINES = 350
MODULES = sorted(
    [
        *(path for path in PROJECT_DIR.glob("*.py") if path not in LESSONS),
        *(PROJECT_DIR / "slides").glob("*.py"),
        PROJECT_DIR / "notebooks" / "build.py",
    ]
)


@pytest.mark.parametrize("module", MODULES, ids=lambda path: str(path.relative_to(PROJECT_DIR)))
def test_no_module_of_the_course_is_longer_than_a_few_hundred_lines(module):
    assert len(module.read_text().splitlines()) <= MAX_MODULE_LINES


def test_the_outputs_layout_is_spelled_in_one_module():
    """The folders of outputs/ are named in outputs.py; everything else takes its names."""
    folders = "models|metrics|history|adaptation|my_digits"
    layout = re.compile(rf"""/\s*["']({folders})["']|["']({folders})["']\s*/""")
    spelled = [
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for path in PYTHON_FILES
        if path.name != "outputs.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if layout.search(line)
    ]
    assert not spelled, spelled


def test_steps_per_execution_is_keras_default_in_the_lessons():
    for lesson in LESSONS:
        assert "STEPS_PER_EXECUTION" not in lesson.read_text()
        assert "steps_per_execution" not in lesson.read_text()


def bound_names(node):
    """The names a function or class body binds itself: parameters, assignments, loop and
    `with` targets, exception names, imports and nested definitions."""
    names = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.arg):
            names.add(inner.arg)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            names.add(inner.id)
        elif isinstance(inner, ast.ExceptHandler) and inner.name:
            names.add(inner.name)
        elif isinstance(inner, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in inner.names)
        elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if inner is not node:
                names.add(inner.name)
    return names


def lesson_variables(tree):
    """The names a lesson binds outside its functions and classes, other than imports and
    constants in capitals: its data, model, options and results."""
    names = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            continue
        names |= bound_names(statement)
    return {name for name in names if not name.isupper()}


@pytest.mark.parametrize("script", LESSONS, ids=lambda path: path.stem)
def test_functions_in_a_lesson_take_what_they_use(script):
    """A function or class copied from a lesson into a fresh notebook, with its imports,
    runs: it reads none of the lesson's variables, only its parameters, constants and
    other functions."""
    tree = ast.parse(script.read_text())
    variables = lesson_variables(tree)
    definitions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    for definition in definitions:
        read = {
            node.id
            for node in ast.walk(definition)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        outside = (read & variables) - bound_names(definition)
        assert not outside, f"{script.name}: {definition.name} reads {sorted(outside)}"


def test_the_checker_finds_a_function_that_reads_a_lesson_variable():
    tree = ast.parse("model = 1\nLIMIT = 2\n\ndef read(x):\n    return model(x) + LIMIT\n")
    variables = lesson_variables(tree)
    function = tree.body[2]
    read = {n.id for n in ast.walk(function) if isinstance(n, ast.Name)}
    assert (read & variables) - bound_names(function) == {"model"}
