"""
Title: Lesson 6 - Read your own handwriting
Description: A model trained on MNIST only works on input prepared the way MNIST was: light
    ink on black, the digit scaled into a 20x20 box with its aspect ratio kept, and centred
    by its centre of mass in a 28x28 field. This lesson walks through that preparation one
    step at a time on a photo of a 3, then reads your own photos, scans and drawings with a
    saved lesson model.

Run (after one of lessons 01-03 or 05):
    python 06_predict_digit.py                           # the sample images in samples/
    python 06_predict_digit.py my_digit.jpg              # one image or several
    python 06_predict_digit.py photos/                   # every image in a folder
    python 06_predict_digit.py --number year.png         # several digits in a row: "2026"
    python 06_predict_digit.py --json my_digit.jpg       # one JSON object per image
    In a notebook (notebooks/06_predict_digit.ipynb), set the same options in OPTIONS below.

Expected: a picture after each step of the preparation, then `my_digit.jpg: 7 (99.2%)` and
the two next guesses for each image, and a figure per image in outputs/figures/. Resizing a
photo straight to 28x28 instead gives answers close to random (docs/measurements.md has the
numbers).
"""

# %% Setup
# `course` comes first: it starts Keras without a wall of log lines.
import course

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import common
import handwriting  # the preparation below, step by step, as functions of its own
import options
import outputs

TOP_GUESSES = 3  # how many guesses to print per image
# Read when no image is named: a photo and a drawing that samples/make_samples.py drew. The
# steps below are shown on the photo.
SAMPLES_DIR = common.PROJECT_DIR / "samples"
SAMPLE_PHOTO = SAMPLES_DIR / "photo_of_a_3.jpg"
# The lesson's own options, besides the course's (--out, --show).
LESSON_OPTIONS = {
    "images": {
        "nargs": "*",
        "default": [SAMPLES_DIR],
        "metavar": "IMAGE",
        "help": "PNG or JPEG files or folders (default: the sample images in samples/)",
    },
    "--model": {
        "type": Path,
        "metavar": "PATH",
        "help": "a saved .keras model (default: the best one in the output folder)",
    },
    "--json": {"action": options.JsonLines, "help": "one JSON object per image per line"},
    "--number": {"action": "store_true", "help": "read several digits in a row, left to right"},
}
# A notebook has no command line: set the options here, e.g. OPTIONS = "my_digit.jpg".
OPTIONS = ""

args = course.start(__doc__, OPTIONS, uses_mnist=False, options=LESSON_OPTIONS)
# Every image named is opened once now, so that a path that does not exist, a file that is
# no image or an empty folder ends the lesson in one line, before the walkthrough below.
image_files = handwriting.image_paths(args.images)
for path in image_files:
    handwriting.load_image(path)
model, model_path = outputs.open_model(args.model, args.out)


# %% Two pictures used below
def step_figure(image, title):
    """One picture of a step, with its size in pixels."""
    figure, axis = plt.subplots(figsize=(4, 3.5))
    axis.imshow(image, cmap="gray", vmin=0, vmax=1)
    axis.set_title(f"{title}: {image.shape[1]}x{image.shape[0]} pixels")
    axis.axis("off")
    return figure


def draw_probabilities(axis, probabilities):
    """The ten probabilities as bars, the best guess in orange."""
    best = int(np.argmax(probabilities))
    colors = ["tab:orange" if d == best else "tab:blue" for d in range(common.NUM_CLASSES)]
    axis.bar(range(common.NUM_CLASSES), 100 * probabilities, color=colors)
    axis.set_xticks(range(common.NUM_CLASSES))
    axis.set_ylim(0, 100)
    axis.set_xlabel("Digit")
    axis.set_ylabel("Probability (%)")
    axis.set_title(f"prediction: {best} ({100 * probabilities[best]:.1f}%)")


# %% Step 1: grey values
# A photo has three colours and any size. Only how bright each pixel is matters, from 0.0
# (black) to 1.0 (white); a phone photo is turned upright, and a large one made smaller.
course.print_heading("Step 1: grey values")
gray = handwriting.load_grayscale(SAMPLE_PHOTO)
figure = step_figure(gray, "1. grey")
outputs.save_figure(figure, args.out, "06_step1_grey.png", show=args.show)

# %% Step 2: ink only
# MNIST has light ink on black, so dark ink on light paper is inverted. Then the paper's own
# brightness, uneven in a photo, is subtracted, and only what clearly stands out is kept as
# ink (Otsu's threshold), stretched to full brightness.
course.print_heading("Step 2: ink only")
ink = handwriting.make_ink_light(gray)
ink = handwriting.remove_background(ink)
ink = handwriting.suppress_noise(ink)
figure = step_figure(ink, "2. ink only, light on black")
outputs.save_figure(figure, args.out, "06_step2_ink.png", show=args.show)

# %% Step 3: cropped to the digit
# Specks of dust are dropped, then the image is cut down to the rows and columns with ink.
course.print_heading("Step 3: cropped to the digit")
cropped = handwriting.crop_to_ink(handwriting.remove_specks(ink))
figure = step_figure(cropped, "3. cropped")
outputs.save_figure(figure, args.out, "06_step3_cropped.png", show=args.show)

# %% Step 4: fitted into 20x20
# Thin pen lines are widened to MNIST's stroke width, so that they do not fade away when the
# digit is scaled down. Then the longer side becomes 20 pixels and the aspect ratio stays.
course.print_heading("Step 4: fitted into 20x20")
fitted = handwriting.fit_in_box(handwriting.thicken_strokes(cropped))
figure = step_figure(fitted, "4. fitted into 20x20")
outputs.save_figure(figure, args.out, "06_step4_fitted.png", show=args.show)

# %% Step 5: centred by mass in 28x28
# MNIST centres each digit by its centre of mass, not by its box: a 7 with a heavy bar
# sits low. This is the image the model reads.
course.print_heading("Step 5: centred by mass in 28x28")
centred = handwriting.center_by_mass(fitted)
figure = step_figure(centred, "5. centred by mass")
outputs.save_figure(figure, args.out, "06_step5_centred.png", show=args.show)

# %% Step 6: the model's answer
# The model was trained on rows of pixels or on 28x28x1 grids: the input takes its shape.
course.print_heading("Step 6: the model's answer")
probabilities = model.predict(centred.reshape(1, *model.input_shape[1:]), verbose=0)[0]
figure, axis = plt.subplots(figsize=(5, 3.5))
draw_probabilities(axis, probabilities)
outputs.save_figure(figure, args.out, "06_step6_probabilities.png", show=args.show)
best = int(np.argmax(probabilities))
print(f"{SAMPLE_PHOTO.name}: {best} ({100 * probabilities[best]:.1f}%)")


# %% Reading your own images
# The same steps for every image named on the command line or in OPTIONS. With --number,
# the ink is first split into digits: blobs of ink, left to right, a digit's pieces kept
# together (handwriting.split_digits).


def read_image(path, model, several_digits=False):
    """Prepare one image (as digits in a row if `several_digits`) and predict with `model`.
    Returns (original grey image, digits, probabilities); a UserError if it has no ink."""
    original = handwriting.load_image(path)
    ink = handwriting.clean_ink(original)
    pieces = handwriting.split_digits(ink) if several_digits else [ink]
    digits = np.stack([handwriting.prepare_digit(piece) for piece in pieces])
    images = digits.reshape(len(digits), *model.input_shape[1:])
    return original, digits, model.predict(images, verbose=0)


def top_guesses(probabilities):
    """The best guess and the top three as (digit, probability) pairs."""
    order = np.argsort(-probabilities)[:TOP_GUESSES]
    return int(order[0]), [(int(digit), float(probabilities[digit])) for digit in order]


def prediction_figure(path, original, digits, probabilities):
    """The original, each prepared 28x28 input, and its ten probabilities as bars."""
    rows = len(digits)
    figure, axes = plt.subplots(rows, 3, figsize=(10, 3 * rows), squeeze=False)
    for row, (digit, row_probabilities) in enumerate(zip(digits, probabilities)):
        original_axis, prepared_axis, bars_axis = axes[row]
        original_axis.imshow(original, cmap="gray", vmin=0, vmax=1)
        original_axis.set_title("original (grey)")
        original_axis.axis("off")
        prepared_axis.imshow(digit, cmap="gray", vmin=0, vmax=1)
        prepared_axis.set_title("prepared 28x28 input")
        prepared_axis.axis("off")
        draw_probabilities(bars_axis, row_probabilities)
    figure.suptitle(path.name)
    figure.tight_layout()
    return figure


# %% Read the images
course.print_heading("Read the images")
failures = 0
for path in image_files:
    try:
        original, digits, probabilities = read_image(path, model, args.number)
    except common.UserError as error:  # the other images are still read
        print(f"error: {common.display_path(path)}: {error}", file=sys.stderr)
        failures += 1
        continue
    guesses = [top_guesses(row) for row in probabilities]
    shown_path = common.display_path(path)
    if args.json:
        if args.number:
            record = {
                "image": shown_path,
                "number": "".join(str(digit) for digit, _ in guesses),
                "digits": [
                    {"digit": digit, "confidence": top[0][1], "top3": top} for digit, top in guesses
                ],
            }
        else:
            digit, top = guesses[0]
            record = {"image": shown_path, "digit": digit, "confidence": top[0][1], "top3": top}
        options.print_json(record)  # with --json, standard output holds only these lines
    else:
        for digit, top in guesses:
            others = ", ".join(f"{d} {100 * p:.1f}%" for d, p in top[1:])
            print(f"{shown_path}: {digit} ({100 * top[0][1]:.1f}%)   next: {others}")
        if args.number:
            print(f"{shown_path}: reads {''.join(str(digit) for digit, _ in guesses)}")
    figure = prediction_figure(path, original, digits, probabilities)
    outputs.save_figure(figure, args.out, f"06_{path.stem}.png", show=args.show)
if failures:
    sys.exit(1)

# %% [markdown]
# ## Try it
# 1. Photograph or draw a digit of your own and read it: `python 06_predict_digit.py
#    my_digit.jpg`. Then look at its figure: does the prepared 28x28 input look like MNIST?
# 2. Leave out step 5 in the steps above: put `fitted` into a 28x28 field at its top left
#    corner (`np.pad(fitted, ((0, 28 - fitted.shape[0]), (0, 28 - fitted.shape[1])))`) and
#    let the model read that. How sure is it now, and why?
# 3. Write a year on paper, photograph it, and read it with `--number`.
