"""A student's own labelled digits, for lesson 8: the folders they sit in, and a small set in
the styles MNIST hardly has, which the course draws itself.

Lesson 7's page (its teach mode) saves each drawing as `<session>/<digit>/<name>.png`, one
session per run of the page; photos sorted by hand into `<digit>/` folders work the same:

    images = find_labelled_images(folder)       # [LabelledImage(path, digit, session)]
    adapt, held_out = drawn_styles(seed)       # [DrawnDigit(name, digit, gray)] each
    save_new_file(folder, names, png_bytes)    # a collected digit, never replacing a file

The drawn styles are a closed-top 4 (MNIST's writers leave the top open; a closed one looks
like a 9 to a model trained on them), a 7 crossed in the middle and a 1 with a long flag,
as taught in much of Europe. Each is drawn by two hands with other strokes: a model is
adapted on one hand's digits and tested on the other's.
"""

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from common import NEW_FILE_MODE, NUM_CLASSES, UserError, display_path
from handwriting import IMAGE_SUFFIXES, load_image

MY_DIGITS = "my_digits"  # inside the output folder: the digits lesson 07's page collects

# %% Folders of labelled images


@dataclass
class LabelledImage:
    path: Path
    digit: int
    session: str  # the session folder's name; "" when the digit folders are at the top

    @property
    def name(self):
        return display_path(self.path)

    def load(self):
        """Its grey values 0-1; a UserError that names the file if it is no image."""
        return load_image(self.path)


def save_new_file(folder, names, content):
    """Write `content` (bytes) to the first of `names` that is free in `folder`; its path.

    The file is written under a temporary name, then linked to its own name, which fails
    rather than replace another file: an earlier file is never overwritten, and a crash
    leaves no half-written one.
    """
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".new-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, NEW_FILE_MODE)  # mkstemp's files are private; a digit is not
        for name in names:
            try:
                os.link(temporary, Path(folder) / name)
                return Path(folder) / name
            except FileExistsError:
                continue
        raise FileExistsError(f"no free name in {folder}")
    finally:
        os.remove(temporary)


def digit_folders(folder):
    """The sub-folders of `folder` named 0-9."""
    return [folder / str(digit) for digit in range(NUM_CLASSES) if (folder / str(digit)).is_dir()]


def find_labelled_images(folder):
    """Every image under `folder/<digit>/` or `folder/<session>/<digit>/`, sorted; a
    UserError that says what to do if there are none."""
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise UserError(f"{folder} is not a folder: name a folder of <digit>/<image> files")
    if digit_folders(folder):
        sessions = [folder]
    else:
        sessions = sorted(sub for sub in folder.iterdir() if sub.is_dir() and digit_folders(sub))
    layout = "0/ ... 9/, one per digit, or session folders with those inside"
    if not sessions:
        if not any(folder.iterdir()):
            raise UserError(
                f"{folder} is empty: draw digits in lesson 7's teach mode, or sort photos "
                f"into folders {layout}"
            )
        raise UserError(f"{folder} has no digit folders: put each image in a folder {layout}")
    images = []
    for session in sessions:
        name = "" if session == folder else session.name
        for digit_folder in digit_folders(session):
            for path in sorted(digit_folder.iterdir()):
                if path.suffix.lower() in IMAGE_SUFFIXES and not path.name.startswith("."):
                    images.append(LabelledImage(path, int(digit_folder.name), name))
    if not images:
        raise UserError(f"{folder}: its digit folders hold no PNG or JPEG images")
    return images


# %% The styles MNIST lacks, drawn as a hand draws on lesson 7's page

CANVAS_SIDE = 280  # lesson 7's canvas
# Each style: its digit and, per hand, the strokes in a unit box (x right, y down).
STYLES = {
    "closed-top 4": (  # a small pennant high on a long stem
        4,
        {
            "A": [[(0.75, 0.0), (0.0, 0.28), (0.75, 0.28)], [(0.75, 0.0), (0.75, 1.0)]],
            "B": [[(0.72, 1.0), (0.72, 0.0), (0.0, 0.3), (0.72, 0.3)]],
        },
    ),
    "crossed 7": (
        7,
        {
            "A": [[(0.08, 0.06), (0.92, 0.06), (0.4, 1.0)], [(0.3, 0.52), (0.85, 0.52)]],
            "B": [
                [(0.1, 0.24), (0.14, 0.04), (0.9, 0.04), (0.5, 1.0)],
                [(0.45, 0.58), (0.92, 0.5)],
            ],
        },
    ),
    "flagged 1": (  # a long up-stroke before the stem, as taught in much of Europe
        1,
        {
            "A": [[(0.0, 0.45), (0.65, 0.0), (0.65, 1.0)]],
            "B": [[(0.0, 0.3), (0.7, 0.0), (0.66, 1.0)]],
        },
    ),
}
ADAPT_HAND, HELD_OUT_HAND = "A", "B"
DRAWINGS_PER_STYLE = 8  # per hand: 24 digits to adapt on, 24 others to test on
STROKE_WIDTHS = (14, 24)  # pixels on the 280-pixel canvas, as the page's pen and thicker
HEIGHTS = (0.55, 0.8)  # the digit's height, as a share of the canvas
WIDTH_RATIOS = (0.5, 0.75)  # its width, as a share of its height
MAX_SLANT = 0.25  # the top leans right (or left) by up to this share of the height
MAX_WOBBLE = 0.03  # each corner moves by up to this share of the height: a hand, not a ruler


@dataclass
class DrawnDigit:
    name: str
    digit: int
    gray: np.ndarray  # grey values 0-1, dark ink on white, as handwriting.load_image gives

    def load(self):
        return self.gray


def draw_style(strokes, random_generator):
    """One drawing of the strokes at a random size, slant, place and pen width."""
    height = CANVAS_SIDE * random_generator.uniform(*HEIGHTS)
    width = height * random_generator.uniform(*WIDTH_RATIOS)
    slant = random_generator.uniform(-MAX_SLANT / 2, MAX_SLANT)
    left = random_generator.uniform(0.1 * CANVAS_SIDE, 0.9 * CANVAS_SIDE - width - slant * height)
    top = random_generator.uniform(0.1 * CANVAS_SIDE, 0.9 * CANVAS_SIDE - height)
    pen_width = int(random_generator.integers(*STROKE_WIDTHS))
    image = Image.new("L", (CANVAS_SIDE, CANVAS_SIDE), 255)
    pen = ImageDraw.Draw(image)
    for stroke in strokes:
        wobble = random_generator.uniform(-MAX_WOBBLE, MAX_WOBBLE, size=(len(stroke), 2))
        points = [
            (left + width * x + slant * height * (1 - y) + height * dx, top + height * (y + dy))
            for (x, y), (dx, dy) in zip(stroke, wobble)
        ]
        pen.line(points, fill=0, width=pen_width, joint="curve")
        for x, y in points[:: len(points) - 1]:  # round ends, as the page's pen draws them
            radius = pen_width / 2
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return np.asarray(image, dtype=np.float32) / 255


def drawn_styles(seed, per_style=DRAWINGS_PER_STYLE):
    """(digits to adapt on, drawn by hand A; held-out digits, drawn by hand B)."""
    random_generator = np.random.default_rng(seed)
    hands = {}
    for hand in (ADAPT_HAND, HELD_OUT_HAND):
        hands[hand] = [
            DrawnDigit(
                f"{style} ({hand}{number + 1})", digit, draw_style(strokes[hand], random_generator)
            )
            for style, (digit, strokes) in STYLES.items()
            for number in range(per_style)
        ]
    return hands[ADAPT_HAND], hands[HELD_OUT_HAND]
