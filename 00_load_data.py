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
import matplotlib.pyplot as plt
import numpy as np

import common
import pictures

IMAGES_IN_FIRST_FIGURE = 4  # the first training digits, in a 2x2 grid
GRID_ROWS, GRID_COLUMNS = 4, 6  # random digits in the second figure
LABELS_TO_ENCODE = 10  # how many labels to show with their one-hot form
MNIST_PATH = None  # mnist.npz or a folder of IDX files; None: $MNIST_DATA, else downloaded
QUICK = False  # True: 2000 training and 500 test images, for a quick look
SEED = 42  # chooses the random digits of the second figure
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the figures are saved here
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 00_load_data.py
# --quick, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
course.start(globals(), OPTIONS)

# %% Load the data
(x_train, y_train), (x_test, y_test) = common.load_mnist(MNIST_PATH, quick=QUICK)
for name, array in [
    ("x_train", x_train),
    ("y_train", y_train),
    ("x_test", x_test),
    ("y_test", y_test),
]:
    print(f"{name:8} shape {str(array.shape):16} dtype {array.dtype}")

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
figure, axes = plt.subplots(rows, columns, figsize=(5, 5.5))
for index, axis in enumerate(axes.flat):
    axis.imshow(x_train[index], cmap="gray")
    axis.set_title(f"x_train[{index}]: label {y_train[index]}")
    axis.axis("off")
figure.suptitle("The first four MNIST training images")
pictures.save_figure(figure, OUTPUT_DIR, "00_first_four_digits.png", show=SHOW)

# %% 24 random training digits
random_generator = np.random.default_rng(SEED)
chosen = random_generator.choice(len(x_train), GRID_ROWS * GRID_COLUMNS, replace=False)
figure, axes = plt.subplots(GRID_ROWS, GRID_COLUMNS, figsize=(9, 6.5))
for index, axis in zip(chosen, axes.flat):
    axis.imshow(x_train[index], cmap="gray")
    axis.set_title(f"#{index}: {y_train[index]}", fontsize=9)
    axis.axis("off")
figure.suptitle(f"{GRID_ROWS * GRID_COLUMNS} random training images with their labels")
pictures.save_figure(figure, OUTPUT_DIR, "00_random_digits.png", show=SHOW)

# %% The first ten labels, one-hot encoded
labels = y_train[:LABELS_TO_ENCODE]
for label, row in zip(labels, common.one_hot_encode(labels)):
    print(f"{label} -> {row.astype(int)}")

# %% Preprocessing, step by step


def describe(step, array):
    print(
        f"{step:34} shape {str(array.shape):20} dtype {str(array.dtype):8} "
        f"range {array.min():.1f} to {array.max():.1f}"
    )


describe("raw images", x_train)
describe("flatten_images (dense networks)", common.flatten_images(x_train))
describe("add_channel_axis (convolutions)", common.add_channel_axis(x_train))
describe("scale_pixels", common.scale_pixels(x_train))
describe("raw labels", y_train)
describe("one_hot_encode", common.one_hot_encode(y_train))

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
