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

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import sys

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

import common
import handwriting  # the preparation below, step by step
import pictures

TOP_GUESSES = 3  # how many guesses to print per image
FONT_POINTS = 12  # the figures' text: legible on a lecture slide
DIGITS_PER_ROW = 8  # a number's digits in one row of its figure
# Read when no image is named: a photo and a drawing that samples/make_samples.py drew. The
# steps below are shown on the photo.
SAMPLES_DIR = common.PROJECT_DIR / "samples"
SAMPLE_PHOTO = SAMPLES_DIR / "photo_of_a_3.jpg"
IMAGES = [SAMPLES_DIR]  # PNG or JPEG files, or folders of them
NUMBER = False  # True: several digits in a row, left to right
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # models, figures
# The model that reads them. (The course's command line takes the best one saved instead,
# or the one --model names.)
MODEL_PATH = common.model_path(OUTPUT_DIR, "05_best_cnn")
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 06_predict_digit.py
# my_digit.jpg, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
lesson_options = {
    "IMAGES": {
        "nargs": "*",
        "metavar": "IMAGE",
        "help": "PNG or JPEG files or folders (default: the sample images in samples/)",
    },
    "--model": {
        "dest": "MODEL_PATH",
        "metavar": "PATH",
        "help": "a saved .keras model (default: the best one in the output folder)",
    },
    "--json": {"dest": "JSON", "action": course.JsonLines, "help": "one JSON object per image"},
    "--number": {
        "dest": "NUMBER",
        "action": "store_true",
        "help": "read several digits in a row, left to right",
    },
}
changed = course.start(globals(), OPTIONS, lesson_options)
# Every image named is opened once now, so that a path that does not exist, a file that is
# no image or an empty folder ends the lesson in one line, before the walkthrough below.
for path in handwriting.image_paths(IMAGES):
    handwriting.load_image(path)
MODEL_PATH = course.find_model(changed.get("MODEL_PATH"), OUTPUT_DIR)


# %% [markdown]
# ## A model knows only the kind of data it learned from
# Every model of this course learned from MNIST's 60,000 training digits, all prepared the
# same way: light ink on black, the digit scaled into a 20x20 box and centred by its centre
# of mass in a 28x28 field. A network learns what such images look like and nothing else:
# an input far from them still gets an answer, but not a meaningful one. A photo is dark
# ink on light, unevenly lit paper, the digit small somewhere in it; resized straight to
# 28x28, it looks nothing like MNIST.
#
# On 115 real photos, scans and drawings by 7 people (docs/measurements.md), lesson 5's
# model reads 25 right after a straight resize, hardly better than guessing, and 112 after
# the preparation that this lesson walks through.
#
# - A model learns the distribution of its training data
# - MNIST: light ink on black, in a 20x20 box, centred by mass in 28x28
# - Resized straight to 28x28: 25 of 115 real digits read right (21.7%)
# - Prepared the MNIST way: 112 of 115 (97.4%)


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
    axis.set_xlabel("Digit", size=FONT_POINTS)
    axis.set_ylabel("Probability (%)", size=FONT_POINTS)
    axis.tick_params(labelsize=FONT_POINTS)
    axis.set_title(f"prediction: {best} ({100 * probabilities[best]:.1f}%)", size=FONT_POINTS)


# %% The sample photo resized straight to 28x28
model = common.load_model(MODEL_PATH)
photo = Image.open(SAMPLE_PHOTO).convert("L")
resized = np.asarray(photo.resize((28, 28)), dtype=np.float32) / 255  # the usual mistake
# Lesson 1's model reads rows of 784 pixels, the CNNs 28x28x1 grids: its input shape says.
probabilities = model.predict(resized.reshape(1, *model.input_shape[1:]), verbose=0)[0]
figure, (photo_axis, resized_axis, bars_axis) = plt.subplots(1, 3, figsize=(8.5, 3))
photo_axis.imshow(photo, cmap="gray", vmin=0, vmax=255)
photo_axis.set_title("the photo", size=14)
resized_axis.imshow(resized, cmap="gray", vmin=0, vmax=1)
resized_axis.set_title("resized to 28x28", size=14)
for axis in (photo_axis, resized_axis):
    axis.axis("off")
draw_probabilities(bars_axis, probabilities)
figure.tight_layout()
pictures.save_figure(figure, OUTPUT_DIR, "06_resized_straight.png", show=SHOW)
best = int(np.argmax(probabilities))
print(f"{SAMPLE_PHOTO.name}, resized straight: {best} ({100 * probabilities[best]:.1f}%)")

# %% [markdown]
# ## Preparing a photo the MNIST way
# The preparation does to a photo what was done to MNIST's digits, in the same order, so
# that the model receives the kind of image it learned from. Each step is one function of
# `handwriting.py`, and each has a picture of the sample photo after it.
#
# - Grey values; light ink on black, the paper removed
# - Cropped to the digit, specks dropped
# - Strokes as wide as MNIST's; fitted into 20x20
# - Centred by mass in 28x28

# %% Step 1: grey values
gray = handwriting.load_grayscale(SAMPLE_PHOTO)  # 0.0 black to 1.0 white, turned upright
figure = step_figure(gray, "1. grey")
pictures.save_figure(figure, OUTPUT_DIR, "06_step1_grey.png", show=SHOW)

# %% [markdown]
# ## Light ink on black
# In MNIST a pixel is 0 where there is no ink and up to 1 where the pen was: the paper is
# black and the ink light. The network multiplies every pixel by a weight it learned, so the
# paper must be 0, as it was in training; white paper would count as ink everywhere. Most of
# a picture is paper, so its typical (median) pixel says which way round it is: if that is
# light, the image is inverted.
#
# - MNIST: paper 0 (black), ink up to 1 (light)
# - The weights multiply pixels: paper must be 0
# - A light typical (median) pixel means light paper: invert

# %% [markdown]
# ## The paper removed: its uneven light, and Otsu's threshold
# A photo's paper is not evenly lit: one side is brighter, or a shadow falls across it. The
# paper alone is estimated (the darkest value around each point of a tiny copy of the
# image, where the strokes are too thin to fill a neighbourhood) and subtracted; ink and a
# little noise remain. Otsu's threshold (1979) then splits the grey values into two groups,
# each as uniform as possible: below it is paper, above it ink, stretched to full
# brightness as MNIST's strokes are.
#
# - Uneven light: the paper estimated, and subtracted
# - Otsu's threshold: paper below, ink above
# - The ink stretched to full brightness

# %% Step 2: ink only
ink = handwriting.make_ink_light(gray)
ink = handwriting.remove_background(ink)
ink = handwriting.suppress_noise(ink)
figure = step_figure(ink, "2. ink only, light on black")
pictures.save_figure(figure, OUTPUT_DIR, "06_step2_ink.png", show=SHOW)

# %% [markdown]
# ## Only the digit: specks dropped, then cropped
# MNIST's digits fill their box: no margin of empty paper, no dust, no edge of the sheet.
# Separate blobs of ink with only a small share of the ink of the largest one (the digit)
# are dust, or a piece of a neighbouring digit, and are dropped. Then the image is cut down
# to the rows and columns that hold the ink, leaving out a tiny fraction of it at each
# edge, so that one stray speck cannot stretch the crop.
#
# - Blobs with little ink: dust, dropped
# - Cut to the rows and columns with ink
# - A tiny share of ink left out at each edge

# %% Step 3: cropped to the digit
cropped = handwriting.crop_to_ink(handwriting.remove_specks(ink))
figure = step_figure(cropped, "3. cropped")
pictures.save_figure(figure, OUTPUT_DIR, "06_step3_cropped.png", show=SHOW)

# %% [markdown]
# ## Strokes as wide as MNIST's
# MNIST's strokes are about a tenth as wide as the digit is tall. A pen line in a photo is
# far thinner for its digit: scaled down from 300 pixels to 20, a line 3 pixels wide would
# become a faint trace a fifth of a pixel wide. So thin strokes are first widened to
# MNIST's proportion (a stroke's width is about twice its area divided by its outline);
# strokes close to it are left as they are, since MNIST's own strokes vary that much.
#
# - MNIST's strokes: about a tenth of the digit's height
# - Thin pen lines would fade to grey when scaled down
# - So they are widened first

# %% [markdown]
# ## A 20x20 box that keeps the aspect ratio
# NIST's digits were scaled so that their longer side is 20 pixels, the aspect ratio kept:
# a 1 stays a narrow stroke instead of being stretched into a square blob. Scaled down
# smoothly (anti-aliased), the edges of the strokes turn grey, as MNIST's are. The 20x20
# box leaves a border of 4 pixels in the 28x28 field, room for the last step to move it.
#
# - The longer side 20 pixels, the aspect ratio kept
# - Smooth scaling: grey edges, as MNIST's
# - A border of 4 pixels left in 28x28

# %% Step 4: fitted into 20x20
fitted = handwriting.fit_in_box(handwriting.thicken_strokes(cropped))
figure = step_figure(fitted, "4. fitted into 20x20")
pictures.save_figure(figure, OUTPUT_DIR, "06_step4_fitted.png", show=SHOW)

# %% [markdown]
# ## Centred by mass in 28x28
# MNIST places each digit so that its centre of mass, the mean position of its ink weighted
# by brightness, lies at the centre of the 28x28 field; not the centre of its box. A 7 with
# a heavy bar has its mass high, so it sits low. The network learned where the ink of each
# digit lies in the field: the same digit a few pixels off puts its ink where the learned
# weights do not expect it (Try it 2 measures what that costs).
#
# - The centre of mass, not of the box, at the centre
# - A 7 with a heavy bar sits low
# - The weights expect the ink where MNIST put it

# %% Step 5: centred by mass in 28x28
centred = handwriting.center_by_mass(fitted)  # the image the model reads
figure = step_figure(centred, "5. centred by mass")
pictures.save_figure(figure, OUTPUT_DIR, "06_step5_centred.png", show=SHOW)

# %% Step 6: the model's answer
probabilities = model.predict(centred.reshape(1, *model.input_shape[1:]), verbose=0)[0]
figure, axis = plt.subplots(figsize=(5, 3.5))
draw_probabilities(axis, probabilities)
pictures.save_figure(figure, OUTPUT_DIR, "06_step6_probabilities.png", show=SHOW)
best = int(np.argmax(probabilities))
print(f"{SAMPLE_PHOTO.name}: {best} ({100 * probabilities[best]:.1f}%)")

# %% [markdown]
# ## Reading your own images
# Every image named on the command line, or in OPTIONS, takes the same steps:
# `handwriting.clean_ink` is step 2 and `handwriting.prepare_digit` steps 3 to 5. With
# `--number` the ink is first split into digits. Each separate blob of ink is a digit or a
# piece of one; a blob that lies mostly within the columns of a wider one belongs to it
# (the bar of a 5, the second stroke of a 4), and a piece wider than tall is two digits
# that touch, cut at its thinnest column.
#
# - `clean_ink`: step 2; `prepare_digit`: steps 3 to 5
# - `--number`: blobs of ink, read left to right
# - A digit's pieces kept together, touching digits cut


# %% Reading one image
def read_image(path, model, several_digits=False):
    """(original grey image, prepared digits, probabilities) of one image, read as digits
    in a row if `several_digits`; a UserError if it has no ink."""
    original = handwriting.load_image(path)
    ink = handwriting.clean_ink(original)
    pieces = handwriting.split_digits(ink) if several_digits else [ink]
    digits = np.stack([handwriting.prepare_digit(piece) for piece in pieces])
    images = digits.reshape(len(digits), *model.input_shape[1:])
    return original, digits, model.predict(images, verbose=0)


# %% The guesses, printed
def top_guesses(probabilities):
    """The best guess and the top three as (digit, probability) pairs."""
    order = np.argsort(-probabilities)[:TOP_GUESSES]
    return int(order[0]), [(int(digit), float(probabilities[digit])) for digit in order]


def print_guesses(shown_path, guesses, several_digits=False):
    """A line per digit read: the best guess and the next ones; for a number, also the
    number it reads."""
    for digit, top in guesses:
        others = ", ".join(f"{d} {100 * p:.1f}%" for d, p in top[1:])
        print(f"{shown_path}: {digit} ({100 * top[0][1]:.1f}%)   next: {others}")
    if several_digits:
        print(f"{shown_path}: reads {''.join(str(digit) for digit, _ in guesses)}")


# %% A picture of each image read
def prediction_figure(path, original, digit, probabilities):
    """The original, the prepared input and its ten probabilities."""
    figure, axes = plt.subplots(1, 3, figsize=(8.5, 3))
    for axis, image, title in [
        (axes[0], original, "original (grey)"),
        (axes[1], digit, "prepared 28x28 input"),
    ]:
        axis.imshow(image, cmap="gray", vmin=0, vmax=1)
        axis.set_title(title, size=14)
        axis.axis("off")
    draw_probabilities(axes[2], probabilities)
    figure.suptitle(path.name, size=14)
    figure.tight_layout()
    return figure


# %% A picture of each number read
def number_figure(path, original, digits, probabilities):
    """The original, and under it each prepared digit with its reading, DIGITS_PER_ROW a row."""
    columns = min(len(digits), DIGITS_PER_ROW)
    rows = -(-len(digits) // columns)  # rounded up
    size = (max(6, 1.4 * columns), 2 + 1.6 * rows)
    figure = plt.figure(figsize=size, layout="constrained")
    top, bottom = figure.subfigures(2, 1, height_ratios=[2, 1.6 * rows])
    axes = [top.subplots(), *bottom.subplots(rows, columns, squeeze=False).flat]
    images = [original, *digits]
    titles = ["original (grey)"]
    titles += [f"{np.argmax(row)} ({100 * np.max(row):.1f}%)" for row in probabilities]
    for axis, image, title in zip(axes, images, titles):
        axis.imshow(image, cmap="gray", vmin=0, vmax=1)
        axis.set_title(title, size=14)
    for axis in axes:
        axis.axis("off")
    figure.suptitle(path.name, size=14)
    return figure


# %% Read the images
readings, failures = [], 0  # (path, guesses) of each image read; images not read
for path in handwriting.image_paths(IMAGES):
    shown_path = common.display_path(path)
    try:
        original, digits, probabilities = read_image(path, model, NUMBER)
    except common.UserError as error:  # named, and the other images still read
        print(f"error: {shown_path}: {error}", file=sys.stderr)
        failures += 1
        continue
    guesses = [top_guesses(row) for row in probabilities]
    readings.append((path, guesses))
    print_guesses(shown_path, guesses, NUMBER)
    if NUMBER:
        figure = number_figure(path, original, digits, probabilities)
    else:
        figure = prediction_figure(path, original, digits[0], probabilities[0])
    pictures.save_figure(figure, OUTPUT_DIR, f"06_{path.stem}.png", show=SHOW)

# %% The course's record: leave it out when you copy
# With --json, standard output holds one JSON object per image, for other programs; an
# image that could not be read makes the exit status 1.
for path, guesses in readings if changed.get("JSON") else []:
    reading = {"image": common.display_path(path)}
    if NUMBER:
        reading["number"] = "".join(str(digit) for digit, _ in guesses)
        reading["digits"] = [
            {"digit": digit, "confidence": top[0][1], "top3": top} for digit, top in guesses
        ]
    else:
        digit, top = guesses[0]
        reading |= {"digit": digit, "confidence": top[0][1], "top3": top}
    course.print_json(reading)
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
