"""A small executed notebook in the lessons' structure, made without running anything, for the
deck's rules: the course's cells, ideas (with a list, with sentences only, too long for two
slides, short enough to go beside its picture, above it or on top of the next step), a setup
cell, two
choices of a VARIANT, a cell too long for two slides, model.summary()'s table of 19 layers,
figures with and without a title and description in their PNG, the course's bookkeeping
lines, and short cells to merge."""

import base64
import io

import nbformat
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

NAME = "09_synthetic"
FIGURE_DPI = 200
# A figure drawn at 200 dpi whose smallest text is 12 pt: on a slide at 150 dpi or less it
# shows at 16 pt or more.
READABLE_FONT = 12.0
SUMMARY_LAYERS = 19
LONG_CELL_LAYERS = 40  # a Sequential too long for two slides
IDEA_WITH_LIST = "Filters find small patterns"
IDEA_ITEMS = [
    "a filter is a 5x5 grid of weights",
    "it slides over the image, one step at a time",
    "its output is bright where its pattern lies",
]
IDEA_OF_SENTENCES = "Pooling keeps the strongest response"
SHORT_IDEA = "The curves show overfitting"
SHORT_IDEA_WITHOUT_PICTURE = "Test only once"
IDEA_ABOVE_WIDE_PICTURE = "The mistakes side by side"
WIDE_FONT = 14.0  # readable across the slide, too small beside an idea
LONG_IDEA = "Everything about learning rates"
FIGURE_DESCRIPTION = "Accuracy and loss per epoch, for training and validation"
BANNER = "Python 3.11.7 | Keras 3.15.1 | TensorFlow 2.21.0 | trains on: CPU"


def png(width, height, title=None, description=None, smallest_font=None):
    """A PNG as pictures.save_figure writes them: 200 dpi, with its text chunks if given."""
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).rectangle([10, 10, width - 10, height - 10], outline="black")
    info = PngInfo()
    for key, value in (
        ("Title", title),
        ("Description", description),
        ("Smallest font", smallest_font),
    ):
        if value is not None:
            info.add_text(key, str(value))
    raw = io.BytesIO()
    image.save(raw, format="png", pnginfo=info, dpi=(FIGURE_DPI, FIGURE_DPI))
    return base64.b64encode(raw.getvalue()).decode()


def stream(text):
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def shown_png(data):
    return nbformat.v4.new_output("display_data", data={"image/png": data, "text/plain": "<Image>"})


def summary_outputs(layers):
    """model.summary()'s display outputs as Keras 3 prints them in a notebook."""
    rule = "├" + "─" * 33 + "┼" + "─" * 24 + "┼" + "─" * 15 + "┤"
    rows = []
    for index in range(layers):
        name = f"dense_{index} (Dense)" if index != 3 else "a_rather_long_layer_name_3"
        rows.append(f"│ {name:<31} │ {'(None, 64)':<22} │ {index * 1000:>13,} │")
        if index == 3:  # rich wraps a long name onto a second line of the same row
            rows.append(f"│ {'(Dense)':<31} │ {'':<22} │ {'':>13} │")
        rows.append(rule)
    table = "\n".join(
        [
            "┏" + "━" * 33 + "┳" + "━" * 24 + "┳" + "━" * 15 + "┓",
            f"┃ {'Layer (type)':<31} ┃ {'Output Shape':<22} ┃ {'Param #':>13} ┃",
            "┡" + "━" * 33 + "╇" + "━" * 24 + "╇" + "━" * 15 + "┩",
            *rows[:-1],
            "└" + "─" * 33 + "┴" + "─" * 24 + "┴" + "─" * 15 + "┘",
        ]
    )
    texts = [
        '\x1b[1mModel: "synthetic"\x1b[0m',
        table,
        "\x1b[1m Total params: \x1b[0m\x1b[38;5;34m171,000\x1b[0m (668.00 KB)",
        "\x1b[1m Trainable params: \x1b[0m\x1b[38;5;34m171,000\x1b[0m (668.00 KB)",
        "\x1b[1m Non-trainable params: \x1b[0m\x1b[38;5;34m0\x1b[0m (0.00 B)",
    ]
    return [
        nbformat.v4.new_output("display_data", data={"text/plain": text, "text/html": ""})
        for text in texts
    ]


def code_step(title, code, outputs=(), words=""):
    """The two cells notebooks/build.py makes of a `# %% <title>` cell."""
    heading = f"## {title}" + (f"\n\n{words}" if words else "")
    cell = nbformat.v4.new_code_cell(code)
    cell.outputs = list(outputs)
    return [nbformat.v4.new_markdown_cell(heading), cell]


def idea(title, text):
    return nbformat.v4.new_markdown_cell(f"## {title}\n\n{text}")


def long_sequential():
    layers = "".join(f"        layers.Dense({index}),\n" for index in range(LONG_CELL_LAYERS))
    return f"model = keras.Sequential(\n    [\n{layers}    ]\n)"


def notebook():
    header = (
        "# Lesson 9 - A synthetic lesson\n\nEvery rule of the decks, in one small notebook.\n\n"
        "**Run:**\n```bash\npython 09_synthetic.py\npython 09_synthetic.py --quick\n```\n\n"
        "**Expected:** a test error of about 1%."
    )
    sentences = " ".join(
        f"Sentence {number} says one more thing about the learning rate and why it matters."
        for number in range(40)
    )
    cells = [nbformat.v4.new_markdown_cell(header)]
    cells += code_step(
        "The course's start: leave it out when you copy",
        'import sys; sys.path.append("..")  # the course\'s modules are one folder up\n'
        "import course",
        words="Keras starts quietly.",
    )
    cells += code_step(
        "Setup",
        "import keras\nfrom keras import layers\n\nimport common\n\n"
        "EPOCHS = 7  # passes over the training data\n"
        "BATCH_SIZE = 200  # images per gradient step\n"
        'VARIANT = "small"  # which model to build\n'
        "SEED = 42  # the same seed prints the same numbers\n",
    )
    cells += code_step(
        "The course's command line: leave it out when you copy",
        'OPTIONS = ""\ncourse.start(globals(), OPTIONS)',
        [stream(f"Options from the OPTIONS line: --quick\n{BANNER}\n")],
        words="The options replace the settings above.",
    )
    cells.append(
        idea(
            IDEA_WITH_LIST,
            "A dense layer looks at every pixel at once. A convolution looks at a small patch."
            "\n\n" + "\n".join(f"- {item}" for item in IDEA_ITEMS),
        )
    )
    cells += code_step(
        "Prepare the data",
        "(x_train, y_train), (x_test, y_test) = common.load_mnist(None)\n"
        "print(x_train.shape)\nprint(x_test.shape)\nprint(y_train.shape)",
        [stream("Source: ../mnist.npz\n(60000, 28, 28)\n(10000, 28, 28)\n(60000,)\n")],
    )
    cells.append(
        idea(
            IDEA_OF_SENTENCES,
            "Max pooling keeps the strongest response in each 2x2 block. The image halves in "
            "each direction. A small shift of the digit changes little.",
        )
    )
    for value in ("large", "small"):
        cells += code_step(
            f"The {value} model",
            f'if VARIANT == "{value}":\n    model = keras.Sequential([layers.Dense({len(value)})])',
        )
    cells += code_step("The chosen model, layer by layer", "model.summary()", summary_outputs(19))
    cells += code_step("A model too long for two slides", long_sequential())
    cells.append(idea(LONG_IDEA, sentences))
    cells.append(idea(SHORT_IDEA_WITHOUT_PICTURE, "The test set is looked at once, at the end."))
    cells += code_step("Evaluate", "scores = model.evaluate(x_test, y_test)", words="Once.")
    cells += code_step(
        "Print the result",
        'print(f"Test error: {100 - scores:.2f}%")',
        [stream("Test error: 1.00% (100 of 10000 misclassified)\n")],
    )
    cells.append(idea(SHORT_IDEA, "Validation loss that rises while training loss falls."))
    # Its first line reads a value, so that the cell is not one that only draws (those show
    # their figure alone, without their code).
    cells += code_step(
        "Inspect the training curves",
        "epochs = len(history.history['loss'])\n"
        "figure = common.training_curves_figure(history.history)\n"
        'pictures.save_figure(figure, OUTPUT_DIR, "09_curves.png", show=SHOW)',
        [
            stream("Saved figure: ../outputs/figures/09_curves.png\n"),
            shown_png(png(1200, 800, "Training curves", FIGURE_DESCRIPTION, READABLE_FONT)),
            nbformat.v4.new_output(
                "execute_result",
                data={"text/plain": "PosixPath('/home/someone/outputs/figures/09_curves.png')"},
                execution_count=1,
            ),
        ],
    )
    cells += code_step(
        "A picture that says nothing of itself",
        "pictures.show_picture(PHOTO)",
        [shown_png(png(800, 600, smallest_font=0))],  # a photo: no text, no title
    )
    cells.append(idea(IDEA_ABOVE_WIDE_PICTURE, "Each mistake with what the model read."))
    cells += code_step(
        "Show the mistakes",
        "".join(f"axes[{row}].imshow(mistakes[{row}])\n" for row in range(9))
        + 'pictures.save_figure(figure, OUTPUT_DIR, "09_mistakes.png", show=SHOW)',
        [shown_png(png(2400, 800, "The mistakes", "Every mistake", WIDE_FONT))],
    )
    cells += code_step(
        "Save the model",
        'common.save_model(model, OUTPUT_DIR, "09_synthetic")\n'
        "for path in PHOTOS:\n    print(read(path))",
        [
            stream(
                "Saved model: ../outputs/models/09_synthetic.keras\n"
                "Model: ../outputs/models/09_synthetic.keras\n"
                "../samples/photo_3.jpg: 3 (99.1%)\n"
                "Read with it: python 07_draw_digit.py --model ../outputs/models/09.keras\n"
            )
        ],
    )
    cells += code_step(
        "The course's record: leave it out when you copy",
        'course.record(OUTPUT_DIR, "09_synthetic", model)',
    )
    cells.append(
        nbformat.v4.new_markdown_cell(
            "## Try it\n1. Train for longer.\n2. Use more filters.\n3. Remove the dropout."
        )
    )
    made = nbformat.v4.new_notebook(cells=cells)
    made.nbformat_minor = 4  # as notebooks/build.py writes them: cells without ids
    for cell in made.cells:
        cell.pop("id", None)
    return made


def write_notebook(folder):
    """The synthetic lesson's notebook in `folder`; its path."""
    path = folder / f"{NAME}.ipynb"
    path.write_text(nbformat.writes(notebook()))
    return path
