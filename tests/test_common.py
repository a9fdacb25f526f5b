"""common.py: the loaders and their error paths, the preprocessing steps, seeding, and that
importing it only defines things."""

import gzip
import subprocess
import sys

import digits
import keras
import numpy as np
import pytest
from conftest import PROJECT_DIR

import common
import outputs

# %% Loading: every format gives back exactly the arrays that went in


def assert_same_arrays(loaded, arrays):
    (x_train, y_train), (x_test, y_test) = loaded
    for key, array in zip(digits.IDX_NAMES, (x_train, y_train, x_test, y_test)):
        assert array.dtype == np.uint8
        np.testing.assert_array_equal(array, arrays[key])


def test_load_npz(mnist_npz, mnist_arrays):
    assert_same_arrays(common.load_mnist(mnist_npz), mnist_arrays)


@pytest.mark.parametrize("gzipped", [True, False])
def test_load_idx_folder(tmp_path, mnist_arrays, gzipped):
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx", gzipped=gzipped)
    assert_same_arrays(common.load_mnist(folder), mnist_arrays)


def test_load_idx_with_dotted_names(tmp_path, mnist_arrays):
    # Some mirrors (Kaggle's, for one) name the files train-images.idx3-ubyte.
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx", gzipped=False)
    for file in folder.iterdir():
        file.rename(folder / file.name.replace("-idx", ".idx"))
    assert_same_arrays(common.load_mnist(folder), mnist_arrays)


def test_load_folder_holding_npz(tmp_path, mnist_arrays):
    np.savez(tmp_path / "mnist.npz", **mnist_arrays)
    assert_same_arrays(common.load_mnist(tmp_path), mnist_arrays)


def test_environment_variable_is_used(monkeypatch, mnist_npz, mnist_arrays):
    monkeypatch.setenv("MNIST_DATA", str(mnist_npz))
    assert_same_arrays(common.load_mnist(), mnist_arrays)


def test_explicit_path_wins_over_environment(monkeypatch, tmp_path, mnist_npz, mnist_arrays):
    monkeypatch.setenv("MNIST_DATA", str(tmp_path / "missing.npz"))
    assert_same_arrays(common.load_mnist(mnist_npz), mnist_arrays)


def test_without_path_keras_download_is_used(monkeypatch, mnist_arrays):
    monkeypatch.delenv("MNIST_DATA", raising=False)
    arrays = mnist_arrays
    monkeypatch.setattr(
        keras.datasets.mnist,
        "load_data",
        lambda: ((arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])),
    )
    assert_same_arrays(common.load_mnist(), mnist_arrays)


# %% Loading: every bad input ends in a UserError that says what to do


def expect_user_error(path, *expected_words):
    with pytest.raises(common.UserError) as raised:
        common.load_mnist(path)
    message = str(raised.value)
    assert message and "\n" not in message  # printed as `error: <message>`, one line
    for word in expected_words:
        assert word in message, message


def test_failed_download_says_how_to_work_offline(monkeypatch):
    monkeypatch.delenv("MNIST_DATA", raising=False)

    def offline():
        raise Exception("URL fetch failure on https://example/mnist.npz: None -- [Errno -3]")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", offline)
    expect_user_error(None, "could not download MNIST", "URL fetch failure", "MNIST_DATA")


def test_missing_file(tmp_path):
    expect_user_error(tmp_path / "nowhere.npz", "does not exist", "MNIST_DATA")


def test_empty_folder(tmp_path):
    expect_user_error(tmp_path, "lacks the MNIST file", "train-images-idx3-ubyte")


def test_folder_missing_one_file(tmp_path, mnist_arrays):
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx")
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    expect_user_error(folder, "t10k-labels-idx1-ubyte")


def test_corrupt_npz(tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(b"this is not a zip archive" * 10)
    expect_user_error(path, "not a readable .npz", "download mnist.npz again")


def test_truncated_npz(tmp_path, mnist_npz):
    path = tmp_path / "mnist.npz"
    path.write_bytes(mnist_npz.read_bytes()[: mnist_npz.stat().st_size // 2])
    expect_user_error(path, "truncated or corrupt")


def test_npz_with_wrong_keys(tmp_path, mnist_arrays):
    path = tmp_path / "mnist.npz"
    np.savez(path, images=mnist_arrays["x_train"], labels=mnist_arrays["y_train"])
    expect_user_error(path, "lacks the keys", "x_train", "it has images, labels")


def test_single_npy_file(tmp_path, mnist_arrays):
    path = tmp_path / "mnist.npy"
    np.save(path, mnist_arrays["x_train"])
    expect_user_error(path, "single .npy array")


@pytest.mark.parametrize(
    "key, change, expected",
    [
        ("x_train", lambda a: a.reshape(len(a), -1), "shape"),
        ("x_test", lambda a: a[:, :20, :20], "shape"),
        ("x_train", lambda a: a[:0], "N > 0"),
        ("x_train", lambda a: a.astype("float32") / 255, "float32"),
        ("y_train", lambda a: a + 1, "labels from 1 to 10"),
        ("y_test", lambda a: a.astype("int64") - 1, "labels from -1 to 8"),
        ("y_train", lambda a: a.astype("float32"), "dtype float32"),
        ("y_test", lambda a: a[:-5], "200 test images but 195 labels"),
    ],
)
def test_bad_arrays(tmp_path, mnist_arrays, key, change, expected):
    path = tmp_path / "mnist.npz"
    np.savez(path, **{**mnist_arrays, key: change(mnist_arrays[key])})
    expect_user_error(path, expected)


def test_truncated_gzipped_idx(tmp_path, mnist_arrays):
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx")
    file = folder / "train-images-idx3-ubyte.gz"
    file.write_bytes(file.read_bytes()[:-200])
    expect_user_error(folder, "train-images-idx3-ubyte.gz", "truncated or corrupt")


def test_truncated_raw_idx(tmp_path, mnist_arrays):
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx", gzipped=False)
    file = folder / "t10k-images-idx3-ubyte"
    file.write_bytes(file.read_bytes()[:-100])
    expect_user_error(folder, "truncated or corrupt", "header promises")


def test_idx_with_bad_magic_number(tmp_path, mnist_arrays):
    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx")
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(b"<html>403</html>"))
    expect_user_error(folder, "not an IDX file")


def test_idx_images_and_labels_disagree(tmp_path, mnist_arrays):
    arrays = {**mnist_arrays, "y_train": mnist_arrays["y_train"][:10]}
    folder = digits.write_idx_folder(arrays, tmp_path / "idx")
    expect_user_error(folder, "600 train images but 10 labels")


# %% Preprocessing


def test_preprocessing_shapes_dtypes_ranges(mnist_arrays):
    images, labels = mnist_arrays["x_train"], mnist_arrays["y_train"]
    flat = common.flatten_images(images)
    assert flat.shape == (len(images), 784) and flat.dtype == np.uint8
    np.testing.assert_array_equal(flat[3], images[3].ravel())
    channels = common.add_channel_axis(images)
    assert channels.shape == (len(images), 28, 28, 1)
    scaled = common.scale_pixels(images)
    assert scaled.dtype == np.float32 and scaled.shape == images.shape
    assert scaled.min() == 0.0 and scaled.max() == 1.0
    np.testing.assert_allclose(scaled * 255, images, atol=1e-4)
    encoded = common.one_hot_encode(labels)
    assert encoded.shape == (len(labels), 10)
    np.testing.assert_array_equal(encoded.sum(axis=1), 1)
    np.testing.assert_array_equal(encoded.argmax(axis=1), labels)


def test_quick_loading_says_so_and_cuts_the_data(mnist_npz, capsys):
    (x_train, y_train), (x_test, y_test) = common.load_mnist(mnist_npz, quick=True)
    assert len(x_train) == len(y_train) == min(600, common.QUICK_TRAIN_SIZE)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"Source: {mnist_npz}",
        f"Quick mode: {len(x_train)} training and 200 test images.",
    ]


def test_quick_subset_is_small():
    train = (np.zeros((5000, 28, 28), np.uint8), np.zeros(5000, np.uint8))
    test = (np.zeros((3000, 28, 28), np.uint8), np.zeros(3000, np.uint8))
    (x_train, y_train), (x_test, y_test) = common.quick_subset(train, test)
    assert len(x_train) == len(y_train) == common.QUICK_TRAIN_SIZE
    assert len(x_test) == len(y_test) == common.QUICK_TEST_SIZE


# %% Seeding: two runs with one seed give the same numbers, another seed does not


def train_tiny_model(seed, arrays):
    common.set_seed(seed)
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    x = common.scale_pixels(common.flatten_images(arrays["x_train"]))
    y = common.one_hot_encode(arrays["y_train"])
    history = model.fit(x, y, epochs=2, batch_size=32, validation_split=0.1, verbose=0)
    return history.history["loss"], model.get_weights()


def test_same_seed_same_numbers(mnist_arrays):
    first_loss, first_weights = train_tiny_model(7, mnist_arrays)
    second_loss, second_weights = train_tiny_model(7, mnist_arrays)
    other_loss, _ = train_tiny_model(8, mnist_arrays)
    assert first_loss == second_loss
    for first, second in zip(first_weights, second_weights):
        np.testing.assert_array_equal(first, second)
    assert other_loss != first_loss


# %% Paths as the lessons print them


def test_display_path_works_from_where_the_lesson_started(monkeypatch, tmp_path):
    """Relative to the folder the student is in when the path lies below it, through `..`
    within the course's folder (a notebook in notebooks/), else in full."""
    saved = common.PROJECT_DIR / "outputs" / outputs.MODELS / "a.keras"
    monkeypatch.chdir(common.PROJECT_DIR)
    assert common.display_path(saved) == "outputs/models/a.keras"
    monkeypatch.chdir(common.PROJECT_DIR / "notebooks")
    assert common.display_path(saved) == "../outputs/models/a.keras"
    monkeypatch.chdir(tmp_path)
    assert common.display_path(tmp_path / "out" / "a.png") == "out/a.png"
    assert common.display_path(saved) == str(saved)  # the course's folder is elsewhere
    assert common.display_path("../data/mnist.npz") == "../data/mnist.npz"  # as given
    monkeypatch.chdir("/")
    assert common.display_path(tmp_path / "a.png") == str(tmp_path / "a.png")


# %% Importing common changes nothing

# Importing the modules a student may copy, in a fresh Python: every hook and handler that
# course.start() sets is still Python's own afterwards.
HOOKS_BEFORE_AND_AFTER = """
import signal, sys
sys.path.insert(0, sys.argv[1])

def hooks():
    return (sys.excepthook, signal.getsignal(signal.SIGINT), sys.stdout.line_buffering)

before = hooks()
import common, mnist_files, handwriting, pictures, own_digits
print(hooks() == before, sys.excepthook is sys.__excepthook__)
"""


def test_importing_common_changes_no_hook_or_handler():
    result = subprocess.run(
        [sys.executable, "-c", HOOKS_BEFORE_AND_AFTER, str(PROJECT_DIR)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_common_is_small():
    """What a student reads and copies stays short (the course's design: about loading,
    reshaping, normalizing and one-hot encoding, and saving a model safely)."""
    assert len((PROJECT_DIR / "common.py").read_text().splitlines()) <= 300
