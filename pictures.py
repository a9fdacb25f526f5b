"""The lessons' figures: saved and shown, and the pictures drawn from a Keras model.

- `save_figure(figure, output_dir, name, show)`: a Matplotlib figure saved as
  <output_dir>/figures/<name> (replacing an earlier file only once the new one is complete)
  and shown: below the cell in a notebook, in a window from a terminal when `show`. The PNG
  is sharp enough for a projector and says in words what it shows (its alt text).
- `show_picture(path)`: a picture file shown below the cell in a notebook.
- `model_diagram_figure(model, title)`: the model's layers as blocks, in order, each with
  its output shape and its number of parameters (read from `model.layers`).
- The pictures of the ideas the lessons teach, each drawn from the real data or model:
  `pixel_grid_figure` (an image as a grid of numbers), `neuron_weights_figure` (what hidden
  neurons look for), `softmax_figure` (ten scores become ten probabilities),
  `step_losses_figure` (the loss step by step), `schedule_figure` (a learning-rate
  schedule), `augmented_copies_figure` (a digit's augmented copies); convolution_pictures.py
  and network_pictures.py.

They draw with Matplotlib alone (no Graphviz to install), with text large enough for a
lecture deck (FONT_POINTS), and return the figure. Each function takes what it draws as
parameters, so it can be copied into coursework with its imports.
"""

import io
import math
from pathlib import Path

import keras
import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import common

# A deck shows a figure scaled to fit about 12.3 x 5.4 inches: drawn about that size, with
# text of 14 points or more, it stays legible from the back of a room.
FONT_POINTS = 14
SLIDE_WIDTH_INCHES, SLIDE_HEIGHT_INCHES = 12.3, 5.4
SCHEDULE_POINTS = 400  # steps at which schedule_figure draws the learning rate
# Figures are saved at 200 dots per inch, sharp on a projector at the size a lecture deck
# shows them, in a palette of 256 colours: about a third of the bytes, the same picture.
FIGURE_DPI = 200
FIGURE_COLOURS = 256
DESCRIPTION_CHARACTERS = 300  # the longest alt text a figure gets


def save_figure(figure, output_dir, name, show=False, description=None):
    """Save `figure` as <output_dir>/figures/<name> (PNG) and print where; a notebook shows
    it below the cell, a terminal in a window only if `show`. The PNG carries its title, what
    it shows in words (`description`, else `describe(figure)`) and its smallest font size.
    Returns nothing, so that a notebook shows no path below the figure."""
    import matplotlib.pyplot as plt

    drawn = io.BytesIO()
    figure.savefig(drawn, format="png", dpi=FIGURE_DPI, bbox_inches="tight")
    image = Image.open(drawn).convert("RGB").quantize(FIGURE_COLOURS, dither=Image.Dither.NONE)
    text = PngInfo()
    text.add_text("Title", figure_title(figure))
    text.add_text("Description", description or describe(figure))
    text.add_text("Smallest font", f"{smallest_font(figure):.1f}")
    path = Path(output_dir).expanduser() / common.FIGURES / name
    with common.replaced_atomically(path) as temporary:
        image.save(temporary, format="png", optimize=True, pnginfo=text, dpi=(FIGURE_DPI,) * 2)
    print(f"Saved figure: {common.display_path(path)}")
    if common.running_in_notebook():
        show_picture(path)
    elif show:
        plt.show()
    plt.close(figure)


def drawn_texts(figure):
    """The texts a figure shows: not empty, visible, and not on an axis that is switched off."""
    from matplotlib.text import Text

    figure.draw_without_rendering()  # ticks and their labels exist once a figure is drawn
    hidden = set()
    for axes in figure.get_axes():
        if not axes.axison:
            for axis in (axes.xaxis, axes.yaxis):
                hidden.update(id(text) for text in axis.findobj(Text))
    return [
        text
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip() and id(text) not in hidden
    ]


def smallest_font(figure):
    """The smallest font size of the texts a figure shows, in points (0 if it shows none)."""
    return min((text.get_fontsize() for text in drawn_texts(figure)), default=0.0)


def figure_title(figure):
    """The figure's title, else its first plot's."""
    titles = [figure.get_suptitle(), *(axes.get_title() for axes in figure.get_axes())]
    titles += [sub.get_suptitle() for sub in figure.subfigs]
    return next((title for title in titles if title), "")


def describe(figure):
    """What a figure shows, in words: its title, then each plot's title or axis labels."""
    parts = []
    for axes in figure.get_axes():
        labels = [label for label in (axes.get_xlabel(), axes.get_ylabel()) if label]
        written = [text.get_text() for text in axes.texts if text.get_text().strip()]
        part = (
            axes.get_title()
            or (" against ".join(reversed(labels)) if labels else "")
            or ", ".join(written)  # a diagram drawn with text alone
        )
        if part and part not in parts:
            parts.append(part)
    subtitles = [sub.get_suptitle() for sub in figure.subfigs if sub.get_suptitle()]
    title = figure_title(figure)
    parts = [part for part in [*subtitles, *parts] if part != title]
    words = f"{title}: {'; '.join(parts)}" if parts else title
    return " ".join(words.split())[:DESCRIPTION_CHARACTERS]


def show_picture(path):
    """A picture file shown below the cell in a notebook (nothing happens elsewhere)."""
    if common.running_in_notebook() and Path(path).is_file():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


def shape_text(shape):
    """A layer's output shape without the batch axis: (None, 24, 24, 32) -> '24x24x32'."""
    return "x".join(str(size) for size in shape[1:])


def layer_text(layer):
    """What a layer is, in a few words: 'Conv2D 32 5x5, relu', 'Dropout 0.2'."""
    config = layer.get_config()
    details = []
    if "filters" in config:
        kernel = "x".join(str(size) for size in config["kernel_size"])
        details.append(f"{config['filters']} {kernel}")
    elif "units" in config:
        details.append(f"{config['units']}")
    elif "pool_size" in config:
        details.append("x".join(str(size) for size in config["pool_size"]))
    elif "rate" in config:
        details.append(f"{config['rate']}")
    elif isinstance(layer, keras.Sequential):
        details.append(f"'{layer.name}'")
    text = " ".join([type(layer).__name__, *details])
    activation = config.get("activation")
    return f"{text}, {activation}" if activation and activation != "linear" else text


def model_diagram_figure(model, title):
    """The model's layers as blocks from input to output, each with its output shape and
    parameter count; a long model continues in further columns, as many as fit a slide."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    blocks = [("Input", shape_text(model.inputs[0].shape))]
    for layer in model.layers:
        output = f"{shape_text(layer.output.shape)}, {layer.count_params():,} params"
        blocks.append((layer_text(layer), output))
    column_width, row_height, block_height, title_height = 3.0, 0.75, 0.62, 0.6  # inches
    columns = next(
        count
        for count in range(1, len(blocks) + 1)
        if row_height * math.ceil(len(blocks) / count) + title_height <= SLIDE_HEIGHT_INCHES
        or column_width * (count + 1) > SLIDE_WIDTH_INCHES
    )
    rows = math.ceil(len(blocks) / columns)
    figure = plt.figure(figsize=(column_width * columns, row_height * rows + title_height))
    axis = figure.add_axes([0, 0, 1, 1])
    axis.set_xlim(0, column_width * columns)
    axis.set_ylim(-row_height * rows, title_height)
    axis.axis("off")
    centres = []
    for index, (name, details) in enumerate(blocks):
        column, row = divmod(index, rows)
        x = column_width * column + 0.15
        y = -row_height * (row + 1) + (row_height - block_height) / 2
        axis.add_patch(
            FancyBboxPatch(
                (x, y),
                column_width - 0.3,
                block_height,
                boxstyle="round,pad=0.02,rounding_size=0.1",
                facecolor="#dbe9f6" if index else "#eeeeee",
                edgecolor="#4a6f8a",
            )
        )
        centre = x + (column_width - 0.3) / 2
        axis.text(centre, y + 0.43, name, ha="center", va="center", fontsize=FONT_POINTS)
        axis.text(centre, y + 0.17, details, ha="center", va="center", fontsize=FONT_POINTS)
        centres.append((centre, y, y + block_height))
    # An arrow from each block to the next: straight down, or through the gap between two
    # columns and into the top of the next column's first block.
    arrow = {"arrowstyle": "->", "color": "#4a6f8a"}
    for (x_from, bottom, _), (x_to, _, top) in zip(centres, centres[1:]):
        if x_from == x_to:
            axis.annotate("", xy=(x_to, top), xytext=(x_from, bottom), arrowprops=arrow)
            continue
        gap = x_to - column_width / 2
        above = top + (row_height - block_height) / 2
        path_x = [x_from, x_from, gap, gap, x_to]
        path_y = [bottom, bottom - 0.05, bottom - 0.05, above, above]
        axis.plot(path_x, path_y, color=arrow["color"], linewidth=1)
        axis.annotate("", xy=(x_to, top), xytext=(x_to, above), arrowprops=arrow)
    height = figure.get_figheight()
    figure.suptitle(
        f"{title}: {model.count_params():,} parameters",
        y=1 - title_height / 2 / height,
        va="center",
        fontsize=FONT_POINTS + 2,
    )
    return figure


def pixel_grid_figure(image, top, left, size, title):
    """An image as the computer holds it: the whole image with a `size` x `size` window
    marked at (`top`, `left`), and the window's pixel values written in their cells."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    window = image[top : top + size, left : left + size]
    figure, (image_axis, grid_axis) = plt.subplots(1, 2, figsize=(9.5, 4.6), width_ratios=[1, 1.15])
    image_axis.imshow(image, cmap="gray", vmin=0, vmax=255)
    image_axis.add_patch(
        Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="tab:orange", lw=2)
    )
    image_axis.set_title(f"{image.shape[0]}x{image.shape[1]} pixels", fontsize=FONT_POINTS)
    image_axis.axis("off")
    grid_axis.imshow(window, cmap="gray", vmin=0, vmax=255)
    for (row, column), value in np.ndenumerate(window):
        colour = "black" if value > 127 else "white"
        grid_axis.text(column, row, f"{value}", ha="center", va="center", color=colour, fontsize=12)
    grid_axis.set_title(f"the marked {size}x{size} pixels: 0 to 255", fontsize=FONT_POINTS)
    grid_axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return figure


def neuron_weights_figure(weights, neurons, labels, title):
    """Hidden neurons' incoming weights (columns of `weights`, one per input pixel) shown as
    images of the input's shape: red where ink makes the neuron fire, blue where it stops it."""
    import matplotlib.pyplot as plt

    columns = math.ceil(len(neurons) / 2)
    figure, axes = plt.subplots(
        2, columns, figsize=(2.2 * columns, 5.0), squeeze=False, layout="constrained"
    )
    side = math.isqrt(weights.shape[0])
    for axis, neuron, label in zip(axes.flat, neurons, labels):
        picture = weights[:, neuron].reshape(side, side)
        largest = np.abs(picture).max()
        axis.imshow(picture, cmap="coolwarm", vmin=-largest, vmax=largest)
        axis.set_title(label, fontsize=FONT_POINTS)
        axis.axis("off")
    for axis in axes.flat[len(neurons) :]:
        axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return figure


def softmax_figure(image, scores, probabilities, title):
    """One image, the ten scores the last layer computed for it, and the ten probabilities
    softmax makes of them."""
    import matplotlib.pyplot as plt

    digits = np.arange(len(scores))
    best = int(np.argmax(probabilities))
    colours = ["tab:orange" if digit == best else "tab:blue" for digit in digits]
    figure, (image_axis, score_axis, probability_axis) = plt.subplots(
        1, 3, figsize=(11, 3.9), width_ratios=[0.8, 1.4, 1.4], layout="constrained"
    )
    image_axis.imshow(image, cmap="gray")
    image_axis.set_title("the input", fontsize=FONT_POINTS)
    image_axis.axis("off")
    score_axis.bar(digits, scores, color=colours)
    score_axis.axhline(0, color="black", linewidth=0.8)
    score_axis.set_title("ten scores (any number)", fontsize=FONT_POINTS)
    probability_axis.bar(digits, probabilities, color=colours)
    probability_axis.set_ylim(0, 1)
    probability_axis.set_title(
        f"softmax: {probabilities[best]:.1%} for {best}", fontsize=FONT_POINTS
    )
    for axis in (score_axis, probability_axis):
        axis.set_xticks(digits)
        axis.set_xlabel("digit", fontsize=FONT_POINTS)
        axis.tick_params(labelsize=FONT_POINTS)
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return figure


def step_losses_figure(running_means, title):
    """The loss of each gradient step's batch in one epoch. Keras reports after each step the
    mean loss of the epoch so far (`running_means`); each step's own loss follows from two
    of them: n * mean_n - (n - 1) * mean_(n-1), the batches being of one size."""
    import matplotlib.pyplot as plt

    means = np.asarray(running_means, dtype=float)
    steps = np.arange(1, len(means) + 1)
    losses = steps * means - (steps - 1) * np.append(0.0, means[:-1])
    figure, axis = plt.subplots(figsize=(9, 3.3))
    axis.plot(steps, losses, linewidth=1)
    axis.set_xlabel("gradient step", fontsize=FONT_POINTS)
    axis.set_ylabel("loss of the batch", fontsize=FONT_POINTS)
    axis.tick_params(labelsize=FONT_POINTS)
    axis.grid(True, alpha=0.3)
    axis.set_title(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    return figure


def schedule_figure(learning_rate, steps, steps_per_epoch, title):
    """A learning rate (a Keras schedule, or a number that stays the same) at every step of
    `steps`, against the epoch; drawn at SCHEDULE_POINTS steps."""
    import matplotlib.pyplot as plt

    sampled = np.linspace(0, steps, SCHEDULE_POINTS).astype(int)
    if callable(learning_rate):
        rates = [float(keras.ops.convert_to_numpy(learning_rate(step))) for step in sampled]
    else:
        rates = [learning_rate] * len(sampled)
    figure, axis = plt.subplots(figsize=(9, 3.3))
    axis.plot(sampled / steps_per_epoch, rates, linewidth=2)
    axis.set_xlabel("epoch", fontsize=FONT_POINTS)
    axis.set_ylabel("learning rate", fontsize=FONT_POINTS)
    axis.tick_params(labelsize=FONT_POINTS)
    axis.set_ylim(0, 1.1 * max(rates))
    axis.grid(True, alpha=0.3)
    axis.set_title(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    return figure


def augmented_copies_figure(augmentation, image, copies, title):
    """An image (height x width x 1) and `copies` copies of it that `augmentation` (Keras
    layers) changed at random, in two rows."""
    import matplotlib.pyplot as plt

    made = augmentation(np.repeat(image[np.newaxis], copies, axis=0), training=True)
    pictures = [image, *keras.ops.convert_to_numpy(made)]
    columns = math.ceil(len(pictures) / 2)
    figure, axes = plt.subplots(2, columns, figsize=(2 * columns, 4.4), layout="constrained")
    for index, (axis, picture) in enumerate(zip(axes.flat, pictures)):
        axis.imshow(picture[:, :, 0], cmap="gray")
        axis.set_title("the image" if index == 0 else f"copy {index}", fontsize=FONT_POINTS)
    for axis in axes.flat:
        axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return figure
