"""A student's own labelled digits, for lesson 8: the folders they sit in, and a small set in
the styles MNIST hardly has, which the course draws itself.

Lesson 7's page (its teach mode) saves each drawing as `<session>/<digit>/<name>.png`, one
session per run of the page; photos sorted by hand into `<digit>/` folders work the same:

    images = find_labelled_images(folder)       # [LabelledImage(path, digit, session)]
    adapt, held_out = drawn_styles(seed)       # [DrawnDigit(name, digit, gray)] each
    adapt, held_out, source = digit_sets(folder, test_folder, seed, fraction)  # lesson 8's
    images, labels = prepare_all(digits, "held-out")  # 28x28, as lesson 6 prepares them
    save_new_file(folder, names, png_bytes)    # a collected digit, never replacing a file

`digit_sets` chooses the held-out digits as lesson 8 explains: another session (the last),
or another folder, or with one sitting a share of each digit, said to be optimistic.
`adaptation_figure` and `misread_figure` draw what adapting changed.

The drawn styles are a closed-top 4 (MNIST's writers leave the top open; a closed one looks
like a 9 to a model trained on them), a 7 crossed in the middle and a 1 with a long flag,
as taught in much of Europe. Each is drawn by two hands with other strokes: a model is
adapted on one hand's digits and tested on the other's.
"""

import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from common import NEW_FILE_MODE, NUM_CLASSES, UserError, add_channel_axis, display_path
from handwriting import IMAGE_SUFFIXES, clean_ink, load_image, prepare_digit

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


# %% Digits to adapt on, and held-out digits to score on (lesson 8)


def digit_sets(folder, test_folder, seed, held_out_fraction):
    """(digits to adapt on, held-out digits, where the held-out ones come from). With no
    `folder`: the drawn styles, one hand's held out. With a `test_folder`: its digits. Else
    `folder`'s last session, or with one session `held_out_fraction` of each digit."""
    if folder is None:
        if test_folder is not None:
            raise UserError("--test needs a FOLDER of digits to adapt on")
        adapt, held_out = drawn_styles(seed)
        return adapt, held_out, "the same styles, drawn with other strokes"
    images = find_labelled_images(folder)
    if test_folder is not None:
        return images, find_labelled_images(test_folder), str(test_folder)
    sessions = sorted({image.session for image in images})
    if len(sessions) > 1:
        held_out = [image for image in images if image.session == sessions[-1]]
        adapt = [image for image in images if image.session != sessions[-1]]
        return adapt, held_out, f"the last session, {sessions[-1]}"
    random_generator = np.random.default_rng(seed)
    held_out_paths = set()
    for digit in sorted({image.digit for image in images}):
        paths = [image.path for image in images if image.digit == digit]
        count = max(1, math.floor(held_out_fraction * len(paths))) if len(paths) > 1 else 0
        held_out_paths.update(random_generator.choice(paths, count, replace=False))
    if not held_out_paths:
        raise UserError(
            f"{folder} has one image per digit, none to hold out: add more, or name held-out "
            "digits with --test FOLDER"
        )
    print(
        "Only one sitting: its held-out drawings were made with the ones adapted on, so their "
        "score is optimistic. Draw another session, or name other digits with --test FOLDER."
    )
    return (
        [image for image in images if image.path not in held_out_paths],
        [image for image in images if image.path in held_out_paths],
        f"{held_out_fraction:.0%} of each digit of the one sitting",
    )


def prepare_all(digits, role):
    """(images (n, 28, 28, 1) in 0-1, labels) of the `digits` that could be read,
    each prepared as lesson 6 prepares a photo; one that cannot is named and skipped. A
    UserError if none could be read (`role` names them: "held-out")."""
    images, labels = [], []
    for digit in digits:
        try:
            gray = digit.load()
        except UserError as error:  # no image: the error names the file
            print(f"skipped: {error}")
            continue
        try:
            ink = clean_ink(gray)
        except UserError as error:  # an image without ink
            print(f"skipped: {digit.name}: {error}")
            continue
        images.append(prepare_digit(ink))
        labels.append(digit.digit)
    if not images:
        raise UserError(f"none of the {role} digits could be read: see the lines above")
    print(f"{role.capitalize()}: {len(images)} images, of digits {sorted(set(labels))}")
    return add_channel_axis(np.stack(images)), np.array(labels)


# %% Figures of what adapting changed (lesson 8)

WAY_COLOURS = {"before": "grey", "careful": "C0", "naive": "C3"}
FIGURE_POINTS = 12  # the figures' text: legible on a lecture slide


def adaptation_figure(labels, answers, test_errors, test_images):
    """Per digit, the share of the held-out digits (`labels`) that each way's `answers` read
    right; beside it each way's MNIST test error (%) on `test_images` images."""
    import matplotlib.pyplot as plt

    digits = sorted(set(labels))
    positions = np.arange(len(digits))
    with plt.rc_context({"font.size": FIGURE_POINTS}):
        figure, (digit_axis, mnist_axis) = plt.subplots(1, 2, figsize=(8, 3.4))
        for offset, (way, found) in zip((-0.27, 0, 0.27), answers.items()):
            shares = [100 * np.mean(found[labels == digit] == digit) for digit in digits]
            digit_axis.bar(positions + offset, shares, 0.27, label=way, color=WAY_COLOURS[way])
        digit_axis.set_xticks(positions, [f"{d}\n({np.sum(labels == d)})" for d in digits])
        digit_axis.set(xlabel="Digit (held-out images)", ylabel="Read right (%)")
        digit_axis.set_title("Your held-out digits")
        digit_axis.legend()
        colours = [WAY_COLOURS[way] for way in test_errors]
        mnist_axis.bar(list(test_errors), list(test_errors.values()), color=colours)
        for position, error in enumerate(test_errors.values()):
            mnist_axis.text(position, error, f"{error:.2f}%", ha="center", va="bottom")
        mnist_axis.set_ylim(0, 1.15 * max(test_errors.values()))  # room for the labels
        mnist_axis.set_ylabel("MNIST test error (%)")
        mnist_axis.set_title(f"What MNIST pays ({test_images} test images)")
        figure.suptitle("Lesson 8: adapting to your handwriting")
        figure.tight_layout()
    return figure


def misread_figure(images, labels, answers, most):
    """Up to `most` of the `images` (n, 28, 28, 1) that were misread before adapting, in two
    rows at most, each titled with how it was read before and after: `answers["before"]`,
    `answers["careful"]`. None if none was misread."""
    import matplotlib.pyplot as plt

    before, after = answers["before"], answers["careful"]
    misread = np.flatnonzero(before != labels)[:most]
    if not len(misread):
        return None
    columns = min(len(misread), math.ceil(most / 2))
    rows = math.ceil(len(misread) / columns)
    size = (1.5 * columns, 1.8 * rows + 0.4)
    figure, axes = plt.subplots(rows, columns, figsize=size, squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, misread):
        axis.imshow(images[index, :, :, 0], cmap="gray")
        axis.set_title(f"read {before[index]}, now {after[index]}", fontsize=11)
    figure.suptitle("Held-out digits misread before, and how the adapted model reads them")
    figure.tight_layout()
    return figure


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
