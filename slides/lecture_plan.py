"""What the course's 90-minute lecture shows, part by part (PARTS), and the constants it
keeps to; lecture.py makes its slides from the executed notebooks, lecture_stages.py its
stage table, agenda and recap.

Each item of a part is one of:

- Idea(lesson, title, figure): an idea of a lesson, by its title: its bullets, or, where
  the lecture gives it a figure (the title of the cell that drew it), the figure under the
  idea's first sentence; `printed`: a cell whose printed lines go under its bullets;
  `notes_from`: a cell whose printed lines go into the notes;
- Figure(lesson, cell): a figure that a lesson's cell drew;
- Code(lesson, cell, keep): the statements of a cell that contain one of the words of
  `keep` (the model, compile, fit, evaluate), whole, never cut inside a call;
- Printed(lesson, cell): what a cell printed;
- StageTable(), Recap(): the stages as the notebooks measured them, and the recap.
"""

import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = PROJECT_DIR / "notebooks"
NAME = "lecture"
TITLE = "Reading handwritten digits with Keras"
MOST_SLIDES = 60
MOST_MINUTES = 80  # of the 90: the rest is for questions
MOST_CODE_SLIDES = 12
MOST_LEAD_LINES = 2  # an idea's first sentence above its figure
SMALLEST_BULLET_POINTS = 20  # an idea's bullets shrink to this to fit one slide
OVERFITTING_FIGURE = PROJECT_DIR / "docs" / "figures" / "overfitting_curves.png"
OVERFITTING_COMMAND = "python bench/bench_overfitting.py --data mnist.npz"
MINUTES_NOTE = re.compile(r"^Part (\d+) of (\d+): (.+) · (\d+) minutes$", re.MULTILINE)
# The stages the table compares: (stage, lesson).
STAGES = [
    ("Multilayer perceptron", "01_mlp_baseline"),
    ("Simple CNN", "02_simple_cnn"),
    ("Deeper CNN", "03_large_cnn"),
    ("Best recipe", "05_best_cnn"),
]
TABLE_HEADER = ["Stage", "Lesson", "Parameters", "Epochs", "Test error", "Training time"]
TEST_ERROR = re.compile(r"^Test error: ([\d.]+%) \((\d+) of (\d+) misclassified\)")
ONE_PASS = re.compile(r"^One pass of the model: ([\d.]+%) test error")
TRAINING_TIME = re.compile(r"^Training took ([\d.]+) s\.$")
EPOCH = re.compile(r"^Epoch \d+/(\d+)$")  # Keras' line at the start of each epoch
TOTAL_PARAMETERS = re.compile(r"^Total params: ([\d,]+)")


# What a slide of the lecture shows; PARTS lists them.
@dataclass
class Idea:
    lesson: str
    title: str
    figure: str = ""  # the title of the cell that drew it, or OVERFITTING
    printed: str = ""  # or the title of a cell whose printed lines go under its sentence
    notes_from: str = ""  # a cell whose printed lines go into the notes


@dataclass
class Figure:
    lesson: str
    cell: str


@dataclass
class Code:
    lesson: str
    cell: str
    keep: tuple = ()  # the statements that contain one of these words; () all of them
    printed: bool = False  # what the cell printed, below the code


@dataclass
class Printed:
    lesson: str
    cell: str
    also: tuple = ()  # more cells whose printed lines follow, in order
    title: str = ""  # the slide's title; "" for the cell's own, with "what the notebook printed"


class StageTable:
    pass


class Recap:
    pass


OVERFITTING = "overfitting"
D, M, C, L, W, B = (
    "00_load_data",
    "01_mlp_baseline",
    "02_simple_cnn",
    "03_large_cnn",
    "04_analyze_errors",
    "05_best_cnn",
)
# The lecture: (part, minutes, its slides).
PARTS = [
    (
        "The data",
        8,
        [
            Idea(D, "Seventy thousand handwritten digits", "24 random training digits"),
            Idea(M, "Keras, and the backend that runs it"),
            Code(D, "Load the data", ("load_data",), printed=True),
            Idea(D, "Where MNIST comes from"),
            Idea(D, "Why handwriting is hard", "The same digit, by different writers"),
            Idea(D, "An image is a grid of numbers", "One image as numbers"),
            Idea(D, "Why pixels are scaled to 0-1"),
            Idea(D, "The training set and the test set"),
            Idea(D, "One-hot labels"),
            Code(M, "Prepare the data", ("/ 255", "to_categorical", "split =", "= x_train[")),
        ],
    ),
    (
        "A multilayer perceptron",
        20,
        [
            Idea(M, "A neuron"),
            Idea(
                M, "The perceptron, and what one straight line can separate", "The perceptron and"
            ),
            Idea(M, "Sequential: a feed-forward network", "Lesson 1's network as a graph"),
            Idea(M, "A dense layer is a matrix product"),
            Idea(M, "ReLU and softmax", "ReLU on the sums of real neurons"),
            Code(M, "Build the model", ("keras.Sequential",)),
            Idea(M, "Cross-entropy: how wrong an answer is", "The loss against the probability"),
            Idea(M, "Forward pass, gradient, backpropagation"),
            Idea(M, "One gradient-descent step, by hand", printed="One gradient-descent step"),
            Idea(M, "Batches, steps and epochs"),
            Idea(M, "Hyperparameters: the choices made before training"),
            Code(M, "Train", ("steps_per_epoch =", "CosineDecay", "model.compile", "model.fit")),
            Idea(M, "Validation: watching for overfitting", OVERFITTING),
            Code(M, "Evaluate on the test set, once", ("model.evaluate",), printed=True),
            Idea(M, "What the network learned", "What hidden neurons look for"),
            Figure(M, "Ten scores become ten probabilities"),
            Idea(M, "Saving and loading a model"),
        ],
    ),
    (
        "A simple convolutional network",
        17,
        [
            Idea(C, "A convolution: a small filter slides over the image", "The filter slides"),
            Idea(
                C,
                "One output pixel, computed by hand",
                "The patch and the filter",
                notes_from="One output pixel, computed by hand",
            ),
            Idea(C, "Padding and stride set the output's size", "Padding and stride"),
            Idea(C, "Why so few parameters"),
            Idea(C, "Max pooling on real numbers", "Max pooling on real numbers"),
            Idea(C, "Feature maps, pooling, dropout, and the dense head"),
            Idea(C, "Dropout switches numbers off", "Dropout, step by step"),
            Code(C, "Build the model", ("keras.Sequential",)),
            Figure(C, "The model as a diagram"),
            Printed(C, "Train", ("Evaluate on the test set, once",), "Lesson 2 trained and tested"),
            Figure(C, "What the first convolutional layer learned"),
        ],
    ),
    (
        "A deeper convolutional network",
        10,
        [
            Idea(L, "Stacking convolutions"),
            Code(L, "Build the model", ("keras.Sequential",)),
            Idea(L, "Deeper and narrower", "The chosen model as a diagram"),
            Idea(L, "The cost of growing feature maps", printed="What each convolution costs"),
            Idea(L, "The receptive field grows with depth", "How much of the digit each layer"),
            Printed(L, "Train", ("Evaluate on the test set, once",), "Lesson 3 trained and tested"),
        ],
    ),
    (
        "What they get wrong",
        7,
        [
            Idea(W, "Test error and accuracy", "Show the mistakes"),
            Idea(W, "How sure it was when it was wrong", "How sure it was, right and wrong"),
            Idea(W, "The confusion matrix, row by row", "Which digits are confused with which"),
        ],
    ),
    (
        "How the best recipe gets lower",
        12,
        [
            Idea(B, "Ingredient 1: data augmentation", "What augmentation makes of one digit"),
            Code(B, "Ingredient 1: data augmentation"),
            Idea(B, "Ingredient 2: batch normalization", "What batch normalization does"),
            Idea(B, "Ingredient 3: a deeper network of small filters"),
            Idea(B, "Ingredient 4: a learning-rate schedule with warm-up", "The learning rate"),
            Idea(B, "Ingredient 5: test-time augmentation"),
            Idea(B, "Ensembles: how the best results are reached"),
            StageTable(),
        ],
    ),
    (
        "Recap and where to go next",
        4,
        [
            Idea(C, "Where convolutional networks are used"),
            Idea(L, "Beyond this course: other layers, and networks trained before"),
            Recap(),
        ],
    ),
]


class LectureProblem(Exception):
    """Something the lecture names that a notebook does not have; says what to change."""
