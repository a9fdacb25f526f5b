"""The lessons' figures: saved and shown, and the pictures drawn from a Keras model.

- `save_figure(figure, output_dir, name, show)`: a Matplotlib figure saved as
  <output_dir>/figures/<name> (replacing an earlier file only once the new one is complete)
  and shown: below the cell in a notebook, in a window from a terminal when `show`. The PNG
  is sharp enough for a projector and says in words what it shows, with its numbers (its
  alt text: `describe`). `show_picture(path)`: a picture file shown below a notebook's cell.
- The pictures of the ideas the lessons teach, each drawn from the real data or model:
  `model_diagram_figure` (the model's layers as blocks: network_pictures.py),
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
DESCRIPTION_CHARACTERS = 400  # the longest alt text a figure gets
CONFUSIONS_NAMED = 5  # the largest counts off a confusion matrix's diagonal that it names


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


def set_description(figure, text):
    """Attach what `figure` shows, with its numbers, for `describe`; return the figure."""
    figure.description = text
    return figure


def describe(figure):
    """What a figure shows, in words: its title, then the text `set_description` attached,
    else each plot's title or axis labels and what its numbers say (`table_text`,
    `bars_text`, `lines_text`); at most DESCRIPTION_CHARACTERS, cut at a word."""
    title, attached = figure_title(figure), getattr(figure, "description", "")
    parts = [attached] if attached else [sub.get_suptitle() for sub in figure.subfigs]
    for axes in [] if attached else figure.get_axes():
        labels = [label for label in (axes.get_xlabel(), axes.get_ylabel()) if label]
        written = [text.get_text() for text in axes.texts if text.get_text().strip()]
        heading = (
            axes.get_title()
            or (" against ".join(reversed(labels)) if labels else "")
            or ", ".join(written)  # a diagram drawn with text alone
        )
        numbers = "; ".join(filter(None, [table_text(axes), bars_text(axes), lines_text(axes)]))
        parts.append(": ".join(filter(None, [heading if heading != title else "", numbers])))
    parts = list(dict.fromkeys(part for part in parts if part and part != title))
    words = " ".join(": ".join(filter(None, [title, "; ".join(parts)])).split())
    if len(words) <= DESCRIPTION_CHARACTERS:
        return words
    return words[: DESCRIPTION_CHARACTERS - 3].rsplit(" ", 1)[0].rstrip(",;:") + "..."


def table_text(axes):
    """A square table of counts written in its cells (a confusion matrix: true digits in
    rows, answers in columns), in words: '9,917 of 10,000 right; most often 4 read as 9 (7
    times), 7 as 2 (5)', naming the largest counts off the diagonal. Else empty."""
    table = np.asarray(axes.images[0].get_array(), dtype=float) if axes.images else np.ones(0)
    rows = [label.get_text() for label in axes.get_yticklabels()]
    columns = [label.get_text() for label in axes.get_xticklabels()]
    if len(axes.texts) < table.size or not len(table) == len(rows) == len(columns) > 1:
        return ""
    wrong = table - np.diag(np.diag(table))
    largest = np.argsort(-wrong, axis=None, kind="stable")[:CONFUSIONS_NAMED]
    named = [
        (rows[row], columns[column], f"{wrong[row, column]:,.0f}")
        for row, column in zip(*np.unravel_index(largest, table.shape))
        if wrong[row, column]
    ]
    words = [f"{row} as {column} ({count})" for row, column, count in named[1:]]
    words[:0] = ["most often {} read as {} ({} times)".format(*named[0])] if named else []
    right = f"{np.trace(table):,.0f} of {table.sum():,.0f} right"
    return f"{right}; {', '.join(words)}" if words else right


def bars_text(axes):
    """A histogram's labelled sets of bars, in words: each one's total and the middle of its
    tallest bar, e.g. 'mistakes: 83, the most (21) near confidence 0.97'."""
    words = []
    for bars in (getattr(bars, "patches", []) for bars in axes.containers):
        if not bars or bars[0].get_label().startswith("_"):
            continue
        heights = [bar.get_height() for bar in bars]
        tallest = bars[int(np.argmax(heights))]
        middle = tallest.get_x() + tallest.get_width() / 2
        words.append(
            f"{bars[0].get_label()}: {sum(heights):,.0f}, the most ({max(heights):,.0f}) near "
            f"{axes.get_xlabel().split(':')[0]} {middle:.2g}"
        )
    return "; ".join(words)


def lines_text(axes):
    """A plot's labelled lines (else its one line; a line across the plot, such as axhline
    draws, is none), in words: where each starts and ends, and its lowest and highest points
    between, e.g. 'validation 0.2 at epoch 1 to 0.09 at epoch 12, lowest 0.06 at epoch 5'."""
    lines = [line for line in axes.get_lines() if line.get_transform() == axes.transData]
    labelled = [line for line in lines if not line.get_label().startswith("_")]
    at, words = " ".join(["at", axes.get_xlabel().lower()]).strip(), []
    for line in labelled or (lines if len(lines) == 1 else []):
        x, y = line.get_xydata().T  # numbers, even on an axis of names
        if len(y) < 2:  # a mark, not a line
            continue
        text = f"{line.get_label() if labelled else axes.get_ylabel()} {y[0]:.3g} {at} {x[0]:.4g}"
        text += f" to {y[-1]:.3g} {at} {x[-1]:.4g}"
        for word, index in (("lowest", np.argmin(y)), ("highest", np.argmax(y))):
            if 0 < index < len(y) - 1:
                text += f", {word} {y[index]:.3g} {at} {x[index]:.4g}"
        words.append(text)
    return "; ".join(words)


def show_picture(path):
    """A picture file shown below the cell in a notebook (nothing happens elsewhere)."""
    if common.running_in_notebook() and Path(path).is_file():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


def model_diagram_figure(model, title):
    """The model's layers as blocks with their shapes and parameters (network_pictures)."""
    import network_pictures

    return network_pictures.model_diagram_figure(model, title)


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
    return set_description(
        figure,
        f"the {image.shape[0]}x{image.shape[1]} image with a {size}x{size} window at row {top}, "
        f"column {left}; beside it the window's pixels, each value written in its cell: "
        f"{np.count_nonzero(window)} inked, from {window.min()} to {window.max()} (0 is black)",
    )


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
    drawn = weights[:, list(neurons)]
    return set_description(
        figure,
        f"{len(labels)} hidden neurons' weights as {side}x{side} images, red positive, blue "
        f"negative ({drawn.min():.2f} to {drawn.max():.2f}): {', '.join(labels)}",
    )


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
    changes = [type(layer).__name__ for layer in getattr(augmentation, "layers", [augmentation])]
    return set_description(
        figure,
        f"a {image.shape[0]}x{image.shape[1]} image and {copies} copies of it, each changed "
        f"at random by {', '.join(changes)}, in two rows",
    )
