"""bench/try_it.py, the answer key: every Try it exercise run the quick way on the tests' own
data, so that a lesson change that breaks an exercise (a line an edit needs gone, an option
renamed, a printed number no longer found) fails here; two sections on a subset of the real
MNIST where ../shared/data has it; the words a comparison may use; and what the script
refuses."""

import contextlib
import hashlib
import io
import re
import shutil
import sys
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import PROJECT_DIR
from PIL import Image

sys.path.insert(0, str(PROJECT_DIR / "bench"))
import try_it  # noqa: E402
import try_it_00_02  # noqa: E402
import try_it_writing  # noqa: E402
from try_it_kernel import Key  # noqa: E402
from try_it_runs import Result, Run, TryItError, check_change  # noqa: E402
from try_it_words import far, judge, placed  # noqa: E402

import common  # noqa: E402

ANSWERS = PROJECT_DIR / "docs" / "answers.md"
EXERCISES = 29  # in all the lessons' Try it cells
PARTS = ("**Ran:**", "**Measured:**", "**Why:**", "**Accept:**")
# The real MNIST, where a copy of shared/ sits beside the project (as on CI).
REAL_MNIST = PROJECT_DIR.parent / "shared" / "data" / "mnist.npz"
REAL_SECTIONS = ("00_load_data", "01_mlp_baseline")  # cheap, and 00 compares real figures
# With one seed no difference can be told from the seeds' spread: words the quick key must
# never use, as they would claim it.
CLAIMS_NEEDING_SEEDS = (
    ", beyond the spread between seeds",
    ", beyond the seeds' spread",
    "in every seed",
    "lowered the error beyond",
    "read better beyond",
)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def section_of(text, name):
    return text.split(f"## {name}.py\n", 1)[1].split("\n## ", 1)[0]


def check_sections(text, names):
    """Each section answers its lesson's exercises in order, each with all its parts, a
    command with the data, its run time, and no claim that one seed cannot back."""
    for name in names:
        count = try_it.LESSONS[name][2]
        section = section_of(text, name)
        numbers = [line for line in section.splitlines() if line[:1].isdigit()]
        assert [line.split(".")[0] for line in numbers] == [str(n + 1) for n in range(count)]
        for part in (*PARTS, "Run time here: "):
            assert section.count(part) == count, (name, part)
        for claim in CLAIMS_NEEDING_SEEDS:
            assert claim not in section, (name, claim)
        ran = "\n".join(line for line in section.splitlines() if "**Ran:**" in line)
        for command in re.findall(r"`(python 0[0-58]_\w+\.py[^`]*)`", ran):
            assert "--data mnist.npz" in command, command


def test_every_exercise_runs_the_quick_way(tmp_path, mnist_npz, capsys):
    """The whole key in quick mode, in one kernel: each exercise's change applies, its run
    finishes, and its answer finds the numbers it reads. docs/answers.md is left alone. The
    sections that the next test runs on the real data are left to it, where it can run."""
    names = [n for n in try_it.LESSONS if not (REAL_MNIST.is_file() and n in REAL_SECTIONS)]
    committed = digest(ANSWERS)
    out = tmp_path / "answers.md"
    try_it.main(["--quick", "--data", str(mnist_npz), "--out", str(out), "--only", *names])
    assert digest(ANSWERS) == committed
    text = out.read_text()
    check_sections(text, names)
    assert sum(count for _, _, count in try_it.LESSONS.values()) == EXERCISES
    progress = capsys.readouterr().err
    assert "done in" in progress and "the key took" in progress


@pytest.mark.skipif(not REAL_MNIST.is_file(), reason=f"no real MNIST at {REAL_MNIST}")
def test_the_quick_key_on_a_subset_of_the_real_mnist(tmp_path):
    """Two sections on the real data's quick subset: its figures differ in size between
    seeds (a title of another width), and its class counts are the ones the key states."""
    out = tmp_path / "answers.md"
    try_it.main(["--quick", "--data", str(REAL_MNIST), "--out", str(out), "--only", *REAL_SECTIONS])
    text = out.read_text()
    check_sections(text, REAL_SECTIONS)
    with contextlib.redirect_stdout(io.StringIO()):
        (_, y_train), (_, y_test) = common.load_mnist(REAL_MNIST, quick=True)
    counts = np.bincount(y_train, minlength=common.NUM_CLASSES)
    most, rarest = int(np.argmax(counts)), int(np.argmin(counts))
    share = 100 * np.mean(y_test == most)
    first_answer = section_of(text, "00_load_data").split("\n2. *", 1)[0]
    assert f"the most common training digit is {most} ({counts[most]:,} of " in first_answer
    assert f"the rarest {rarest} ({counts[rarest]:,}," in first_answer
    assert f"{share:.2f}%" in first_answer
    assert "of the lesson's 4 figures, 00_random_digits.png is different (" in text
    same = "00_pixel_grid.png, 00_first_four_digits.png and 00_look_alikes.png are the same"
    assert f"{same} pixel for pixel" in text


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
    doubled = text.replace("ROTATION_DEGREES = 10", "ROTATION_DEGREES = 10\nROTATION_DEGREES = 10")
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
    measured before stay as they were, and the header's totals add them up, counting a run
    that two sections share once."""
    earlier = tmp_path / "answers.md"
    kept = (
        "## 00_load_data.py\n\n<!-- try-it: runs=3 seconds=60.0 kept=0 "
        "used=00-a:20.0:0,00-b:20.0:0,00-c:20.0:0 -->\nold answers\n"
    )
    shared = (
        "## 04_analyze_errors.py\n\n<!-- try-it: runs=2 seconds=900.0 kept=1 "
        "used=05-shared:600.0:1,04-own:300.0:0 -->\nolder answers\n"
    )
    earlier.write_text(f"# header\n\n{kept}\n{shared}\n## 05_best_cnn.py\n\nNot measured yet.\n")
    results = {
        "recipe": Result("", tmp_path, 600.0, reused=True),
        "changed": Result("", tmp_path, 120.0),
    }
    results["recipe"].load, results["changed"].load = 1.5, 2.5
    key = SimpleNamespace(
        data=None,
        own_digits=None,
        used={"05_best_cnn": {"recipe", "changed"}},
        results=results,
        identity={"recipe": "05-shared", "changed": "05-new"}.get,
    )
    answers = [f"**Ran:** r{n}.\n\n**Measured:** m{n}\n\n**Why:** w{n}" for n in range(5)]
    document = try_it_writing.key_document(
        {"05_best_cnn": answers}, key, "a machine", earlier, False
    )
    assert kept in document and shared in document
    assert (
        "<!-- try-it: runs=2 seconds=720.0 kept=1 load=1.5-2.5 "
        "used=05-new:120.0:0,05-shared:600.0:1 -->" in document
    )
    # 3 runs of lesson 00 (1 minute), 2 of lesson 04 (15), and lesson 05's new one (2): the
    # lesson-05 run that lesson 04 reads counts once, under lesson 05, which runs it.
    assert "6 runs, 18.0 minutes of runs in all" in document
    assert "**Kept runs:** 1 of the 6 runs" in document
    assert "| 04_analyze_errors.py | 1 | 5.0 |" in document
    assert "| 05_best_cnn.py | 2 | 12.0 |" in document
    assert document.count("**Machine:** a machine;") == 1  # the machine, stated once
    assert document.count("one shared Jupyter kernel") == 1  # how the runs ran, once
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
            assert all(part in answer for part in PARTS[:3]), f"{name}: exercise {number}"
            answered += 1
    assert answered == EXERCISES


def test_the_committed_key_says_what_to_accept_and_how_it_was_made():
    """Each answer of docs/answers.md has its Accept line and run time, and the header says
    how the runs ran; a key written before the script wrote them must be made again."""
    text = ANSWERS.read_text()
    remake = "docs/answers.md predates its Accept lines: make it again with bench/try_it.py"
    assert text.count("\n   **Accept:**") == EXERCISES, remake  # one in each answer
    assert text.count("Run time here: ") == EXERCISES, remake
    assert text.count("one shared Jupyter kernel") == 1, remake


def fake_result(tmp_path, name, width):
    """A run's result whose figure `name` is a white picture of this width."""
    out = tmp_path / f"run-{width}"
    (out / common.FIGURES).mkdir(parents=True)
    pixels = np.full((40, width, 3), 255, dtype=np.uint8)
    pixels[10:20, 10:20] = 0
    Image.fromarray(pixels).save(out / common.FIGURES / name)
    return Result("", out, 1.0)


def test_figures_of_two_sizes_compare_without_failing(tmp_path):
    """A figure saved cut to what it shows changes size with its titles: two such figures
    are compared on one canvas, and the answer says the size changed."""
    name = "00_random_digits.png"
    narrow, wide = fake_result(tmp_path, name, 60), fake_result(tmp_path, name, 63)
    words = try_it_00_02.figure_change(narrow, wide, name)
    assert words.startswith("different (") and "60x40 against 63x40 pixels" in words
    assert try_it_00_02.figure_change(narrow, narrow, name) is None


def test_one_run_is_never_called_a_win():
    judged = judge([0.30], [0.40])
    assert not judged.clear and judged.words.endswith("in one run: no conclusion")
    judged = judge([0.30, 0.31, 0.32], [0.40, 0.41, 0.42])
    assert judged.clear and "beyond the spread between seeds" in judged.words
    assert "do not overlap (0.08 percentage points apart)" in judged.words
    assert "roughly" not in judged.words  # three seeds
    assert "only roughly" in judge([0.30, 0.31], [0.40, 0.41]).words
    judged = judge([0.30, 0.41, 0.32], [0.40, 0.45, 0.42])
    assert not judged.clear and "overlap" in judged.words
    recipe = [0.34, 0.40]  # one run is placed against the unchanged lesson's range
    assert placed(0.41, recipe) == "0.01 percentage points above" and not far(0.41, recipe)
    assert placed(0.54, recipe) == "0.14 percentage points above" and far(0.54, recipe)
    assert placed(0.37, recipe) == "within" and placed(0.30, recipe).endswith("below")
    assert placed(27, [17, 27], "images", 0) == "within"
    assert not far(0.90, [0.40])  # one run of the lesson has no range


def test_a_kept_run_is_reused_only_with_the_same_keras_and_backend(tmp_path, mnist_npz):
    key = Key(mnist_npz, quick=False, store=tmp_path)
    try:
        run = Run("01_mlp_baseline")
        assert set(key.versions) == {"keras", "backend", "backend_version"}
        first = key.key_of(run)
        for name in key.versions:
            key.keys.clear()
            saved = key.versions[name]
            key.versions[name] = "another"
            assert key.key_of(run) != first, name
            key.versions[name] = saved
        key.keys.clear()
        assert key.key_of(run) == first
    finally:
        key.close()


def test_a_command_names_the_data_where_the_lesson_reads_mnist():
    assert Run("02_simple_cnn").command() == "python 02_simple_cnn.py --data mnist.npz"
    assert "--data" not in Run("06_predict_digit", seed=None).command()
