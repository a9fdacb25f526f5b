"""The concept map for lecturers: each idea the decks teach (an idea slide's title), the deck
and slide that teach it, and the figure that shows it, written by the build into
docs/for_lecturers.md between two marker comments; `--check` fails when it is out of step.

An idea's figure is the first picture that the steps after it draw, before the lesson's next
idea; "-" if there is none.
"""

from dataclasses import dataclass
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "for_lecturers.md"
START = "<!-- concept map: written by python slides/build.py from the decks; do not edit -->"
END = "<!-- end of the concept map -->"
FIRST_SLIDE = 2  # the slide after the title slide
NO_FIGURE = "-"


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


def replaced_between(text, start_marker, end_marker, lines):
    before, start, rest = text.partition(start_marker)
    _, end, after = rest.partition(end_marker)
    if not start or not end:
        raise SystemExit(f"error: the document has no markers {start_marker} ... {end_marker}")
    return "\n".join([before + start_marker, *lines, end_marker + after])


def with_map(text, every_plan):
    """The document's text with the map between its markers."""
    return replaced_between(text, START, END, markdown(every_plan))


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
