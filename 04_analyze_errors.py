"""
Title: Lesson 4 - What the models get wrong
Description: Compare the models that lessons 01-03 (and 05) saved, then look closely at the
    mistakes of one of them, lesson 3's by default: which digits, how confident, which pairs
    get confused. Nothing is retrained.

Run (after at least one of lessons 01-03):
    python 04_analyze_errors.py                          # every saved model; lesson 3's in detail
    python 04_analyze_errors.py --model outputs/models/05_best_cnn.keras
    python 04_analyze_errors.py --index 340 740 1260     # probabilities of chosen test images
    In a notebook (notebooks/04_analyze_errors.ipynb), set the same options in OPTIONS below.

Expected: a table of the saved stages and the mistakes of lesson 3's model: 83 of 10000
test images misclassified in the notebook (83-92 over seeds, lesson 3's 0.83-0.92%), and
four figures in outputs/figures/. Takes a few seconds.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import ConfusionMatrixDisplay, classification_report, confusion_matrix

import common
import pictures

GRID_ROWS, GRID_COLUMNS = 3, 6  # misclassified images shown in the grid
CONFIDENT_MISTAKES = 3  # the most confident mistakes, with all their probabilities
CONFUSED_PAIRS = 5  # the most frequent (true digit, predicted digit) pairs
UNSURE_CORRECT = 5  # the correct predictions made with the least confidence
CURVES_MARGIN = 0.005  # the all-stages curves: room around the data, in accuracy or loss
CONFIDENCE_BINS = 20  # the bars of the confidence histogram, each 5 points wide
SURE = 0.9  # a mistake made with at least this confidence is a confident one
FONT_POINTS = 14  # the figures' text: legible on a lecture slide
INDICES = []  # test images whose ten probabilities are printed, e.g. [340, 740, 1260]
MNIST_PATH = None  # mnist.npz or a folder of IDX files; None: $MNIST_DATA, else downloaded
QUICK = False  # True: the first 500 test images only
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the models are read and the figures saved here
# The model to analyse: lesson 3's, the one the lecture builds, saved in OUTPUT_DIR; set
# MODEL_PATH to a saved .keras file, such as your own model, to analyse that one instead.
STAGE = "03_large_cnn"
MODEL_PATH = None
SHOW = False  # also open each figure in a window (a notebook shows it below the cell)

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 04_analyze_errors.py
# --index 340 740, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
lesson_options = {
    "--model": {
        "dest": "MODEL_PATH",
        "metavar": "PATH",
        "help": "a saved .keras model to analyse (default: lesson 3's, else the best one saved)",
    },
    "--index": {
        "dest": "INDICES",
        "type": int,
        "nargs": "+",
        "metavar": "N",
        "help": "test images whose full probability list to print, e.g. --index 340 740 1260",
    },
}
changed = course.start(globals(), OPTIONS, lesson_options)
# MODEL_PATH, else lesson 3's model, else (when lesson 3 has not run) the best one saved.
MODEL_PATH = course.find_model(MODEL_PATH, OUTPUT_DIR, first_choice=STAGE)

# %% [markdown]
# ## Test error and accuracy
# Accuracy is the share of the test images a model reads right; the test error is the share
# it reads wrong. Near the top they say the same thing in a way that hides the difference:
# 99.00% and 99.17% accuracy look alike, but as errors, 1.00% and 0.83%, they are 100
# mistakes against 83 among 10,000 images, a sixth fewer. The last line of each training
# lesson reports the error, with the count of mistakes, for that reason.

# %% The saved stages compared
# Each training lesson records its model's numbers in OUTPUT_DIR/metrics/<stage>.json. A stage
# trained with QUICK is marked: its error is on 500 test images only. Lesson 5's test error
# averages the answers for augmented copies of each test image (test-time augmentation).
metrics_files = sorted((Path(OUTPUT_DIR) / common.METRICS).glob("*.json"))
if metrics_files:  # none where the lessons ran without the course's record cells
    print(f"{'stage':26} {'parameters':>10} {'test error':>10} {'wrong':>6} {'training':>9}")
for metrics_file in metrics_files:
    metrics = json.loads(metrics_file.read_text())
    print(
        f"{metrics_file.stem:26} {metrics['parameters']:10,d} "
        f"{metrics['test_error_percent']:9.2f}% {metrics['misclassified']:6d} "
        f"{metrics['train_seconds']:8.1f}s" + ("  (quick)" if metrics.get("quick") else "")
    )

# %% Mistakes of the chosen model
model_file = MODEL_PATH or common.model_path(OUTPUT_DIR, STAGE)
model = common.load_model(model_file)
stage = Path(model_file).stem
(_, _), (x_test, y_test) = common.load_mnist(MNIST_PATH, quick=QUICK)
# Shape the images the way this model was trained on them: rows of pixels or 28x28x1 grids.
images = common.scale_pixels(x_test).reshape(len(x_test), *model.input_shape[1:])
probabilities = model.predict(images, verbose=0)
predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = np.flatnonzero(predicted != y_test)
print(
    f"Misclassified by {stage}: {len(wrong)} of {len(y_test)} test images "
    f"({100 * len(wrong) / len(y_test):.2f}% test error)"
)

# %% Show the mistakes
shown = wrong[: GRID_ROWS * GRID_COLUMNS]
figure, axes = plt.subplots(GRID_ROWS, GRID_COLUMNS, figsize=(11.5, 5.3), layout="constrained")
for axis in axes.flat:
    axis.axis("off")
for index, axis in zip(shown, axes.flat):
    axis.imshow(x_test[index], cmap="gray")
    title = f"#{index}: {predicted[index]} (true {y_test[index]})\n{confidence[index]:.0%} sure"
    axis.set_title(title, fontsize=FONT_POINTS)
figure.suptitle(
    f"{stage}: {len(shown)} of its {len(wrong)} mistakes (read as, true digit, confidence)",
    fontsize=FONT_POINTS + 1,
)
pictures.save_figure(figure, OUTPUT_DIR, f"04_misclassified_{stage}.png", show=SHOW)

# %% Chosen test images
# A message names the setting as it was given: INDICES, or --index on a command line.
indices_name = common.setting_name("INDICES", "--index")
outside = [index for index in INDICES if not 0 <= index < len(y_test)]
if outside:
    raise common.UserError(
        f"{indices_name} {' '.join(map(str, outside))} is outside the test set "
        f"(0 to {len(y_test) - 1})"
    )
if INDICES:
    common.print_predictions(probabilities, y_test, INDICES)
else:
    print(f"Name test images in {indices_name} to see all ten probabilities of each.")

# %% [markdown]
# ## How sure it was when it was wrong
# The probability of the digit a model answers is its confidence. A good model is sure when
# it is right and unsure when it is wrong, so that its confidence can be trusted. The
# histogram counts the right and the wrong answers by confidence; a table after it lists the
# mistakes it made most confidently, with all ten probabilities.

# %% How sure it was, right and wrong
figure, axis = plt.subplots(figsize=(9, 4.2), layout="constrained")
right = np.flatnonzero(predicted == y_test)
bins = np.linspace(0, 1, CONFIDENCE_BINS + 1)
counts = [confidence[right], confidence[wrong]]
axis.hist(counts, bins=bins, log=True, label=["right answers", "mistakes"])
axis.set_xlabel("confidence: the probability of the digit answered", fontsize=FONT_POINTS)
axis.set_ylabel("test images", fontsize=FONT_POINTS)
axis.tick_params(labelsize=FONT_POINTS)
axis.legend(fontsize=FONT_POINTS)
axis.set_title(f"{stage}: how sure it was", fontsize=FONT_POINTS + 1)
pictures.save_figure(figure, OUTPUT_DIR, f"04_confidence_{stage}.png", show=SHOW)
sure_and_wrong = int(np.sum(confidence[wrong] >= SURE))
print(f"{sure_and_wrong} of the {len(wrong)} mistakes were made with {SURE:.0%} or more.")

# %% The most confident mistakes
print(f"The {CONFIDENT_MISTAKES} most confident mistakes:")
most_confident = wrong[np.argsort(-confidence[wrong])][:CONFIDENT_MISTAKES]
common.print_predictions(probabilities, y_test, most_confident)

# %% [markdown]
# ## The confusion matrix, row by row
# The confusion matrix counts, for every true digit (a row) and every answer (a column), how
# many test images got that answer. The diagonal holds the right answers. Read one row: of
# all the images of that digit, how many were read right, and what the others were taken
# for. A large number off the diagonal is a pair of digits the model confuses.

# %% Which digits are confused with which
digits = list(range(common.NUM_CLASSES))
matrix = confusion_matrix(y_test, predicted, labels=digits)
# Cells wider than tall, so that a count of four digits fits its cell.
figure, axis = plt.subplots(figsize=(9.5, 5.2), layout="constrained")
display = ConfusionMatrixDisplay(matrix, display_labels=digits)
display.plot(
    ax=axis,
    cmap="Blues",
    colorbar=False,
    text_kw={"fontsize": FONT_POINTS},
    im_kw={"aspect": "auto"},
)
axis.set_title(f"{stage}: true digit (rows), answer (columns)", fontsize=FONT_POINTS)
axis.set_xlabel("Predicted digit", fontsize=FONT_POINTS)
axis.set_ylabel("True digit", fontsize=FONT_POINTS)
axis.tick_params(labelsize=FONT_POINTS)
pictures.save_figure(figure, OUTPUT_DIR, f"04_confusion_matrix_{stage}.png", show=SHOW)
worst = int(np.argmin(np.diag(matrix) / np.maximum(matrix.sum(axis=1), 1)))  # hardest digit
others = [f"{count} as {d}" for d, count in enumerate(matrix[worst]) if count and d != worst]
print(f"Row {worst}: of the {matrix[worst].sum()} test images of the digit {worst},")
print(f"{matrix[worst, worst]} were read right, the others: {', '.join(others) or 'none'}")

# %% [markdown]
# ## Precision and recall, digit by digit
# Two questions for each digit. Recall: of the images of a 9, how many did the model read as
# a 9? Precision: of the images the model read as a 9, how many were a 9? A model that
# answered 9 for every doubtful image would have a high recall for 9 and a low precision. The
# report below answers both for every digit; first the two for one digit, by hand.

# %% Precision and recall, digit by digit
right_answers, actual, answered = matrix[worst, worst], matrix[worst].sum(), matrix[:, worst].sum()
recall, precision = right_answers / actual, right_answers / max(answered, 1)
print(f"Recall of {worst}: {right_answers} of its {actual} images, {recall:.4f}")
print(f"Precision of {worst}: {right_answers} of {answered} answers {worst}, {precision:.4f}")
print(classification_report(y_test, predicted, labels=digits, digits=4, zero_division=0))

# %% The most confused pairs
print("The most confused pairs:")
off_diagonal = matrix - np.diag(np.diag(matrix))
pairs = np.dstack(np.unravel_index(np.argsort(-off_diagonal, axis=None), matrix.shape))[0]
for true_digit, predicted_digit in pairs[:CONFUSED_PAIRS]:
    count = off_diagonal[true_digit, predicted_digit]
    if count:
        print(f"a {true_digit} read as {predicted_digit}: {count} times")

# %% The least confident correct predictions
print("The least confident correct predictions:")
for index in right[np.argsort(confidence[right])][:UNSURE_CORRECT]:
    second = np.argsort(-probabilities[index])[1]
    print(
        f"#{index}: {y_test[index]} with {100 * confidence[index]:.1f}% "
        f"(next: {second} with {100 * probabilities[index][second]:.1f}%)"
    )

# %% Training curves of all stages
# The course's record keeps every training lesson's loss and accuracy per epoch in
# OUTPUT_DIR/history/; without it, there is nothing to draw here.
history_files = sorted((Path(OUTPUT_DIR) / common.HISTORY).glob("*.json"))
histories = {path.stem: json.loads(path.read_text()) for path in history_files}
if histories:
    figure, (accuracy_axis, loss_axis) = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    for stage_name, history in histories.items():
        epochs = range(1, len(history["loss"]) + 1)
        for axis, metric in [(accuracy_axis, "accuracy"), (loss_axis, "loss")]:
            (line,) = axis.plot(epochs, history[f"val_{metric}"], "o-", label=stage_name)
            axis.plot(epochs, history[metric], "--", color=line.get_color(), alpha=0.5)
    # Zoom in where the stages differ: each stage's first epoch, far below the rest, is cut
    # off at the edge (a stage of one epoch keeps it).
    later = {"accuracy": [], "loss": []}
    for history in histories.values():
        for metric, values in later.items():
            for key in (metric, f"val_{metric}"):
                values += history[key][1:] or history[key]
    accuracy_axis.set_ylim(min(later["accuracy"]) - CURVES_MARGIN, 1.0)
    loss_axis.set_ylim(0.0, max(later["loss"]) + CURVES_MARGIN)
    for axis, label in [(accuracy_axis, "Accuracy"), (loss_axis, "Loss (cross-entropy)")]:
        axis.set_xlabel("Epoch", fontsize=FONT_POINTS)
        axis.set_title(label, fontsize=FONT_POINTS)
        axis.tick_params(labelsize=FONT_POINTS)
        axis.grid(True, alpha=0.3)
    loss_axis.legend(fontsize=FONT_POINTS - 1, loc="upper left", bbox_to_anchor=(1.02, 1))
    figure.suptitle(
        "Every saved stage: validation (solid), training (dashed)", fontsize=FONT_POINTS + 1
    )
    pictures.save_figure(figure, OUTPUT_DIR, "04_training_curves_all.png", show=SHOW)

print(
    f"\nTest error of {stage}: {100 * len(wrong) / len(y_test):.2f}% "
    f"({len(wrong)} of {len(y_test)} misclassified)"
)

# %% [markdown]
# ## Try it
# 1. Look at the misclassified grid. For how many of the mistakes would you have given the
#    true label yourself, and how many could be either digit?
# 2. Analyse lesson 1's model: set MODEL_PATH to `01_mlp_baseline.keras` in outputs/models/
#    (`--model PATH` from a terminal). Are its most confused pairs the same as lesson 3's?
# 3. Print the probabilities of the three most confident mistakes: put their numbers in
#    INDICES (`--index` from a terminal) and look at the images. Is the model ever sure and
#    wrong where a person would not be?
