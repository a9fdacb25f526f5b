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

import common
import handwriting  # the preparation below, step by step, as functions of its own
import pictures

TOP_GUESSES = 3  # how many guesses to print per image
# Read when no image is named: a photo and a drawing that samples/make_samples.py drew. The
# steps below are shown on the photo.
SAMPLES_DIR = common.PROJECT_DIR / "samples"
SAMPLE_PHOTO = SAMPLES_DIR / "photo_of_a_3.jpg"
IMAGES = [SAMPLES_DIR]  # the PNG or JPEG files to read, or folders of them
NUMBER = False  # True: each image holds several digits in a row, read left to right
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the models are read and the figures saved here
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
gray = handwriting.load_grayscale(SAMPLE_PHOTO)
figure = step_figure(gray, "1. grey")
pictures.save_figure(figure, OUTPUT_DIR, "06_step1_grey.png", show=SHOW)

# %% Step 2: ink only
# MNIST has light ink on black, so dark ink on light paper is inverted. Then the paper's own
# brightness, uneven in a photo, is subtracted, and only what clearly stands out is kept as
# ink (Otsu's threshold), stretched to full brightness.
ink = handwriting.make_ink_light(gray)
ink = handwriting.remove_background(ink)
ink = handwriting.suppress_noise(ink)
figure = step_figure(ink, "2. ink only, light on black")
pictures.save_figure(figure, OUTPUT_DIR, "06_step2_ink.png", show=SHOW)

# %% Step 3: cropped to the digit
# Specks of dust are dropped, then the image is cut down to the rows and columns with ink.
cropped = handwriting.crop_to_ink(handwriting.remove_specks(ink))
figure = step_figure(cropped, "3. cropped")
pictures.save_figure(figure, OUTPUT_DIR, "06_step3_cropped.png", show=SHOW)

# %% Step 4: fitted into 20x20
# Thin pen lines are widened to MNIST's stroke width, so that they do not fade away when the
# digit is scaled down. Then the longer side becomes 20 pixels and the aspect ratio stays.
fitted = handwriting.fit_in_box(handwriting.thicken_strokes(cropped))
figure = step_figure(fitted, "4. fitted into 20x20")
pictures.save_figure(figure, OUTPUT_DIR, "06_step4_fitted.png", show=SHOW)

# %% Step 5: centred by mass in 28x28
# MNIST centres each digit by its centre of mass, not by its box: a 7 with a heavy bar
# sits low. This is the image the model reads.
centred = handwriting.center_by_mass(fitted)
figure = step_figure(centred, "5. centred by mass")
pictures.save_figure(figure, OUTPUT_DIR, "06_step5_centred.png", show=SHOW)

# %% Step 6: the model's answer
# The model was trained on rows of pixels or on 28x28x1 grids: the input takes its shape.
model = common.load_model(MODEL_PATH)
probabilities = model.predict(centred.reshape(1, *model.input_shape[1:]), verbose=0)[0]
figure, axis = plt.subplots(figsize=(5, 3.5))
draw_probabilities(axis, probabilities)
pictures.save_figure(figure, OUTPUT_DIR, "06_step6_probabilities.png", show=SHOW)
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
readings, failures = [], 0  # (path, guesses) of each image read; how many could not be
for path in handwriting.image_paths(IMAGES):
    try:
        original, digits, probabilities = read_image(path, model, NUMBER)
    except common.UserError as error:  # the other images are still read
        print(f"error: {common.display_path(path)}: {error}", file=sys.stderr)
        failures += 1
        continue
    guesses = [top_guesses(row) for row in probabilities]
    readings.append((path, guesses))
    shown_path = common.display_path(path)
    for digit, top in guesses:
        others = ", ".join(f"{d} {100 * p:.1f}%" for d, p in top[1:])
        print(f"{shown_path}: {digit} ({100 * top[0][1]:.1f}%)   next: {others}")
    if NUMBER:
        print(f"{shown_path}: reads {''.join(str(digit) for digit, _ in guesses)}")
    figure = prediction_figure(path, original, digits, probabilities)
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
