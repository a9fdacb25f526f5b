"""
Title: Lesson 8 - Teach the model your handwriting, and measure what it forgets
Description: A model trained on MNIST misreads styles that MNIST's writers hardly used: a
    4 with a closed top, a 1 with a long flag. Fine-tuning on a few of your own digits
    teaches it your styles. Done carefully (only the classifier on top trained, at a low
    learning rate that decays to zero, batch normalization frozen, and MNIST images mixed
    into every batch: replay), it keeps nearly all it knew. Done naively, on your digits
    alone, it forgets MNIST. This lesson measures both sides, on digits held out.

Run (after lesson 05, or any of 01-03):
    python 08_teach_handwriting.py                    # the styles MNIST lacks, drawn by the course
    python 08_teach_handwriting.py outputs/my_digits  # the digits you taught on lesson 7's page
    python 08_teach_handwriting.py photos/ --test more_photos/  # sorted into <digit>/ folders
    python 08_teach_handwriting.py --quick            # a small subset of MNIST, in seconds
    In a notebook (notebooks/08_teach_handwriting.ipynb), set the same options in OPTIONS below.

Expected: with lesson 5's model (seed 42), the held-out drawings of the new styles go from
54.2% to 87.5% read right in the notebook, after 4-8 s of adapting on a 2-core laptop CPU,
4.4 s in the notebook (the whole lesson takes about half a minute). The MNIST test error
goes from 0.36% to 0.47%; the naive way's to 7.28%. Another lesson-5 model of the same seed
went from 45.8% to 83.3% (docs/measurements.md). On real handwriting of writers it was not
adapted on, it gains nothing: the benchmark (bench/bench_teach.py) is in
docs/measurements.md.
The original model is never changed: the adapted one is saved as
outputs/models/08_teach_handwriting.keras, for lessons 6 and 7 to read with --model.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import math
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers

import common
import own_digits  # your digits' folders, the drawn styles
import pictures

# Chosen in bench/bench_teach.py on held-out real digits.
EPOCHS = 10  # passes over your digits
COPIES_PER_EPOCH = 4  # each digit's copies per pass, augmented
BATCH_SIZE = 256  # images per gradient step, as in lesson 5
OWN_PER_BATCH = 32  # of them yours; the rest MNIST's (replay)
FINE_TUNE_LEARNING_RATE = 3e-4  # careful: decays to 0 from here
NAIVE_LEARNING_RATE = 1e-3  # Adam's default, the naive way's
ROTATION_DEGREES = 10  # augmentation: turns up to +-10 degrees,
ZOOM_FRACTION = 0.1  # zooms up to 10%,
SHIFT_FRACTION = 0.1  # shifts up to 10%; never flips
HELD_OUT_FRACTION = 0.25  # one sitting only: its share held out
FONT_POINTS = 12  # the figures' text: legible on a lecture slide
MISREAD_TO_SHOW = 12  # held-out digits misread before, shown
NAME = "08_teach_handwriting"  # the adapted model's name
# Your labelled digits in folders: <digit>/<image>, or <session>/<digit>/<image> as lesson 7's
# page saves them.
FOLDER = None  # your digits; None: the styles the course draws
TEST_FOLDER = None  # held-out digits; None: FOLDER's last session
MNIST_PATH = None  # mnist.npz or a folder of IDX files; None: $MNIST_DATA, else downloaded
QUICK = False  # True: 2000 MNIST training, 500 test images
SEED = 42  # the same seed prints the same numbers on the same machine
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # models, figures
# The model to adapt (the command line takes the best one saved).
MODEL_PATH = common.model_path(OUTPUT_DIR, "05_best_cnn")
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)
VERBOSE = "auto"  # Keras' progress bar while training; 2: one line per epoch

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python
# 08_teach_handwriting.py outputs/my_digits, or in a notebook this OPTIONS line ("--help"
# lists them all).
OPTIONS = ""
lesson_options = {
    "FOLDER": {
        "nargs": "?",
        "metavar": "FOLDER",
        "help": "your labelled digits: <digit>/<image>, or session folders with those inside, "
        "as lesson 7's page saves them (default: the styles MNIST lacks, drawn by the course)",
    },
    "--test": {
        "dest": "TEST_FOLDER",
        "metavar": "FOLDER",
        "help": "held-out digits to score on, in the same layout (default: FOLDER's last "
        f"session, or with one session {100 * HELD_OUT_FRACTION:.0f}%% of each digit)",
    },
    "--model": {
        "dest": "MODEL_PATH",
        "metavar": "PATH",
        "help": "the saved .keras model to adapt (default: the best one in the output folder)",
    },
    "--epochs": {
        "dest": "EPOCHS",
        "type": course.at_least_one,
        "metavar": "N",
        "help": f"passes over your digits (default: {EPOCHS})",
    },
}
changed = course.start(globals(), OPTIONS, lesson_options)
# The folders named are looked into now, so that one without labelled digits ends the lesson
# in one line before anything is loaded.
for folder in (FOLDER, TEST_FOLDER):
    if folder is not None:
        own_digits.find_labelled_images(folder)
MODEL_PATH = course.find_model(changed.get("MODEL_PATH"), OUTPUT_DIR)
if MODEL_PATH.resolve() == common.model_path(OUTPUT_DIR, NAME).resolve():
    raise common.UserError(
        f"{common.display_path(MODEL_PATH)} is this lesson's own output, which it replaces: "
        "copy it under another name and adapt the copy"
    )

# %% [markdown]
# ## Fine-tuning: a trained model, a few new examples
# Lesson 5's model learned from 60,000 MNIST digits. To teach it a style that MNIST's
# writers hardly used, a 4 with a closed top or a 1 with a long flag, it need not be trained
# again from scratch: fine-tuning starts from the trained weights and goes on training them
# on a few new examples, for a few seconds. The model keeps what it learned and moves only
# as far as the new examples push it. That is also the danger: a few dozen new digits
# against 60,000 old ones, and only the new ones in view.
#
# - Start from the trained weights, not from random ones
# - A few new examples, a few dozen gradient steps, seconds
# - Measured on both sides: your digits, and MNIST

# %% [markdown]
# ## Only held-out digits count
# A score on the digits the model was adapted on says nothing: a network learns a few dozen
# images by heart. Drawings from one sitting are near copies of each other, so even those
# held out of the same sitting flatter it. The honest test is digits the adaptation never
# saw, drawn at another time or by another hand. With no folder named, the lesson adapts on
# the styles as one hand draws them and scores on another hand's; with your folders, it
# holds out the last session, or the folder that `--test` names.
#
# - The digits adapted on: no score at all
# - Held out of the same sitting: optimistic
# - Another sitting, or another writer: the honest score

# %% Your digits, prepared as lesson 6 does: adapted on, and held out
common.set_seed(SEED)  # fixes the augmentation and the replay
adapt, held_out, held_out_source = own_digits.digit_sets(
    FOLDER, TEST_FOLDER, SEED, HELD_OUT_FRACTION
)
adapt_source = common.display_path(FOLDER) if FOLDER else None
print("Adapt on:", adapt_source or "styles drawn by the course")
print("Held out:", held_out_source)
x_adapt, y_adapt = own_digits.prepare_all(adapt, "adaptation")
x_held_out, y_held_out = own_digits.prepare_all(held_out, "held-out")

# %% MNIST: images to replay, and the test set to measure forgetting
(x_train, y_train), (x_test, y_test) = common.load_mnist(MNIST_PATH, quick=QUICK)
x_train = common.scale_pixels(common.add_channel_axis(x_train))
x_test = common.scale_pixels(common.add_channel_axis(x_test))
y_train_one_hot = common.one_hot_encode(y_train)
y_adapt_one_hot = common.one_hot_encode(y_adapt)
# Your digits and MNIST's training images, each with its labels: what the batches mix.
own, replay = (x_adapt, y_adapt_one_hot), (x_train, y_train_one_hot)


# %% A model's answers for several sets of images
def read(model, *image_sets):
    """The digits a model reads in each set of images, in one call to predict()."""
    shape = model.input_shape[1:]  # lesson 1's: 784 in a row; a CNN's: 28x28x1
    images = np.concatenate([images.reshape(-1, *shape) for images in image_sets])
    digits = model.predict(images, verbose=0).argmax(axis=1)
    return np.split(digits, np.cumsum([len(images) for images in image_sets])[:-1])


# %% Measure before changing anything
original_model = common.load_model(MODEL_PATH)
input_shape = original_model.input_shape[1:]
read_before = read(original_model, x_adapt, x_held_out, x_test)
before_adapt, before_held_out, before_test = read_before
before_test_error = 100 * np.mean(before_test != y_test)
adapt_right = np.mean(before_adapt == y_adapt)
held_out_right = np.mean(before_held_out == y_held_out)
print(f"Digits to adapt on, read right: {adapt_right:.1%}")
print(f"Held-out digits (not adapted on), read right: {held_out_right:.1%}")
for digit in sorted(set(y_held_out)):
    rows = y_held_out == digit
    right = np.sum(before_held_out[rows] == digit)
    print(f"  {digit}: {right} of {np.sum(rows)}")
print(f"MNIST test error: {before_test_error:.2f}% ({len(y_test)} images)")

# %% [markdown]
# ## Catastrophic forgetting
# Gradient descent changes every weight in the direction that lowers the loss on the batch
# in front of it, and only that batch. Trained on your digits alone, the loss knows nothing
# of MNIST's 60,000: every step pulls the shared weights towards the new styles, and nothing
# pulls them back to where they served the old digits. After a few dozen such steps the
# model reads your digits and has forgotten much of MNIST. This is catastrophic forgetting
# (McCloskey and Cohen, 1989), and the naive way below shows it: lesson 5's model goes from
# 0.36% to 7.28% test error.
#
# - Each step lowers the loss of the batch it sees, and only that
# - Your digits alone: nothing holds the weights where MNIST needs them
# - The naive way: MNIST test error 0.36% to 7.28% (lesson 5's model)

# %% [markdown]
# ## Replay: MNIST in every batch
# The cheapest remedy is to keep showing the model what it must not forget. Every batch of
# the careful way holds 32 of your digits and 224 MNIST training images, replayed: the loss
# counts both, so a step that would help your digits at MNIST's expense is pulled back at
# once. Your digits are also augmented afresh every time they are shown (turned, zoomed and
# shifted a little), so that the model learns their style rather than a few images.
#
# - A batch: 32 of your digits and 224 MNIST images
# - The loss counts both: the new is learned, the old kept
# - Your digits augmented afresh: their style, not the images

# %% Your digits, augmented afresh in every batch
same = {"fill_mode": "constant", "seed": SEED}  # black comes into view
augmentation = keras.Sequential(
    [
        layers.RandomRotation(ROTATION_DEGREES / 360, **same),
        layers.RandomZoom(ZOOM_FRACTION, **same),
        layers.RandomTranslation(SHIFT_FRACTION, SHIFT_FRACTION, **same),
    ],
    name="augmentation",
)


# %% Batches that mix your digits with MNIST (replay)
class ReplayBatches(keras.utils.PyDataset):
    """Your digits, augmented, mixed with MNIST images."""

    def __init__(
        self,
        own,
        replay,
        augmentation,
        input_shape,
        batch_size,
        own_per_batch,
        copies_per_epoch,
        seed,
    ):
        super().__init__()
        self.own, self.own_labels = own  # images, labels
        self.replay, self.replay_labels = replay  # MNIST's
        self.augmentation = augmentation
        self.input_shape = input_shape
        self.batch_size = batch_size
        self.own_per_batch = own_per_batch
        self.copies_per_epoch = copies_per_epoch
        self.random = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        copies = self.copies_per_epoch * len(self.own)
        return math.ceil(copies / self.own_per_batch)

    def on_epoch_end(self):  # a new order of the copies
        each_digit = np.arange(len(self.own))
        copies = np.tile(each_digit, self.copies_per_epoch)
        self.order = self.random.permutation(copies)

    def __getitem__(self, index):
        size = self.own_per_batch
        chosen = self.order[index * size : (index + 1) * size]
        own = self.augmentation(self.own[chosen], training=True)
        count = self.batch_size - len(chosen)  # MNIST's share
        replayed = self.random.choice(len(self.replay), count)
        own = keras.ops.convert_to_numpy(own)
        images = np.concatenate([own, self.replay[replayed]])
        labels = [self.own_labels[chosen], self.replay_labels[replayed]]
        images = images.reshape(-1, *self.input_shape)
        return images, np.concatenate(labels)


# %% [markdown]
# ## Frozen features, frozen batch normalisation
# The layers before `Flatten` find strokes, curves and corners, learned from 60,000 digits,
# and a closed-top 4 is made of the same strokes as any other digit: only the classifier on
# top must learn that this combination is a 4. So the feature layers are frozen (not
# trained): far fewer weights can move, so far less can be forgotten. Batch normalisation
# needs the same care: while it trains, it normalises with each batch's own statistics and
# moves its running averages towards them (in the naive way, towards a few of your digits).
# A frozen BatchNormalization layer runs in inference mode and keeps MNIST's statistics.
#
# - Layers before `Flatten` frozen: strokes and shapes stay as learned
# - Only the classifier on top learns the new combinations
# - Frozen batch normalisation keeps MNIST's statistics
# - `trainable = False` counts from the next `compile()`

# %% The careful way: features and batch normalisation frozen
careful_model = common.load_model(MODEL_PATH)
classifier_start = 0  # lesson 1's network has no Flatten: all of it
for index, layer in enumerate(careful_model.layers):
    if isinstance(layer, layers.Flatten):
        classifier_start = index + 1
        break
for layer in careful_model.layers[:classifier_start]:
    layer.trainable = False  # strokes and shapes, as learned
for layer in careful_model.layers:
    if isinstance(layer, layers.BatchNormalization):
        layer.trainable = False  # MNIST's statistics kept
# Batches of BATCH_SIZE images, OWN_PER_BATCH of them yours, each COPIES_PER_EPOCH times.
sizes = (BATCH_SIZE, OWN_PER_BATCH, COPIES_PER_EPOCH)
careful_batches = ReplayBatches(own, replay, augmentation, input_shape, *sizes, SEED)

# %% [markdown]
# ## A low learning rate that decays
# The learning rate is the size of each step. Adam's usual 0.001 suits training from
# scratch, where the weights have far to go; a trained model is already near good weights,
# and steps that large throw it off. The careful way starts at 0.0003 and decays to zero
# along a cosine, as lesson 5's schedule ended: steps large enough to learn the new styles
# at first, and tiny ones at the end, so that the model settles instead of wandering. The
# rate and the number of epochs were chosen on MNIST's validation images and on held-out
# digits, never on the test set (docs/measurements.md).
#
# - Adam's usual 0.001: for training from scratch
# - Fine-tuning: 0.0003, decaying to 0 along a cosine
# - Chosen on validation and held-out digits, never on the test set

# %% The careful way's learning rate
steps = EPOCHS * len(careful_batches)
learning_rate = keras.optimizers.schedules.CosineDecay(FINE_TUNE_LEARNING_RATE, steps)
rates = [float(learning_rate(i)) for i in range(steps + 1)]
figure, axis = plt.subplots(figsize=(7, 3.2))
axis.plot(rates, label="careful")
axis.axhline(NAIVE_LEARNING_RATE, color="C3", label="naive")
axis.set_xlabel("Gradient step", size=FONT_POINTS)
axis.set_ylabel("Learning rate", size=FONT_POINTS)
axis.tick_params(labelsize=FONT_POINTS)
axis.set_title("The learning rate of each step", size=FONT_POINTS)
axis.legend(fontsize=FONT_POINTS)
name = f"{NAME}_learning_rates.png"
pictures.save_figure(figure, OUTPUT_DIR, name, show=SHOW)

# %% Fine-tune the careful way
careful_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
start = time.perf_counter()
careful_model.fit(careful_batches, epochs=EPOCHS, verbose=VERBOSE)
adapt_seconds = time.perf_counter() - start
print(f"Adapting took {adapt_seconds:.1f} s.")

# %% The naive way: your digits alone, at the usual learning rate
naive_model = common.load_model(MODEL_PATH)  # all layers train
naive_model.compile(
    optimizer=keras.optimizers.Adam(NAIVE_LEARNING_RATE),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
# Batches of your digits only, as many as in a careful batch.
sizes = (OWN_PER_BATCH, OWN_PER_BATCH, COPIES_PER_EPOCH)
naive_batches = ReplayBatches(own, replay, augmentation, input_shape, *sizes, SEED)
naive_history = naive_model.fit(naive_batches, epochs=EPOCHS, verbose=VERBOSE)

# %% Compare: your held-out digits, and MNIST
answers = {"before": before_held_out}
test_errors = {"before": before_test_error}
models = {"careful": careful_model, "naive": naive_model}
for way, model in models.items():
    answers[way], test_answers = read(model, x_held_out, x_test)
    test_errors[way] = 100 * np.mean(test_answers != y_test)
correct = {way: answers[way] == y_held_out for way in answers}
print("Held-out digits read right, per digit:")
print("digit images   before  careful    naive")
for digit in sorted(set(y_held_out)):
    rows = y_held_out == digit
    counts = [np.sum(right[rows]) for right in correct.values()]
    cells = " ".join(f"{count:>8}" for count in counts)
    print(f"{digit:>5} {np.sum(rows):>6} {cells}")
read_right = {way: int(correct[way].sum()) for way in correct}
held_out_accuracy = {way: correct[way].mean() for way in correct}
cells = " ".join(f"{share:>8.1%}" for share in held_out_accuracy.values())
print(f"all   {len(y_held_out):>6} {cells}")
for way in models:
    error = test_errors[way]
    change = error - before_test_error
    print(f"MNIST test error, {way}: {error:.2f}% ({change:+.2f} points)")

# %% Figures: your held-out digits, what MNIST pays, the digits misread before
figure = own_digits.adaptation_figure(y_held_out, answers, test_errors, len(y_test))
name = f"{NAME}_before_after.png"
pictures.save_figure(figure, OUTPUT_DIR, name, show=SHOW)
figure = own_digits.misread_figure(x_held_out, y_held_out, answers, MISREAD_TO_SHOW)
if figure is not None:  # None: none was misread before
    name = f"{NAME}_misread_before.png"
    pictures.save_figure(figure, OUTPUT_DIR, name, show=SHOW)

# %% Save the adapted model under its own name
adapted = common.save_model(careful_model, OUTPUT_DIR, NAME)
shown = common.display_path(adapted)
print(f"Read with it: python 07_draw_digit.py --model {shown}")
accuracy, errors = held_out_accuracy, test_errors
print(
    f"\nHeld-out digits read right: {accuracy['before']:.1%} before, "
    f"{accuracy['careful']:.1%} after; MNIST test error: "
    f"{before_test_error:.2f}% -> {errors['careful']:.2f}% "
    f"(the naive way: {errors['naive']:.2f}%)"
)

# %% The course's record: leave it out when you copy
# The benchmark (bench/bench_teach.py) and the tests read what the adaptation measured here.
course.record_adaptation(
    OUTPUT_DIR,
    NAME,
    {
        "adapted_from": common.display_path(MODEL_PATH),
        "adapt_images": len(y_adapt),
        "held_out_images": len(y_held_out),
        "held_out_source": held_out_source,
        "held_out_read_right": read_right,
        "held_out_accuracy": held_out_accuracy,
        "mnist_test_error_percent": test_errors,
        "mnist_test_images": len(y_test),
        "epochs": EPOCHS,
        "adapt_seconds": round(adapt_seconds, 2),
        "seed": SEED,
        "quick": QUICK,
    },
)

# %% [markdown]
# ## Try it
# 1. Start lesson 7's page, teach it your digits in its teach mode, twice (two sessions),
#    then run `python 08_teach_handwriting.py outputs/my_digits`. Which of your digits
#    improved, and what did MNIST pay?
# 2. Tell replay and the learning rate apart, one change at a time. Leave out the replay:
#    in the careful way's cell, `sizes = (OWN_PER_BATCH, OWN_PER_BATCH, COPIES_PER_EPOCH)`
#    makes its batches your digits alone, as many steps as before. Then, with replay back,
#    start at Adam's usual rate: `FINE_TUNE_LEARNING_RATE = 1e-3`. How far does the MNIST
#    test error climb in each, and which of the two matters more?
# 3. Run with `--epochs 50`. Do your held-out digits still improve, or does the model start
#    to learn your adaptation digits by heart?
