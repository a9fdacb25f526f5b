"""Whether a saved figure is legible in a lecture deck, by the deck's own rule
(slides/slide_parts.py): a slide shows it as large as fits in the body of a slide, but never
at fewer than SMALLEST_SHOWN_DPI of its pixels an inch (so it is never blurred); its smallest
text must then be at least SMALLEST_FIGURE_POINTS, and the PNG must say its dpi and smallest
font.

    assert_legible_on_a_slide(path)   # a PNG that pictures.save_figure wrote
"""

import sys
from pathlib import Path

from pptx.util import Emu

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "slides"))
import lesson_reading  # noqa: E402
import slide_parts  # noqa: E402

import common  # noqa: E402
import pictures  # noqa: E402

BODY_WIDTH_INCHES = Emu(slide_parts.BODY_WIDTH).inches  # the room for a picture on a slide
BODY_HEIGHT_INCHES = Emu(slide_parts.BODY_HEIGHT).inches


def shown_points(path):
    """The smallest font of a saved figure in points as a slide shows it."""
    figure = lesson_reading.figure_of(Path(path).read_bytes())
    assert figure.dpi and figure.smallest_font, f"{Path(path).name}: no dpi or smallest font"
    shown_width, _ = slide_parts.picture_size(
        figure, slide_parts.BODY_WIDTH, slide_parts.BODY_HEIGHT
    )
    return slide_parts.shown_font_points(figure, shown_width)


def saved(figure, folder, name):
    """The figure saved by pictures.save_figure into `folder`, and the path it wrote."""
    pictures.save_figure(figure, folder, name)
    return Path(folder) / common.FIGURES / name


def assert_legible_on_a_slide(path):
    points = shown_points(path)
    smallest = slide_parts.SMALLEST_FIGURE_POINTS
    assert points >= smallest, f"{Path(path).name}: its smallest text is {points:.1f} pt"
