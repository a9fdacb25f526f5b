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

# %% Setup
# `course` comes first: it starts Keras without a wall of log lines.
import course

import math
import time

import keras
from keras import layers

import common
import outputs
import pictures

# The slides train for 10 epochs at Adam's default learning rate, 0.001. Starting at twice
# that and letting it fall to zero over the run reaches a lower error in 7 epochs (measured
# over three seeds against the slides' recipe; see docs/measurements.md).
EPOCHS = 7  # passes over the training data
INITIAL_LEARNING_RATE = 0.002  # falls along a cosine curve to zero at the last step
BATCH_SIZE = 200  # images per gradient step, as in the slides
VALIDATION_FRACTION = 0.1  # training images held out to watch for overfitting
IMAGES_TO_INSPECT = 4  # test images whose predictions are printed at the end
# A notebook has no command line: set the options here, e.g. OPTIONS = "--quick --epochs 3".
OPTIONS = ""

args = course.start(__doc__, OPTIONS, epochs=EPOCHS, batch_size=BATCH_SIZE)
epochs, batch_size = args.epochs, args.batch_size
# The seed fixes the initial weights and the shuffling. Another backend, version or kind of
# CPU can still change the last digits of the results.
common.set_seed(args.seed)

# %% Prepare the data
course.print_heading("Prepare the data")
(x_train, y_train), (x_test, y_test) = common.load_mnist(args.data, quick=args.quick)

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
outputs.save_figure(figure, args.out, "01_mlp_baseline_model.png", show=args.show)

# %% Train
course.print_heading("Train")
# Big steps while the model is far from good, small careful ones at the end.
steps_per_epoch = math.ceil(len(x_fit) / batch_size)
learning_rate = keras.optimizers.schedules.CosineDecay(
    INITIAL_LEARNING_RATE, decay_steps=epochs * steps_per_epoch
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
    epochs=epochs,
    batch_size=batch_size,
    verbose=course.progress_verbosity(),
)
train_seconds = time.perf_counter() - start
print(f"Training took {train_seconds:.1f} s.")

# %% Evaluate on the test set, once
course.print_heading("Evaluate on the test set")
scores = model.evaluate(x_test, y_test_one_hot, verbose=0, return_dict=True)
print(f"Test loss: {scores['loss']:.4f}, test accuracy: {100 * scores['accuracy']:.2f}%")
probabilities = model.predict(x_test, verbose=0)
predicted_digits = probabilities.argmax(axis=1)

# %% Inspect the predictions and the training curves
course.print_heading(f"The first {IMAGES_TO_INSPECT} test images")
common.print_predictions(probabilities, y_test, range(IMAGES_TO_INSPECT))
# Validation loss that rises while training loss still falls is the sign of overfitting.
figure = common.training_curves_figure(history.history, "Lesson 1: multilayer perceptron")
outputs.save_figure(figure, args.out, "01_mlp_baseline_curves.png", show=args.show)

# %% Save the model and the numbers
settings = {"epochs": epochs, "batch_size": batch_size, "seed": args.seed, "quick": args.quick}
test_results = (scores, predicted_digits, y_test)
outputs.finish(
    args.out, "01_mlp_baseline", model, history.history, test_results, train_seconds, **settings
)

# %% [markdown]
# ## Try it
# 1. Halve the hidden layer: `layers.Dense(num_pixels // 2, ...)`. How many parameters are
#    left, and how much does the test error change?
# 2. Train with the slides' recipe, `--epochs 10`, and a constant learning rate: replace
#    `learning_rate=learning_rate` by `learning_rate=0.001`. Which recipe ends lower?
# 3. Run with `--seed 1`, `--seed 2` and `--seed 3`. How much does the test error vary
#    between seeds, and what does that say about comparing two single runs?
