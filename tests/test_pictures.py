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
