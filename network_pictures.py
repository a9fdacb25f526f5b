"""Pictures of the ideas of lessons 0-2, each drawn from the real data or model, with text
as large as pictures.py's for a lecture deck; pictures.save_figure saves them.

- `digit_rows_figure(rows, title)`: rows of digits (lesson 0: the same digit by different
  writers);
- `perceptron_figure(features, labels, weights, bias, names, title)`: one neuron, its
  inputs, weights, bias and step activation, and the straight line it draws between two
  classes;
- `network_graph_figure(layer_sizes, layer_names, title)`: a feed-forward network as a
  graph of its neurons;
- `relu_figure(dense_layer, inputs, title)`: ReLU over the sums a real layer computes;
- `cross_entropy_figure(marked, title)`: the loss -log(p) against p;
- `dropout_figure(image, rate, steps, seed, title)`: the numbers dropout switches off at
  a few training steps, and none when predicting; `dropout_rate(model)`, the rate to draw.

Each takes what it draws as parameters and returns the figure.
"""

import numpy as np

from pictures import FONT_POINTS


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
    return figure


def network_graph_figure(layer_sizes, layer_names, title, most_shown=6):
    """A feed-forward network as a graph: each layer a column of neurons (at most
    `most_shown` drawn, with its size written below), each neuron joined to every neuron of
    the next layer."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(10, 4.8))
    columns = []
    for index, size in enumerate(layer_sizes):
        shown = min(size, most_shown)
        ys = np.linspace(0.85, 0.15, shown) if shown > 1 else np.array([0.5])
        columns.append((index, ys))
        if size > shown:
            axis.text(index, 0.5 * (ys[-2] + ys[-1]), "⋮", fontsize=FONT_POINTS, ha="center")
            ys = np.delete(ys, -2)  # room for the dots
            columns[-1] = (index, ys)
        axis.text(
            index,
            0.0,
            f"{layer_names[index]}\n{size:,}",
            fontsize=FONT_POINTS,
            ha="center",
            va="center",
        )
    for (left, left_ys), (right, right_ys) in zip(columns, columns[1:]):
        for start in left_ys:
            for end in right_ys:
                axis.plot([left, right], [start, end], color="grey", linewidth=0.5, zorder=1)
    for index, ys in columns:
        axis.scatter([index] * len(ys), ys, s=350, color="tab:blue", zorder=2)
    axis.annotate("", (len(layer_sizes) - 0.7, 1.0), (-0.3, 1.0), arrowprops={"arrowstyle": "->"})
    axis.text(
        (len(layer_sizes) - 1) / 2,
        1.05,
        "feed-forward: each layer reads the one before",
        fontsize=FONT_POINTS,
        ha="center",
    )
    axis.set_xlim(-0.5, len(layer_sizes) - 0.5)
    axis.set_ylim(-0.12, 1.12)
    axis.axis("off")
    axis.set_title(title, fontsize=FONT_POINTS + 2, pad=24)
    return figure


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
    return figure


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
    return figure


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
    return figure
