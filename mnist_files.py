"""Reading MNIST's files, and checking what was read: the details behind `common.load_mnist`.

MNIST comes in two layouts: Keras' `mnist.npz` (four arrays) and the original four IDX files
(gzipped or not). Whatever is read is checked to be 28x28 uint8 images with digit labels, so
that a wrong or damaged file ends in one clear message instead of a puzzling error later.
Every problem raises `BadMnistFile`, whose message says what to do.
"""

import gzip
import zipfile

import keras
import numpy as np

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
NPZ_KEYS = ("x_train", "y_train", "x_test", "y_test")
IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
IDX_UBYTE_TYPE = 0x08  # the IDX type code for unsigned bytes
DOWNLOAD_HELP = (
    "If this machine is offline or behind a proxy, download mnist.npz elsewhere "
    "(https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz) and run "
    "with --data PATH or MNIST_DATA=PATH (a .npz, or a folder of the four IDX files); "
    "see Troubleshooting in README.md."
)


class BadMnistFile(Exception):
    """MNIST could not be read or is not what it should be; the message says what to do."""


def read(path):
    """The four arrays from a `.npz` or from a folder of IDX files (or holding mnist.npz)."""
    if path.is_dir():
        return read_folder(path)
    if path.is_file():
        return read_npz(path)
    raise BadMnistFile(
        f"{path} does not exist: point --data or MNIST_DATA at mnist.npz "
        "or at a folder with the four MNIST IDX files"
    )


def download():
    """The four arrays from Keras' download, which is cached in ~/.keras/datasets."""
    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # Keras raises bare Exceptions for network failures.
        reason = " ".join(str(error).split())
        raise BadMnistFile(f"could not download MNIST ({reason}). {DOWNLOAD_HELP}") from None
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def read_npz(path):
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        # NumPy takes any file it cannot recognise for a pickle; say so plainly.
        reason = "not a NumPy file" if "pickle" in str(error) else str(error)
        raise BadMnistFile(
            f"{path} is not a readable .npz file ({reason}); it may be truncated or "
            "corrupt: download mnist.npz again"
        ) from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise BadMnistFile(f"{path} is a single .npy array, not an .npz with the four MNIST arrays")
    with archive:
        missing = [key for key in NPZ_KEYS if key not in archive.files]
        if missing:
            raise BadMnistFile(
                f"{path} lacks the keys {', '.join(missing)} (it has "
                f"{', '.join(archive.files) or 'none'}); it needs "
                f"{', '.join(NPZ_KEYS)} as keras.datasets.mnist writes them"
            )
        try:
            return {key: archive[key] for key in NPZ_KEYS}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
            raise BadMnistFile(
                f"{path} cannot be read to the end ({error}); it is truncated or "
                "corrupt: download mnist.npz again"
            ) from None


def read_folder(folder):
    found = {}
    for key, stem in IDX_FILES.items():
        # The original names, gzipped or not, and the common variant with a dot.
        names = [stem, stem + ".gz", stem.replace("-idx", ".idx")]
        names.append(names[-1] + ".gz")
        candidates = [folder / name for name in names if (folder / name).is_file()]
        if candidates:
            found[key] = candidates[0]
    if not found and (folder / "mnist.npz").is_file():
        return read_npz(folder / "mnist.npz")
    missing = [IDX_FILES[key] for key in IDX_FILES if key not in found]
    if missing:
        raise BadMnistFile(
            f"{folder} lacks the MNIST file(s) {', '.join(missing)} (.gz or not); "
            "put the four IDX files or mnist.npz there"
        )
    return {key: read_idx(file) for key, file in found.items()}


def read_idx(path):
    """Read one IDX file: a 4-byte magic number, one 4-byte size per axis, then the data."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as stream:
            content = stream.read()
    except (OSError, EOFError) as error:
        raise BadMnistFile(
            f"{path} cannot be read ({error}); it may be truncated or corrupt: download it again"
        ) from None
    header_size = 4
    if len(content) < header_size or content[0] != 0 or content[1] != 0:
        raise BadMnistFile(f"{path} is not an IDX file (bad magic number)")
    type_code, rank = content[2], content[3]
    if type_code != IDX_UBYTE_TYPE:
        raise BadMnistFile(f"{path} holds IDX type 0x{type_code:02x}, not unsigned bytes")
    shape_end = header_size + 4 * rank
    if len(content) < shape_end:
        raise BadMnistFile(f"{path} is truncated inside its header: download it again")
    shape = tuple(np.frombuffer(content[header_size:shape_end], dtype=">u4").tolist())
    data = np.frombuffer(content[shape_end:], dtype=np.uint8)
    if data.size != int(np.prod(shape)):
        raise BadMnistFile(
            f"{path} holds {data.size} bytes of data where its header promises "
            f"{int(np.prod(shape))} for shape {shape}: it is truncated or corrupt, "
            "download it again"
        )
    return data.reshape(shape)


def checked(arrays, source):
    """The arrays in Keras' layout, `(x_train, y_train), (x_test, y_test)`, once checked."""
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE or len(images) == 0:
            raise BadMnistFile(
                f"x_{split} in {source} has shape {images.shape}; MNIST images need "
                f"shape (N, {IMAGE_SHAPE[0]}, {IMAGE_SHAPE[1]}) with N > 0"
            )
        if images.dtype != np.uint8:
            raise BadMnistFile(
                f"x_{split} in {source} is {images.dtype}; MNIST images are uint8 "
                "(0-255), as keras.datasets.mnist returns them"
            )
        if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
            raise BadMnistFile(
                f"y_{split} in {source} has shape {labels.shape} and dtype "
                f"{labels.dtype}; labels need to be one integer digit per image"
            )
        if len(labels) != len(images):
            raise BadMnistFile(
                f"{source} has {len(images)} {split} images but {len(labels)} labels"
            )
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise BadMnistFile(
                f"y_{split} in {source} holds labels from {labels.min()} to "
                f"{labels.max()}; MNIST labels are the digits 0-{NUM_CLASSES - 1}"
            )
    return (
        (arrays["x_train"], arrays["y_train"].astype(np.uint8)),
        (arrays["x_test"], arrays["y_test"].astype(np.uint8)),
    )
