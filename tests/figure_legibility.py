"""Whether a saved figure is legible in a lecture deck, by the deck's own rule: a slide shows
it as large as fits in 12.3 x 5.4 inches, but never enlarged below 150 of its pixels an inch;
its smallest text must then be at least 14 points, and it at least 150 dpi.

    assert_legible_on_a_slide(path)   # a PNG that pictures.save_figure wrote
"""

from PIL import Image

SLIDE_WIDTH_INCHES, SLIDE_HEIGHT_INCHES = 12.3, 5.4  # the room for a picture on a slide
SMALLEST_POINTS = 14  # the smallest text a room can read on a projected slide
SMALLEST_DPI = 150  # sharp on a projector


def as_shown(path):
    """The smallest font of a saved figure in points, and its dots per inch, as a slide
    shows it."""
    with Image.open(path) as image:
        dpi = image.info["dpi"][0]
        width, height = image.width / dpi, image.height / dpi
        smallest = float(image.info["Smallest font"])
    scale = min(SLIDE_WIDTH_INCHES / width, SLIDE_HEIGHT_INCHES / height, dpi / SMALLEST_DPI)
    return smallest * scale, dpi / scale


def assert_legible_on_a_slide(path):
    points, dpi = as_shown(path)
    assert points >= SMALLEST_POINTS, f"{path.name}: its smallest text is {points:.1f} pt"
    assert dpi >= SMALLEST_DPI, f"{path.name}: {dpi:.0f} dpi as shown"
