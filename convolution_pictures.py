"""Pictures of what a convolutional layer computes, drawn from a trained layer and a real
digit (lessons 2 and 3), and of what batch normalization does to its outputs (lesson 5).

- `convolution_figure(convolution, image, title)`: the layer's filters, and the feature maps
  they make of one image.
- `filter_positions_figure(image, size, positions, title)`: a filter laid on a digit at
  several places, and the pixel of the feature map each place gives.
- `convolution_by_hand_figure(image, kernel, top, left, title)`: one output pixel computed
  by hand: the patch of the image under the filter, the filter's weights, and their sum.
- `feature_maps_figure(maps, title)`: feature maps side by side, each titled with how it
  was made (lesson 2: padding and stride change their size).
- `max_pooling_figure(patch, title)`: a patch of a feature map and what 2x2 max pooling
  keeps of it.
- `receptive_field_figure(image, row, column, fields, title)`: how much of the input one
  pixel of each layer sees.
- `channel_statistics_figure(outputs, title)`: each channel's mean and spread in a layer's
  outputs, side by side for several outputs (lesson 5: before and after batch
  normalization).

Each takes what it draws as parameters and returns the figure (pictures.save_figure saves
it); the text is as large as pictures.py's, for a lecture deck.
"""

import math

import keras
import numpy as np

from pictures import FONT_POINTS, set_description

FILTERS_SHOWN = 16  # at most this many filters and maps: large enough to see on a slide
NUMBER_POINTS = 13  # the numbers written in the cells of a patch or a filter
TITLE_GAP_INCHES = 0.15  # between a figure's title and its plots' titles


def convolution_figure(convolution, image, title):
    """A convolutional layer's filters (one input channel; the first FILTERS_SHOWN) and the
    feature maps they make of `image` (height x width x channels, scaled as the model was
    trained), each set in a square grid as large as a slide allows, a map in its filter's
    place."""
    import matplotlib.pyplot as plt

    filters = keras.ops.convert_to_numpy(convolution.kernel)[:, :, 0, :]
    feature_maps = keras.ops.convert_to_numpy(convolution(image[np.newaxis]))[0]
    count = min(filters.shape[-1], FILTERS_SHOWN)
    columns = math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    figure = plt.figure(figsize=(12, 5.2), layout="constrained")  # a slide's body, all of it
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    digit_part, filter_part, map_part = figure.subfigures(1, 3, width_ratios=[1.5, 4, 4])
    digit_axis = digit_part.subplots()
    digit_axis.imshow(image[:, :, 0], cmap="gray_r")
    digit_axis.set_title("the digit", fontsize=FONT_POINTS)
    digit_axis.axis("off")
    # Red weights add where the image has ink, blue ones subtract: one colour scale for all.
    largest_weight = np.abs(filters).max()
    shown = f"{count} of its {filters.shape[-1]} filters" if count < filters.shape[-1] else ""
    parts = [
        (filter_part, filters, shown or f"{count} filters", "coolwarm", -largest_weight),
        (map_part, feature_maps, "their feature maps", "viridis", 0),
    ]
    for part, pictures, label, colours, lowest in parts:
        part.suptitle(label, fontsize=FONT_POINTS)
        axes = part.subplots(rows, columns, squeeze=False)
        highest = largest_weight if lowest else feature_maps[:, :, :count].max()
        for index, axis in enumerate(axes.flat):
            axis.axis("off")
            if index < count:
                axis.imshow(pictures[:, :, index], cmap=colours, vmin=lowest, vmax=highest)
    drawn = filters[:, :, :count]
    responses = feature_maps[:, :, :count].max(axis=(0, 1))  # each map's brightest pixel
    strongest = int(responses.argmax())
    which = f"{count} of the layer's {filters.shape[-1]}" if shown else f"the layer's {count}"
    return set_description(
        figure,
        f"the digit; {which} filters of "
        f"{filters.shape[0]}x{filters.shape[1]} weights ({drawn.min():.2f} to "
        f"{drawn.max():.2f}; red adds, blue subtracts) in a {rows}x{columns} grid, and beside "
        f"them, each in its filter's place, the {feature_maps.shape[0]}x"
        f"{feature_maps.shape[1]} feature maps they make of the digit, bright where its "
        f"pattern lies; of these, filter {strongest}'s is the brightest "
        f"({responses[strongest]:.2f})",
    )


def write_numbers(axis, values, decimals):
    """Each value written in its cell of the image drawn in `axis`: dark on light cells and
    light on dark ones."""
    image = axis.images[0]
    for (row, column), value in np.ndenumerate(values):
        red, green, blue, _ = image.cmap(image.norm(value))
        colour = "black" if 0.299 * red + 0.587 * green + 0.114 * blue > 0.5 else "white"
        axis.text(
            column,
            row,
            f"{value:.{decimals}f}",
            ha="center",
            va="center",
            color=colour,
            fontsize=NUMBER_POINTS,
        )


def convolution_by_hand_figure(image, kernel, top, left, title):
    """The patch of `image` (2-D) under `kernel` (2-D) placed at (`top`, `left`), the
    kernel's weights, and where the patch lies in the image."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    size = kernel.shape[0]
    patch = image[top : top + size, left : left + size]
    figure, (image_axis, patch_axis, kernel_axis) = plt.subplots(
        1, 3, figsize=(10.5, 4.2), layout="constrained"
    )
    image_axis.imshow(image, cmap="gray_r")
    image_axis.add_patch(
        Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor="tab:orange", lw=2)
    )
    image_axis.set_title(f"the digit, a {size}x{size} patch", fontsize=FONT_POINTS)
    patch_axis.imshow(patch, cmap="gray_r", vmin=0, vmax=1)
    write_numbers(patch_axis, patch, 1)
    patch_axis.set_title("its pixels (0-1)", fontsize=FONT_POINTS)
    largest = np.abs(kernel).max()
    kernel_axis.imshow(kernel, cmap="coolwarm", vmin=-largest, vmax=largest)
    write_numbers(kernel_axis, kernel, 2)
    kernel_axis.set_title("the filter's weights", fontsize=FONT_POINTS)
    for axis in (image_axis, patch_axis, kernel_axis):
        axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    return set_description(
        figure,
        f"the {image.shape[0]}x{image.shape[1]} digit with a {size}x{size} patch marked at row "
        f"{top}, column {left}; the patch's pixels ({patch.min():.1f} to {patch.max():.1f}) and "
        f"the filter's weights ({kernel.min():.2f} to {kernel.max():.2f}), each written in its "
        f"cell; pixels times weights add up to {np.sum(patch * kernel):.4f}, before the bias",
    )


def feature_maps_figure(maps, title):
    """Feature maps side by side: `maps` is {how it was made: 2-D map}; each is drawn to the
    same scale of pixels, so that a smaller map looks smaller."""
    import matplotlib.pyplot as plt

    largest_side = max(feature_map.shape[0] for feature_map in maps.values())
    figure, axes = plt.subplots(1, len(maps), figsize=(3.6 * len(maps), 4.3), layout="constrained")
    for axis, (label, feature_map) in zip(axes, maps.items()):
        axis.imshow(feature_map, cmap="viridis")
        side = feature_map.shape[0]
        margin = (largest_side - side) / 2
        axis.set_xlim(-0.5 - margin, side - 0.5 + margin)
        axis.set_ylim(side - 0.5 + margin, -0.5 - margin)
        axis.set_title(f"{label}\n{side}x{feature_map.shape[1]}", fontsize=FONT_POINTS)
        axis.axis("off")
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    figure.get_layout_engine().set(h_pad=TITLE_GAP_INCHES)  # room between the two titles
    sizes = "; ".join(f"{label}: {m.shape[0]}x{m.shape[1]}" for label, m in maps.items())
    return set_description(
        figure, f"{len(maps)} feature maps side by side, drawn to one scale of pixels: {sizes}"
    )


def max_pooling_figure(patch, title):
    """A 4x4 patch of a feature map, each 2x2 block outlined, and the 2x2 of maxima that
    max pooling keeps."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    pooled = patch.reshape(2, 2, 2, 2).max(axis=(1, 3))
    figure, (patch_axis, pooled_axis) = plt.subplots(
        1, 2, figsize=(8, 4.1), width_ratios=[2, 1], layout="constrained"
    )
    for axis, values, label in [
        (patch_axis, patch, "a 4x4 patch of a feature map"),
        (pooled_axis, pooled, "max of each 2x2 block"),
    ]:
        axis.imshow(values, cmap="viridis", vmin=0, vmax=patch.max())
        write_numbers(axis, values, 2)
        axis.set_title(label, fontsize=FONT_POINTS)
        axis.axis("off")
    for row in (0, 2):
        for column in (0, 2):
            corner = (column - 0.5, row - 0.5)
            patch_axis.add_patch(Rectangle(corner, 2, 2, fill=False, edgecolor="white", lw=3))
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    kept = ", ".join(f"{value:.2f}" for value in pooled.flat)
    return set_description(
        figure,
        f"a 4x4 patch of a feature map, its numbers from {patch.min():.2f} to {patch.max():.2f} "
        f"written in their cells and its four 2x2 blocks outlined; beside it the 2x2 that max "
        f"pooling keeps, the largest of each block: {kept}",
    )


def receptive_field_figure(image, row, column, fields, title):
    """`image` (2-D) with a square around (`row`, `column`) for each layer: `fields` is
    {layer: the side in input pixels that one of its output pixels sees}."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    figure, axis = plt.subplots(figsize=(7.5, 4.8), layout="constrained")
    axis.imshow(image, cmap="gray_r")
    colours = plt.get_cmap("tab10").colors
    for (label, side), colour in zip(fields.items(), colours):
        corner = (column - side / 2, row - side / 2)
        axis.add_patch(
            Rectangle(corner, side, side, fill=False, edgecolor=colour, lw=3, label=label)
        )
    axis.set_xlim(-0.5, image.shape[1] - 0.5)
    axis.set_ylim(image.shape[0] - 0.5, -0.5)
    axis.axis("off")
    axis.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=FONT_POINTS)
    axis.set_title(title, fontsize=FONT_POINTS + 2)
    return set_description(
        figure,
        f"the {image.shape[0]}x{image.shape[1]} digit with a square around the pixel at row "
        f"{row}, column {column} for each layer, as much of the digit as one pixel of that "
        f"layer sees: {', '.join(fields)}",
    )


def channel_statistics_figure(outputs, title):
    """Each channel's mean and standard deviation (as a bar around it) over the images and
    places of a layer's outputs: `outputs` is {label: array (images, height, width,
    channels)}, one plot each, side by side."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(outputs), figsize=(5.5 * len(outputs), 4.2))
    words = []
    for axis, (label, values) in zip(np.atleast_1d(axes), outputs.items()):
        means, spreads = values.mean(axis=(0, 1, 2)), values.std(axis=(0, 1, 2))
        words.append(
            f"{label}: means {means.min():.2f} to {means.max():.2f}, spreads "
            f"{spreads.min():.2f} to {spreads.max():.2f}"
        )
        axis.errorbar(np.arange(len(means)), means, yerr=spreads, fmt="o", capsize=3)
        axis.set_title(f"{label}: mean and spread per channel", fontsize=FONT_POINTS)
        axis.set_xlabel("channel", fontsize=FONT_POINTS)
        axis.tick_params(labelsize=FONT_POINTS)
        axis.grid(True, alpha=0.3)
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    figure.tight_layout()
    channels = next(iter(outputs.values())).shape[-1]
    return set_description(
        figure,
        f"each of {channels} channels' mean over the images and places, a bar from its mean "
        f"minus to plus its standard deviation (its spread), one plot each: {'; '.join(words)}",
    )


def filter_positions(image_side, size, places):
    """`places` places (top, left) of a `size` filter, evenly along the middle row of an
    image `image_side` pixels a side, from its left edge to its right."""
    row = (image_side - size) // 2
    return [(row, int(left)) for left in np.linspace(0, image_side - size, places)]


def filter_positions_figure(image, size, places, title):
    """A `size` x `size` filter laid on `image` (2-D) at `places` places along its middle row
    (filter_positions), numbered in order, and the pixel each place gives in the feature
    map, which has W - size + 1 pixels a side."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    side = image.shape[0] - size + 1
    positions = filter_positions(image.shape[0], size, places)
    figure, (image_axis, map_axis) = plt.subplots(1, 2, figsize=(10, 4.8), layout="constrained")
    image_axis.imshow(image, cmap="gray_r")
    map_axis.imshow(np.zeros((side, side)), cmap="gray_r", vmin=0, vmax=1)
    colours = plt.get_cmap("tab10").colors
    label = {"fontsize": FONT_POINTS, "ha": "center", "va": "center", "weight": "bold"}
    for number, (top, left) in enumerate(positions, start=1):
        colour = colours[(number - 1) % len(colours)]
        image_axis.add_patch(
            Rectangle((left - 0.5, top - 0.5), size, size, fill=False, edgecolor=colour, lw=2.5)
        )
        middle = (size - 1) / 2
        image_axis.text(left + middle, top + middle, str(number), color=colour, **label)
        map_axis.add_patch(Rectangle((left - 0.5, top - 0.5), 1, 1, color=colour))
        map_axis.text(left, top + 1.8, str(number), color=colour, **label)
    image_axis.set_title(
        f"the digit, {image.shape[0]}x{image.shape[1]}: a {size}x{size} filter",
        fontsize=FONT_POINTS,
    )
    map_axis.set_title(f"its feature map, {side}x{side}", fontsize=FONT_POINTS)
    for axis in (image_axis, map_axis):
        axis.set_xticks([])
        axis.set_yticks([])
    figure.suptitle(title, fontsize=FONT_POINTS + 2)
    lefts = ", ".join(str(left) for _, left in positions)
    return set_description(
        figure,
        f"a {size}x{size} filter laid on the {image.shape[0]}x{image.shape[1]} digit at "
        f"{places} places along row {positions[0][0]}, numbered in order (left edges at columns "
        f"{lefts}); beside it the {side}x{side} feature map, with the one pixel each place "
        "gives marked by its number",
    )
