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
54.2% to 87.5% read right, after 4-6 s of adapting on a 2-core laptop CPU (the whole lesson
takes about half a minute). The MNIST test error goes from 0.36% to 0.47%; the naive way's
to 7.28%. On real handwriting of writers it was not adapted on, it gains nothing: the
benchmark (bench/bench_teach.py) is in docs/measurements.md.
The original model is never changed: the adapted one is saved as
outputs/models/08_teach_handwriting.keras, for lessons 6 and 7 to read with --model.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import math
import time
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
from keras import layers

import common
import handwriting  # lesson 6's preparation of a digit
import own_digits  # the folders of labelled digits, and the styles drawn by the course
import pictures

# Chosen once in bench/bench_teach.py on real digits held out from the adaptation: the fewest
# epochs that read them best. Never on a student's test digits or on MNIST's test set.
EPOCHS = 10  # passes over your digits, each seen COPIES_PER_EPOCH times per pass
COPIES_PER_EPOCH = 4  # ... each time augmented afresh
BATCH_SIZE = 256  # images per gradient step, as lesson 5 trained with
OWN_PER_BATCH = 32  # of them your own digits; the rest are MNIST training images (replay)
# The careful way's learning rate starts here and decays to zero, as lesson 5's schedule
# ended: small steps, and the last ones tiny, keep what the model knows.
FINE_TUNE_LEARNING_RATE = 3e-4
NAIVE_LEARNING_RATE = 1e-3  # Adam's default, constant, as the naive way uses it
ROTATION_DEGREES = 10  # augmentation of your digits: rotations of up to +-10 degrees,
ZOOM_FRACTION = 0.1  # zooms by up to 10%,
SHIFT_FRACTION = 0.1  # and shifts by up to 10% of the side; never flips (a flipped 7 is no 7)
HELD_OUT_FRACTION = 0.25  # with a single sitting: this share of each digit is held out
MISREAD_TO_SHOW = 12  # held-out digits misread before, shown with their new answers
NAME = "08_teach_handwriting"  # the adapted model's name in OUTPUT_DIR/models/
# Your labelled digits, <digit>/<image> or <session>/<digit>/<image> as lesson 7's page
# saves them (None: the styles MNIST lacks, drawn by the course), and held-out ones to score
# on (None: the last session, or with one session HELD_OUT_FRACTION of each digit).
FOLDER = None
TEST_FOLDER = None
MNIST_PATH = None  # mnist.npz or a folder of IDX files; None: $MNIST_DATA, else downloaded
QUICK = False  # True: 2000 MNIST training and 500 test images, to run in seconds
SEED = 42  # the same seed prints the same numbers on the same machine
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # models are read and saved, figures saved here
# The model to adapt. (The course's command line takes the best one saved instead, or the
# one --model names.)
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
if Path(MODEL_PATH).resolve() == common.model_path(OUTPUT_DIR, NAME).resolve():
    raise common.UserError(
        f"{common.display_path(MODEL_PATH)} is this lesson's own output, which it replaces: "
        "copy it under another name and adapt the copy"
    )

# %% Your digits: the ones to adapt on, and the held-out ones to score on
# A score on the digits the model was adapted on says nothing. Drawings from one sitting are
# near copies of each other, so the honest test is another sitting (or another writer).


def own_digit_sets(folder, test_folder, seed):
    """(digits to adapt on, held-out digits, where the held-out ones come from)."""
    if folder is None:
        if test_folder is not None:
            raise common.UserError("--test needs a FOLDER of digits to adapt on")
        adapt, held_out = own_digits.drawn_styles(seed)
        return adapt, held_out, "the same styles, drawn with other strokes"
    images = own_digits.find_labelled_images(folder)
    if test_folder is not None:
        return images, own_digits.find_labelled_images(test_folder), str(test_folder)
    sessions = sorted({image.session for image in images})
    if len(sessions) > 1:
        held_out = [image for image in images if image.session == sessions[-1]]
        adapt = [image for image in images if image.session != sessions[-1]]
        return adapt, held_out, f"the last session, {sessions[-1]}"
    random_generator = np.random.default_rng(seed)
    held_out_paths = set()
    for digit in sorted({image.digit for image in images}):
        paths = [image.path for image in images if image.digit == digit]
        count = max(1, math.floor(HELD_OUT_FRACTION * len(paths))) if len(paths) > 1 else 0
        held_out_paths.update(random_generator.choice(paths, count, replace=False))
    if not held_out_paths:
        raise common.UserError(
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
        f"{HELD_OUT_FRACTION:.0%} of each digit of the one sitting",
    )


common.set_seed(SEED)  # the seed fixes the augmentation, the shuffling and the replay
adapt_digits, held_out_digits, held_out_source = own_digit_sets(FOLDER, TEST_FOLDER, SEED)
adapt_source = common.display_path(FOLDER) if FOLDER else "styles drawn by the course"
print(f"Adapt on: {adapt_source}")
print(f"Held out: {held_out_source}")

# %% Prepare them as lesson 6 does
# The model reads 28x28 light ink on black, centred by mass: every photo and drawing is
# prepared the way lesson 6 prepares one. A file that cannot be read is named and skipped.


def prepare_all(digits, role):
    """(images (n, 28, 28, 1) in 0-1, labels, names) of the digits that could be read."""
    images, labels, names = [], [], []
    for digit in digits:
        try:
            gray = digit.load()
        except common.UserError as error:  # no image: the error names the file
            print(f"skipped: {error}")
            continue
        try:
            ink = handwriting.clean_ink(gray)
        except common.UserError as error:  # an image without ink
            print(f"skipped: {digit.name}: {error}")
            continue
        images.append(handwriting.prepare_digit(ink))
        labels.append(digit.digit)
        names.append(digit.name)
    if not images:
        raise common.UserError(f"none of the {role} digits could be read: see the lines above")
    print(f"{role.capitalize()}: {len(images)} images, of digits {sorted(set(labels))}")
    return common.add_channel_axis(np.stack(images)), np.array(labels), names


x_adapt, y_adapt, adapt_names = prepare_all(adapt_digits, "adaptation")
x_held_out, y_held_out, held_out_names = prepare_all(held_out_digits, "held-out")

# %% MNIST: images to replay while adapting, and the test set to measure forgetting
(x_train, y_train), (x_test, y_test) = common.load_mnist(MNIST_PATH, quick=QUICK)
x_train = common.scale_pixels(common.add_channel_axis(x_train))
x_test = common.scale_pixels(common.add_channel_axis(x_test))
y_train_one_hot = common.one_hot_encode(y_train)
y_adapt_one_hot = common.one_hot_encode(y_adapt)
# Your digits and MNIST's training images, each with its labels: what the batches mix.
own, replay = (x_adapt, y_adapt_one_hot), (x_train, y_train_one_hot)

# %% Measure before changing anything
original_model = common.load_model(MODEL_PATH)


# Lesson 1's network reads 784 numbers in a row, the CNNs a 28x28x1 image: ask the model.
input_shape = original_model.input_shape[1:]


def read(model, *image_sets):
    """The digits a model reads in each set of images, in one call to predict()."""
    shape = model.input_shape[1:]
    images = np.concatenate([images.reshape(-1, *shape) for images in image_sets])
    digits = model.predict(images, verbose=0).argmax(axis=1)
    return np.split(digits, np.cumsum([len(images) for images in image_sets])[:-1])


before_adapt, before_held_out, before_test = read(original_model, x_adapt, x_held_out, x_test)
before_test_error = 100 * np.mean(before_test != y_test)
print(f"Digits to adapt on, read right: {np.mean(before_adapt == y_adapt):.1%}")
print(f"Held-out digits (not adapted on), read right: {np.mean(before_held_out == y_held_out):.1%}")
for digit in sorted(set(y_held_out)):
    rows = y_held_out == digit
    print(f"  {digit}: {np.sum(before_held_out[rows] == digit)} of {np.sum(rows)}")
print(f"MNIST test error: {before_test_error:.2f}% ({len(y_test)} images)")

# %% Your digits, augmented afresh in every batch
# Small random turns, zooms and shifts: the model sees each of your digits a little
# differently every time, so that it learns their style rather than the few images.
augmentation = keras.Sequential(
    [
        layers.RandomRotation(ROTATION_DEGREES / 360, fill_mode="constant", seed=SEED),
        layers.RandomZoom(ZOOM_FRACTION, fill_mode="constant", seed=SEED),
        layers.RandomTranslation(SHIFT_FRACTION, SHIFT_FRACTION, fill_mode="constant", seed=SEED),
    ],
    name="augmentation",
)


# %% Batches that mix your digits with MNIST (replay)
# Every gradient step sees your digits, augmented afresh, and MNIST images beside them, so
# the model learns the new styles without being pulled away from the old ones.
class ReplayBatches(keras.utils.PyDataset):
    """Batches of `own_per_batch` own digits, through `augmentation`, and `batch_size -
    own_per_batch` images replayed from MNIST, shaped as `input_shape`; an epoch shows each
    own digit `copies_per_epoch` times. `own` and `replay` are (images, one-hot labels)."""

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
        self.own, self.own_labels = own
        self.replay, self.replay_labels = replay
        self.augmentation, self.input_shape = augmentation, input_shape
        self.batch_size, self.own_per_batch = batch_size, own_per_batch
        self.copies_per_epoch = copies_per_epoch
        self.random_generator = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return math.ceil(self.copies_per_epoch * len(self.own) / self.own_per_batch)

    def on_epoch_end(self):
        copies = np.tile(np.arange(len(self.own)), self.copies_per_epoch)
        self.order = self.random_generator.permutation(copies)

    def __getitem__(self, index):
        chosen = self.order[index * self.own_per_batch : (index + 1) * self.own_per_batch]
        own = keras.ops.convert_to_numpy(self.augmentation(self.own[chosen], training=True))
        replayed = self.random_generator.choice(len(self.replay), self.batch_size - len(chosen))
        images = np.concatenate([own, self.replay[replayed]]).reshape(-1, *self.input_shape)
        labels = np.concatenate([self.own_labels[chosen], self.replay_labels[replayed]])
        return images, labels


# %% The careful way: replay, a low learning rate, the features and batch norm kept
# As the Keras transfer-learning guide says: keep the layers that find strokes and shapes
# (all before Flatten) as they are and train the classifier on top; a frozen
# BatchNormalization layer runs in inference mode and keeps MNIST's statistics. Changes to
# `trainable` count only after compile().
careful_model = common.load_model(MODEL_PATH)
is_flatten = [isinstance(layer, layers.Flatten) for layer in careful_model.layers]
classifier_start = is_flatten.index(True) + 1 if any(is_flatten) else 0  # lesson 1: all
for layer in careful_model.layers[:classifier_start]:
    layer.trainable = False
for layer in careful_model.layers:
    if isinstance(layer, layers.BatchNormalization):
        layer.trainable = False
careful_batches = ReplayBatches(
    own, replay, augmentation, input_shape, BATCH_SIZE, OWN_PER_BATCH, COPIES_PER_EPOCH, SEED
)
learning_rate = keras.optimizers.schedules.CosineDecay(
    FINE_TUNE_LEARNING_RATE, decay_steps=EPOCHS * len(careful_batches)
)
careful_model.compile(
    optimizer=keras.optimizers.Adam(learning_rate),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
start = time.perf_counter()
careful_model.fit(
    careful_batches,
    epochs=EPOCHS,
    verbose=VERBOSE,
)
adapt_seconds = time.perf_counter() - start
print(f"Adapting took {adapt_seconds:.1f} s.")

# %% The naive way: your digits alone, at the usual learning rate
# What many demos do: every layer trains, batch normalization learns the statistics of a few
# of your digits, and nothing reminds the model of the other digits: it forgets them
# (catastrophic forgetting).
naive_model = common.load_model(MODEL_PATH)
naive_model.compile(
    optimizer=keras.optimizers.Adam(NAIVE_LEARNING_RATE),
    loss="categorical_crossentropy",
    metrics=["accuracy"],
)
# Batches of your digits only (as large as the own digits in a careful batch): none replayed.
naive_batches = ReplayBatches(
    own,
    replay,
    augmentation,
    input_shape,
    OWN_PER_BATCH,
    OWN_PER_BATCH,
    COPIES_PER_EPOCH,
    SEED,
)
naive_model.fit(naive_batches, epochs=EPOCHS, verbose=VERBOSE)

# %% Compare: your held-out digits, and MNIST
after, test_errors = {}, {"before": before_test_error}
for way, model in (("careful", careful_model), ("naive", naive_model)):
    after[way], predicted_test = read(model, x_held_out, x_test)
    test_errors[way] = 100 * np.mean(predicted_test != y_test)
print("Held-out digits read right, per digit:")
print(f"{'digit':>5} {'images':>6} {'before':>8} {'careful':>8} {'naive':>8}")
held_out_answers = {"before": before_held_out, **after}
digits_held_out = sorted(set(y_held_out))
for digit in digits_held_out:
    rows = y_held_out == digit
    counts = [np.sum(predicted[rows] == digit) for predicted in held_out_answers.values()]
    print(f"{digit:>5} {np.sum(rows):>6} " + " ".join(f"{count:>8}" for count in counts))
read_right = {way: int(np.sum(answers == y_held_out)) for way, answers in held_out_answers.items()}
held_out_accuracy = {way: count / len(y_held_out) for way, count in read_right.items()}
print(
    "all   " + f"{len(y_held_out):>6} " + " ".join(f"{a:>8.1%}" for a in held_out_accuracy.values())
)
for way in ("careful", "naive"):
    change = test_errors[way] - before_test_error
    print(f"MNIST test error, {way}: {test_errors[way]:.2f}% ({change:+.2f} points)")

# %% Figures: per digit, the digits misread before, and what MNIST pays
per_digit = {
    name: [np.mean(predicted[y_held_out == digit] == digit) for digit in digits_held_out]
    for name, predicted in held_out_answers.items()
}
colors = {"before": "grey", "careful": "C0", "naive": "C3"}
figure, (digit_axis, mnist_axis) = plt.subplots(1, 2, figsize=(12, 4))
positions = np.arange(len(digits_held_out))
for offset, (name, accuracies) in zip((-0.27, 0, 0.27), per_digit.items()):
    digit_axis.bar(
        positions + offset, 100 * np.array(accuracies), width=0.27, label=name, color=colors[name]
    )
digit_axis.set_xticks(positions, [f"{d}\n({np.sum(y_held_out == d)})" for d in digits_held_out])
digit_axis.set_xlabel("Digit (held-out images)")
digit_axis.set_ylabel("Read right (%)")
digit_axis.set_title("Your held-out digits")
digit_axis.legend()
mnist_axis.bar(list(test_errors), list(test_errors.values()), color=list(colors.values()))
for position, error in enumerate(test_errors.values()):
    mnist_axis.text(position, error, f"{error:.2f}%", ha="center", va="bottom")
mnist_axis.set_ylim(0, 1.15 * max(test_errors.values()))  # room for the labels
mnist_axis.set_ylabel("MNIST test error (%)")
mnist_axis.set_title(f"What it costs on MNIST ({len(y_test)} test images)")
figure.suptitle("Lesson 8: adapting to your handwriting")
figure.tight_layout()
pictures.save_figure(figure, OUTPUT_DIR, f"{NAME}_before_after.png", show=SHOW)

misread = np.flatnonzero(before_held_out != y_held_out)[:MISREAD_TO_SHOW]
if len(misread):
    figure, axes = plt.subplots(1, len(misread), figsize=(1.6 * len(misread), 2.2), squeeze=False)
    for axis, index in zip(axes[0], misread):
        axis.imshow(x_held_out[index, :, :, 0], cmap="gray")
        axis.set_title(f"read {before_held_out[index]}, now {after['careful'][index]}", fontsize=9)
        axis.axis("off")
    figure.suptitle("Held-out digits misread before, and how the adapted model reads them")
    figure.tight_layout()
    pictures.save_figure(figure, OUTPUT_DIR, f"{NAME}_misread_before.png", show=SHOW)

# %% Save the adapted model under its own name
# The model it started from is only read, never written: the way back is always there.
adapted_path = common.save_model(careful_model, OUTPUT_DIR, NAME)
print(f"Read with it: python 07_draw_digit.py --model {common.display_path(adapted_path)}")
print(
    f"\nHeld-out digits read right: {held_out_accuracy['before']:.1%} before, "
    f"{held_out_accuracy['careful']:.1%} after; MNIST test error: {before_test_error:.2f}% -> "
    f"{test_errors['careful']:.2f}% (the naive way: {test_errors['naive']:.2f}%)"
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
# 2. Set OWN_PER_BATCH to BATCH_SIZE (no replay) and run again. How far does the MNIST test
#    error climb, and which of the two changes, replay or the learning rate, matters more?
# 3. Run with `--epochs 50`. Do your held-out digits still improve, or does the model start
#    to learn your adaptation digits by heart?
