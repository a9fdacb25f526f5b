"""bench/try_it.py, the answer key: every Try it exercise run the quick way on the tests' own
data, so that a lesson change that breaks an exercise (a line an edit needs gone, an option
renamed, a printed number no longer found) fails here; and what the script refuses."""

import hashlib
import shutil
import sys
from types import SimpleNamespace

import pytest
from conftest import PROJECT_DIR

sys.path.insert(0, str(PROJECT_DIR / "bench"))
import try_it  # noqa: E402
import try_it_writing  # noqa: E402
from try_it_runs import TryItError, check_change  # noqa: E402

ANSWERS = PROJECT_DIR / "docs" / "answers.md"
EXERCISES = 29  # in all the lessons' Try it cells
PARTS = ("**Ran:**", "**Measured:**", "**Why:**")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def test_every_exercise_runs_the_quick_way(tmp_path, mnist_npz, capsys):
    """The whole key in quick mode, in one kernel: each exercise's change applies, its run
    finishes, and its answer finds the numbers it reads. docs/answers.md is left alone."""
    committed = digest(ANSWERS)
    out = tmp_path / "answers.md"
    try_it.main(["--quick", "--data", str(mnist_npz), "--out", str(out)])
    assert digest(ANSWERS) == committed
    text = out.read_text()
    assert "Not measured yet" not in text
    answered = 0
    for name, (_, _, count) in try_it.LESSONS.items():
        section = text.split(f"## {name}.py\n", 1)[1].split("\n## ", 1)[0]
        numbers = [line for line in section.splitlines() if line[:1].isdigit()]
        assert [line.split(".")[0] for line in numbers] == [str(n + 1) for n in range(count)]
        assert all(section.count(part) == count for part in PARTS), name
        answered += count
    assert answered == EXERCISES
    progress = capsys.readouterr().err
    assert "done in" in progress and "the key took" in progress


def test_the_exercises_apply_to_the_lessons_as_they_are():
    try_it.check_lessons(try_it.LESSONS)
    assert sum(count for _, _, count in try_it.LESSONS.values()) == EXERCISES


def changed_copy(tmp_path, name, old, new):
    """The lessons copied to `tmp_path`, one of them changed."""
    for lesson in try_it.LESSONS:
        shutil.copy(PROJECT_DIR / f"{lesson}.py", tmp_path)
    path = tmp_path / f"{name}.py"
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    return tmp_path


def test_an_edit_whose_text_is_gone_is_refused_before_anything_runs(tmp_path):
    folder = changed_copy(tmp_path, "02_simple_cnn", "        layers.Dropout(0.2),\n", "")
    with pytest.raises(TryItError, match="is not in 02_simple_cnn.py.*Dropout"):
        try_it.check_lessons(["02_simple_cnn"], folder)


def test_an_edit_whose_text_occurs_twice_is_refused():
    text = (PROJECT_DIR / "05_best_cnn.py").read_text()
    change = try_it.LESSONS["05_best_cnn"][0]["rotation 20"]
    check_change("05_best_cnn", text, change)
    doubled = text.replace("EPOCHS = 16", "EPOCHS = 16\nROTATION_DEGREES = 10", 1)
    with pytest.raises(TryItError, match="occurs 2 times in 05_best_cnn.py"):
        check_change("05_best_cnn", doubled, change)


def test_a_renamed_option_and_a_lost_exercise_are_refused(tmp_path):
    folder = changed_copy(tmp_path, "03_large_cnn", '"--variant"', '"--model-name"')
    with pytest.raises(TryItError, match="03_large_cnn.py has no option --variant"):
        try_it.check_lessons(["03_large_cnn"], folder)
    folder = changed_copy(tmp_path, "00_load_data", "# 3. Run with `--seed 1`.", "# Run it.")
    with pytest.raises(TryItError, match="00_load_data.py has 2 exercises; the key answers 3"):
        try_it.check_lessons(["00_load_data"], folder)


@pytest.mark.parametrize(
    "argv", [["--only", "09"], ["--data", "/no/such/mnist.npz"], ["--quick", "--epochs", "3"]]
)
def test_a_bad_option_is_one_line(argv, capsys):
    with pytest.raises(SystemExit) as exit_:
        try_it.main(argv)
    assert exit_.value.code != 0
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), lines


def test_only_fills_in_its_section_and_keeps_the_others(tmp_path):
    """--only 05_best_cnn replaces lesson 05's section of an existing key; the sections
    measured before stay as they were, and the header's times add them up."""
    earlier = tmp_path / "answers.md"
    kept = "## 00_load_data.py\n\n<!-- try-it: runs=3 seconds=60.0 kept=0 -->\nold answers\n"
    earlier.write_text(f"# header\n\n{kept}\n## 05_best_cnn.py\n\nNot measured yet.\n")
    key = SimpleNamespace(
        data=None,
        own_digits=None,
        used={"05_best_cnn": {1, 2}},
        seconds={"05_best_cnn": 120.0},
        kept={},
        loads={"05_best_cnn": [1.5, 2.5]},
        results={},
    )
    answers = [f"**Ran:** r{n}.\n\n**Measured:** m{n}\n\n**Why:** w{n}" for n in range(5)]
    document = try_it_writing.key_document(
        {"05_best_cnn": answers}, key, "a machine", earlier, False
    )
    assert kept in document
    assert "<!-- try-it: runs=2 seconds=120.0 kept=0 load=1.5-2.5 -->" in document
    assert "5 runs, 3.0 minutes of runs in all" in document
    assert "**Why:** w4" in document and "Not measured yet: `" in document
    assert "made again by `python bench/try_it.py --data mnist.npz --only 05_best_cnn`" in document


def test_the_committed_key_answers_every_exercise_as_the_lessons_word_it():
    """docs/answers.md as the script wrote it: a section per lesson, each exercise quoted as
    the lesson words it now (a reworded exercise needs the key made again), each answered."""
    text = ANSWERS.read_text()
    assert "Not measured yet" not in text
    answered = 0
    for name in try_it.LESSONS:
        section = text.split(f"## {name}.py\n", 1)[1].split("\n## ", 1)[0]
        assert "<!-- try-it: runs=" in section, name
        lesson = (PROJECT_DIR / f"{name}.py").read_text()
        for number, exercise in enumerate(try_it_writing.exercises_of(name, lesson), start=1):
            quoted = f"{number}. *{exercise}*"
            assert quoted in section, f"{name}: exercise {number} not quoted as the lesson has it"
            answer = section.split(quoted, 1)[1].split(f"\n{number + 1}. *", 1)[0]
            assert all(part in answer for part in PARTS), f"{name}: exercise {number}"
            answered += 1
    assert answered == EXERCISES
