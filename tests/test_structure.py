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
