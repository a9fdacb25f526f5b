"""The plan of each slide of a step (its title, its parts from top to bottom, a short idea
beside its picture, its caption's hints and its notes) before anything is drawn.

- An idea: its bullets (the items of its list, else its sentences) on at most two slides,
  titled with the idea; the speaker notes hold its full text.
- A code step: its own words above its code when they are short, its code (what
  code_layout shows of each cell, whole, on as many slides as it needs, cut only between
  top-level statements), what it printed, model.summary()'s table, its figures. A part goes
  on the slide before it when it fits there (a figure: when it stays readable there), else
  on a slide of its own.

A slide shows no command-line option: an option in an idea's or a step's words is written
as the setting it changes (lesson_reading.without_options). lesson_slides.py puts the
steps' slides together and merges the thin ones.
"""

from dataclasses import dataclass, field

from code_layout import CODE_MOST_COLUMNS, code_slides, cut_inside_brackets, slide_code
from lesson_reading import figures, idea_bullets, idea_text
from pptx.util import Inches
from printed_output import printed_lines, summary_table
from slide_parts import (
    BODY_HEIGHT,
    BODY_WIDTH,
    CODE_POINTS,
    GAP,
    LEAD_POINTS,
    OUTPUT_POINTS,
    SIDE_PANEL_WIDTH,
    TABLE_ROW_HEIGHT,
    TEXT_POINTS,
    bullet_pages,
    code_height,
    paragraphs_height,
    picture_fits,
    printed_height,
    table_height,
    text_height,
    wrapped_line_count,
)

FEWEST_LINES = 3  # a slide with fewer lines of text and no picture is merged
MOST_IDEA_SLIDES = 2
SMALLEST_IDEA_POINTS = 20  # an idea too long for two slides at TEXT_POINTS shrinks to this
MOST_LEAD_LINES = 3  # a code step's words above its code; longer ones are in the notes only
MORE_IN_NOTES = "… the rest of this idea is in the speaker notes"
SETUP_HINT = "the imports are in the notebook"
SETTINGS_HINT = "the imports and the settings no slide reads are in the notebook"
FIGURE_CODE_HINT = "the figure's code is in the notebook"


class LessonProblem(Exception):
    """Something in a lesson that a slide cannot show; the message says what to change."""


@dataclass
class Part:
    """One thing on a slide: `kind` is words, heading, bullets, code, note, printed, table
    (with the totals below its last page) or picture."""

    kind: str
    content: object
    lines: int  # lines of text it shows, for the rule against thin slides
    height: int = 0  # in EMU; a picture takes the room left below the other parts
    new_slide: bool = False  # a cell's second slide of code, a table's second page
    points: int = CODE_POINTS  # code's size on the slide
    alt_text: str = ""  # a picture's
    step: object = None  # a picture's step, for the concept map
    warning: str = ""  # code cut inside a statement: what the build warns of


@dataclass
class Plan:
    """One slide: its title, its parts, the steps whose words its notes hold, the ideas it
    teaches, and a short idea shown beside its picture."""

    title: str
    steps: list
    parts: list
    ideas: list = field(default_factory=list)
    side: object = None  # (idea step, bullets)
    hints: list = field(default_factory=list)  # for the caption: "code 1 of 2"
    first_of_step: bool = True

    def has_picture(self):
        return any(part.kind == "picture" for part in self.parts)

    def used_height(self):
        heights = [part.height for part in self.parts]
        return sum(heights) + GAP * max(len(heights) - 1, 0)

    def lines(self):
        side = (
            sum(wrapped_line_count(item, TEXT_POINTS, SIDE_PANEL_WIDTH) for item in self.side[1])
            if self.side
            else 0
        )
        return sum(part.lines for part in self.parts) + side

    def is_thin(self):
        return self.lines() < FEWEST_LINES and not self.has_picture()


def text_part(kind, text, points):
    lines = wrapped_line_count(text, points, indent=0)
    return Part(kind, text, lines, text_height([text], points))


def bullets_part(items, points, width=BODY_WIDTH):
    lines = sum(wrapped_line_count(item, points, width, Inches(0.4)) for item in items)
    height = paragraphs_height(items, points, points / 2) + Inches(0.2)
    return Part("bullets", (items, points), lines, height)


def code_parts(step, code, script, trailing=None):
    """A cell's code (as its slides show it) whole, on as many slides as it needs, each
    slide's code at the largest size that holds it; where it can, the last slide keeps room
    for the part that follows it (`trailing`: what the cell printed, or its table)."""
    if not code.strip():
        return []
    laid_out = slide_code(code)
    too_long = [line for line in laid_out.splitlines() if len(line) > CODE_MOST_COLUMNS]
    if too_long:
        raise LessonProblem(
            f"{script}, {step.title}: a line black cannot fit into {CODE_MOST_COLUMNS} "
            f"columns; shorten it in the lesson: {too_long[0].strip()}"
        )
    trailing_height = trailing.height if trailing else 0
    thin = bool(trailing) and trailing.lines < FEWEST_LINES
    parts = []
    for index, (chunk, points) in enumerate(code_slides(laid_out, trailing_height, thin)):
        count = len(chunk.splitlines())
        height = code_height(count, points)
        parts.append(Part("code", chunk, count, height, new_slide=index > 0, points=points))
        if cut_inside_brackets(chunk):
            parts[-1].warning = f"{step.title}: a statement too long for a slide is cut"
    return parts


def table_parts(summary):
    """model.summary()'s rows on as few pages as hold them, evenly, the last with the totals
    below it on one line: "Total params: 592,074 (2.26 MB) · Trainable params: 592,074 · ..."
    (the size in bytes once)."""
    totals = " · ".join(
        total if number == 0 else total.split(" (")[0]
        for number, total in enumerate(summary.totals)
    )
    totals_height = text_height([totals], OUTPUT_POINTS) + GAP if totals else 0
    totals_lines = wrapped_line_count(totals, OUTPUT_POINTS, indent=0) if totals else 0
    per_page = int((BODY_HEIGHT - totals_height) / TABLE_ROW_HEIGHT) - 1  # and a header row
    pages = -(-len(summary.rows) // per_page)
    size = -(-len(summary.rows) // pages)
    parts = []
    for page in range(pages):
        rows = summary.rows[page * size : (page + 1) * size]
        last = page == pages - 1
        content = (summary.header, rows, totals if last else "")
        height = table_height(len(rows) + 1) + (totals_height if last else 0)
        lines = len(rows) + 1 + (totals_lines if last else 0)
        parts.append(Part("table", content, lines, height, new_slide=page > 0))
    return parts


def fits(plan, part):
    """Whether `part` goes below the parts already on the slide."""
    if plan.has_picture() or part.new_slide or plan.side:
        return False
    room = BODY_HEIGHT - plan.used_height() - GAP
    if part.kind == "picture":
        return picture_fits(part.content, room)
    return part.height <= room


def code_step_plans(step, script, shown=None, spelled=None):
    """The slides of a code step: its code, what it printed, its table, its figures.

    `shown`: each cell's code as its slides show it, with whether some was left out (code
    that only serves its figure; the Setup cell's settings that no slide reads), the cell's
    code as it is where None; `spelled`: the step's
    words as a slide says them (lesson_reading.without_options)."""
    shown = shown or [(code, False) for code, _ in step.cells]
    spelled = spelled or (lambda text: text)
    parts, figure_code_left_out = [], False
    for (_, outputs), (code, left_out) in zip(step.cells, shown):
        printed = printed_lines(outputs)
        summary = summary_table(outputs)
        results = (
            [Part("printed", printed, len(printed), printed_height(printed))] if printed else []
        )
        results += table_parts(summary) if summary else []
        # Where it can, the code's last slide keeps room for what comes first below it.
        parts += code_parts(step, code, script, results[0] if results else None)
        parts += results
        for figure in figures(outputs):
            alt_text = figure.description or ": ".join(
                text for text in (step.title, figure.title) if text
            )
            parts.append(Part("picture", figure, 0, alt_text=alt_text, step=step))
        figure_code_left_out |= left_out and bool(figures(outputs))
    plans = []
    for part in parts:
        if plans and fits(plans[-1], part):
            plans[-1].parts.append(part)
        else:
            plans.append(Plan(step.title, [step], [part], first_of_step=not plans))
    code_slides_of_step = [plan for plan in plans if any(p.kind == "code" for p in plan.parts)]
    for number, plan in enumerate(code_slides_of_step, start=1):
        if len(code_slides_of_step) > 1:
            plan.hints.append(f"code {number} of {len(code_slides_of_step)}")
    if step.kind == "setup":
        hint = SETTINGS_HINT if any(left_out for _, left_out in shown) else SETUP_HINT
        for plan in code_slides_of_step:
            plan.hints.append(hint)
    elif figure_code_left_out:
        for plan in plans:
            if plan.has_picture():
                plan.hints.append(FIGURE_CODE_HINT)
    # The step's own words go above its code where they are short and there is room; the
    # choices a lesson did not make are named there, or at least in the notes.
    others = others_sentence(step)
    for words in (spelled(" ".join([*step.prose, others]).strip()), others):
        lead = text_part("words", words, LEAD_POINTS)
        if plans and words and lead.lines <= MOST_LEAD_LINES and lead_fits(plans[0], lead):
            plans[0].parts.insert(0, lead)
            break
    return plans


def others_sentence(step):
    """Where the choices a lesson did not make are, in a sentence ("" if it made none)."""
    if not step.others:
        return ""
    return f"The other choices ({'; '.join(step.others)}) are in the notebook, each in a cell."


def lead_fits(plan, lead):
    """Whether a step's words fit above the parts of its first slide."""
    room = BODY_HEIGHT - plan.used_height() - GAP
    pictures = [part for part in plan.parts if part.kind == "picture"]
    if pictures:
        return picture_fits(pictures[0].content, room - lead.height - GAP)
    return lead.height <= room


def idea_plans(step, spelled=None):
    """An idea's slides: its bullets (as a slide says them: `spelled`) on at most
    MOST_IDEA_SLIDES slides, in a smaller size if need be, and what does not fit even then
    left to the notes."""
    items = [(spelled or (lambda text: text))(item) for item in idea_bullets(step)]
    height = BODY_HEIGHT - Inches(0.2)
    for points in range(TEXT_POINTS, SMALLEST_IDEA_POINTS - 1, -1):
        pages = bullet_pages(items, points, height)
        if len(pages) <= MOST_IDEA_SLIDES:
            break
    else:
        pages = bullet_pages([*items, MORE_IN_NOTES], points, height)
        while len(items) > 1 and len(pages) > MOST_IDEA_SLIDES:
            items = items[:-1]
            pages = bullet_pages([*items, MORE_IN_NOTES], points, height)
    pages = pages or [[]]
    return [
        Plan(step.title, [step], [bullets_part(page, points)], ideas=[step], first_of_step=not n)
        for n, page in enumerate(pages)
    ]


def plan_notes(lesson, plan):
    """The speaker notes: each step's words (an idea's full text), and how to run the lesson."""
    texts = [
        (
            idea_text(step)
            if step.kind == "idea"
            else "\n\n".join([*step.prose, others_sentence(step)])
        )
        for step in plan.steps
    ]
    commands = "\n".join(lesson.run_commands)
    return "\n\n".join(text for text in (*texts, f"Run the lesson:\n{commands}") if text)
