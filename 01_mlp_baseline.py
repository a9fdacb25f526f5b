"""
Title: Lesson 1 - A multilayer perceptron baseline
Description: One hidden layer of 784 neurons learns to read digits from raw pixels. This is
    the baseline that every later lesson has to beat.

Run:
    python 01_mlp_baseline.py           # the full data, 7 epochs
    python 01_mlp_baseline.py --quick   # a small subset and one epoch, in seconds
    In a notebook (notebooks/01_mlp_baseline.ipynb), set the same options in OPTIONS below.

Expected: a test error of 1.69-1.88% over seeds, 1.81% in the notebook (seed 42, the
default; the slides publish 1.71%), after 10-31 s of training on a 2-core laptop CPU, 20.8 s
in the notebook. docs/measurements.md has each seed's numbers and the machine.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import math
import os
import time

import keras
import numpy as np
from keras import layers

import common
import network_pictures
import pictures

QUICK = False  # True: 2000 training and 500 test images and one epoch, to run in seconds
# The slides train for 10 epochs at Adam's default learning rate, 0.001. Starting at twice
# that and letting it fall to zero over the run reaches a lower error in 7 epochs (measured
# over three seeds against the slides' recipe; see docs/measurements.md).
EPOCHS = common.QUICK_EPOCHS if QUICK else 7  # passes over the training data
INITIAL_LEARNING_RATE = 0.002  # falls along a cosine curve to zero at the last step
BATCH_SIZE = 200  # images per gradient step, as in the slides
VALIDATION_FRACTION = 0.1  # training images held out to watch for overfitting
IMAGES_TO_INSPECT = 4  # test images whose predictions are printed at the end
HAND_STEP_RATES = [0.001, 0.01]  # learning rates of the gradient step computed by hand
PERCEPTRON_IMAGES = 600  # 0s and 1s the perceptron learns from
PERCEPTRON_PASSES, PERCEPTRON_RATE = 10, 0.1  # the perceptron rule's passes and step
MARKED_PROBABILITIES = [0.99, 0.5, 0.01]  # where the cross-entropy figure writes the loss
RELU_IMAGES = 100  # training images whose hidden sums the ReLU figure shows
MNIST_PATH = os.environ.get("MNIST_DATA")  # a copy of mnist.npz; None: Keras downloads it
SEED = 42  # the same seed prints the same numbers on the same machine
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the model and the figures are saved here
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)
VERBOSE = "auto"  # Keras' progress bar while training; 2: one line per epoch

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 01_mlp_baseline.py
# --quick --epochs 3, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
changed = course.start(globals(), OPTIONS, reads_mnist=True)  # what the options set

# %% [markdown]
# ## Keras, and the backend that runs it
# Keras is a library for building neural networks out of layers and training them with a
# few calls. Keras 3 does the arithmetic on one of three backends: TensorFlow, JAX or
# PyTorch; the lessons are the same code on all three, and the first line a lesson prints
# names the backend and the device it trains on. Every lesson that trains a model follows
# the same five steps:
# - define the model, layer by layer (`keras.Sequential`)
# - compile it with an optimizer, a loss and the metrics to report
# - fit it to the training data, checking it on validation data
# - evaluate it once on the test data
# - predict: ten probabilities an image, and `argmax` picks the digit

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

# %% Prepare the data
# Each image a row of 784 pixels, scaled from 0-255 to 0-1 (lesson 0).
x_train = x_train.reshape(len(x_train), -1).astype("float32") / 255
x_test = x_test.reshape(len(x_test), -1).astype("float32") / 255
# Each label as ten numbers, all 0 but a 1 at the digit's place (one-hot, lesson 0).
y_train_one_hot = keras.utils.to_categorical(y_train, common.NUM_CLASSES)
y_test_one_hot = keras.utils.to_categorical(y_test, common.NUM_CLASSES)
num_pixels, num_classes = x_train.shape[1], y_train_one_hot.shape[1]
# The last tenth of the training images checks each epoch; the model never learns from them.
split = len(x_train) - int(len(x_train) * VALIDATION_FRACTION)
x_fit, y_fit = x_train[:split], y_train_one_hot[:split]
x_validation, y_validation = x_train[split:], y_train_one_hot[split:]
print(f"Training:   x {x_fit.shape}, y {y_fit.shape}")
print(f"Validation: x {x_validation.shape}, y {y_validation.shape}")
print(f"Test:       x {x_test.shape}, y {y_test_one_hot.shape}")
common.set_seed(SEED)  # the starting weights, the order of the batches

# %% [markdown]
# ## A neuron
# A neuron multiplies each of its inputs by a weight, adds the products up, adds a bias, and
# passes the sum through an activation function: `output = activation(w1*x1 + ... + w784*x784
# + b)`. A weight says how much one pixel counts, and whether ink there speaks for or
# against what the neuron looks for. Training is nothing but finding good weights and biases.

# %% [markdown]
# ## The perceptron, and what one straight line can separate
# A perceptron is one neuron whose activation is a step: it answers 1 when its sum is above
# zero and 0 otherwise. With two inputs, the sum is zero along a straight line, so a
# perceptron splits the plane of its inputs in two. The perceptron rule learns the weights:
# for each example it gets wrong, it moves the weights a little towards the right answer.
# Below, it tells 0s from 1s by two numbers per image, the ink and the width; a few of
# them overlap, and no line gets those right. Classes that one straight line (a flat
# plane, with more inputs) can separate are linearly separable; ten digits are not, which
# is why the network below has a hidden layer of neurons whose bent (ReLU) outputs the
# last layer combines.

# %% A perceptron tells 0s from 1s
# Two numbers describe each image: how much ink it holds, and how many columns it spans,
# each divided by its largest value to run from 0 to 1, like the pixels.
zeros_and_ones = np.isin(y_train, [0, 1])
images = x_train[zeros_and_ones][:PERCEPTRON_IMAGES].reshape(-1, *common.IMAGE_SHAPE)
is_one = (y_train[zeros_and_ones][:PERCEPTRON_IMAGES] == 1).astype(int)
ink = images.mean(axis=(1, 2))
width = (images.max(axis=1) > 0.5).sum(axis=1)  # columns with ink
features = np.stack([ink / ink.max(), width / width.max()], axis=1)
perceptron_weights, perceptron_bias = np.zeros(2), 0.0
for _ in range(PERCEPTRON_PASSES):  # the perceptron rule: a step towards each mistake
    for inputs, target in zip(features, is_one):
        mistake = target - int(inputs @ perceptron_weights + perceptron_bias > 0)
        perceptron_weights += PERCEPTRON_RATE * mistake * inputs
        perceptron_bias += PERCEPTRON_RATE * mistake
right = np.mean((features @ perceptron_weights + perceptron_bias > 0) == is_one)
print(f"The perceptron reads {right:.1%} of {len(features)} 0s and 1s right.")

# %% The perceptron and the line it draws
figure = network_pictures.perceptron_figure(
    features,
    is_one,
    perceptron_weights,
    perceptron_bias,
    ["ink", "width", "a 0", "a 1"],
    "Lesson 1: a perceptron",
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_perceptron.png", show=SHOW)

# %% [markdown]
# ## A dense layer is a matrix product
# A dense layer is many neurons that all read every input. For a batch of images `x` of
# shape (200, 784) and a weight matrix `W` of shape (784, 784), the layer computes
# `relu(x @ W + b)`: 200 rows of 784 outputs in one matrix product. Its parameters are the
# 784 x 784 weights and 784 biases, 615,440 numbers; the output layer adds 784 x 10 weights
# and 10 biases, 7,850 more. `model.summary()` below counts them.

# %% [markdown]
# ## Sequential: a feed-forward network
# `keras.Sequential` takes a list of layers and feeds each layer's output to the next, from
# the pixels to the ten probabilities: a feed-forward network, in which the numbers flow
# one way with no loops. Each dense layer is fully connected: every neuron reads every
# output of the layer before. Below, lesson 1's network as a graph of its neurons (a few
# of each layer drawn).

# %% Lesson 1's network as a graph
figure = network_pictures.network_graph_figure(
    [num_pixels, num_pixels, num_classes],
    ["input pixels", "hidden (ReLU)", "output (softmax)"],
    "Lesson 1's network",
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_graph.png", show=SHOW)

# %% [markdown]
# ## ReLU and softmax
# The hidden layer's activation is ReLU, `max(0, z)`: a neuron passes a positive sum on and
# stays silent otherwise. Without such a bend, two layers would be one matrix product, no
# better than one layer. The output layer's activation is softmax: it turns ten scores, any
# numbers, into ten probabilities, positive and adding up to one: `p_i = exp(z_i) / sum of
# exp(z_j)`. The largest score gets the largest probability.

# %% [markdown]
# ## Starting weights and the seed
# The weights start as small random numbers (`kernel_initializer="random_normal"`): if they
# all started equal, every neuron would compute the same and learn the same. Random numbers
# come from a generator that a seed starts: the same seed gives the same starting weights and
# the same order of batches, and so the same results on the same machine.

# %% Build the model
model = keras.Sequential(
    [
        keras.Input(shape=(num_pixels,)),
        layers.Dense(num_pixels, activation="relu", kernel_initializer="random_normal"),
        layers.Dense(num_classes, activation="softmax", kernel_initializer="random_normal"),
    ],
    name="mlp_baseline",
)
model.summary()

# %% The model as a diagram
# The layers of the summary above as blocks, from the image to the ten probabilities.
figure = pictures.model_diagram_figure(model, "Lesson 1: multilayer perceptron")
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_model.png", show=SHOW)

# %% ReLU on the sums of real neurons
# The hidden layer's sums for the first training images, at the starting weights.
figure = network_pictures.relu_figure(
    model.layers[0], x_train[:RELU_IMAGES], "Lesson 1: ReLU passes the positive sums on"
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_relu.png", show=SHOW)

# %% [markdown]
# ## Cross-entropy: how wrong an answer is
# Training needs one number that says how wrong the model is: the loss. For classification
# it is the cross-entropy, `-log(p)`, where `p` is the probability the model gave the right
# digit: 0 when it is sure and right, 0.69 at 50%, 4.6 at 1%, without limit when it is sure
# and wrong. Regression, which predicts a quantity, uses the squared error; behind softmax,
# its gradient almost vanishes when the model is confidently wrong, so learning would stall
# exactly where it is needed most. Cross-entropy's gradient stays large there.

# %% The loss against the probability of the right digit
figure = network_pictures.cross_entropy_figure(
    MARKED_PROBABILITIES, "Lesson 1: cross-entropy, -log(p)"
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_cross_entropy.png", show=SHOW)

# %% [markdown]
# ## Forward pass, gradient, backpropagation
# The forward pass runs a batch through the layers to the probabilities and the loss. The
# gradient says, for every weight, how much the loss would change if that weight grew a
# little. Backpropagation computes all 623,290 of them in one pass backwards, from the loss
# through each layer in turn, with the chain rule. A gradient-descent step then moves every
# weight a little against its gradient: `w = w - learning_rate * gradient`. The learning rate
# sets how large the step is.

# %% [markdown]
# ## Batches, steps and epochs
# The 54,000 images left for training (60,000 less the 6,000 held out for validation, next)
# are cut into batches of 200: each step computes the loss of one batch, its gradients, and
# one update, so an epoch, a pass over all images, takes 270 steps and 7 epochs take 1,890.
# The optimizer is Adam, gradient descent that adapts the step of every weight. The learning
# rate starts at 0.002 and falls along a cosine curve to zero: large steps while the model
# is far off, careful ones at the end.

# %% [markdown]
# ## Hyperparameters: the choices made before training
# The weights and biases are the model's parameters: training finds them. The numbers
# chosen before training are its hyperparameters: the number of hidden neurons, the
# activation, the optimizer, the learning rate and its schedule, the batch size and the
# number of epochs (`EPOCHS`, `BATCH_SIZE`, `INITIAL_LEARNING_RATE` in the Setup cell).
# Training cannot find them; they are chosen by trying candidates and comparing their
# validation error, never the test error, so that the test set stays new to the model.

# %% [markdown]
# ## Validation: watching for overfitting
# After every epoch the model reads the 6,000 validation images it never learns from. While
# the validation loss falls with the training loss, the model is learning to read digits.
# When the training loss keeps falling but the validation loss rises, the model has begun to
# learn its training images by heart, which helps nothing on new images: overfitting.

# %% Train
# compile() chooses the optimizer, the loss and what to report; fit() runs the steps. The
# callback keeps the loss Keras reports after each step, for the picture below.
steps_per_epoch = math.ceil(len(x_fit) / BATCH_SIZE)
learning_rate = keras.optimizers.schedules.CosineDecay(
    INITIAL_LEARNING_RATE, decay_steps=EPOCHS * steps_per_epoch
)
model.compile(
    optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
running_losses = []  # after each step, the mean loss of the epoch so far
keep_losses = keras.callbacks.LambdaCallback(
    on_train_batch_end=lambda step, logs: running_losses.append(float(logs["loss"]))
)
start = time.perf_counter()
history = model.fit(
    x_fit,
    y_fit,
    validation_data=(x_validation, y_validation),
    epochs=EPOCHS,
    batch_size=BATCH_SIZE,
    callbacks=[keep_losses],
    verbose=VERBOSE,
)
train_seconds = time.perf_counter() - start
print(f"Training took {train_seconds:.1f} s.")

# %% The loss, step by step
figure = pictures.step_losses_figure(
    running_losses[:steps_per_epoch], "Lesson 1: the first epoch, step by step"
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_steps.png", show=SHOW)

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

# %% [markdown]
# ## One gradient-descent step, by hand
# For softmax and cross-entropy the gradient of the loss with respect to the ten scores is
# simply `p - y`: the probabilities minus the one-hot label. Backpropagation carries it one
# layer back: the gradient of the output layer's weights is the hidden layer's outputs `h`
# times `p - y`. Below, on the training image the model reads worst, one step with two
# learning rates: the loss falls, and a larger rate moves it further.

# %% One gradient-descent step, by hand
hidden_layer, output_layer = model.layers
hidden = keras.Model(model.inputs[0], hidden_layer.output)  # up to the hidden layer
weights, biases = output_layer.get_weights()
losses = -np.log(np.sum(model.predict(x_fit, verbose=0) * y_fit, axis=1))
worst = int(np.argmax(losses))  # the training image the model reads worst
h = keras.ops.convert_to_numpy(hidden(x_fit[worst : worst + 1]))[0]
y = y_fit[worst]
print(f"Training image {worst}, a {y.argmax()}: loss {losses[worst]:.3f}")
p = keras.ops.convert_to_numpy(keras.ops.softmax(h @ weights + biases))
for rate in HAND_STEP_RATES:  # one step: w = w - rate * gradient
    new_scores = h @ (weights - rate * np.outer(h, p - y)) + biases - rate * (p - y)
    new_p = keras.ops.convert_to_numpy(keras.ops.softmax(new_scores))
    print(f"After one step at rate {rate}: loss {-np.log(new_p @ y):.3f}")

# %% [markdown]
# ## What the network learned
# Each hidden neuron's 784 weights can be drawn as a 28x28 picture: red where ink makes it
# fire, blue where ink silences it. Below, for each digit, the hidden neuron that votes most
# strongly for that digit in the output layer. Then the ten scores the output layer computes
# for the test image the model is least sure of, and the probabilities softmax makes of them.

# %% What hidden neurons look for
hidden_weights = hidden_layer.get_weights()[0]
voters = weights.argmax(axis=0)  # for each digit, the hidden neuron with the largest weight
labels = [f"votes for {digit}" for digit in range(num_classes)]
figure = pictures.neuron_weights_figure(
    hidden_weights, voters, labels, "Lesson 1: the weights of ten hidden neurons"
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_neurons.png", show=SHOW)

# %% Ten scores become ten probabilities
unsure = int(np.argmin(probabilities.max(axis=1)))  # the test image it is least sure of
hidden_outputs = keras.ops.convert_to_numpy(hidden(x_test[unsure : unsure + 1]))[0]
figure = pictures.softmax_figure(
    x_test[unsure].reshape(common.IMAGE_SHAPE),
    hidden_outputs @ weights + biases,
    probabilities[unsure],
    f"Lesson 1: test image {unsure}, a {y_test[unsure]}",
)
pictures.save_figure(figure, OUTPUT_DIR, "01_mlp_baseline_softmax.png", show=SHOW)

# %% [markdown]
# ## Saving and loading a model
# `model.save("name.keras")` writes everything needed to use the model again into one
# file: its layers, its trained weights and its optimizer's state. `keras.models.load_model`
# reads it back, in another script or on another computer, without training again: lesson
# 4 analyses the models saved here, and lesson 6 reads photos with them. Below, the model
# is saved, loaded back, and checked to predict the same probabilities.

# %% Save the model, and load it back
saved_path = common.save_model(model, OUTPUT_DIR, "01_mlp_baseline")
loaded = keras.models.load_model(saved_path)
same = np.allclose(loaded.predict(x_test, verbose=0), probabilities, atol=1e-6)
print(f"The loaded model predicts the same probabilities: {same}")
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
