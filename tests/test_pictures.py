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


@pytest.fixture(autouse=True)
def figures_closed():
    """Each test's figures closed after it: a test that only reads a figure's words keeps it
    open."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


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


# %% What each figure says it shows: its alt text, with its numbers


def test_an_attached_description_follows_the_title_and_a_long_one_is_cut_at_a_word():
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots()
    axis.set_title("Title")
    pictures.set_description(figure, "three bars: 1, 2 and 3")
    assert pictures.describe(figure) == "Title: three bars: 1, 2 and 3"
    pictures.set_description(figure, "word " * pictures.DESCRIPTION_CHARACTERS)
    described = pictures.describe(figure)
    assert len(described) <= pictures.DESCRIPTION_CHARACTERS
    assert described.endswith(" word...")


def test_a_confusion_matrix_names_its_largest_confusions_and_their_counts():
    """Drawn as lesson 4 draws it: its description needs nothing from the lesson."""
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

    true = np.array([4] * 20 + [7] * 10 + [9] * 10 + [3] * 5)
    answered = true.copy()
    answered[:7] = 9  # seven 4s read as 9
    answered[20:25] = 2  # five 7s read as 2
    answered[30] = 4  # one 9 read as 4
    digits = list(range(10))
    figure, axis = plt.subplots(figsize=(6.2, 5.1), layout="constrained")
    ConfusionMatrixDisplay(
        confusion_matrix(true, answered, labels=digits), display_labels=digits
    ).plot(ax=axis, colorbar=False)
    axis.set_title("true digit (rows), answer (columns)")
    assert pictures.describe(figure) == (
        "true digit (rows), answer (columns): 32 of 45 right; "
        "most often 4 read as 9 (7 times), 7 as 2 (5), 9 as 4 (1)"
    )


def test_a_histogram_says_each_sets_total_and_where_it_is_tallest():
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots()
    right, wrong = np.r_[np.full(90, 0.99), np.full(5, 0.6)], np.r_[np.full(4, 0.52), 0.97]
    bins = np.linspace(0, 1, 21)
    axis.hist([right, wrong], bins=bins, log=True, label=["right answers", "mistakes"])
    axis.set_xlabel("confidence: the probability of the digit answered")
    axis.set_title("How sure")
    assert pictures.describe(figure) == (
        "How sure: right answers: 95, the most (90) near confidence 0.97; "
        "mistakes: 5, the most (4) near confidence 0.54"
    )


def test_training_curves_say_where_each_ends_and_the_epoch_of_the_lowest_validation_loss():
    history = {"loss": [0.5, 0.2, 0.1, 0.05], "val_loss": [0.3, 0.15, 0.12, 0.14]}
    history |= {"accuracy": [0.85, 0.94, 0.97, 0.985], "val_accuracy": [0.9, 0.95, 0.96, 0.97]}
    described = pictures.describe(common.training_curves_figure(history, "Curves"))
    assert described.startswith("Curves: Accuracy per epoch: training 0.85 at epoch 1 to 0.985")
    assert "validation 0.9 at epoch 1 to 0.97 at epoch 4" in described
    assert "training 0.5 at epoch 1 to 0.05 at epoch 4" in described
    assert "validation 0.3 at epoch 1 to 0.14 at epoch 4, lowest 0.12 at epoch 3" in described


def test_every_lesson_figure_states_its_numbers():
    model = small_cnn()
    image = a_stroke()
    weights = np.zeros((784, 4))
    weights[0, 1], weights[5, 1] = -0.5, 0.75
    scores = np.array([0.0] * 8 + [2.0, 1.0])
    probabilities = np.exp(scores) / np.exp(scores).sum()
    pixels = np.zeros((28, 28), dtype=np.uint8)
    pixels[10:13, 10:14] = 200
    pixels[11, 11] = 255
    losses = [2.4, 1.0, 0.5, 0.9]
    patch = np.array([[1, 2, 0, 0], [3, 4, 0, 9], [5, 0, 1, 1], [0, 0, 1, 2]], dtype="float32")
    kernel = np.full((5, 5), 0.1)
    channels = np.zeros((2, 3, 3, 4))
    channels[..., 1] = 2.0
    layer = layers.Dense(2)
    layer.build((None, 1))
    layer.set_weights([np.array([[1.0, -1.0]]), np.array([0.5, 0.0])])
    expected = {
        "pixel grid": (
            pictures.pixel_grid_figure(pixels, 8, 9, 5, "Numbers"),
            ["a 5x5 window at row 8, column 9", "12 inked, from 0 to 255"],
        ),
        "neurons": (
            pictures.neuron_weights_figure(weights, [1, 2], ["a", "b"], "Neurons"),
            ["2 hidden neurons' weights as 28x28 images", "(-0.50 to 0.75): a, b"],
        ),
        "softmax": (
            pictures.softmax_figure(pixels, scores, probabilities, "Softmax"),
            [f"softmax: {probabilities[8]:.1%} for 8"],
        ),
        "steps": (
            pictures.step_losses_figure(np.cumsum(losses) / np.arange(1, 5), "Steps"),
            [
                "loss of the batch 2.4 at gradient step 1 to 0.9 at gradient step 4, lowest 0.5 at "
                "gradient step 3"
            ],
        ),
        "schedule": (
            pictures.schedule_figure(
                keras.optimizers.schedules.CosineDecay(0.002, decay_steps=100), 100, 10, "Rate"
            ),
            ["learning rate 0.002 at epoch 0 to 0 at epoch 10"],
        ),
        "copies": (
            pictures.augmented_copies_figure(layers.Identity(), image, 3, "Copies"),
            ["3 copies of it, each changed at random by Identity"],
        ),
        "diagram": (
            pictures.model_diagram_figure(model, "A small CNN"),
            [
                "4 layers from the input (28x28x1)",
                "the most parameters in Dense 10, softmax (8,650)",
            ],
        ),
        "perceptron": (
            network_pictures.perceptron_figure(
                np.array([[0.1, 0.2], [0.9, 0.7]]),
                np.array([0, 1]),
                [1.0, 1.0],
                -1.0,
                ["ink", "width", "a 0", "a 1"],
                "Perceptron",
            ),
            ["weights 1.00 and 1.00, bias -1.00", "2 images", "100% on the right side"],
        ),
        "graph": (
            network_pictures.network_graph_figure([784, 3, 10], ["in", "hidden", "out"], "G"),
            ["(2,382 weights): in 784, hidden 3, out 10"],  # 784 x 3 + 3 x 10
        ),
        "relu": (
            network_pictures.relu_figure(layer, np.array([[-2.5], [1.0]]), "ReLU"),
            ["4 sums z of real neurons, from -2.00 to 2.50: 50% of them <= 0"],
        ),
        "cross-entropy": (
            network_pictures.cross_entropy_figure([0.5, 0.01], "Loss"),
            ["marked: 0.69 at p = 0.5, 4.61 at p = 0.01"],
        ),
        "dropout": (
            network_pictures.dropout_figure(pixels / 255, 0.2, 1, 42, "Dropout"),
            ["training step 1: ", "% off; predicting: none off"],
        ),
        "rows": (
            network_pictures.digit_rows_figure({"4s": [pixels] * 3, "9s": [pixels]}, "Rows"),
            ["2 rows of images: 3 4s, 1 9s"],
        ),
        "by hand": (
            convolution_pictures.convolution_by_hand_figure(pixels / 255, kernel, 9, 9, "Hand"),
            [
                "a 5x5 patch marked at row 9, column 9",
                f"add up to {np.sum(pixels[9:14, 9:14] / 255) * 0.1:.4f}",
            ],
        ),
        "maps": (
            convolution_pictures.feature_maps_figure(
                {"valid": np.ones((24, 24)), "stride 2": np.ones((12, 12))}, "Sizes"
            ),
            ["2 feature maps", "valid: 24x24; stride 2: 12x12"],
        ),
        "pooling": (
            convolution_pictures.max_pooling_figure(patch, "Pooling"),
            ["from 0.00 to 9.00", "the largest of each block: 4.00, 9.00, 5.00, 2.00"],
        ),
        "fields": (
            convolution_pictures.receptive_field_figure(
                pixels, 11, 12, {"first: 5x5": 5, "second: 10x10": 10}, "Fields"
            ),
            ["row 11, column 12", "first: 5x5, second: 10x10"],
        ),
        "channels": (
            convolution_pictures.channel_statistics_figure({"before": channels}, "Channels"),
            ["each of 4 channels", "before: means 0.00 to 2.00, spreads 0.00 to 0.00"],
        ),
        "sliding": (
            convolution_pictures.filter_positions_figure(pixels, 5, 3, "Slide"),
            ["at 3 places along row 11", "columns 0, 11, 23", "the 24x24 feature map"],
        ),
    }
    for name, (figure, phrases) in expected.items():
        described = pictures.describe(figure)
        assert len(described) <= pictures.DESCRIPTION_CHARACTERS, name
        for phrase in phrases:
            assert phrase in described, (name, described)


def test_the_convolution_figure_names_its_filters_and_its_brightest_map():
    model = small_cnn()
    convolution = model.layers[0]
    image = a_stroke()
    described = pictures.describe(convolution_pictures.convolution_figure(convolution, image, "F"))
    brightest = keras.ops.convert_to_numpy(convolution(image[np.newaxis]))[0].max(axis=(0, 1))
    assert "the layer's 6 filters of 5x5 weights" in described and "in a 2x3 grid" in described
    assert (
        f"of these, filter {brightest.argmax()}'s is the brightest ({brightest.max():.2f})"
        in described
    )


def test_the_filters_and_their_maps_are_large_on_a_slide():
    """Sixteen filters in a 4x4 grid beside their maps, not two long strips: each about an
    inch on a slide."""
    convolution = layers.Conv2D(32, kernel_size=(5, 5))
    convolution.build((None, 28, 28, 1))
    figure = convolution_pictures.convolution_figure(convolution, a_stroke(), "Filters")
    figure.draw_without_rendering()
    cells = [axis for axis in figure.axes if axis.images][1:]  # after the digit
    assert len(cells) == 2 * convolution_pictures.FILTERS_SHOWN
    tops = {round(axis.get_position().y1, 3) for axis in cells}
    assert len(tops) == 4
    width, height = figure.get_size_inches()
    assert width <= figure_legibility.BODY_WIDTH_INCHES
    assert height <= figure_legibility.BODY_HEIGHT_INCHES
    sides = [axis.get_window_extent().height / figure.dpi for axis in cells]
    assert min(sides) >= 0.9
    assert "16 of the layer's 32 filters" in pictures.describe(figure)
