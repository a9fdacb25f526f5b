"""Digits that the tests and benchmarks draw themselves: MNIST-like data, photos, drawings.

MNIST itself is never shipped or downloaded by the tests. Instead each digit is drawn with
Pillow's built-in font at a random size, slant, stroke width and position, then prepared
the MNIST way (light ink on black, fitted in a 20x20 box, centred in 28x28). A small model
learns these in a few epochs, which is all the lesson tests need.

The same font draws what lessons 6 and 7 read: photos of paper with uneven light
(`photo_of`), written numbers (`written_number`), drawings as lesson 7's page sends them
(`canvas_png`), and the strokes a hand draws on that page (`SEVEN_STROKES`, `three_strokes`,
`zero_stroke`).
"""

import gzip
import io
import math
import struct

import numpy as np
from PIL import Image, ImageDraw, ImageFont

SIDE = 28
BOX = 20
NUM_CLASSES = 10


def draw_digit(digit, random_generator, canvas_size=64, font_size=48):
    """A grey-scale image (uint8, ink = 255 on black) of one digit, not yet MNIST-sized."""
    font = ImageFont.load_default(size=font_size)
    image = Image.new("L", (canvas_size, canvas_size), 0)
    stroke = int(random_generator.integers(0, 3))
    ImageDraw.Draw(image).text(
        (canvas_size // 4, 0), str(digit), fill=255, font=font, stroke_width=stroke, stroke_fill=255
    )
    slant = random_generator.uniform(-0.3, 0.3)
    image = image.transform(
        image.size, Image.Transform.AFFINE, (1, slant, -slant * canvas_size / 2, 0, 1, 0)
    )
    return image.rotate(random_generator.uniform(-12, 12), resample=Image.Resampling.BILINEAR)


def to_mnist_layout(image, random_generator=None):
    """Crop to the ink, fit in a 20x20 box keeping the aspect ratio, centre in 28x28."""
    array = np.asarray(image)
    rows = np.flatnonzero(array.max(axis=1) > 0)
    columns = np.flatnonzero(array.max(axis=0) > 0)
    cropped = image.crop((columns[0], rows[0], columns[-1] + 1, rows[-1] + 1))
    scale = BOX / max(cropped.size)
    size = (max(1, round(cropped.width * scale)), max(1, round(cropped.height * scale)))
    small = cropped.resize(size, Image.Resampling.LANCZOS)
    field = Image.new("L", (SIDE, SIDE), 0)
    jitter = (0, 0) if random_generator is None else random_generator.integers(-1, 2, size=2)
    left = (SIDE - size[0]) // 2 + int(jitter[0])
    top = (SIDE - size[1]) // 2 + int(jitter[1])
    field.paste(small, (left, top))
    return np.asarray(field, dtype=np.uint8)


def make_digits(count, seed):
    """`count` MNIST-style images (count, 28, 28) uint8 and their labels (count,) uint8."""
    random_generator = np.random.default_rng(seed)
    labels = np.arange(count) % NUM_CLASSES
    random_generator.shuffle(labels)
    images = np.stack(
        [to_mnist_layout(draw_digit(label, random_generator), random_generator) for label in labels]
    )
    return images, labels.astype(np.uint8)


def make_mnist_like(train_count=600, test_count=200, seed=0):
    """A dictionary with the four arrays of `keras.datasets.mnist.load_data()`."""
    x_train, y_train = make_digits(train_count, seed)
    x_test, y_test = make_digits(test_count, seed + 1)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def idx_bytes(array):
    """The IDX encoding of a uint8 array: magic number, one size per axis, the data."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


IDX_NAMES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}


def write_idx_folder(arrays, folder, gzipped=True):
    """Write the four arrays as the original MNIST IDX files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, name in IDX_NAMES.items():
        content = idx_bytes(arrays[key])
        if gzipped:
            (folder / f"{name}.gz").write_bytes(gzip.compress(content))
        else:
            (folder / name).write_bytes(content)
    return folder


# %% Photos and written numbers, as lesson 6 reads them


def photo_of(text, size=(600, 420), at=(380, 60), font_size=110, seed=0, width=None):
    """Dark ink, small and off-centre, on light paper with uneven light and noise (RGB)."""
    random_generator = np.random.default_rng(seed)
    ink = Image.new("L", size, 0)
    stroke = 2 if width is None else width
    ImageDraw.Draw(ink).text(
        at, text, fill=255, font=ImageFont.load_default(size=font_size), stroke_width=stroke
    )
    ink = np.asarray(ink, dtype=np.float32) / 255
    rows, columns = np.indices(ink.shape)
    paper = 0.55 + 0.35 * columns / size[0] + 0.05 * rows / size[1]  # light from the right
    gray = paper * (1 - 0.85 * ink) + random_generator.normal(0, 0.03, ink.shape)
    rgb = np.clip(np.stack([gray, gray * 0.97, gray * 0.9], axis=-1), 0, 1)
    return Image.fromarray((255 * rgb).astype(np.uint8), "RGB")


def written_number(text, spacing=0.15, slant=0.0, detached_bar=False):
    """Dark ink on white paper, the digits placed `spacing` font sizes apart (negative:
    overlapping), then slanted: the top moves right by `slant` times the height."""
    font_size, size = 120, (900, 300)
    font = ImageFont.load_default(size=font_size)
    ink = Image.new("L", size, 0)
    draw = ImageDraw.Draw(ink)
    x = 100
    for character in text:
        draw.text((x, 60), character, fill=255, font=font, stroke_width=2, stroke_fill=255)
        left, top, right, bottom = draw.textbbox((x, 60), character, font=font, stroke_width=2)
        if detached_bar and character == "5":
            # Clear a band under the 5's bar, on the left, where the bar meets the body.
            bar_bottom = top + int(0.22 * (bottom - top))
            draw.rectangle((left - 2, bar_bottom, left + (right - left) // 2, bar_bottom + 7), 0)
        x = right + spacing * font_size
    shear = (1, -slant, slant * size[1], 0, 1, 0)
    ink = ink.transform(size, Image.Transform.AFFINE, shear, resample=Image.Resampling.BILINEAR)
    paper = 1.0 - 0.85 * np.asarray(ink, dtype=np.float32) / 255
    return Image.fromarray((255 * paper).astype(np.uint8))


# The numbers that are hard to split into digits, as (text, options of written_number):
# slanted digits whose columns overlap, a 5 whose bar does not touch its body, digits that
# touch.
NUMBERS = {
    "upright": ("2026", {}),
    "slanted_tight": ("2026", {"spacing": 0.02, "slant": 0.35}),
    "detached_bar": ("1958", {"detached_bar": True}),
    "touching": ("5577", {"spacing": -0.11}),
}


# %% Drawings on lesson 7's page

CANVAS_SIDE = 280  # the page's canvas
# The strokes of a 7 on the canvas: the bar, then the stem, as a hand draws them.
SEVEN_STROKES = [[(70, 60), (210, 60)], [(210, 60), (120, 235)]]


def canvas_png(digit, side=CANVAS_SIDE, stroke_width=4):
    """A digit as the page sends it: black ink on a white canvas, as PNG bytes."""
    image = Image.new("L", (side, side), 255)
    font = ImageFont.load_default(size=int(0.7 * side))
    ImageDraw.Draw(image).text(
        (side / 2, side / 2), str(digit), fill=0, font=font, anchor="mm", stroke_width=stroke_width
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def zero_stroke():
    """A 0 on the canvas in one stroke: an ellipse."""
    steps = 24
    return [
        (
            140 + 60 * math.sin(2 * math.pi * step / steps),
            140 - 95 * math.cos(2 * math.pi * step / steps),
        )
        for step in range(steps + 1)
    ]


def three_strokes():
    """A 3 on the canvas in one stroke: two arcs, as a hand draws it."""
    points = []
    for centre_y, radius, start, end in [(95, 45, 200, 450), (185, 50, 270, 520)]:
        for step in range(16):
            angle = math.radians(start + (end - start) * step / 15)
            points.append((140 + radius * math.cos(angle), centre_y + radius * math.sin(angle)))
    return [points]
