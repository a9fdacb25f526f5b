"""Whether a saved figure is legible in a lecture deck: a slide shows it scaled to fit
12.3 x 5.65 inches, and its smallest text must then be at least 14 points.

    assert_legible_on_a_slide(path)   # a PNG that pictures.save_figure wrote
"""

from PIL import Image

import pictures

SLIDE_WIDTH_INCHES, SLIDE_HEIGHT_INCHES = 12.3, 5.65  # the picture's room on a slide
SMALLEST_POINTS = 14  # the smallest text a room can read on a projected slide


def points_on_a_slide(path):
    """The smallest font of a saved figure, in points, as a slide shows it."""
    with Image.open(path) as image:
        width, height = (pixels / pictures.FIGURE_DPI for pixels in image.size)
        smallest = float(image.info["Smallest font"])
    return smallest * min(SLIDE_WIDTH_INCHES / width, SLIDE_HEIGHT_INCHES / height)


def assert_legible_on_a_slide(path):
    points = points_on_a_slide(path)
    assert (
        points >= SMALLEST_POINTS
    ), f"{path.name}: its smallest text is {points:.1f} pt on a slide"
