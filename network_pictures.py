"""Pictures of the ideas of lessons 0-2 and of each lesson's model, drawn from the real data
or model, with text as large as pictures.py's for a lecture deck; pictures.save_figure saves
them.

- `digit_rows_figure(rows, title)`: rows of digits (lesson 0: the same digit by different
  writers);
- `perceptron_figure(features, labels, weights, bias, names, title)`: one neuron, its
  inputs, weights, bias and step activation, and the straight line it draws between two
  classes;
- `network_graph_figure(layer_sizes, layer_names, title)`: a feed-forward network as a
  graph of its neurons; `model_diagram_figure(model, title)`, a Keras model's layers as
  blocks, each with its output shape and number of parameters;
- `relu_figure(dense_layer, inputs, title)`: ReLU over the sums a real layer computes;
- `cross_entropy_figure(marked, title)`: the loss -log(p) against p;
- `dropout_figure(image, rate, steps, seed, title)`: the numbers dropout switches off at
  a few training steps, and none when predicting; `dropout_rate(model)`, the rate to draw.

Each takes what it draws as parameters and returns the figure.
"""

import math

import keras
import numpy as np

from pictures import FONT_POINTS, SLIDE_HEIGHT_INCHES, SLIDE_WIDTH_INCHES, set_description


def perceptron_figure(features, labels, weights, bias, names, title):
    """One neuron with two inputs (a perceptron): its inputs, weights, bias and step
    activation drawn as a diagram, and beside it the two classes of images (`features`: one
    row of two numbers an image, `labels`: 0 or 1) with the line where its sum is zero,
    `weights @ x + bias = 0`, which it draws between them. `names`: the two inputs', then
    the two classes'."""
    import matplotlib.pyplot as plt

    figure, (neuron_axis, data_axis) = plt.subplots(
        1, 2, figsize=(12, 4.8), width_ratios=[1.1, 1], layout="constrained"
    )
    text = {"fontsize": FONT_POINTS, "ha": "center", "va": "center"}
    node = {"boxstyle": "circle", "facecolor": "lightsteelblue"}
    for row, (name, weight) in enumerate(zip(names[:2], weights)):
        y = 0.75 - 0.5 * row
        neuron_axis.text(0.08, y, f"x{row + 1}", bbox=node, **text)
        neuron_axis.text(0.08, y - 0.15, name, **text)
        neuron_axis.annotate("", (0.5, 0.5), (0.14, y), arrowprops={"arrowstyle": "->"})
        neuron_axis.text(0.3, 0.5 + 0.23 * (1 - 2 * row), f"w{row + 1} = {weight:.2f}", **text)
    neuron_axis.text(0.56, 0.5, "sum\n+ b", bbox=node, **text)
    neuron_axis.text(0.56, 0.3, f"bias b = {bias:.2f}", **text)
    neuron_axis.annotate("", (0.72, 0.5), (0.63, 0.5), arrowprops={"arrowstyle": "->"})
    neuron_axis.text(
        0.8, 0.5, "step:\n1 if > 0", bbox={"boxstyle": "round", "facecolor": "wheat"}, **text
    )
    neuron_axis.annotate("", (1.0, 0.5), (0.89, 0.5), arrowprops={"arrowstyle": "->"})
    neuron_axis.text(0.95, 0.62, f"1: {names[3]}", **text)
    neuron_axis.text(0.95, 0.38, f"0: {names[2]}", **text)
    neuron_axis.set_xlim(0, 1)
    neuron_axis.set_ylim(0, 1)
    neuron_axis.set_title("one neuron: inputs, weights, bias, activation", fontsize=FONT_POINTS)
    neuron_axis.axis("off")
    features, labels = np.asarray(features, dtype=float), np.asarray(labels)
    for label, marker in ((0, "o"), (1, "^")):
        chosen = features[labels == label]
        data_axis.scatter(*chosen.T, s=14, marker=marker, alpha=0.6, label=names[2 + label])
    low, high = features[:, 0].min(), features[:, 0].max()
    line_x = np.linspace(low, high, 2)
    line_y = -(weights[0] * line_x + bias) / weights[1]
    data_axis.plot(line_x, line_y, "k-", linewidth=2, label="sum = 0")
    margin = 0.05 * np.ptp(features[:, 1])
    data_axis.set_ylim(features[:, 1].min() - margin, features[:, 1].max() + margin)
    data_axis.set_xlabel(f"x1: {names[0]}", fontsize=FONT_POINTS)
    data_axis.set_ylabel(f"x2: {names[1]}", fontsize=FONT_POINTS)
    data_axis.tick_params(labelsize=FONT_POINTS)
    data_axis.legend(fontsize=FONT_POINTS)
    right = np.mean((features @ np.asarray(weights) + bias > 0) == labels)
    data_axis.set_title(f"a straight line: {right:.0%} on the right side", fontsize=FONT_POINTS)
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return set_description(
        figure,
        f"one neuron: inputs x1 ({names[0]}) and x2 ({names[1]}), weights {weights[0]:.2f} and "
        f"{weights[1]:.2f}, bias {bias:.2f}, a step activation; beside it {len(labels)} images "
        f"({names[2]}, {names[3]}) by {names[0]} and {names[1]}, and the line where its sum "
        f"is 0: {right:.0%} on the right side",
    )


def network_graph_figure(layer_sizes, layer_names, title, most_shown=6):
    """A feed-forward network as a graph: each layer a column of neurons (at most
    `most_shown` drawn, with its size written below), each neuron joined to every neuron of
    the next layer."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(10, 4.8))
    columns, centred = [], {"fontsize": FONT_POINTS, "ha": "center", "va": "center"}
    for index, size in enumerate(layer_sizes):
        shown = min(size, most_shown)
        ys = np.linspace(0.85, 0.15, shown) if shown > 1 else np.array([0.5])
        columns.append((index, ys))
        if size > shown:
            axis.text(index, 0.5 * (ys[-2] + ys[-1]), "⋮", fontsize=FONT_POINTS, ha="center")
            ys = np.delete(ys, -2)  # room for the dots
            columns[-1] = (index, ys)
        axis.text(index, 0.0, f"{layer_names[index]}\n{size:,}", **centred)
    for (left, left_ys), (right, right_ys) in zip(columns, columns[1:]):
        for start in left_ys:
            for end in right_ys:
                axis.plot([left, right], [start, end], color="grey", linewidth=0.5, zorder=1)
    for index, ys in columns:
        axis.scatter([index] * len(ys), ys, s=350, color="tab:blue", zorder=2)
    axis.annotate("", (len(layer_sizes) - 0.7, 1.0), (-0.3, 1.0), arrowprops={"arrowstyle": "->"})
    feed_forward = "feed-forward: each layer reads the one before"
    axis.text((len(layer_sizes) - 1) / 2, 1.05, feed_forward, fontsize=FONT_POINTS, ha="center")
    axis.set_xlim(-0.5, len(layer_sizes) - 0.5)
    axis.set_ylim(-0.12, 1.12)
    axis.axis("off")
    axis.set_title(title, fontsize=FONT_POINTS + 2, pad=24)
    weights = sum(left * right for left, right in zip(layer_sizes, layer_sizes[1:]))
    layers = ", ".join(f"{name} {size:,}" for name, size in zip(layer_names, layer_sizes))
    return set_description(
        figure,
        f"{len(layer_sizes)} layers of neurons, at most {most_shown} of each drawn, each "
        f"neuron joined to every neuron of the next ({weights:,} weights): {layers}",
    )


def relu_figure(dense_layer, inputs, title):
    """ReLU, max(0, z), drawn over the range of the sums z = inputs @ W + b that a dense
    layer's neurons compute for `inputs`, with how many of them it silences."""
    import matplotlib.pyplot as plt

    weights, biases = dense_layer.get_weights()[:2]
    values = (np.asarray(inputs, dtype=float) @ weights + biases).ravel()
    z = np.linspace(min(values.min(), -1.0), max(values.max(), 1.0), 201)
    silenced = float(np.mean(values <= 0))
    figure, axis = plt.subplots(figsize=(9, 3.8))
    axis.plot(z, np.maximum(z, 0), linewidth=3, label="ReLU: max(0, z)")
    axis.hist(
        values,
        bins=50,
        density=True,
        alpha=0.4,
        label=f"the sums z of real neurons: {silenced:.0%} <= 0",
    )
    axis.axhline(0, color="black", linewidth=0.8)
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlabel("z, the neuron's sum", fontsize=FONT_POINTS)
    axis.set_ylabel("output", fontsize=FONT_POINTS)
    axis.tick_params(labelsize=FONT_POINTS)
    axis.legend(fontsize=FONT_POINTS, loc="upper left")
    axis.grid(True, alpha=0.3)
    axis.set_title(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    return set_description(
        figure,
        f"the line max(0, z) over a histogram of {values.size:,} sums z of real neurons, from "
        f"{values.min():.2f} to {values.max():.2f}: {silenced:.0%} of them <= 0, silenced",
    )


def cross_entropy_figure(marked, title):
    """The cross-entropy loss -log(p) against p, the probability given to the right digit,
    with the loss written at each probability of `marked`."""
    import matplotlib.pyplot as plt

    p = np.linspace(0.005, 1.0, 400)
    figure, axis = plt.subplots(figsize=(9, 3.8))
    axis.plot(p, -np.log(p), linewidth=3)
    for probability in marked:
        loss = -np.log(probability)
        axis.plot([probability], [loss], "o", color="tab:orange", markersize=9)
        # Text to the right of a mark, or to its left near the right edge.
        left = probability > 0.7
        axis.annotate(
            f"p = {probability:g}: loss {loss:.2f}",
            (probability, loss),
            (-12 if left else 12, 8),
            textcoords="offset points",
            ha="right" if left else "left",
            fontsize=FONT_POINTS,
        )
    axis.set_xlabel("p, the probability given to the right digit", fontsize=FONT_POINTS)
    axis.set_ylabel("loss = -log(p)", fontsize=FONT_POINTS)
    axis.tick_params(labelsize=FONT_POINTS)
    axis.set_xlim(0, 1.05)
    axis.grid(True, alpha=0.3)
    axis.set_title(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    marks = ", ".join(
        f"{-np.log(probability):.2f} at p = {probability:g}" for probability in marked
    )
    return set_description(
        figure,
        f"the loss -log(p) against p, the probability given to the right digit: "
        f"{-np.log(p[0]):.1f} at p = {p[0]:g}, falling to 0 at p = 1; marked: {marks}",
    )


def dropout_rate(model):
    """The rate of `model`'s first Dropout layer: 0 for a model without one, whose numbers
    are never switched off."""
    from keras import layers

    rates = [layer.rate for layer in model.layers if isinstance(layer, layers.Dropout)]
    return rates[0] if rates else 0


def dropout_masks(shape, rate, steps, seed):
    """`steps` random masks of `shape`: True where a number is kept, False where dropout
    switches it off (each with probability `rate`), from a generator of its own."""
    generator = np.random.default_rng(seed)
    return [generator.random(shape) >= rate for _ in range(steps)]


def dropout_figure(image, rate, steps, seed, title):
    """What dropout does to `image` (2-D) at `steps` training steps (dropout_masks): the
    numbers switched off are 0 (drawn red), the others scaled by 1 / (1 - rate); and when
    predicting, where it changes nothing."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    masks = dropout_masks(image.shape, rate, steps, seed)

    figure, axes = plt.subplots(
        1, len(masks) + 1, figsize=(3.9 * (len(masks) + 1), 4.4), layout="constrained"
    )
    off_colour = ListedColormap(["tab:red"])
    for step, (axis, mask) in enumerate(zip(axes, masks), start=1):
        axis.imshow(image * mask / (1 - rate), cmap="gray", vmin=0, vmax=1 / (1 - rate))
        axis.imshow(np.ma.masked_where(mask, np.ones(image.shape)), cmap=off_colour, alpha=0.8)
        axis.set_title(f"training step {step}: {1 - mask.mean():.0%} off", fontsize=FONT_POINTS)
    axes[-1].imshow(image, cmap="gray", vmin=0, vmax=1 / (1 - rate))
    axes[-1].set_title("predicting: none off", fontsize=FONT_POINTS)
    for axis in axes:
        axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return figure


def digit_rows_figure(rows, title):
    """Rows of images, each row titled: `rows` is {row title: list of 2-D images}."""
    import matplotlib.pyplot as plt

    columns = max(len(images) for images in rows.values())
    figure, axes = plt.subplots(
        len(rows), columns, figsize=(columns + 1.2, 1.05 * len(rows) + 0.7), squeeze=False
    )
    for axes_row, (label, images) in zip(axes, rows.items()):
        for index, axis in enumerate(axes_row):
            if index < len(images):
                axis.imshow(images[index], cmap="gray")
            axis.set_xticks([])
            axis.set_yticks([])
            for spine in axis.spines.values():
                spine.set_visible(False)
        axes_row[0].set_ylabel(label, fontsize=FONT_POINTS, rotation=0, ha="right", va="center")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    counts = ", ".join(f"{len(images)} {label}" for label, images in rows.items())
    return set_description(figure, f"{len(rows)} rows of images: {counts}")


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
    centres, box = [], {"boxstyle": "round,pad=0.02,rounding_size=0.1", "edgecolor": "#4a6f8a"}
    for index, (name, details) in enumerate(blocks):
        column, row = divmod(index, rows)
        x = column_width * column + 0.15
        y = -row_height * (row + 1) + (row_height - block_height) / 2
        colour = "#dbe9f6" if index else "#eeeeee"
        axis.add_patch(FancyBboxPatch((x, y), column_width - 0.3, block_height, **box, fc=colour))
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
    largest = max(model.layers, key=lambda layer: layer.count_params())
    return set_description(
        figure,
        f"{len(model.layers)} layers from the input ({blocks[0][1]}) to the output; the most "
        f"parameters in {layer_text(largest)} ({largest.count_params():,}): "
        + "; ".join(f"{name} ({details})" for name, details in blocks[1:]),
    )
