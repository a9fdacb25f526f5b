"""The pictures the lessons draw from a model and the data, each drawn here from a small model
or small arrays, and saved as a lecture deck needs them: sharp, legible, described."""

import figure_legibility
import keras
import matplotlib
import numpy as np
import pytest
from figure_legibility import assert_legible_on_a_slide, saved
from keras import layers
from PIL import Image

import common
import convolution_pictures
import network_pictures
import pictures

matplotlib.use("Agg")


def small_cnn():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(6, kernel_size=(5, 5), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dense(10, activation="softmax"),
        ],
        name="small_cnn",
    )


def a_stroke():
    image = np.zeros((28, 28, 1), dtype="float32")
    image[8:20, 12:15] = 1.0
    return image


def texts(figure):
    return [text.get_text() for axis in figure.axes for text in axis.texts]


# %% Each picture, drawn from a small model or small arrays


def test_the_diagram_has_a_block_per_layer_with_its_shape_and_parameters():
    model = small_cnn()
    figure = pictures.model_diagram_figure(model, "A small CNN")
    shown = texts(figure)
    assert "Input" in shown and "28x28x1" in shown
    assert "Conv2D 6 5x5, relu" in shown
    assert "24x24x6, 156 params" in shown  # 5*5*6 weights and 6 biases
    assert "MaxPooling2D 2x2" in shown and "12x12x6, 0 params" in shown
    assert "Dense 10, softmax" in shown and "10, 8,650 params" in shown
    assert figure.get_suptitle() == f"A small CNN: {model.count_params():,} parameters"
    blocks = [patch for patch in figure.axes[0].patches if patch.get_width() > 1]
    assert len(blocks) == len(model.layers) + 1


def test_a_long_model_continues_in_columns_that_fit_a_slide():
    model = keras.Sequential(
        [keras.Input(shape=(4,)), *(layers.Dense(4, name=f"dense_{i}") for i in range(18))]
    )
    figure = pictures.model_diagram_figure(model, "Deep")
    blocks = [patch for patch in figure.axes[0].patches if patch.get_width() > 1]
    columns = {round(patch.get_x(), 3) for patch in blocks}
    assert len(blocks) == 19 and len(columns) == 4
    width, height = figure.get_size_inches()
    assert width <= figure_legibility.BODY_WIDTH_INCHES
    assert height <= figure_legibility.BODY_HEIGHT_INCHES


def test_the_convolution_figure_shows_each_filter_and_its_map():
    model = small_cnn()
    image = a_stroke()
    figure = convolution_pictures.convolution_figure(model.layers[0], image, "What it learned")
    shown = [axis for axis in figure.axes if axis.images]
    assert len(shown) == 1 + 2 * 6  # the digit, six filters, six feature maps
    maps = [
        axis.images[0].get_array() for axis in shown if axis.images[0].get_array().shape == (24, 24)
    ]
    expected = keras.ops.convert_to_numpy(model.layers[0](image[np.newaxis]))[0]
    assert len(maps) == 6
    np.testing.assert_allclose(maps[0], expected[:, :, 0], rtol=1e-5)


def test_the_convolution_by_hand_writes_the_patch_and_the_weights():
    image = a_stroke()[:, :, 0]
    kernel = np.arange(25, dtype="float32").reshape(5, 5) / 100 - 0.12
    figure = convolution_pictures.convolution_by_hand_figure(image, kernel, 6, 10, "By hand")
    _, patch_axis, kernel_axis = figure.axes
    patch = image[6:11, 10:15]
    assert [text.get_text() for text in patch_axis.texts] == [f"{v:.1f}" for v in patch.flat]
    assert [text.get_text() for text in kernel_axis.texts] == [f"{v:.2f}" for v in kernel.flat]
    assert figure.axes[0].patches[0].get_xy() == (9.5, 5.5)  # the patch's place in the image


def test_feature_maps_are_titled_with_their_sizes():
    maps = {"valid": np.ones((24, 24)), "stride 2": np.ones((12, 12))}
    figure = convolution_pictures.feature_maps_figure(maps, "Sizes")
    assert [axis.get_title() for axis in figure.axes] == ["valid\n24x24", "stride 2\n12x12"]


def test_max_pooling_keeps_the_largest_of_each_block():
    patch = np.array([[1, 2, 0, 0], [3, 4, 0, 9], [5, 0, 1, 1], [0, 0, 1, 2]], dtype="float32")
    figure = convolution_pictures.max_pooling_figure(patch, "Pooling")
    pooled = [text.get_text() for text in figure.axes[1].texts]
    assert pooled == ["4.00", "9.00", "5.00", "2.00"]


def test_the_receptive_fields_are_squares_of_their_sides():
    fields = {"first: 5x5": 5, "second: 10x10": 10}
    figure = convolution_pictures.receptive_field_figure(a_stroke()[:, :, 0], 14, 13, fields, "")
    squares = figure.axes[0].patches
    assert [(square.get_width(), square.get_height()) for square in squares] == [(5, 5), (10, 10)]
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == list(fields)


def test_the_pixel_grid_writes_each_pixel_of_its_window():
    image = (np.arange(28 * 28) % 256).reshape(28, 28).astype(np.uint8)
    figure = pictures.pixel_grid_figure(image, 3, 4, 10, "Numbers")
    written = [int(text.get_text()) for text in figure.axes[1].texts]
    assert written == image[3:13, 4:14].flatten().tolist()


def test_a_neurons_weights_are_drawn_as_an_image_of_the_input():
    weights = np.random.default_rng(0).normal(size=(784, 20))
    figure = pictures.neuron_weights_figure(weights, [3, 7], ["votes for 0", "votes for 1"], "")
    drawn = [axis.images[0].get_array() for axis in figure.axes if axis.images]
    assert len(drawn) == 2
    np.testing.assert_array_equal(drawn[1], weights[:, 7].reshape(28, 28))


def test_softmax_bars_are_the_scores_and_the_probabilities():
    scores = np.linspace(-2.0, 3.0, 10)
    probabilities = np.exp(scores) / np.exp(scores).sum()
    figure = pictures.softmax_figure(np.zeros((28, 28)), scores, probabilities, "Softmax")
    _, score_axis, probability_axis = figure.axes
    np.testing.assert_allclose([bar.get_height() for bar in score_axis.patches], scores)
    np.testing.assert_allclose(
        [bar.get_height() for bar in probability_axis.patches], probabilities
    )
    assert probability_axis.get_title() == f"softmax: {probabilities[9]:.1%} for 9"


def test_each_steps_loss_follows_from_the_running_means_and_the_schedule_is_as_given():
    losses = [2.4, 1.0, 0.5, 0.9]
    running_means = np.cumsum(losses) / np.arange(1, 5)  # as Keras reports them
    figure = pictures.step_losses_figure(running_means, "Loss")
    np.testing.assert_allclose(figure.axes[0].lines[0].get_ydata(), losses)
    schedule = keras.optimizers.schedules.CosineDecay(0.002, decay_steps=100)
    figure = pictures.schedule_figure(schedule, 100, 10, "Schedule")
    epochs, rates = figure.axes[0].lines[0].get_data()
    assert epochs[0] == 0 and epochs[-1] == 10  # 100 steps of 10 an epoch
    np.testing.assert_allclose(rates[[0, -1]], [0.002, 0.0], atol=1e-9)
    figure = pictures.schedule_figure(0.001, 100, 10, "Constant")
    assert set(figure.axes[0].lines[0].get_ydata()) == {0.001}


def test_augmented_copies_follow_their_image():
    image = a_stroke()
    shift = keras.layers.RandomTranslation(
        0.0, (3 / 28, 3 / 28), fill_mode="constant", interpolation="nearest"
    )  # three pixels to the right
    figure = pictures.augmented_copies_figure(shift, image, 2, "Copies")
    drawn = [axis.images[0].get_array() for axis in figure.axes if axis.images]
    assert [axis.get_title() for axis in figure.axes if axis.images] == ["the image"] + [
        f"copy {number}" for number in (1, 2)
    ]
    np.testing.assert_array_equal(drawn[0], image[:, :, 0])
    np.testing.assert_allclose(drawn[1], np.roll(image, 3, axis=1)[:, :, 0], atol=1e-6)


def test_channel_statistics_are_each_channels_mean_and_spread():
    values = np.random.default_rng(1).normal(3.0, 2.0, size=(8, 5, 5, 4))
    figure = convolution_pictures.channel_statistics_figure({"before": values}, "Channels")
    (errorbar,) = figure.axes[0].containers
    means, spreads = values.mean(axis=(0, 1, 2)), values.std(axis=(0, 1, 2))
    np.testing.assert_allclose(errorbar.lines[0].get_ydata(), means)
    (bars,) = errorbar.lines[2]  # each channel's bar, from its mean minus to plus its spread
    lows, highs = np.array([(low[1], high[1]) for low, high in bars.get_segments()]).T
    np.testing.assert_allclose(lows, means - spreads)
    np.testing.assert_allclose(highs, means + spreads)


def test_the_perceptron_draws_its_weights_and_the_line_where_its_sum_is_zero():
    features = np.array([[0.1, 0.2], [0.2, 0.1], [0.8, 0.9], [0.9, 0.7]])
    labels = np.array([0, 0, 1, 1])
    weights, bias = np.array([1.0, 1.0]), -1.0
    names = ["ink", "width", "a 0", "a 1"]
    figure = network_pictures.perceptron_figure(
        features, labels, weights, bias, names, "Perceptron"
    )
    neuron_axis, data_axis = figure.axes
    shown = [text.get_text() for text in neuron_axis.texts]
    assert "w1 = 1.00" in shown and "w2 = 1.00" in shown and "bias b = -1.00" in shown
    line_x, line_y = data_axis.lines[0].get_data()
    np.testing.assert_allclose(weights[0] * line_x + weights[1] * line_y + bias, 0, atol=1e-12)
    assert data_axis.get_title() == "a straight line: 100% on the right side"
    figure = network_pictures.perceptron_figure(features, 1 - labels, weights, bias, names, "Wrong")
    assert figure.axes[1].get_title() == "a straight line: 0% on the right side"


def test_the_network_graph_joins_every_neuron_to_every_neuron_of_the_next_layer():
    figure = network_pictures.network_graph_figure(
        [784, 3, 10], ["in", "hidden", "out"], "Graph", 6
    )
    axis = figure.axes[0]
    drawn = [len(points.get_offsets()) for points in axis.collections]
    assert drawn == [5, 3, 5]  # six places, one of them the dots, for a larger layer
    assert len(axis.lines) == 5 * 3 + 3 * 5
    shown = [text.get_text() for text in axis.texts]
    assert "in\n784" in shown and "hidden\n3" in shown and "out\n10" in shown


def test_relu_is_max_of_zero_and_its_input_and_counts_the_silenced_sums():
    layer = layers.Dense(2)
    layer.build((None, 1))
    layer.set_weights([np.array([[1.0, -1.0]]), np.array([0.5, 0.0])])
    inputs = np.array([[-2.5], [1.0]])
    sums = np.array([-2.0, 2.5, 1.5, -1.0])  # inputs @ weights + biases
    figure = network_pictures.relu_figure(layer, inputs, "ReLU")
    z, output = figure.axes[0].lines[0].get_data()
    np.testing.assert_array_equal(output, np.maximum(z, 0))
    assert z.min() <= sums.min() and z.max() >= sums.max()
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels[1].endswith("50% <= 0")


def test_the_cross_entropy_curve_is_minus_log_p_with_its_marks():
    figure = network_pictures.cross_entropy_figure([0.5, 0.01], "Loss")
    p, loss = figure.axes[0].lines[0].get_data()
    np.testing.assert_allclose(loss, -np.log(p))
    assert [text.get_text() for text in figure.axes[0].texts] == [
        "p = 0.5: loss 0.69",
        "p = 0.01: loss 4.61",
    ]


def test_dropout_switches_off_about_its_rate_and_scales_the_rest():
    image = np.random.default_rng(3).random((28, 28))
    masks = network_pictures.dropout_masks(image.shape, 0.2, 2, seed=42)
    assert not np.array_equal(masks[0], masks[1])  # another choice each step
    assert all(0.1 < 1 - mask.mean() < 0.3 for mask in masks)
    np.testing.assert_array_equal(
        masks[0], network_pictures.dropout_masks(image.shape, 0.2, 1, 42)[0]
    )
    figure = network_pictures.dropout_figure(image, 0.2, 2, 42, "Dropout")
    assert figure.axes[0].get_title() == f"training step 1: {1 - masks[0].mean():.0%} off"
    first = figure.axes[0].images[0].get_array()
    np.testing.assert_allclose(first, image * masks[0] / 0.8)
    np.testing.assert_array_equal(figure.axes[-1].images[0].get_array(), image)
    assert figure.axes[-1].get_title() == "predicting: none off"


def test_digit_rows_show_each_rows_images_under_its_label():
    rows = {"4s": [np.full((28, 28), value) for value in (1, 2, 3)], "9s": [np.zeros((28, 28))]}
    figure = network_pictures.digit_rows_figure(rows, "Rows")
    drawn = [axis.images[0].get_array()[0, 0] for axis in figure.axes if axis.images]
    assert drawn == [1, 2, 3, 0]
    assert [axis.get_ylabel() for axis in figure.axes if axis.get_ylabel()] == ["4s", "9s"]


def test_the_sliding_filter_marks_each_place_and_its_pixel_of_the_map():
    positions = convolution_pictures.filter_positions(28, 5, 3)
    assert positions == [(11, 0), (11, 11), (11, 23)]  # the middle row, edge to edge
    figure = convolution_pictures.filter_positions_figure(a_stroke()[:, :, 0], 5, 3, "Slide")
    image_axis, map_axis = figure.axes
    corners = [(patch.get_x() + 0.5, patch.get_y() + 0.5) for patch in image_axis.patches]
    assert corners == [(left, top) for top, left in positions]
    assert all(patch.get_width() == 5 for patch in image_axis.patches)
    assert map_axis.images[0].get_array().shape == (24, 24)
    assert map_axis.get_title() == "its feature map, 24x24"


# %% Saved: sharp, legible, described


def every_figure():
    """One of each figure the lessons draw with pictures.py and convolution_pictures.py."""
    model = small_cnn()
    image = a_stroke()
    rng = np.random.default_rng(0)
    history = {"loss": [1.0, 0.5], "val_loss": [0.9, 0.6]}
    history |= {"accuracy": [0.7, 0.9], "val_accuracy": [0.8, 0.85]}
    return {
        "diagram": pictures.model_diagram_figure(model, "Lesson 2: a CNN"),
        "long diagram": pictures.model_diagram_figure(
            keras.Sequential([keras.Input(shape=(4,)), *(layers.Dense(4) for _ in range(18))]),
            "Lesson 5: a long model",
        ),
        "filters": convolution_pictures.convolution_figure(model.layers[0], image, "Filters"),
        "by hand": convolution_pictures.convolution_by_hand_figure(
            image[:, :, 0], rng.normal(size=(5, 5)) / 10, 6, 10, "By hand"
        ),
        "maps": convolution_pictures.feature_maps_figure(
            {"a": rng.random((24, 24)), "b": rng.random((28, 28)), "c": rng.random((12, 12))},
            "Maps",
        ),
        "pooling": convolution_pictures.max_pooling_figure(rng.random((4, 4)), "Pooling"),
        "fields": convolution_pictures.receptive_field_figure(
            image[:, :, 0], 14, 13, {"conv2d: 5x5": 5, "conv2d_1: 10x10": 10}, "Fields"
        ),
        "pixels": pictures.pixel_grid_figure(
            (image[:, :, 0] * 255).astype(np.uint8), 6, 10, 10, "Pixels"
        ),
        "neurons": pictures.neuron_weights_figure(
            rng.normal(size=(784, 30)), range(10), [f"votes for {d}" for d in range(10)], "N"
        ),
        "softmax": pictures.softmax_figure(
            image[:, :, 0], np.linspace(-1, 1, 10), np.full(10, 0.1), "Softmax"
        ),
        "steps": pictures.step_losses_figure(np.linspace(2, 0.1, 270), "Steps"),
        "schedule": pictures.schedule_figure(0.001, 100, 10, "Schedule"),
        "curves": common.training_curves_figure(history, "Curves"),
        "copies": pictures.augmented_copies_figure(layers.Identity(), image, 9, "Copies"),
        "perceptron": network_pictures.perceptron_figure(
            rng.random((20, 2)), np.arange(20) % 2, [1.0, -1.0], 0.1, ["a", "b", "0", "1"], "P"
        ),
        "graph": network_pictures.network_graph_figure(
            [784, 784, 10], ["in", "hidden", "out"], "G"
        ),
        "relu": network_pictures.relu_figure(model.layers[-1], rng.random((50, 864)), "ReLU"),
        "cross-entropy": network_pictures.cross_entropy_figure([0.99, 0.5, 0.01], "Loss"),
        "dropout": network_pictures.dropout_figure(image[:, :, 0], 0.2, 2, 0, "Dropout"),
        "rows": network_pictures.digit_rows_figure(
            {f"{d}s": [image[:, :, 0]] * 10 for d in range(4)}, "Rows"
        ),
        "sliding": convolution_pictures.filter_positions_figure(image[:, :, 0], 5, 5, "Sliding"),
        "channels": convolution_pictures.channel_statistics_figure(
            {"before": rng.random((4, 6, 6, 32)), "normalized": rng.normal(size=(4, 6, 6, 32))},
            "Channels",
        ),
    }


def test_every_figure_is_sharp_and_legible_at_the_size_a_slide_shows_it(tmp_path):
    for name, figure in every_figure().items():
        assert_legible_on_a_slide(saved(figure, tmp_path, f"{name}.png"))


def test_a_saved_figure_says_what_it_shows(tmp_path):
    figure = pictures.softmax_figure(np.zeros((28, 28)), np.zeros(10), np.full(10, 0.1), "Ten")
    path = saved(figure, tmp_path, "softmax.png")
    assert path == tmp_path / common.FIGURES / "softmax.png"
    with Image.open(path) as image:
        assert image.mode == "P"  # a palette: about a third of the bytes
        assert image.info["dpi"][0] == pytest.approx(pictures.FIGURE_DPI, abs=0.01)
        assert image.info["Title"] == "Ten"
        assert image.info["Description"] == (
            "Ten: the input; ten scores (any number); softmax: 10.0% for 0"
        )
        assert float(image.info["Smallest font"]) == pictures.FONT_POINTS


def test_the_smallest_font_is_that_of_a_shown_text_only():
    import matplotlib.pyplot as plt

    figure, (shown, hidden) = plt.subplots(1, 2)
    shown.set_title("title", fontsize=20)
    shown.tick_params(labelsize=16)
    hidden.axis("off")  # its tick labels (10 points) are never drawn
    hidden.text(0, 0, "a note", fontsize=18)
    assert pictures.smallest_font(figure) == 16
    hidden.text(0, 1, "small", fontsize=9)
    assert pictures.smallest_font(figure) == 9


def test_the_dropout_rate_drawn_is_the_models_and_zero_without_dropout():
    """Lesson 2's dropout figure reads its rate from the model, so that a student who takes
    the Dropout line out (a Try it exercise) still runs the cell: nothing is switched off."""
    import keras
    from keras import layers

    with_dropout = keras.Sequential([keras.Input(shape=(4,)), layers.Dropout(0.3)])
    without = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(2)])
    assert network_pictures.dropout_rate(with_dropout) == 0.3
    assert network_pictures.dropout_rate(without) == 0
    image = np.random.default_rng(3).random((28, 28))
    figure = network_pictures.dropout_figure(image, 0, 1, 42, "Dropout")
    np.testing.assert_array_equal(figure.axes[0].images[0].get_array(), image)
