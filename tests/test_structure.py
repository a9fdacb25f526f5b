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
# What marks the course's machinery in a cell (as the before-stop hook counts it).
MACHINERY = re.compile(
    r"^\s*(import|from)\s+(course|outputs|options)\b|\b(course|outputs|options)\.|\bargs\.",
    re.M,
)
MOST_COURSE_CELLS = 3  # the quiet start, the command line, the record
COURSE_CELL_TITLE = re.compile(r"^The course's [^:]+: leave it out when you copy$")


def cells(script):
    """(title, source) of each `# %%` cell of a lesson, the docstring before them left out."""
    parts = re.split(r"^# %%(.*)$", script.read_text(), flags=re.M)
    return [(title.strip(), source) for title, source in zip(parts[1::2], parts[2::2])]


def setup_cell(script):
    """The statements of a lesson's setup cell."""
    (source,) = [source for title, source in cells(script) if title == "Setup"]
    return ast.parse(source).body


@pytest.mark.parametrize("script", LESSONS, ids=lambda path: path.stem)
def test_the_machinery_is_in_a_few_cells_labelled_as_the_courses(script):
    used = [title for title, source in cells(script) if MACHINERY.search(source)]
    assert 1 <= len(used) <= MOST_COURSE_CELLS, used
    for title in used:
        assert COURSE_CELL_TITLE.match(title), title
    titles = [title for title, _ in cells(script)]
    assert titles[:3] == [
        "The course's start: leave it out when you copy",
        "Setup",
        "The course's command line: leave it out when you copy",
    ]


def test_the_machinery_check_finds_a_plain_cell_that_uses_the_course():
    assert MACHINERY.search("x = 1\nprint(args.epochs)")
    assert MACHINERY.search("outputs.save_figure(figure)")
    assert not MACHINERY.search("model.fit(x, y, epochs=EPOCHS)  # the course's recipe")


@pytest.mark.parametrize("script", LESSONS, ids=lambda path: path.stem)
def test_the_setup_cell_holds_imports_and_named_settings(script):
    """Pasted with the cells after it, it is all a student needs: no call, no `course`."""
    for statement in setup_cell(script):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            assert "course" not in ast.unparse(statement)
            continue
        assert isinstance(statement, ast.Assign), ast.unparse(statement)
        for target in statement.targets:
            names = [target] if isinstance(target, ast.Name) else target.elts
            assert all(name.id.isupper() for name in names), ast.unparse(statement)


@pytest.mark.parametrize("script", LESSONS, ids=lambda path: path.stem)
def test_a_lesson_imports_course_first(script):
    first_title, first_source = cells(script)[0]
    code = [line for line in first_source.splitlines() if line and not line.startswith("#")]
    assert code == ["import course"]


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


def test_the_outputs_layout_is_spelled_once():
    """The folders of outputs/ are named once, as constants (common.py the ones a student's
    copy saves in, outputs.py the course's records, own_digits.py the collected digits);
    every path into them takes its name from there."""
    folders = "models|metrics|history|adaptation|my_digits"  # (figures: docs/ has one too)
    joined = re.compile(rf"""/\s*["']({folders})["']|["']({folders})["']\s*/""")
    spelled = [
        f"{path.relative_to(PROJECT_DIR)}:{number}"
        for path in PYTHON_FILES
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if joined.search(line)
    ]
    assert not spelled, spelled
    defined = re.compile(rf"""^[A-Z_, ]+ = .*["']({folders})["']""", re.M)
    names = [
        name
        for module in ("common.py", "outputs.py", "own_digits.py")
        for match in defined.finditer((PROJECT_DIR / module).read_text())
        for name in re.findall(rf"""["']({folders})["']""", match.group(0))
    ]
    assert sorted(names) == sorted(folders.split("|"))


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


@pytest.mark.parametrize(
    "lesson", ["00_load_data", "01_mlp_baseline", "02_simple_cnn", "03_large_cnn"]
)
def test_lessons_0_to_3_load_and_prepare_the_data_as_a_student_would(lesson):
    """Keras' own loader, or NumPy for an offline copy; / 255, to_categorical and a slice for
    validation, with no helper of the course's between the student and the arrays."""
    taught = "".join(
        source
        for title, source in cells(PROJECT_DIR / f"{lesson}.py")
        if not COURSE_CELL_TITLE.match(title)
    )
    assert "keras.datasets.mnist.load_data()" in taught
    assert "np.load(MNIST_PATH)" in taught
    assert "keras.utils.to_categorical(" in taught
    assert re.search(r"astype\(\"float32\"\) / 255\b", taught)
    for helper in ("load_mnist", "one_hot_encode", "hold_out_validation", "scale_pixels"):
        assert f"common.{helper}(" not in taught, helper
