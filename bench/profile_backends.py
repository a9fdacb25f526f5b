"""Where the backends spend a CNN's training time: lesson 2's model, and its convolution alone.

For each installed backend, in a fresh process each (a backend reads its settings when it
starts): the seconds of one epoch of lesson 2's model (60 steps of 200 images, after a first
epoch that compiles), and the milliseconds of its 5x5 convolution alone, forward and forward
with the weights' gradient, in the backend's own operations (TensorFlow's tf.nn.conv2d, JAX's
lax.conv_general_dilated, PyTorch's conv2d), without Keras.

    python bench/profile_backends.py --data ../shared/data/mnist.npz
    python bench/profile_backends.py --data mnist.npz --backends jax \
        --xla-flags=--xla_cpu_use_thunk_runtime=false

Takes about two minutes on a 2-core CPU.
"""

import argparse
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
BACKENDS = ["tensorflow", "jax", "torch"]
IMAGES, BATCH, EPOCHS = 12000, 200, 3  # the epochs after the first are timed
REPEATS = 30  # calls of the convolution, timed after two warm-up calls

MEASURE = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import course, common, keras, numpy as np
from keras import layers

backend = keras.backend.backend()
IMAGES, BATCH, EPOCHS, REPEATS = (int(value) for value in sys.argv[3:7])

def milliseconds(function):
    function(), function()
    start = time.perf_counter()
    for _ in range(REPEATS):
        function()
    return 1000 * (time.perf_counter() - start) / REPEATS

(x, y), _ = common.load_mnist(sys.argv[2] or None)
x = common.scale_pixels(common.add_channel_axis(x[:IMAGES]))
y = common.one_hot_encode(y[:IMAGES])
common.set_seed(1)
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)), layers.Conv2D(32, 5, activation="relu"),
    layers.MaxPooling2D(2), layers.Dropout(0.2), layers.Flatten(),
    layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
epochs = []

class Timer(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        epochs.append(time.perf_counter() - self.start)

model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, verbose=0, callbacks=[Timer()])

images = x[:BATCH]
kernel = np.random.default_rng(1).random((5, 5, 1, 32), dtype=np.float32)
if backend == "tensorflow":
    import tensorflow as tf
    images_t, kernel_t = tf.constant(images), tf.Variable(kernel)
    forward = tf.function(lambda: tf.nn.conv2d(images_t, kernel_t, 1, "VALID"))

    @tf.function
    def gradient():
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.nn.conv2d(images_t, kernel_t, 1, "VALID") ** 2)
        return tape.gradient(loss, kernel_t)

    times = milliseconds(lambda: forward().numpy()), milliseconds(lambda: gradient().numpy())
elif backend == "jax":
    import jax, jax.numpy as jnp
    numbers = ("NHWC", "HWIO", "NHWC")
    def conv(w, x):
        return jax.lax.conv_general_dilated(x, w, (1, 1), "VALID", dimension_numbers=numbers)

    forward = jax.jit(conv)
    gradient = jax.jit(jax.grad(lambda w, x: jnp.sum(conv(w, x) ** 2)))
    images_j, kernel_j = jnp.asarray(images), jnp.asarray(kernel)
    times = (
        milliseconds(lambda: forward(kernel_j, images_j).block_until_ready()),
        milliseconds(lambda: gradient(kernel_j, images_j).block_until_ready()),
    )
else:
    import torch
    images_t = torch.tensor(images).permute(0, 3, 1, 2).contiguous()
    kernel_t = torch.tensor(kernel).permute(3, 2, 0, 1).contiguous().requires_grad_()

    def gradient():
        kernel_t.grad = None
        (torch.nn.functional.conv2d(images_t, kernel_t) ** 2).sum().backward()

    with torch.no_grad():
        times = milliseconds(lambda: torch.nn.functional.conv2d(images_t, kernel_t)), None
    times = times[0], milliseconds(gradient)
print("RESULT " + json.dumps({"backend": backend, "epochs": epochs, "conv_ms": times}))
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=os.environ.get("MNIST_DATA", ""))
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=BACKENDS)
    parser.add_argument("--xla-flags", default="", help="XLA_FLAGS for JAX, to try one")
    args = parser.parse_args()
    print(
        f"| backend | epoch s ({IMAGES // BATCH} steps of {BATCH}) | conv ms | conv + gradient ms |"
    )
    print("| --- | --- | --- | --- |")
    for backend in [b for b in args.backends if importlib.util.find_spec(b)]:
        environment = {**os.environ, "KERAS_BACKEND": backend}
        if backend == "jax" and args.xla_flags:
            environment["XLA_FLAGS"] = args.xla_flags
        command = [sys.executable, "-c", MEASURE, str(PROJECT_DIR), args.data]
        command += [str(IMAGES), str(BATCH), str(EPOCHS), str(REPEATS)]
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
        lines = [line for line in result.stdout.splitlines() if line.startswith("RESULT ")]
        if not lines:
            sys.exit(f"error: {backend} failed:\n{result.stderr[-2000:]}")
        measured = json.loads(lines[0].removeprefix("RESULT "))
        timed = " ".join(f"{seconds:.2f}" for seconds in measured["epochs"][1:])
        forward, gradient = measured["conv_ms"]
        print(f"| {backend} | {timed} | {forward:.1f} | {gradient:.1f} |", flush=True)


if __name__ == "__main__":
    main()
