"""The lessons' figures: saved and shown, and the pictures drawn from a Keras model.

- `save_figure(figure, output_dir, name, show)`: a Matplotlib figure saved as
  <output_dir>/figures/<name> (replacing an earlier file only once the new one is complete)
  and shown: below the cell in a notebook, in a window from a terminal when `show`. The PNG
  is sharp enough for a projector and says in words what it shows (its alt text).
- `show_picture(path)`: a picture file shown below the cell in a notebook.
- `model_diagram_figure(model, title)`: the model's layers as blocks, in order, each with
  its output shape and its number of parameters (read from `model.layers`).
- `convolution_figure(convolution, image, title)`: what a convolutional layer learned, its
  filters, and the feature maps they make of one image.

They draw with Matplotlib alone (no Graphviz to install). Each function takes what it draws
as parameters, so it can be copied into coursework with its imports.
"""

import io
import math
from pathlib import Path

import keras
import numpy as np
from PIL import Image
from PIL.PngImagePlugin import PngInfo

import common

DIAGRAM_ASPECT = 1.8  # the diagram's width to height that its columns come closest to
MAPS_PER_ROW = 8  # filters (and feature maps) in one row of the convolution figure
# Figures are saved at 200 dots per inch, sharp on a projector at the size a lecture deck
# shows them, in a palette of 256 colours: about a third of the bytes, the same picture.
FIGURE_DPI = 200
FIGURE_COLOURS = 256
DESCRIPTION_CHARACTERS = 300  # the longest alt text a figure gets


def save_figure(figure, output_dir, name, show=False, description=None):
    """Save `figure` as <output_dir>/figures/<name> (PNG) and print where; a notebook shows
    it below the cell, a terminal in a window only if `show`. The PNG carries its title, what
    it shows in words (`description`, else `describe(figure)`) and its smallest font size.
    Returns the path."""
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
    return path


def drawn_texts(figure):
    """The texts a figure shows: not empty, visible, and not on an axis that is switched off."""
    from matplotlib.text import Text

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
        part = axes.get_title() or (" against ".join(reversed(labels)) if labels else "")
        if part and part not in parts:
            parts.append(part)
    subtitles = [sub.get_suptitle() for sub in figure.subfigs if sub.get_suptitle()]
    title = figure_title(figure)
    parts = [part for part in [*subtitles, *parts] if part != title]
    words = f"{title}: {'; '.join(parts)}" if parts else title
    return words[:DESCRIPTION_CHARACTERS]


def show_picture(path):
    """A picture file shown below the cell in a notebook (nothing happens elsewhere)."""
    if common.running_in_notebook() and Path(path).is_file():
        from IPython.display import Image, display

        display(Image(filename=str(path)))


def shape_text(shape):
    """A layer's output shape without the batch axis: (None, 24, 24, 32) -> '24x24x32'."""
    return "x".join(str(size) for size in shape[1:])


def layer_text(layer):
    """What a layer is, in a few words: 'Conv2D, 32 filters 5x5, relu', 'Dropout, rate 0.2'."""
    config = layer.get_config()
    details = []
    if "filters" in config:
        kernel = "x".join(str(size) for size in config["kernel_size"])
        details.append(f"{config['filters']} filters {kernel}")
    elif "units" in config:
        details.append(f"{config['units']} units")
    elif "pool_size" in config:
        details.append("x".join(str(size) for size in config["pool_size"]))
    elif "rate" in config:
        details.append(f"rate {config['rate']}")
    elif isinstance(layer, keras.Sequential):
        details.append(f"'{layer.name}', {len(layer.layers)} layers")
    activation = config.get("activation")
    if activation and activation != "linear":
        details.append(activation)
    return ", ".join([type(layer).__name__, *details])


def model_diagram_figure(model, title):
    """The model's layers as blocks from input to output, each with its output shape and
    parameter count; long models continue in the next column."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    blocks = [("Input", f"shape {shape_text(model.inputs[0].shape)}")]
    for layer in model.layers:
        parameters = layer.count_params()
        blocks.append(
            (
                layer_text(layer),
                f"output {shape_text(layer.output.shape)}, {parameters:,} parameters",
            )
        )
    column_width, row_height, block_height = 4.4, 1.0, 0.7  # inches
    # As many columns as make the figure closest to a slide's shape.
    columns = min(
        range(1, len(blocks) + 1),
        key=lambda count: abs(
            math.log(
                column_width
                * count
                / (row_height * math.ceil(len(blocks) / count) + 0.9)
                / DIAGRAM_ASPECT
            )
        ),
    )
    rows = math.ceil(len(blocks) / columns)
    figure = plt.figure(figsize=(column_width * columns, row_height * rows + 0.9))
    axis = figure.add_axes([0, 0, 1, 1])
    axis.set_xlim(0, column_width * columns)
    axis.set_ylim(-row_height * rows, 0.9)
    axis.axis("off")
    centres = []
    for index, (name, details) in enumerate(blocks):
        column, row = divmod(index, rows)
        x = column_width * column + 0.2
        y = -row_height * (row + 1) + (row_height - block_height) / 2
        colour = "#dbe9f6" if index else "#eeeeee"
        axis.add_patch(
            FancyBboxPatch(
                (x, y),
                column_width - 0.4,
                block_height,
                boxstyle="round,pad=0.02,rounding_size=0.1",
                facecolor=colour,
                edgecolor="#4a6f8a",
            )
        )
        centre = x + (column_width - 0.4) / 2
        axis.text(centre, y + 0.46, name, ha="center", va="center", fontsize=10, weight="bold")
        axis.text(centre, y + 0.2, details, ha="center", va="center", fontsize=9)
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
        path_y = [bottom, bottom - 0.1, bottom - 0.1, above, above]
        axis.plot(path_x, path_y, color=arrow["color"], linewidth=1)
        axis.annotate("", xy=(x_to, top), xytext=(x_to, above), arrowprops=arrow)
    total = model.count_params()
    axis.text(
        column_width * columns / 2,
        0.45,
        f"{title}: {total:,} parameters",
        ha="center",
        va="center",
        fontsize=12,
    )
    return figure


def convolution_figure(convolution, image, title):
    """A convolutional layer's filters (one input channel) and the feature maps they make of
    `image` (height x width x channels, scaled as the model was trained)."""
    import matplotlib.pyplot as plt

    filters = keras.ops.convert_to_numpy(convolution.kernel)[:, :, 0, :]
    feature_maps = keras.ops.convert_to_numpy(convolution(image[np.newaxis]))[0]
    count = filters.shape[-1]
    rows = math.ceil(count / MAPS_PER_ROW)
    figure = plt.figure(figsize=(14, 0.8 * rows + 1.4))
    figure.suptitle(title, y=1.06)
    digit_part, filter_part, map_part = figure.subfigures(1, 3, width_ratios=[1.4, 4, 4])
    digit_axis = digit_part.subplots()
    digit_axis.imshow(image[:, :, 0], cmap="gray_r")
    digit_axis.set_title("The test digit")
    digit_axis.axis("off")
    # Red weights add where the image has ink, blue ones subtract: one colour scale for all.
    largest_weight = np.abs(filters).max()
    parts = [
        (filter_part, filters, f"{count} filters", "coolwarm", -largest_weight, largest_weight),
        (map_part, feature_maps, "Their feature maps", "viridis", 0, feature_maps.max()),
    ]
    for part, pictures, label, colours, lowest, highest in parts:
        part.suptitle(label)
        axes = part.subplots(rows, MAPS_PER_ROW, squeeze=False)
        for index, axis in enumerate(axes.flat):
            axis.axis("off")
            if index < count:
                axis.imshow(pictures[:, :, index], cmap=colours, vmin=lowest, vmax=highest)
    return figure
