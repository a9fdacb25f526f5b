"""The slides' three recipes, trained exactly as the slides wrote them: the reference.

Only what Keras 3 no longer accepts is changed (channels-last input instead of
`input_shape=(1, 28, 28)`, `keras.utils.to_categorical` instead of `np_utils`,
`kernel_initializer="random_normal"` for `init="normal"`); everything else is as written,
including the test set used as validation data after every epoch and `verbose=2`.
Seeding uses `keras.utils.set_random_seed`, the Keras 3 form of the slides' `numpy.random.seed`.

    python bench/slides_reference.py mlp --seed 1 --data ../shared/data/mnist.npz

Prints one JSON line with the test error and the training time. Used by bench_lessons.py.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import course  # noqa: E402  (the quiet start, and one-line errors)

import keras  # noqa: E402
from keras.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D  # noqa: E402
from keras.models import Sequential  # noqa: E402

import common  # noqa: E402  (only for the loader)

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("model", choices=["mlp", "simple_cnn", "large_cnn"])
parser.add_argument("--seed", type=int, default=7)
parser.add_argument("--data")
args = parser.parse_args()
course.show_user_errors_as_one_line()

keras.utils.set_random_seed(args.seed)
(X_train, y_train), (X_test, y_test) = common.load_mnist(args.data)
y_test_digits = y_test.copy()
if args.model == "mlp":
    num_pixels = X_train.shape[1] * X_train.shape[2]
    X_train = X_train.reshape(X_train.shape[0], num_pixels).astype("float32")
    X_test = X_test.reshape(X_test.shape[0], num_pixels).astype("float32")
else:
    X_train = X_train.reshape(X_train.shape[0], 28, 28, 1).astype("float32")
    X_test = X_test.reshape(X_test.shape[0], 28, 28, 1).astype("float32")
X_train = X_train / 255
X_test = X_test / 255
y_train = keras.utils.to_categorical(y_train)
y_test = keras.utils.to_categorical(y_test)
num_classes = y_test.shape[1]


def baseline_model():
    model = Sequential()
    model.add(keras.Input(shape=(num_pixels,)))
    model.add(Dense(num_pixels, kernel_initializer="random_normal", activation="relu"))
    model.add(Dense(num_classes, kernel_initializer="random_normal", activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def simple_cnn_model():
    model = Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(Conv2D(32, (5, 5), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.2))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dense(num_classes, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def larger_model():
    model = Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(Conv2D(30, (5, 5), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Conv2D(15, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.2))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dense(50, activation="relu"))
    model.add(Dense(num_classes, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


model = {"mlp": baseline_model, "simple_cnn": simple_cnn_model, "large_cnn": larger_model}[
    args.model
]()
start = time.perf_counter()
model.fit(X_train, y_train, validation_data=(X_test, y_test), epochs=10, batch_size=200, verbose=2)
train_seconds = time.perf_counter() - start
scores = model.evaluate(X_test, y_test, verbose=0)
print("Error: %.2f%%" % (100 - scores[1] * 100))
misclassified = int((model.predict(X_test, verbose=0).argmax(axis=1) != y_test_digits).sum())
result = {
    "test_error_percent": 100 * misclassified / len(y_test_digits),
    "misclassified": misclassified,
    "train_seconds": round(train_seconds, 2),
}
print("RESULT " + json.dumps(result))
