"""Preparing a photo or a drawing of a digit the way MNIST was prepared (lesson 6).

A model trained on MNIST only reads input that looks like MNIST: light ink on black, the
digit scaled into a 20x20 box with its aspect ratio kept, and centred by its centre of mass
in a 28x28 field. Lesson 6 walks through these steps one at a time; lesson 7's drawing page
and the benchmarks use them as they are:

    gray = load_image(path)              # grey values 0-1; a UserError if it is no image
    ink = clean_ink(gray, path)          # light ink on black, paper and noise removed
    digit = prepare_digit(ink)           # specks dropped, cropped, 20x20, centred in 28x28
    digits = [prepare_digit(piece) for piece in split_digits(ink)]  # a number, left to right
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError
from scipy import ndimage

from common import UserError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}  # what a folder is searched for
FIELD_SIZE = 28  # MNIST's image side
BOX_SIZE = 20  # MNIST fits each digit into a 20x20 box inside the 28x28 field
WORKING_SIDE = 400  # larger photos are shrunk to this side first: faster, no less readable
BACKGROUND_SIDE = 16  # the tiny copy from which the paper's uneven brightness is estimated
MINIMUM_CONTRAST = 0.15  # ink that stands out less than this from the paper is none at all
SPECK_FRACTION = 0.06  # separate blobs with less ink than this share of the largest: specks
SAME_DIGIT_OVERLAP = 0.5  # split_digits: a blob this much within a wider one's columns joins it
TOUCHING_WIDTH = 1.0  # split_digits: a piece wider than tall is two digits that touch
INK_MASS_TRIMMED = 0.002  # crop away this fraction of the ink at each edge: specks, dust
STROKE_WIDTH_TARGET = 0.10  # MNIST's strokes are about a tenth as wide as the digit is tall
MEASURABLE_SIDE = 100  # digits smaller than this are enlarged before strokes are measured
STROKE_WIDTH_ENOUGH = 0.7  # strokes at least 70% of that width are left as they are


# %% Reading image files


def image_paths(arguments):
    """The images named on the command line, a folder standing for the images in it; a
    UserError naming the first argument that does not exist or is a folder without images."""
    paths = []
    for argument in arguments:
        path = Path(argument).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
            if not found:
                raise UserError(f"{path}: no PNG or JPEG images in this folder")
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        else:
            raise UserError(f"{path}: no such file or folder")
    return paths


def load_image(path):
    """`load_grayscale` for a file named by the user: a UserError that names the file if it
    is missing, empty or no image."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty")
    try:
        return load_grayscale(path)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as error:
        raise UserError(f"{path}: not a PNG or JPEG image ({error})") from None


# %% Preparing an image the MNIST way, one small step each


def load_grayscale(path):
    """Open any PNG or JPEG as grey values from 0.0 (black) to 1.0 (white).

    Phone photos are turned upright, as their EXIF data says. Transparent pixels become
    paper: white behind dark ink, black behind light ink.
    """
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        image.load()
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema()[0] < 255:
        alpha = np.asarray(image.getchannel("A"), dtype=np.float32) / 255
        gray = np.asarray(image.convert("L"), dtype=np.float32) / 255
        ink_brightness = np.average(gray, weights=alpha) if alpha.sum() else 0.0
        paper = 1.0 if ink_brightness < 0.5 else 0.0
        image = Image.fromarray(alpha * gray + (1 - alpha) * paper)
    else:
        image = Image.fromarray(np.asarray(image.convert("L"), dtype=np.float32) / 255)
    if max(image.size) > WORKING_SIDE:
        image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
    return np.asarray(image)


def make_ink_light(gray):
    """MNIST has light ink on a dark background. Most of a picture is paper, so if the
    typical (median) pixel is light, the paper is light: invert."""
    return 1.0 - gray if np.median(gray) > 0.5 else gray


def remove_background(ink):
    """Subtract the paper's own brightness, which varies across a photo with uneven light.

    A tiny copy of the image keeps only the slow changes of the paper, and the darkest value
    in a neighbourhood of each of its pixels is the paper there, if the neighbourhood reaches
    past the strokes. So the neighbourhood grows while growing it by one step still finds
    much darker paper: the far side of a thick stroke, not the slow change of the light.
    Scaled back up, that is the paper.
    """
    image = Image.fromarray(ink)
    tiny = np.asarray(image.resize((BACKGROUND_SIDE, BACKGROUND_SIDE), Image.Resampling.BOX))
    paper = ndimage.minimum_filter(tiny, size=3, mode="nearest")
    previous = paper
    for size in range(5, 2 * BACKGROUND_SIDE + 1, 2):
        wider = ndimage.minimum_filter(tiny, size=size, mode="nearest")
        # A drop as large as ink's least contrast means the last step left a stroke behind.
        past_a_stroke = previous - wider > MINIMUM_CONTRAST
        paper = np.where(past_a_stroke, wider, paper)
        previous = wider
    paper = Image.fromarray(paper.astype(np.float32)).resize(image.size, Image.Resampling.BILINEAR)
    return np.clip(ink - np.asarray(paper), 0.0, 1.0)


def suppress_noise(ink):
    """Keep only what is clearly ink, and stretch it to full brightness.

    Otsu's threshold splits the grey values into two groups (paper noise and ink) so that
    each group is as uniform as possible. Below it: paper. Above it: ink, scaled to 0-1.
    """
    if ink.max() < MINIMUM_CONTRAST:
        return np.zeros_like(ink)
    threshold = otsu_threshold(ink)
    bright = np.percentile(ink[ink > threshold], 90)
    return np.clip((ink - threshold) / max(bright - threshold, 1e-6), 0.0, 1.0)


def otsu_threshold(values, bins=256):
    """The grey value that best separates two groups of pixels (Otsu, 1979)."""
    counts, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight_below = np.cumsum(counts)
    weight_above = weight_below[-1] - weight_below
    mass_below = np.cumsum(counts * centres)
    mean_below = mass_below / np.maximum(weight_below, 1)
    mean_above = (mass_below[-1] - mass_below) / np.maximum(weight_above, 1)
    between_class_variance = weight_below * weight_above * (mean_below - mean_above) ** 2
    return centres[np.argmax(between_class_variance)]


def remove_specks(ink):
    """Drop dust, paper edges and bits of a neighbouring digit: separate blobs of ink that
    hold only a small share of the ink of the largest blob (the digit)."""
    blobs, count = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    if count <= 1:
        return ink
    mass = ndimage.sum(ink, blobs, index=range(1, count + 1))
    keep = np.flatnonzero(mass >= SPECK_FRACTION * mass.max()) + 1
    return np.where(np.isin(blobs, keep), ink, 0.0).astype(np.float32)


def crop_to_ink(ink):
    """Cut the image down to the rows and columns that hold the digit's ink.

    A tiny fraction of the ink at each edge is left out, so that a stray speck does not
    stretch the crop."""
    rows = ink_span(ink.sum(axis=1))
    columns = ink_span(ink.sum(axis=0))
    return ink[rows[0] : rows[1] + 1, columns[0] : columns[1] + 1]


def ink_span(profile):
    """First and last index between which all but a tiny fraction of the ink lies."""
    cumulative = np.cumsum(profile) / profile.sum()
    first = int(np.searchsorted(cumulative, INK_MASS_TRIMMED))
    last = int(np.searchsorted(cumulative, 1 - INK_MASS_TRIMMED))
    return first, min(last, len(profile) - 1)


def thicken_strokes(ink):
    """Widen thin pen lines to MNIST's stroke width, so they do not fade when scaled down.

    A stroke's width is about twice its area divided by its outline. A digit only a few
    dozen pixels tall is enlarged first: its one-pixel lines could not be measured."""
    if max(ink.shape) < MEASURABLE_SIDE:
        factor = int(np.ceil(MEASURABLE_SIDE / max(ink.shape)))
        size = (ink.shape[1] * factor, ink.shape[0] * factor)
        ink = np.asarray(Image.fromarray(ink).resize(size, Image.Resampling.NEAREST))
    mask = np.pad(ink > 0.5, 1)
    centre = mask[1:-1, 1:-1]
    up, down, left, right = mask[:-2, 1:-1], mask[2:, 1:-1], mask[1:-1, :-2], mask[1:-1, 2:]
    area = centre.sum()
    outline = max((centre & ~(up & down & left & right)).sum(), 1)
    stroke_width = 2 * area / outline
    target_width = STROKE_WIDTH_TARGET * max(ink.shape)
    if stroke_width >= STROKE_WIDTH_ENOUGH * target_width:
        return ink  # MNIST's own strokes vary this much too
    grow = int(round(target_width - stroke_width))
    size = grow + 1 if grow % 2 == 0 else grow + 2  # an odd filter that adds about `grow`
    padded = np.pad(ink, size // 2)  # room for the widened strokes at the edges
    return np.asarray(Image.fromarray(padded).filter(ImageFilter.MaxFilter(size)))


def fit_in_box(ink, box_size=BOX_SIZE):
    """Scale the digit so that its longer side is 20 pixels, keeping its aspect ratio;
    the smooth (anti-aliased) resampling gives the grey edges MNIST digits have."""
    height, width = ink.shape
    scale = box_size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(ink).resize(new_size, Image.Resampling.LANCZOS)
    return np.clip(np.asarray(small), 0.0, 1.0)


def center_by_mass(digit, field_size=FIELD_SIZE):
    """Place the digit in a 28x28 field so that its centre of mass is the field's centre."""
    rows, columns = np.indices(digit.shape)
    total = digit.sum()
    centre_row = (rows * digit).sum() / total
    centre_column = (columns * digit).sum() / total
    top = int(round(field_size / 2 - centre_row))
    left = int(round(field_size / 2 - centre_column))
    top = min(max(top, 0), field_size - digit.shape[0])
    left = min(max(left, 0), field_size - digit.shape[1])
    field = np.zeros((field_size, field_size), dtype=np.float32)
    field[top : top + digit.shape[0], left : left + digit.shape[1]] = digit
    return field


def clean_ink(gray):
    """Lesson 6's step 2: light ink on black, with the paper and its noise removed; a
    UserError if no ink is left (the caller names the image)."""
    ink = suppress_noise(remove_background(make_ink_light(gray)))
    if not ink.any():
        raise UserError("no ink found (a blank page?)")
    return ink


def prepare_digit(ink):
    """Lesson 6's steps 3-5: drop specks, crop, thicken thin strokes, fit into 20x20, centre
    by mass in 28x28."""
    return center_by_mass(fit_in_box(thicken_strokes(crop_to_ink(remove_specks(ink)))))


def split_digits(ink):
    """For --number: one image per digit, ordered left to right.

    Every separate blob of ink is a digit or a piece of one. A blob whose columns lie mostly
    within those of a wider blob belongs to the same digit: the bar of a 5 that does not
    touch its body, the second stroke of a 4 or a 7. Blobs side by side are separate digits,
    even where slanted writing makes their columns overlap a little. Specks are dropped as
    in remove_specks, and a piece wider than tall is two digits that touch.
    """
    blobs, _ = ndimage.label(ink > 0, structure=np.ones((3, 3)))
    # The columns each blob spans, as (start, stop), by blob label 1, 2, ...
    spans = {
        label: (found[1].start, found[1].stop)
        for label, found in enumerate(ndimage.find_objects(blobs), start=1)
    }
    widths = {label: stop - start for label, (start, stop) in spans.items()}
    digits = []  # [first column, end column, blob labels]; the widest blobs come first
    for label in sorted(widths, key=widths.get, reverse=True):
        start, stop = spans[label]
        for digit in digits:
            overlap = min(stop, digit[1]) - max(start, digit[0])
            if overlap >= SAME_DIGIT_OVERLAP * (stop - start):
                digit[0], digit[1] = min(start, digit[0]), max(stop, digit[1])
                digit[2].append(label)
                break
        else:
            digits.append([start, stop, [label]])
    pieces = [np.where(np.isin(blobs, labels), ink, 0.0) for _, _, labels in digits]
    largest = max(piece.sum() for piece in pieces)
    pieces = [piece for piece in pieces if piece.sum() >= SPECK_FRACTION * largest]
    pieces = [part for piece in pieces for part in cut_touching_digits(piece)]
    return sorted(pieces, key=lambda piece: center_column(piece))


def cut_touching_digits(piece):
    """A piece wider than tall is two (or more) digits that touch: cut it at the
    column with the least ink in its middle half, and look at each side again."""
    rows, columns = np.flatnonzero(piece.max(axis=1)), np.flatnonzero(piece.max(axis=0))
    height, width = rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1
    if width <= TOUCHING_WIDTH * height:
        return [piece]
    middle = columns[0] + np.arange(width // 4, width - width // 4)
    cut = middle[np.argmin(piece[:, middle].sum(axis=0))]
    left, right = piece.copy(), piece.copy()
    left[:, cut:] = 0.0
    right[:, :cut] = 0.0
    return cut_touching_digits(left) + cut_touching_digits(right)


def center_column(piece):
    """The column of a piece's centre of mass: where a slanted digit really stands."""
    return (piece.sum(axis=0) * np.arange(piece.shape[1])).sum() / piece.sum()
