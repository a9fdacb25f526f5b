"""Small handwriting-like digit data that the tests draw themselves.

MNIST itself is never shipped or downloaded by the tests. Instead each digit is drawn with
Pillow's built-in font at a random size, slant, stroke width and position, then prepared
the MNIST way (light ink on black, fitted in a 20x20 box, centred in 28x28). A small model
learns these in a few epochs, which is all the lesson tests need.
"""

import gzip
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
