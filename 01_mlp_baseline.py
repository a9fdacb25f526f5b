"""
Title: Lesson 1 - A multilayer perceptron baseline
Description: One hidden layer of 784 neurons learns to read digits from raw pixels. This is
    the baseline that every later lesson has to beat.

Run:
    python 01_mlp_baseline.py           # the full data, 7 epochs
    python 01_mlp_baseline.py --quick   # a small subset and one epoch, in seconds
    In a notebook (notebooks/01_mlp_baseline.ipynb), set the same options in OPTIONS below.

Expected: a test error of about 1.7-1.9% (the slides publish 1.71%), in about 10 s of
training on a 2-core laptop CPU (docs/measurements.md has the numbers over several seeds).
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import math
import time

import keras
import numpy as np
from keras import layers

import common
import pictures

# The slides train for 10 epochs at Adam's default learning rate, 0.001. Starting at twice
# that and letting it fall to zero over the run reaches a lower error in 7 epochs (measured
# over three seeds against the slides' recipe; see docs/measurements.md).
EPOCHS = 7  # passes over the training data
INITIAL_LEARNING_RATE = 0.002  # falls along a cosine curve to zero at the last step
BATCH_SIZE = 200  # images per gradient step, as in the slides
VALIDATION_FRACTION = 0.1  # training images held out to watch for overfitting
IMAGES_TO_INSPECT = 4  # test images whose predictions are printed at the end
MNIST_PATH = None  # mnist.npz or a folder of IDX files; None: $MNIST_DATA, else downloaded
QUICK = False  # True: 2000 training and 500 test images, to run in seconds
SEED = 42  # the same seed prints the same numbers on the same machine
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the model and the figures are saved here
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)
VERBOSE = "auto"  # Keras' progress bar while training; 2: one line per epoch

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 01_mlp_baseline.py
# --quick --epochs 3, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
course.start(globals(), OPTIONS)

# %% Prepare the data
(x_train, y_train), (x_test, y_test) = common.load_mnist(MNIST_PATH, quick=QUICK)

# A dense layer sees each image as one row of pixels, scaled from 0-255 to 0-1.
x_train = common.scale_pixels(common.flatten_images(x_train))
x_test = common.scale_pixels(common.flatten_images(x_test))
y_train_one_hot = common.one_hot_encode(y_train)
y_test_one_hot = common.one_hot_encode(y_test)
num_pixels = x_train.shape[1]
num_classes = y_train_one_hot.shape[1]

# Hold out the last tenth of the training images to check the model after every epoch.
(x_fit, y_fit), (x_validation, y_validation) = common.hold_out_validation(
    x_train, y_train_one_hot, VALIDATION_FRACTION
)
print(f"Training:   x {x_fit.shape}, y {y_fit.shape}")
print(f"Validation: x {x_validation.shape}, y {y_validation.shape}")
print(f"Test:       x {x_test.shape}, y {y_test_one_hot.shape}")

# %% Build the model
# The seed fixes the initial weights and the shuffling. Another backend, version or kind of
# CPU can still change the last digits of the results.
common.set_seed(SEED)
model = keras.Sequential(
    [
        keras.Input(shape=(num_pixels,)),
        # One hidden layer as wide as the input, with small normally distributed weights.
        layers.Dense(num_pixels, activation="relu", kernel_initializer="random_normal"),
        # Softmax turns ten scores into ten probabilities that add up to one.
        layers.Dense(num_classes, activation="softmax", kernel_initializer="random_normal"),
    ],
    name="mlp_baseline",
)
model.summary()

# %% The model as a diagram
# The layers of the summary above as blocks, from the image to the ten probabilities.
figure = pictures.model_diagram_figure(model, "Lesson 1: multilayer perceptron")
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_model.png", show=SHOW)

# %% Train
# Big steps while the model is far from good, small careful ones at the end.
steps_per_epoch = math.ceil(len(x_fit) / BATCH_SIZE)
learning_rate = keras.optimizers.schedules.CosineDecay(
    INITIAL_LEARNING_RATE, decay_steps=EPOCHS * steps_per_epoch
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
start = time.perf_counter()
history = model.fit(
    x_fit,
    y_fit,
    validation_data=(x_validation, y_validation),
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    verbose=VERBOSE,
)
train_seconds = time.perf_counter() - start
print(f"Training took {train_seconds:.1f} s.")

# %% Evaluate on the test set, once
scores = model.evaluate(x_test, y_test_one_hot, verbose=0, return_dict=True)
print(f"Test loss: {scores['loss']:.4f}, test accuracy: {100 * scores['accuracy']:.2f}%")
probabilities = model.predict(x_test, verbose=0)
predicted_digits = probabilities.argmax(axis=1)
misclassified = int(np.sum(predicted_digits != y_test))

# %% Inspect the predictions and the training curves
common.print_predictions(probabilities, y_test, range(IMAGES_TO_INSPECT))
# Validation loss that rises while training loss still falls is the sign of overfitting.
figure = common.training_curves_figure(history.history, "Lesson 1: multilayer perceptron")
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_curves.png", show=SHOW)

# %% Save the model
common.save_model(model, OUTPUT_DIR, "01_mlp_baseline")
test_error = 100 * misclassified / len(y_test)
print(f"\nTest error: {test_error:.2f}% ({misclassified} of {len(y_test)} misclassified)")

# %% The course's record: leave it out when you copy
# Lesson 04, the benchmarks and the tests read the test error and the curves from here.
settings = {"epochs": EPOCHS, "batch_size": BATCH_SIZE, "seed": SEED, "quick": QUICK}
test_results = (scores, predicted_digits, y_test)
course.record(
    OUTPUT_DIR, "01_mlp_baseline", model, history.history, test_results, train_seconds, **settings
)

# %% [markdown]
# ## Try it
# 1. Halve the hidden layer: `layers.Dense(num_pixels // 2, ...)`. How many parameters are
#    left, and how much does the test error change?
# 2. Train with the slides' recipe, `--epochs 10`, and a constant learning rate: replace
#    `learning_rate=learning_rate` by `learning_rate=0.001`. Which recipe ends lower?
# 3. Run with `--seed 1`, `--seed 2` and `--seed 3`. How much does the test error vary
#    between seeds, and what does that say about comparing two single runs?
