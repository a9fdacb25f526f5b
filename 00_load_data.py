"""
Title: Lesson 0 - Loading and looking at MNIST
Description: What the 70,000 handwritten digits are as arrays, and what each preprocessing
    step of the later lessons does to them.

Run:
    python 00_load_data.py                  # Keras downloads MNIST once, then uses its cache
    python 00_load_data.py --data mnist.npz # or a local copy (also: MNIST_DATA=...)
    python 00_load_data.py --quick          # a small subset, for a quick look
    In a notebook (notebooks/00_load_data.ipynb), set the same options in OPTIONS below.

Expected: 60000 training and 10000 test images of 28x28 uint8 pixels, about 6000 of each
digit, two figures in outputs/figures/. Takes a few seconds on a laptop CPU.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import os

import keras
import matplotlib.pyplot as plt
import numpy as np

import common
import network_pictures
import pictures

IMAGES_IN_FIRST_FIGURE = 4  # the first training digits, in a 2x2 grid
GRID_ROWS, GRID_COLUMNS = 4, 6  # random digits in the second figure
LABELS_TO_ENCODE = 10  # how many labels to show with their one-hot form
WINDOW_CORNER, WINDOW_SIZE = (6, 13), 10  # the pixels of the first digit written as numbers
LOOK_ALIKES = (4, 9, 7, 1)  # digits that writers make look alike, one row each
WRITERS_SHOWN = 10  # images of each of them, the first in the training set
TITLE_POINTS = 16  # the figures' titles: legible on a lecture slide
MNIST_PATH = os.environ.get("MNIST_DATA")  # a copy of mnist.npz; None: Keras downloads it
QUICK = False  # True: 2000 training and 500 test images, for a quick look
SEED = 42  # chooses the random digits of the second figure
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the figures are saved here
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 00_load_data.py
# --quick, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
changed = course.start(globals(), OPTIONS, reads_mnist=True)  # what the options set

# %% [markdown]
# ## Seventy thousand handwritten digits
# MNIST is a set of 70,000 small pictures of handwritten digits, each labelled with the digit
# its writer meant. It comes in two parts: 60,000 images to learn from, the training set, and
# 10,000 images to measure the result on, the test set, written by other people. Keras
# returns each part as two NumPy arrays: the images `x` and their labels `y`.

# %% [markdown]
# ## Where MNIST comes from
# The digits come from NIST, the US National Institute of Standards and Technology, which
# collected digits written on forms by Census Bureau employees and by high-school students.
# In 1998 Yann LeCun, Corinna Cortes and Chris Burges mixed the two groups into a training
# set, from about 250 writers, and a test set from other writers (hence "Modified NIST"),
# and prepared every digit the same way: scaled, keeping its proportions, to fit a 20x20
# box, smoothed into grey levels, and centred by its centre of mass in a 28x28 image. A
# digit a network is shown later must be prepared the same way (lesson 6 does that for
# photos).

# %% Load the data
# Keras downloads MNIST once and keeps it in ~/.keras/datasets; on a machine without internet,
# MNIST_PATH names a copy of the same file, mnist.npz, which NumPy reads.
if MNIST_PATH:
    with np.load(MNIST_PATH) as mnist:
        x_train, y_train = mnist["x_train"], mnist["y_train"]
        x_test, y_test = mnist["x_test"], mnist["y_test"]
else:
    (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
if QUICK:  # the first images only, to run in seconds
    x_train, y_train = x_train[: common.QUICK_TRAIN_SIZE], y_train[: common.QUICK_TRAIN_SIZE]
    x_test, y_test = x_test[: common.QUICK_TEST_SIZE], y_test[: common.QUICK_TEST_SIZE]
for name, array in [
    ("x_train", x_train),
    ("y_train", y_train),
    ("x_test", x_test),
    ("y_test", y_test),
]:
    print(f"{name:8} shape {str(array.shape):16} dtype {array.dtype}")

# %% [markdown]
# ## An image is a grid of numbers
# A computer sees no digit, only numbers. Each MNIST image is a grid of 28 rows of 28
# pixels, and each pixel is one number from 0 to 255: 0 is the black background, 255 the
# brightest ink. They are stored as `uint8`, whole numbers that fit in one byte. Everything
# a network learns about digits it learns from these 784 numbers per image.

# %% One image as numbers
figure = pictures.pixel_grid_figure(
    x_train[0], *WINDOW_CORNER, WINDOW_SIZE, f"x_train[0], labelled {y_train[0]}"
)
pictures.save_figure(figure, OUTPUT_DIR, "00_pixel_grid.png", show=SHOW)

# %% Class counts and pixel range
train_counts = np.bincount(y_train, minlength=common.NUM_CLASSES)
test_counts = np.bincount(y_test, minlength=common.NUM_CLASSES)
print("digit  train   test")
for digit in range(common.NUM_CLASSES):
    print(f"{digit:5d} {train_counts[digit]:6d} {test_counts[digit]:6d}")
print(f"total {train_counts.sum():6d} {test_counts.sum():6d}")
print(
    f"Pixel values run from {x_train.min()} (background) to {x_train.max()} (ink); "
    f"mean {x_train.mean():.2f}."
)

# %% The first four training digits
rows = columns = int(np.sqrt(IMAGES_IN_FIRST_FIGURE))
figure, axes = plt.subplots(rows, columns, figsize=(5.5, 5.2))
for index, axis in enumerate(axes.flat):
    axis.imshow(x_train[index], cmap="gray")
    axis.set_title(f"x_train[{index}]: label {y_train[index]}", fontsize=TITLE_POINTS)
    axis.axis("off")
figure.suptitle("The first four MNIST training images", fontsize=TITLE_POINTS)
figure.tight_layout()
pictures.save_figure(figure, OUTPUT_DIR, "00_first_four_digits.png", show=SHOW)

# %% 24 random training digits
random_generator = np.random.default_rng(SEED)
chosen = random_generator.choice(len(x_train), GRID_ROWS * GRID_COLUMNS, replace=False)
figure, axes = plt.subplots(GRID_ROWS, GRID_COLUMNS, figsize=(9, 5.8))
for index, axis in zip(chosen, axes.flat):
    axis.imshow(x_train[index], cmap="gray")
    axis.set_title(f"#{index}: {y_train[index]}", fontsize=TITLE_POINTS)
    axis.axis("off")
figure.suptitle(
    f"{GRID_ROWS * GRID_COLUMNS} random training images with their labels", fontsize=TITLE_POINTS
)
figure.tight_layout()
pictures.save_figure(figure, OUTPUT_DIR, "00_random_digits.png", show=SHOW)

# %% [markdown]
# ## Why handwriting is hard
# No two people write a digit alike: slant, stroke width, size, an open or a closed 4, a 7
# with or without its bar, a 1 as a single stroke or with a flag. And different digits can
# look alike: a 4 whose top is closed is nearly a 9, a 1 with a flag nearly a 7. No rule
# written by hand ("a 1 is a vertical stroke") survives these images; a model has to learn
# from thousands of examples what varies and what does not. Below, the first training
# images of four digits that writers make look alike.

# %% The same digit, by different writers
figure = network_pictures.digit_rows_figure(
    {f"{digit}s": x_train[y_train == digit][:WRITERS_SHOWN] for digit in LOOK_ALIKES},
    "Four digits as different people write them",
)
pictures.save_figure(figure, OUTPUT_DIR, "00_look_alikes.png", show=SHOW)

# %% [markdown]
# ## The training set and the test set
# A model learns from the training set, and every choice about it (how long to train, how
# large to make it) is made on data taken from the training set too. The test set is used
# once, at the very end, to measure how well the finished model reads digits it has never
# seen. A test set consulted while choosing stops being new to the model, and its error
# then flatters it: the number would no longer say how the model does on the next digit.

# %% [markdown]
# ## Why pixels are scaled to 0-1
# A network multiplies each input by a small weight and adds the results up. The weights
# start at values around 0.05; inputs up to 255 would make these sums hundreds of times
# larger than the network expects, and the first steps of training would jump wildly.
# Dividing by 255 keeps every input between 0 and 1, the range the usual starting weights
# and learning rates are made for.

# %% [markdown]
# ## A row of 784 numbers, or a 28x28x1 grid
# A dense layer, lesson 1's network, takes each image as one row of 28 x 28 = 784 numbers:
# it weighs every pixel separately and does not know which pixels are neighbours. A
# convolution, lessons 2 and 3's network, reads the image as a grid of height 28, width 28
# and one channel (a colour image would have three), so that it can look at a small
# neighbourhood of pixels at a time.

# %% [markdown]
# ## One-hot labels
# The network answers with ten numbers, one probability for each digit. To compare the
# answer with the label, the label is written the same way: ten numbers, all 0 but a 1 at
# the digit's place, so a 3 becomes `[0 0 0 1 0 0 0 0 0 0]`. The plain number 3 would say
# that a 3 lies between a 2 and a 4, as if digits were quantities; one-hot labels treat the
# ten digits as ten separate categories.

# %% The first ten labels, one-hot encoded
labels = y_train[:LABELS_TO_ENCODE]
for label, row in zip(labels, keras.utils.to_categorical(labels, common.NUM_CLASSES)):
    print(f"{label} -> {row.astype(int)}")

# %% Preprocessing, step by step
# Each step of the later lessons, on the whole training set: its shape, type and range.


def describe(step, array):
    print(
        f"{step:34} shape {str(array.shape):20} dtype {str(array.dtype):8} "
        f"range {array.min():.1f} to {array.max():.1f}"
    )


describe("raw images", x_train)
describe("rows of 784 (dense networks)", x_train.reshape(len(x_train), -1))
describe("28x28x1 grids (convolutions)", np.expand_dims(x_train, -1))
describe("scaled to 0-1: / 255", x_train.astype("float32") / 255)
describe("raw labels", y_train)
describe("one-hot: to_categorical", keras.utils.to_categorical(y_train, common.NUM_CLASSES))

print(
    f"\nDone: {len(x_train)} training and {len(x_test)} test images, "
    f"{x_train.shape[1]}x{x_train.shape[2]} pixels each."
)

# %% [markdown]
# ## Try it
# 1. Which digit is the most common in the training set, and which the rarest? Would a model
#    that always answers the most common digit be right more than 10% of the time?
# 2. Show `x_train[7]` with `plt.imshow(x_train[7], cmap="gray")`. What label does it have,
#    and what are the values of its brightest and darkest pixels?
# 3. Run with `--seed 1`. Which figure changes, and which stays the same?
