"""The parts a slide is made of (title, bullets, code, printed text, model.summary()'s
table, pictures with their alt text, captions, notes), their sizes, fonts and colours, and
the estimates that keep text inside its box and pictures readable."""

import io
import textwrap

from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.util import Emu, Inches, Pt
from pygments.lexers import PythonLexer
from pygments.styles import get_style_by_name

# 16:9, in inches; every box lies inside the slide with this margin.
SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_HEIGHT = Inches(0.3), Inches(0.9)
BODY_TOP, BODY_BOTTOM = Inches(1.3), Inches(6.95)
CAPTION_TOP, CAPTION_HEIGHT = Inches(7.0), Inches(0.35)
BODY_WIDTH = SLIDE_WIDTH - 2 * MARGIN
BODY_HEIGHT = BODY_BOTTOM - BODY_TOP
# Fonts every presentation program has, or substitutes with one of the same metrics
# (LibreOffice: Liberation Sans and Liberation Mono).
TEXT_FONT, CODE_FONT = "Arial", "Courier New"
TITLE_POINTS, TEXT_POINTS, CAPTION_POINTS = 32, 24, 12
CODE_POINTS = 18  # code large enough for the back of a room, as the printed output
SMALLEST_CODE_POINTS = 14  # a statement too long for a slide at CODE_POINTS, not below it
# A line of code is this many font sizes high, exactly (Courier New's glyphs take 1.133), and
# its box adds its margins and a little room to its lines' height.
CODE_LINE_SPACING = 1.15
CODE_BOX_PADDING = Inches(0.25)
OUTPUT_POINTS = 18  # what a step printed, and model.summary()'s table
LEAD_POINTS = 20  # a code step's own words above its code
HEADING_POINTS = 24  # the heading of a second step that shares a slide
SMALLEST_EXERCISE_POINTS = 16
SMALLEST_TITLE_POINTS = 24
BULLET_INDENT = Inches(0.4)  # what a bullet's marker takes from a line, in the estimate
LINE_SPACING = 1.2  # a line's height, in font sizes
# Characters of running text per line at 1 point, for Arial: about 2 em of width per 3.7
# characters on average, rounded so that the wrapping estimate errs towards fewer.
TEXT_CHARACTERS_PER_POINT_WIDTH = 1 / 0.56
MONOSPACE_ADVANCE = 0.6  # Courier New's characters are 0.6 em wide
INLINE_CODE_WIDENING = 1.3  # how much wider inline code runs than text, erring wide
CODE_BACKGROUND = RGBColor(0xF4, 0xF6, 0xF8)
OUTPUT_BACKGROUND = RGBColor(0xFF, 0xFA, 0xE8)
CAPTION_COLOUR = RGBColor(0x70, 0x70, 0x70)
HEADING_COLOUR = RGBColor(0x1F, 0x3A, 0x68)
GAP = Inches(0.2)  # between two parts of a slide
BOX_PADDING = Inches(0.3)  # what a filled box adds to its lines' height
# A picture is never shown larger than this many of its pixels an inch (it would blur), and
# its smallest text should reach this size as shown (the tests check both).
SMALLEST_SHOWN_DPI = 150
SMALLEST_FIGURE_POINTS = 14
# A picture shares a slide with text only where it stays readable, or, when its PNG does not
# say its smallest font (or it is not readable even alone), where it keeps this much of its
# width alone.
SHARED_PICTURE_FRACTION = 0.8
SIDE_PANEL_WIDTH = Inches(4.2)  # a short idea beside its picture
# model.summary()'s table: a row's height is its line and the cell's margins above and below.
TABLE_CELL_MARGIN = Inches(0.05)
TABLE_ROW_HEIGHT = Pt(OUTPUT_POINTS * LINE_SPACING) + 2 * TABLE_CELL_MARGIN
TABLE_HEADER_FILL, TABLE_HEADER_TEXT = RGBColor(0x1F, 0x3A, 0x68), RGBColor(0xFF, 0xFF, 0xFF)
# A column's share of the table's width is its longest text, at least a few characters (a
# short heading such as "Param #" keeps room), and its cell's margins.
TABLE_NARROWEST_COLUMN, TABLE_CELL_PADDING = 8, 3  # in characters: a column's fewest, its margins
TABLE_FILLS = (RGBColor(0xE8, 0xEE, 0xF6), RGBColor(0xFF, 0xFF, 0xFF))
CODE_STYLE = get_style_by_name("default")  # Pygments' colours, readable on a light slide


def text_box(slide, left, top, width, height, anchor=MSO_ANCHOR.TOP):
    shape = slide.shapes.add_textbox(left, top, width, height)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.1))
    return shape


def add_runs(paragraph, text, points, colour=None, bold=False, italic=False):
    """Text with `inline code` set in the code font."""
    for index, part in enumerate(text.split("`")):
        if not part:
            continue
        run = paragraph.add_run()
        run.text = part
        run.font.size = Pt(points)
        run.font.name = CODE_FONT if index % 2 else TEXT_FONT
        run.font.bold = bold
        run.font.italic = italic
        if colour is not None:
            run.font.color.rgb = colour


def fitting_points(texts, largest, smallest, height, spacing_after=0):
    """The largest font size from `largest` down to `smallest` at which `texts` (one
    paragraph each) fit into `height`."""
    points = largest
    while points > smallest and paragraphs_height(texts, points, spacing_after, 0) > height:
        points -= 1
    return points


def add_title(slide, title):
    """The step's heading; a long one in a smaller size, so that two lines fit."""
    shape = text_box(slide, MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT, MSO_ANCHOR.MIDDLE)
    points = fitting_points(
        [title], TITLE_POINTS, SMALLEST_TITLE_POINTS, TITLE_HEIGHT - Inches(0.2)
    )
    add_runs(shape.text_frame.paragraphs[0], title, points, bold=True)


def add_caption(slide, text):
    shape = text_box(slide, MARGIN, CAPTION_TOP, BODY_WIDTH, CAPTION_HEIGHT)
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = 3  # right
    add_runs(paragraph, text, CAPTION_POINTS, colour=CAPTION_COLOUR)


def add_notes(slide, notes):
    slide.notes_slide.notes_text_frame.text = notes


def wrapped_line_count(text, points, width=BODY_WIDTH, indent=0):
    """How many lines `text` takes in a box of `width` at `points` (an estimate that errs
    towards more lines)."""
    usable = Emu(width - Inches(0.2) - indent).pt
    characters = usable * TEXT_CHARACTERS_PER_POINT_WIDTH / points
    # Inline `code` is set in the wider monospace font: fewer characters fit a line.
    plain = text.replace("`", "")
    code = sum(len(part) for part in text.split("`")[1::2])
    widened = len(plain) + (INLINE_CODE_WIDENING - 1) * code
    characters = max(1, int(characters * len(plain) / max(widened, 1)))
    return len(textwrap.wrap(plain, characters)) or 1


def paragraphs_height(texts, points, spacing_after, indent=BULLET_INDENT):
    """The height of `texts`, one paragraph each (indented as a bullet unless told)."""
    lines = sum(wrapped_line_count(text, points, indent=indent) for text in texts)
    return Pt(lines * points * LINE_SPACING + len(texts) * spacing_after)


def add_bullets(
    slide, top, height, items, points, numbered=False, left=MARGIN, width=BODY_WIDTH, first=1
):
    """The items as bullets, or numbered from `first`."""
    shape = text_box(slide, left, top, width, height)
    frame = shape.text_frame
    for index, item in enumerate(items):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.space_after = Pt(points / 2)
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        marker = f"{first + index}. " if numbered else "• "
        add_runs(paragraph, marker + item, points)
    return shape


def code_paragraphs(frame, code, points=CODE_POINTS):
    """Syntax-coloured code, one paragraph a line, in the code font at `points`, each line
    CODE_LINE_SPACING font sizes high."""
    lines = [[]]
    for token_type, value in PythonLexer().get_tokens(code):
        for index, piece in enumerate(value.split("\n")):
            if index:
                lines.append([])
            if piece:
                lines[-1].append((token_type, piece))
    while lines and not lines[-1]:
        lines.pop()
    for index, tokens in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.line_spacing = Pt(points * CODE_LINE_SPACING)
        run = paragraph.add_run()  # an empty line keeps its height with a space
        run.text = ""
        merged = []
        for token_type, piece in tokens:
            style = CODE_STYLE.style_for_token(token_type)
            key = (style["color"], style["bold"], style["italic"])
            if merged and merged[-1][0] == key:
                merged[-1][1] += piece
            else:
                merged.append([key, piece])
        runs = [run] + [paragraph.add_run() for _ in merged[1:]]
        for run, ((colour, bold, italic), piece) in zip(
            runs, merged or [[(None, False, False), " "]]
        ):
            run.text = piece
            run.font.name = CODE_FONT
            run.font.size = Pt(points)
            run.font.bold = bool(bold)
            run.font.italic = bool(italic)
            if colour:
                run.font.color.rgb = RGBColor.from_string(colour)


def monospace_box(slide, top, lines, points, background):
    """A filled box just large enough for `lines` of monospace text at `points`."""
    height = Pt(len(lines) * points * LINE_SPACING) + Inches(0.3)
    shape = text_box(slide, MARGIN, top, BODY_WIDTH, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = background
    shape.text_frame.word_wrap = False
    return shape, height


def code_height(lines, points=CODE_POINTS):
    """The height of a code box of `lines` lines at `points`."""
    return Pt(lines * points * CODE_LINE_SPACING) + CODE_BOX_PADDING


def code_lines_that_fit(points, height=BODY_HEIGHT):
    """How many lines of code at `points` a box of at most `height` holds."""
    return int((height - CODE_BOX_PADDING) / Pt(points * CODE_LINE_SPACING))


def add_code(slide, top, code, points=CODE_POINTS):
    """Syntax-coloured code at `points` in a filled box across the body; its height."""
    height = code_height(len(code.splitlines()), points)
    shape = text_box(slide, MARGIN, top, BODY_WIDTH, height)
    shape.fill.solid()
    shape.fill.fore_color.rgb = CODE_BACKGROUND
    shape.text_frame.word_wrap = False
    code_paragraphs(shape.text_frame, code, points)
    return height


def add_printed(slide, top, lines):
    shape, height = monospace_box(slide, top, lines, OUTPUT_POINTS, OUTPUT_BACKGROUND)
    for index, line in enumerate(lines):
        paragraph = (
            shape.text_frame.paragraphs[0] if index == 0 else shape.text_frame.add_paragraph()
        )
        paragraph.line_spacing = 1.0  # single: about 1.2 font sizes a line
        run = paragraph.add_run()
        run.text = line
        run.font.name = CODE_FONT
        run.font.size = Pt(OUTPUT_POINTS)
    return height


def printed_height(lines):
    return Pt(len(lines) * OUTPUT_POINTS * LINE_SPACING) + BOX_PADDING


def text_height(texts, points):
    """The height of a box across the body of `texts`, one paragraph each, at `points`."""
    return paragraphs_height(texts, points, 0, indent=0) + Inches(0.2)


def add_text(slide, top, text, points, bold=False, italic=False, colour=None):
    """A paragraph of running text across the body: a step's words, a heading, a note."""
    height = text_height([text], points)
    shape = text_box(slide, MARGIN, top, BODY_WIDTH, height)
    add_runs(shape.text_frame.paragraphs[0], text, points, colour, bold, italic)
    return height


def table_height(rows):
    """A table of `rows` rows, its header row included."""
    return rows * TABLE_ROW_HEIGHT


def add_table(slide, top, header, rows):
    """model.summary()'s rows as a table across the body, the header row filled, the
    numbers of the last column aligned right."""
    characters = [
        max(len(str(row[column])) for row in [header, *rows]) for column in range(len(header))
    ]
    shares = [max(count, TABLE_NARROWEST_COLUMN) + TABLE_CELL_PADDING for count in characters]
    widths = [int(BODY_WIDTH * share / sum(shares)) for share in shares]
    shape = slide.shapes.add_table(
        len(rows) + 1, len(header), MARGIN, top, sum(widths), table_height(len(rows) + 1)
    )
    table = shape.table
    for column, width in enumerate(widths):
        table.columns[column].width = width
    for number, row in enumerate([header, *rows]):
        table.rows[number].height = TABLE_ROW_HEIGHT
        for column, text in enumerate(row):
            cell = table.cell(number, column)
            cell.margin_top = cell.margin_bottom = TABLE_CELL_MARGIN
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            cell.fill.solid()
            cell.fill.fore_color.rgb = TABLE_HEADER_FILL if number == 0 else TABLE_FILLS[number % 2]
            paragraph = cell.text_frame.paragraphs[0]
            if column == len(header) - 1:
                paragraph.alignment = PP_ALIGN.RIGHT  # the numbers line up
            colour = TABLE_HEADER_TEXT if number == 0 else None
            add_runs(paragraph, str(text), OUTPUT_POINTS, colour, bold=number == 0)
    return table_height(len(rows) + 1)


def picture_size(figure, width, height):
    """The size a figure is shown at in a `width` by `height` space: as large as fits, its
    aspect kept, but never at fewer than SMALLEST_SHOWN_DPI of its pixels an inch."""
    pixels_wide, pixels_high = figure.size
    largest = Inches(1) / SMALLEST_SHOWN_DPI  # EMU a pixel
    scale = min(width / pixels_wide, height / pixels_high, largest)
    return int(pixels_wide * scale), int(pixels_high * scale)


def shown_font_points(figure, shown_width):
    """The figure's smallest font as it is shown at `shown_width` (None if it does not say)."""
    if figure.smallest_font is None or not figure.dpi:
        return None
    return figure.smallest_font * figure.dpi * Emu(shown_width).inches / figure.size[0]


def picture_fits(figure, room, width=BODY_WIDTH):
    """Whether the figure may be shown in a space `width` by `room` rather than alone on a
    slide: where its smallest text stays SMALLEST_FIGURE_POINTS if it is that large alone, else
    where it keeps SHARED_PICTURE_FRACTION of its width alone."""
    alone = picture_size(figure, BODY_WIDTH, BODY_HEIGHT)[0]
    shown = picture_size(figure, width, room)[0]
    font_alone = shown_font_points(figure, alone)
    if font_alone and font_alone >= SMALLEST_FIGURE_POINTS:
        return shown_font_points(figure, shown) >= SMALLEST_FIGURE_POINTS
    return shown >= alone * SHARED_PICTURE_FRACTION


def add_picture(slide, figure, left, top, width, height, alt_text):
    """The figure centred in the space, sized by picture_size, with its alt text where
    PowerPoint's accessibility checker reads it (the picture's cNvPr descr and title)."""
    shown_width, shown_height = picture_size(figure, width, height)
    picture = slide.shapes.add_picture(
        io.BytesIO(figure.png),
        int(left + (width - shown_width) / 2),
        int(top),
        shown_width,
        shown_height,
    )
    properties = picture._element.nvPicPr.cNvPr
    properties.set("descr", alt_text)
    properties.set("title", figure.title or alt_text.split(":")[0])
    return picture


def bullet_pages(items, points, height):
    """The items in as many slides as they need at `points`."""
    pages, current = [], []
    for item in items:
        if current and paragraphs_height([*current, item], points, points / 2) > height:
            pages.append(current)
            current = []
        current.append(item)
    if current:
        pages.append(current)
    return pages
