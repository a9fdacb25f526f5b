"""The two pictures the lessons draw from a model: its diagram, and its first filters."""

import keras
import matplotlib
import numpy as np
from keras import layers

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


def texts(figure):
    return [text.get_text() for axis in figure.axes for text in axis.texts]


def test_the_diagram_has_a_block_per_layer_with_its_shape_and_parameters():
    model = small_cnn()
    figure = pictures.model_diagram_figure(model, "A small CNN")
    shown = texts(figure)
    assert "Input" in shown and "shape 28x28x1" in shown
    assert "Conv2D, 6 filters 5x5, relu" in shown
    assert "output 24x24x6, 156 parameters" in shown  # 5*5*6 weights and 6 biases
    assert "MaxPooling2D, 2x2" in shown and "output 12x12x6, 0 parameters" in shown
    assert "Dense, 10 units, softmax" in shown and "output 10, 8,650 parameters" in shown
    assert f"A small CNN: {model.count_params():,} parameters" in shown
    blocks = [patch for patch in figure.axes[0].patches if patch.get_width() > 1]
    assert len(blocks) == len(model.layers) + 1


def test_a_long_model_continues_in_more_columns():
    model = keras.Sequential(
        [keras.Input(shape=(4,)), *(layers.Dense(4, name=f"dense_{i}") for i in range(19))]
    )
    figure = pictures.model_diagram_figure(model, "Deep")
    blocks = [patch for patch in figure.axes[0].patches if patch.get_width() > 1]
    columns = {round(patch.get_x(), 3) for patch in blocks}
    assert len(blocks) == 20 and len(columns) == 3
    width, height = figure.get_size_inches()
    assert 1.2 < width / height < 2.5  # about a slide's shape


def test_the_convolution_figure_shows_each_filter_and_its_map():
    model = small_cnn()
    image = np.zeros((28, 28, 1), dtype="float32")
    image[8:20, 12:15] = 1.0  # a stroke
    figure = pictures.convolution_figure(model.layers[0], image, "What it learned")
    shown = [axis for axis in figure.axes if axis.images]
    assert len(shown) == 1 + 2 * 6  # the digit, six filters, six feature maps
    maps = [
        axis.images[0].get_array() for axis in shown if axis.images[0].get_array().shape == (24, 24)
    ]
    expected = keras.ops.convert_to_numpy(model.layers[0](image[np.newaxis]))[0]
    assert len(maps) == 6
    np.testing.assert_allclose(maps[0], expected[:, :, 0], rtol=1e-5)
