"""A training curve that really overfits: lesson 1's network trained far longer.

Lesson 1's multilayer perceptron (one hidden layer of 784 ReLU neurons, no dropout) with
Adam at its constant default learning rate, 0.001, for many more epochs than the lesson's 7,
on the same split (the last tenth of the training images checks each epoch). The training
loss keeps falling; the validation loss reaches its lowest point early and then rises: the
network learns its training images by heart. The lecture deck shows the figure.

    python bench/bench_overfitting.py --data ../shared/data/mnist.npz
    python bench/bench_overfitting.py --data ../shared/data/mnist.npz --epochs 40

Prints a table of the losses per epoch and the epoch of the lowest validation loss, and
saves the curves as docs/figures/overfitting_curves.png (--output-dir to save elsewhere).
"""

import argparse
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

import course  # noqa: E402,F401  (Keras starts quietly)

import keras  # noqa: E402
from keras import layers  # noqa: E402

import common  # noqa: E402
import pictures  # noqa: E402

EPOCHS = 40
BATCH_SIZE = 200  # as in lesson 1
LEARNING_RATE = 0.001  # Adam's default, constant
VALIDATION_FRACTION = 0.1  # as in lesson 1
SEED = 42
FIGURE_NAME = "overfitting_curves.png"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--data", help="mnist.npz or a folder of IDX files")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--quick", action="store_true", help="a small subset, for a try")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=PROJECT_DIR / "docs",
        help="the figure goes into <output-dir>/figures/ (default: docs)",
    )
    return parser.parse_args()


def main():
    args = parse_arguments()
    if args.epochs < 2:
        sys.exit("error: --epochs needs at least 2 epochs to show a curve")
    (x_train, y_train), _ = common.load_mnist(args.data, quick=args.quick)
    x_train = common.scale_pixels(common.flatten_images(x_train))
    y_train = common.one_hot_encode(y_train)
    (x_fit, y_fit), validation = common.hold_out_validation(x_train, y_train, VALIDATION_FRACTION)
    common.set_seed(args.seed)
    num_pixels, num_classes = x_train.shape[1], y_train.shape[1]
    model = keras.Sequential(
        [
            keras.Input(shape=(num_pixels,)),
            layers.Dense(num_pixels, activation="relu", kernel_initializer="random_normal"),
            layers.Dense(num_classes, activation="softmax", kernel_initializer="random_normal"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    history = model.fit(
        x_fit,
        y_fit,
        validation_data=validation,
        epochs=args.epochs,
        batch_size=BATCH_SIZE,
        verbose=0,
    ).history
    seconds = time.perf_counter() - start
    print(f"{'epoch':>5} {'train loss':>10} {'val loss':>9} {'train acc':>9} {'val acc':>8}")
    for epoch in range(args.epochs):
        print(
            f"{epoch + 1:5d} {history['loss'][epoch]:10.4f} {history['val_loss'][epoch]:9.4f} "
            f"{100 * history['accuracy'][epoch]:8.2f}% {100 * history['val_accuracy'][epoch]:7.2f}%"
        )
    best = min(range(args.epochs), key=lambda epoch: history["val_loss"][epoch])
    print(
        f"Lowest validation loss {history['val_loss'][best]:.4f} at epoch {best + 1}; "
        f"at epoch {args.epochs}: {history['val_loss'][-1]:.4f} "
        f"(training loss {history['loss'][-1]:.4f})."
    )
    print(f"Training took {seconds:.1f} s.")
    figure = common.training_curves_figure(
        history, f"Lesson 1's network, {args.epochs} epochs at a constant rate: it overfits"
    )
    description = (
        f"Training and validation loss and accuracy over {args.epochs} epochs: the training "
        f"loss falls to {history['loss'][-1]:.3f}, the validation loss is lowest "
        f"({history['val_loss'][best]:.3f}) at epoch {best + 1} and rises to "
        f"{history['val_loss'][-1]:.3f}"
    )
    pictures.save_figure(figure, args.output_dir, FIGURE_NAME, description=description)


if __name__ == "__main__":
    main()
