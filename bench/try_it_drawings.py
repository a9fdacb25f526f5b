"""What the exercises that ask a student to draw or photograph use instead: the styles the
course draws (own_digits.py), the same strokes drawn plain, placed where an exercise says,
real digits from a folder with one subfolder per digit, and a year put together from one
writer's digits; and lesson 07's page asked through its HTTP API, as the browser asks it.
"""

import base64
import io
import json
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import handwriting
import own_digits

PAGE_PEN = own_digits.STROKE_WIDTHS[0]  # the page's pen, in pixels of its canvas
DRAWINGS_PER_VERSION = 8  # exercise 07.1: drawings of each version, at random sizes and slants
HAND = own_digits.ADAPT_HAND  # whose strokes the plain and placed digits follow
CORNER_HEIGHT, MIDDLE_HEIGHT = 0.2, 0.7  # exercise 07.2: the digit's height, share of canvas
CORNER_MARGIN = 0.03  # ... the small one this far from the top left corner
WIDTH_RATIO = 0.6  # the placed digits' width, as a share of their height
YEAR_HEIGHT = 160  # pixels: each digit of the year, scaled to this height
YEAR_GAP = 0.35  # space between the year's digits, as a share of that height
TIMEOUT_SECONDS = 60


def png_bytes(gray):
    """A grey image (0-1, dark ink on white) as PNG bytes, as the page sends its canvas."""
    buffer = io.BytesIO()
    Image.fromarray((255 * np.asarray(gray)).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def strokes(style):
    digit, hands = own_digits.STYLES[style]
    return digit, hands[HAND]


def versions(seed):
    """Exercise 07.1: {version: (digit, [PNG, ...])}, a 7 and a 1 with and without the bar
    and the flag; the n-th drawing of each has the same size, slant and place."""
    seven, seven_strokes = strokes("crossed 7")
    one, (one_stroke,) = strokes("flagged 1")
    shapes = {
        "7 with its bar": (seven, seven_strokes),
        "7 without": (seven, seven_strokes[:1]),
        "1 with its flag": (one, [one_stroke]),
        "1 without": (one, [one_stroke[1:]]),
    }
    drawn = {}
    for version, (digit, lines) in shapes.items():
        random_generator = np.random.default_rng(seed)  # the same draws for every version
        drawn[version] = (
            digit,
            [
                png_bytes(own_digits.draw_style(lines, random_generator))
                for _ in range(DRAWINGS_PER_VERSION)
            ],
        )
    return drawn


def placed(lines, height, left, top):
    """A drawing of `lines` (a unit box) at this height and place, with the page's pen."""
    side = own_digits.CANVAS_SIDE
    image = Image.new("L", (side, side), 255)
    pen = ImageDraw.Draw(image)
    width = WIDTH_RATIO * height
    for stroke in lines:
        points = [(left + width * x, top + height * y) for x, y in stroke]
        pen.line(points, fill=0, width=PAGE_PEN, joint="curve")
        for x, y in points[:: len(points) - 1]:
            radius = PAGE_PEN / 2
            pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=0)
    return png_bytes(np.asarray(image, dtype=np.float32) / 255)


def corner_and_middle():
    """Exercise 07.2: the 7 without its bar, small in the top left corner and large in the
    middle: (digit, PNG small, PNG large)."""
    digit, lines = strokes("crossed 7")
    side = own_digits.CANVAS_SIDE
    small = placed(lines[:1], CORNER_HEIGHT * side, CORNER_MARGIN * side, CORNER_MARGIN * side)
    large_height = MIDDLE_HEIGHT * side
    middle = (side - WIDTH_RATIO * large_height) / 2, (side - large_height) / 2
    return digit, small, placed(lines[:1], large_height, *middle)


def held_out_styles(seed):
    """The styles' held-out drawings, as lesson 08 tests on them: [(digit, PNG)]."""
    _, held_out = own_digits.drawn_styles(seed)
    return [(digit.digit, png_bytes(digit.gray)) for digit in held_out]


# %% Lesson 07's page, asked as the browser asks it


def post(url, body):
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "image/png"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return json.loads(response.read())


def read_on_page(url, drawings):
    """The page's answers to [(digit, PNG)]: [(digit, answered digit, the probability it gave
    the true digit)]."""
    answers = [post(f"{url}predict", png) for _, png in drawings]
    return [
        (digit, a["digit"], a["probabilities"][digit]) for (digit, _), a in zip(drawings, answers)
    ]


def prepared_input(url, png):
    """The page's 28x28 input for a drawing, as grey values 0-1, and its answer."""
    answered = post(f"{url}predict", png)
    encoded = answered["prepared"].split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255, answered


def teach(url, labelled):
    """Teach the page [(digit, image bytes)] in its teach mode: POST /teach?digit=D."""
    for digit, image in labelled:
        post(f"{url}teach?digit={digit}", image)


# %% Digits from a folder


@dataclass
class OwnDigit:
    path: Path
    digit: int
    writer: str  # the file name before "__", as in the course's collection


def own_digit_files(folder):
    """Every image in `folder/<digit>/`, sorted."""
    return [
        OwnDigit(path, int(path.parent.name), path.name.split("__")[0])
        for path in sorted(Path(folder).glob("[0-9]/*"))
        if path.suffix.lower() in handwriting.IMAGE_SUFFIXES
    ]


def write_drawn_styles(folder, seed, per_style):
    """The drawn styles, both hands, as PNG files in `folder/<digit>/`: own digits for the
    exercises when no folder of real ones is given."""
    adapt, held_out = own_digits.drawn_styles(seed, per_style)
    for number, digit in enumerate(adapt + held_out):
        path = Path(folder) / str(digit.digit) / f"course__drawn__{number:02d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png_bytes(digit.gray))
    return folder


def two_sessions(files):
    """The files split into two sittings: each writer's images of a digit alternate, the
    first to sitting 1 (so a single image stays there)."""
    sessions, seen = ([], []), {}
    for item in files:
        count = seen.get((item.writer, item.digit), 0)
        seen[(item.writer, item.digit)] = count + 1
        sessions[count % 2].append((item.digit, item.path.read_bytes()))
    return sessions


def year_image(files, year, path):
    """A year written with one writer's digits: each digit's ink cropped, scaled to one
    height and set side by side on white paper, as a photo of the year would be. Returns
    the year written, or None if no writer has all its digits."""
    writers = sorted({item.writer for item in files})
    needed = set(map(int, year))
    chosen = next(
        (w for w in writers if needed <= {item.digit for item in files if item.writer == w}),
        None,
    )
    if chosen is None:
        return None
    pieces = []
    for character in year:
        item = next(i for i in files if i.writer == chosen and i.digit == int(character))
        ink = handwriting.crop_to_ink(handwriting.clean_ink(handwriting.load_image(item.path)))
        scale = YEAR_HEIGHT / ink.shape[0]
        size = (max(1, round(ink.shape[1] * scale)), YEAR_HEIGHT)
        pieces.append(Image.fromarray((255 * ink).astype(np.uint8)).resize(size))
    gap = round(YEAR_GAP * YEAR_HEIGHT)
    width = sum(piece.width for piece in pieces) + gap * (len(pieces) + 1)
    canvas = Image.new("L", (width, YEAR_HEIGHT + 2 * gap), 0)
    left = gap
    for piece in pieces:
        canvas.paste(piece, (left, gap))
        left += piece.width + gap
    Image.eval(canvas, lambda value: 255 - value).save(path)
    return year
