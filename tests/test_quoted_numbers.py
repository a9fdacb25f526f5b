"""Every number that the lessons' headers, the README and docs/ quote from a committed
notebook is the number that notebook printed, or a range that holds it.

The notebooks' numbers are read from their outputs (MEASURES), never written here. Each quote
(QUOTES) is found by its words, with the numbers it quotes as named groups: a group named
after a measure (`test_error`) must be what the notebook printed, at the precision quoted; a
pair `<measure>_low`, `<measure>_high` is a range that must hold it (a range over seeds or
runs). After the notebooks are built again, a failure names the file, the quote and the
number the notebook printed now: update that quote (and the range, if the new number falls
outside it).
"""

import re
from dataclasses import dataclass
from functools import cache

import nbformat
import pytest
from conftest import PROJECT_DIR

NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
NUMBER = r"(\d+(?:\.\d+)?)"

# What each notebook printed: {lesson: {measure: (a pattern over its output whose first group
# is the number, what to make of the number)}}. The last line that matches counts.
SAME = float
TEST_ERROR = rf"^Test error: {NUMBER}% \(\d+ of \d+ misclassified\)$"
MISCLASSIFIED = r"^Test error: [\d.]+% \((\d+) of \d+ misclassified\)$"
TRAINING_SECONDS = rf"^Training took {NUMBER} s\.$"
TRAINING_LESSON = {
    "test_error": (TEST_ERROR, SAME),
    "misclassified": (MISCLASSIFIED, SAME),
    "training_seconds": (TRAINING_SECONDS, SAME),
}
HELD_OUT_ROW = r"^\s*{digit}\s+\d+\s+{columns}\s*$"  # lesson 8's per-digit table
ADAPTED = (
    rf"^Held-out digits read right: {NUMBER}% before, {NUMBER}% after; MNIST test error: "
    rf"{NUMBER}% -> {NUMBER}% \(the naive way: {NUMBER}%\)$"
)


def group(pattern, number):
    """`pattern` with only its `number`-th group (from 1) capturing."""
    parts = pattern.split(NUMBER)
    assert len(parts) > number
    joined = parts[0]
    for index, part in enumerate(parts[1:], start=1):
        joined += (NUMBER if index == number else r"[\d.]+") + part
    return joined


def held_out(digit, column):
    """Lesson 8's count of held-out digits read right: before, careful or naive."""
    columns = [r"\d+"] * 3
    columns[["before", "careful", "naive"].index(column)] = r"(\d+)"
    return HELD_OUT_ROW.format(digit=digit, columns=r"\s+".join(columns)), SAME


MEASURES = {
    "01_mlp_baseline": TRAINING_LESSON,
    "02_simple_cnn": TRAINING_LESSON,
    "03_large_cnn": TRAINING_LESSON,
    "04_analyze_errors": {"misclassified": (r"^Misclassified by \S+: (\d+) of \d+", SAME)},
    "05_best_cnn": {
        "one_pass": (rf"^One pass of the model: {NUMBER}% test error", SAME),
        "tta": (rf"^With test-time augmentation \(\d+ copies\): {NUMBER}%", SAME),
        "training_minutes": (TRAINING_SECONDS, lambda seconds: seconds / 60),
        "val_accuracy": (rf"val_accuracy: {NUMBER}", SAME),
    },
    "08_teach_handwriting": {
        "held_out_before": (group(ADAPTED, 1), SAME),
        "held_out_after": (group(ADAPTED, 2), SAME),
        "mnist_before": (group(ADAPTED, 3), SAME),
        "mnist_careful": (group(ADAPTED, 4), SAME),
        "mnist_naive": (group(ADAPTED, 5), SAME),
        "held_out_naive": (rf"^all\s+\d+\s+[\d.]+%\s+[\d.]+%\s+{NUMBER}%$", SAME),
        "adapting_seconds": (rf"^Adapting took {NUMBER} s\.$", SAME),
        # MNIST's test errors before and the naive way's, as counts of its 10,000 images.
        "mnist_before_images": (group(ADAPTED, 3), lambda percent: percent * 100),
        "mnist_naive_images": (group(ADAPTED, 5), lambda percent: percent * 100),
        **{
            f"digit_{digit}_{column}": held_out(digit, column)
            for digit in (1, 4, 7)
            for column in ("before", "careful", "naive")
        },
    },
}


@dataclass(frozen=True)
class Quote:
    """Numbers that `file` quotes from `lesson`'s notebook, found by `words` (a pattern over
    the file's text with its whitespace made single spaces)."""

    file: str
    lesson: str
    words: str


def docstring_quotes(lesson):
    """The header of lessons 01-03: the error over seeds and in the notebook, and the
    training time."""
    return [
        Quote(
            f"{lesson}.py",
            lesson,
            r"a test error of (?P<test_error_low>[\d.]+)-(?P<test_error_high>[\d.]+)% over "
            r"seeds, (?P<test_error>[\d.]+)% in the notebook",
        ),
        Quote(
            f"{lesson}.py",
            lesson,
            r"after (?P<training_seconds_low>\d+)-(?P<training_seconds_high>\d+) s of training "
            r"on a 2-core laptop CPU, (?P<training_seconds>[\d.]+) s in the notebook",
        ),
    ]


def readme_row(lesson, numbers):
    """A row of the README's table of lessons: `numbers` is what follows its first two cells."""
    return Quote("README.md", lesson, rf"\| `{lesson}.py` [^|]*\|[^|]*\| {numbers}")


TEST_ERROR_LINE_QUOTED = r"`Test error: {error}% \({count} of 10000 misclassified\)`"


LESSONS_1_TO_3 = ["01_mlp_baseline", "02_simple_cnn", "03_large_cnn"]


def one_of_lessons_1_to_3(words, number, named, position):
    """A sentence of docs/measurements.md that quotes a number of each of lessons 1, 2 and 3
    (`words` with three {} for them): the lesson at `position` (0-2) in named groups."""
    numbers = [number] * 3
    numbers[position] = named
    return Quote("docs/measurements.md", LESSONS_1_TO_3[position], words.format(*numbers))


LESSON_8_ROW = (
    r"\| {row} \| (?P<digit_4_{column}>\d+) of 8 \| (?P<digit_1_{column}>\d+) of 8 \| "
    r"(?P<digit_7_{column}>\d+) of 8 \| (?P<{all}>[\d.]+)% \| (?P<{mnist}>[\d.]+)% \|"
)
ONE_LINE = TEST_ERROR_LINE_QUOTED.format(
    error=r"(?P<test_error>[\d.]+)", count=r"(?P<misclassified>\d+)"
)

QUOTES = [
    *docstring_quotes("01_mlp_baseline"),
    *docstring_quotes("02_simple_cnn"),
    *docstring_quotes("03_large_cnn"),
    Quote(
        "04_analyze_errors.py",
        "04_analyze_errors",
        r"lesson 3's model: (?P<misclassified>\d+) of 10000 test images misclassified in the "
        r"notebook \((?P<misclassified_low>\d+)-(?P<misclassified_high>\d+) over seeds",
    ),
    Quote(
        "05_best_cnn.py",
        "05_best_cnn",
        r"a test error of (?P<one_pass_low>[\d.]+)-(?P<one_pass_high>[\d.]+)% in one plain pass "
        r"over seeds, (?P<one_pass>[\d.]+)% in the notebook \(seed 42, the default\) and "
        r"(?P<tta>[\d.]+)% there with test-time augmentation, after "
        r"(?P<training_minutes_low>\d+)-(?P<training_minutes_high>\d+) minutes of training on a "
        r"2-core laptop CPU, (?P<training_minutes>[\d.]+) in the notebook",
    ),
    Quote(
        "08_teach_handwriting.py",
        "08_teach_handwriting",
        r"go from (?P<held_out_before>[\d.]+)% to (?P<held_out_after>[\d.]+)% read right in the "
        r"notebook, after (?P<adapting_seconds_low>\d+)-(?P<adapting_seconds_high>\d+) s of "
        r"adapting on a 2-core laptop CPU, (?P<adapting_seconds>[\d.]+) s in the notebook",
    ),
    Quote(
        "08_teach_handwriting.py",
        "08_teach_handwriting",
        r"The MNIST test error goes from (?P<mnist_before>[\d.]+)% to (?P<mnist_careful>[\d.]+)%; "
        r"the naive way's to (?P<mnist_naive>[\d.]+)%",
    ),
    *(
        readme_row(
            lesson,
            r"(?P<training_seconds_low>\d+)-(?P<training_seconds_high>\d+) s \| [^|]*\| "
            r"(?P<test_error_low>[\d.]+)-(?P<test_error_high>[\d.]+)%",
        )
        for lesson in ("01_mlp_baseline", "02_simple_cnn", "03_large_cnn")
    ),
    readme_row(
        "05_best_cnn",
        r"(?P<training_minutes_low>\d+)-(?P<training_minutes_high>\d+) min \| [^|]*\| "
        r"(?P<one_pass_low>[\d.]+)-(?P<one_pass_high>[\d.]+)% in one pass",
    ),
    readme_row(
        "08_teach_handwriting",
        r"(?P<adapting_seconds_low>\d+)-(?P<adapting_seconds_high>\d+) s \| [^|]*\| "
        r"(?P<mnist_careful_low>[\d.]+)-(?P<mnist_careful_high>[\d.]+)% on MNIST after adapting",
    ),
    Quote("README.md", "03_large_cnn", rf"ends with a line such as {ONE_LINE}"),
    Quote("docs/lessons.md", "03_large_cnn", rf"ends with a line such as {ONE_LINE}"),
    *(
        one_of_lessons_1_to_3(
            "lessons 1, 2 and 3 printed {}, {} and {}",
            TEST_ERROR_LINE_QUOTED.format(error=r"[\d.]+", count=r"\d+"),
            ONE_LINE,
            position,
        )
        for position in range(3)
    ),
    *(
        one_of_lessons_1_to_3(
            "lessons 1, 2 and 3 trained there in {}, {} and {}, on the same machine",
            r"[\d.]+ s",
            r"(?P<training_seconds>[\d.]+) s",
            position,
        )
        for position in range(3)
    ),
    Quote(
        "docs/measurements.md",
        "05_best_cnn",
        r"the committed notebook, built later, printed (?P<one_pass>[\d.]+)% in one pass and "
        r"(?P<tta>[\d.]+)% with test-time augmentation again, after "
        r"(?P<training_minutes>[\d.]+) minutes of training",
    ),
    Quote(
        "docs/measurements.md",
        "05_best_cnn",
        r"one plain pass ranges over (?P<one_pass_low>[\d.]+)-(?P<one_pass_high>[\d.]+)% "
        r"between the runs measured",
    ),
    Quote(
        "docs/measurements.md",
        "05_best_cnn",
        r"\| 42, the committed notebook \(its last epoch's `val_accuracy: "
        r"(?P<val_accuracy>[\d.]+)`\) \| [\d.]+% \(\d+\) \| (?P<one_pass>[\d.]+)% \|",
    ),
    Quote(
        "docs/measurements.md",
        "08_teach_handwriting",
        r"\| (?P<mnist_careful_low>[\d.]+)-(?P<mnist_careful_high>[\d.]+)% after adapting, two "
        r"runs \(\[below\]\(#lesson-8-teaching-it-your-handwriting\)\) \| "
        r"(?P<adapting_seconds_low>\d+)-(?P<adapting_seconds_high>\d+) s \|",
    ),
    *(
        Quote("docs/measurements.md", "08_teach_handwriting", LESSON_8_ROW.format(**row))
        for row in (
            {
                "row": "before",
                "column": "before",
                "all": "held_out_before",
                "mnist": "mnist_before",
            },
            {
                "row": "careful",
                "column": "careful",
                "all": "held_out_after",
                "mnist": "mnist_careful",
            },
            {"row": "naive", "column": "naive", "all": "held_out_naive", "mnist": "mnist_naive"},
        )
    ),
    Quote(
        "docs/measurements.md",
        "08_teach_handwriting",
        r"Adapting took (?P<adapting_seconds>[\d.]+) s there, [^.]*\. The naive way reads all "
        r"of the new styles and forgets MNIST: (?P<mnist_naive_images>\d+) test images wrong "
        r"instead of (?P<mnist_before_images>\d+)\.",
    ),
]


@cache
def printed(lesson):
    """Everything the committed notebook printed, as text."""
    notebook = nbformat.read(NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4)
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream"
    )


def measured(lesson, measure):
    """The number the notebook printed for `measure` (the last line that says it)."""
    pattern, make = MEASURES[lesson][measure]
    found = re.findall(pattern, printed(lesson), re.M)
    assert found, f"notebooks/{lesson}.ipynb printed no line that {pattern!r} reads"
    return make(float(found[-1]))


@cache
def text_of(file):
    return " ".join((PROJECT_DIR / file).read_text().split())


def decimals(quoted):
    return len(quoted.partition(".")[2])


def as_quoted(value, quoted):
    """The notebook's number at the precision of the quote."""
    return f"{value:.{decimals(quoted)}f}"


def differences(quote, text=None):
    """What in the quote disagrees with the notebook, in words; empty when nothing does.
    `text` stands for the file's text (whitespace made single spaces) where given."""
    matches = list(re.finditer(quote.words, text or text_of(quote.file)))
    assert len(matches) == 1, (
        f"{quote.file}: the quote {quote.words!r} is there {len(matches)} times, not once: "
        "it was reworded or removed; update QUOTES in this test with it"
    )
    match = matches[0]
    numbers = match.groupdict()
    found = []
    for name, quoted in numbers.items():
        measure = name.removesuffix("_low").removesuffix("_high")
        value = measured(quote.lesson, measure)
        if name.endswith("_high"):
            continue  # checked with its _low
        if name.endswith("_low"):
            low, high = quoted, numbers[f"{measure}_high"]
            shown = float(as_quoted(value, high if decimals(high) > decimals(low) else low))
            if not float(low) <= shown <= float(high):
                found.append(f"the range {low}-{high} does not hold {measure} = {value:g}")
        elif as_quoted(value, quoted) != quoted:
            found.append(f"{measure} is quoted as {quoted}, printed as {as_quoted(value, quoted)}")
    return [
        f"{quote.file}: “{match.group(0)}”: {difference} (notebooks/{quote.lesson}.ipynb)"
        for difference in found
    ]


@pytest.mark.parametrize(
    "quote",
    QUOTES,
    ids=[f"{quote.file}:{quote.lesson}:{index}" for index, quote in enumerate(QUOTES)],
)
def test_a_quoted_number_is_what_its_notebook_printed(quote):
    problems = differences(quote)
    assert not problems, "\n".join(problems)


def test_every_measure_is_read_from_its_notebook():
    """Each number a quote may name is one its notebook printed (or a range of it)."""
    for lesson, measures in MEASURES.items():
        for measure in measures:
            assert measured(lesson, measure) >= 0
    for quote in QUOTES:
        for name in re.compile(quote.words).groupindex:
            measure = name.removesuffix("_low").removesuffix("_high")
            assert measure in MEASURES[quote.lesson], (quote.file, name)


def test_a_wrong_quote_is_named_with_the_number_printed():
    """The check can fail: a number changed by one in its last digit is reported with what
    the notebook printed, and so is a range that no longer holds it."""
    quote = QUOTES[0]
    text = text_of(quote.file)
    match = re.search(quote.words, text)
    for name in ("test_error", "test_error_high"):
        start, end = match.span(name)
        quoted = match.group(name)
        low = float(match.group("test_error"))
        changed = float(quoted) + 10 ** -decimals(quoted) if name == "test_error" else low / 2
        wrong = f"{changed:.{decimals(quoted)}f}"
        (problem,) = differences(quote, text[:start] + wrong + text[end:])
        assert problem.startswith(f"{quote.file}: ") and quote.lesson in problem
        if name == "test_error":
            assert f"test_error is quoted as {wrong}, printed as {quoted}" in problem
        else:
            assert f"does not hold test_error = {low:g}" in problem
