"""The concept map for lecturers: each idea the decks teach (an idea slide's title), the deck
and slide that teach it, and the figure that shows it, written by the build into
docs/for_lecturers.md between two marker comments; `--check` fails when it is out of step.

An idea's figure is the first picture that the steps after it draw, before the lesson's next
idea; "-" if there is none.

Beside it the build writes the slides of a 90-minute lecture out of decks 00-04 (LECTURE): each
part named by its first and last idea, so that the slide numbers follow the decks as they are
rebuilt, and an idea renamed in a lesson stops the build until LECTURE names it again.
"""

from dataclasses import dataclass
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "for_lecturers.md"
START = "<!-- concept map: written by python slides/build.py from the decks; do not edit -->"
END = "<!-- end of the concept map -->"
FIRST_SLIDE = 2  # the slide after the title slide
NO_FIGURE = "-"
LECTURE_START = (
    "<!-- lecture plan: written by python slides/build.py from the decks; do not edit -->"
)
LECTURE_END = "<!-- end of the lecture plan -->"
# A 90-minute lecture: its parts in order, each (minutes, deck, first idea, last idea); a part
# shows the first idea's slide to the slide before the idea that follows the last one.
LECTURE = [
    (10, "00_load_data", "An image is a grid of numbers", "One-hot labels"),
    (25, "01_mlp_baseline", "A neuron", "Validation: watching for overfitting"),
    (
        20,
        "02_simple_cnn",
        "A convolution: a small filter slides over the image",
        "One output pixel, computed by hand",
    ),
    (5, "02_simple_cnn", "Why so few parameters", "Max pooling on real numbers"),
    (15, "03_large_cnn", "Stacking convolutions", "The receptive field grows with depth"),
    (15, "04_analyze_errors", "Test error and accuracy", "The confusion matrix, row by row"),
]


@dataclass
class Entry:
    idea: str
    deck: str
    slide: int
    figure: str  # its title and slide, or NO_FIGURE


def figure_of(idea, lesson, plans):
    """The idea's figure: the first picture of the steps after it, before the next idea."""
    after = lesson.steps[lesson.steps.index(idea) + 1 :]
    following = []
    for step in after:
        if step.kind == "idea":
            break
        following.append(step)
    for number, plan in enumerate(plans):
        for part in plan.parts:
            if part.kind == "picture" and any(part.step is step for step in following):
                figure = part.content
                return f"{figure.title or part.step.title} (slide {number + FIRST_SLIDE})"
    return NO_FIGURE


def entries(every_plan):
    """The map's rows, deck by deck (`every_plan`: each deck's lesson and slides), each idea
    at the first slide that teaches it."""
    rows = []
    for deck, (lesson, plans) in every_plan.items():
        seen = []
        for index, plan in enumerate(plans):
            for idea in plan.ideas:
                if any(idea is other for other in seen):
                    continue
                seen.append(idea)
                figure = figure_of(idea, lesson, plans)
                rows.append(Entry(idea.title, deck, index + FIRST_SLIDE, figure))
    return rows


def cell(text):
    return str(text).replace("|", "\\|")


def markdown(every_plan):
    """The map as the lines between the markers."""
    rows = entries(every_plan)
    if not rows:
        return ["No lesson has an idea slide yet: the map fills in as the lessons get them."]
    lines = ["| idea | deck | slide | figure that shows it |", "| --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {cell(row.idea)} | `{row.deck}` | {row.slide} | {cell(row.figure)} |")
    return lines


def lecture_slides(rows, deck, first, last, slides_in_deck):
    """The first and last slide of a lecture's part, from the concept map's rows."""
    ideas = [row for row in rows if row.deck == deck]
    titles = [row.idea for row in ideas]
    for idea in (first, last):
        if idea not in titles:
            raise SystemExit(
                f"error: slides/concept_map.py's LECTURE names {idea!r}, which {deck}'s deck "
                "does not teach: name one of its ideas"
            )
    following = titles.index(last) + 1
    end = ideas[following].slide - 1 if following < len(ideas) else slides_in_deck
    return ideas[titles.index(first)].slide, end


def lecture_markdown(every_plan):
    """The lecture's parts as the lines between the lecture plan's markers."""
    rows = entries(every_plan)
    lines = [
        "| minutes | deck | slides | from the idea ... to the idea |",
        "| --- | --- | --- | --- |",
    ]
    total_minutes = total_slides = 0
    for minutes, deck, first, last in LECTURE:
        if deck not in every_plan:
            return [f"The lecture plan needs the deck of {deck}: build every deck."]
        slides_in_deck = len(every_plan[deck][1]) + FIRST_SLIDE - 1
        start, end = lecture_slides(rows, deck, first, last, slides_in_deck)
        ideas = first if first == last else f"{first} ... {last}"
        lines.append(f"| {minutes} | `{deck}` | {start}-{end} | {cell(ideas)} |")
        total_minutes += minutes
        total_slides += end - start + 1
    lines.append(f"| {total_minutes} | | {total_slides} slides | |")
    return lines


def replaced_between(text, start_marker, end_marker, lines):
    before, start, rest = text.partition(start_marker)
    _, end, after = rest.partition(end_marker)
    if not start or not end:
        raise SystemExit(f"error: the document has no markers {start_marker} ... {end_marker}")
    return "\n".join([before + start_marker, *lines, end_marker + after])


def with_map(text, every_plan):
    """The document's text with the map between its markers, and the lecture plan between
    its own where the document has them."""
    text = replaced_between(text, START, END, markdown(every_plan))
    if LECTURE_START in text:
        text = replaced_between(text, LECTURE_START, LECTURE_END, lecture_markdown(every_plan))
    return text


def write(every_plan, document=DOCUMENT):
    """Write the map into the document; whether it changed."""
    text = document.read_text()
    new = with_map(text, every_plan)
    if new != text:
        document.write_text(new)
    return new != text


def in_step(every_plan, document=DOCUMENT):
    text = document.read_text()
    return with_map(text, every_plan) == text
