"""Lesson 7's drawing page as a static site: the trained model runs in the browser, with no
server and no library. It is one of the plain modules a student copies beside a notebook.

    folder = static_site.write_site(model, "site", name="03_large_cnn")

writes site/ with index.html (the page), prepare.js (lesson 6's preparation, as
handwriting.py does it), forward.js (the network's forward pass, one function per layer
kind) and model.js (the layers and their trained weights). Opened from the disk
(file://) or put on any web server, the page reads a drawn digit with no request to
anywhere. A model with a layer that forward.js cannot run is refused before anything is
written (a UserError that names the layer), and so is a folder that holds anything but an
earlier export: the new site is written beside it and moved into place only when complete.
"""

import base64
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from common import NEW_FILE_MODE, UserError

SOURCE_DIR = Path(__file__).resolve().parent / "static_page"
PAGE_FILES = ("index.html", "prepare.js", "forward.js")  # copied as they are
MODEL_FILE = "model.js"  # the layers and their weights, written for each model
ABOUT_FILE = "README.txt"  # what the folder is; marks it as one this module may replace
ABOUT_MARK = "Lesson 7's drawing page, without a server"
IMAGE_PIXELS = 28 * 28  # the page gives the model one 28x28 grey image
# Layers that do nothing when a model predicts: random changes made only while training.
PASSED_THROUGH = {
    "Identity",
    "RandomRotation",
    "RandomZoom",
    "RandomTranslation",
    "RandomFlip",
    "RandomContrast",
    "RandomBrightness",
    "GaussianNoise",
    "GaussianDropout",
}
ACTIVATIONS = ("relu", "softmax", "linear")  # those forward.js computes


def tensor(variable):
    """A weight as model.js holds it: its shape and its float32 numbers in base64."""
    array = np.asarray(variable.numpy(), dtype="<f4")
    return {"shape": list(array.shape), "base64": base64.b64encode(array.tobytes()).decode()}


def refuse(layer, why):
    kind = type(layer).__name__
    raise UserError(
        f"the layer {layer.name!r} ({kind}) {why}: the page's JavaScript (static_page/"
        "forward.js) runs Conv2D, MaxPooling2D, Dense, Flatten, Dropout, BatchNormalization, "
        f"ReLU and softmax; export a model made of those"
    )


def activation_of(layer, name):
    if name not in ACTIVATIONS:
        refuse(layer, f"has the activation {name!r}")
    return name


def layer_records(layer):
    """The layer as forward.js reads it, a list of records (a nested model gives several,
    a layer that does nothing when predicting none); `refuse` if forward.js cannot run it."""
    kind = type(layer).__name__
    config = layer.get_config()
    if hasattr(layer, "layers"):  # a model inside the model: lesson 5's augmentation
        return [record for inner in layer.layers for record in layer_records(inner)]
    if kind in PASSED_THROUGH or kind == "InputLayer":
        return []
    if config.get("data_format", "channels_last") != "channels_last":
        refuse(layer, "keeps its channels first")
    if kind == "Conv2D":
        if tuple(config["dilation_rate"]) != (1, 1) or config["groups"] != 1:
            refuse(layer, "is dilated or grouped")
        return [
            {
                "kind": "conv2d",
                "strides": list(config["strides"]),
                "padding": config["padding"],
                "activation": activation_of(layer, config["activation"]),
                "kernel": tensor(layer.kernel),
                "bias": tensor(layer.bias) if layer.bias is not None else None,
            }
        ]
    if kind == "MaxPooling2D":
        pooling = {"poolSize": list(config["pool_size"]), "padding": config["padding"]}
        return [{"kind": "maxPooling2d", "strides": list(config["strides"]), **pooling}]
    if kind == "Dense":
        return [
            {
                "kind": "dense",
                "activation": activation_of(layer, config["activation"]),
                "kernel": tensor(layer.kernel),
                "bias": tensor(layer.bias) if layer.bias is not None else None,
            }
        ]
    if kind == "Flatten":
        return [{"kind": "flatten"}]
    if kind in ("Dropout", "SpatialDropout2D"):
        return [{"kind": "dropout"}]
    if kind == "BatchNormalization":
        if config["axis"] not in (-1, len(layer.input.shape) - 1):
            refuse(layer, "normalizes another axis than the channels")
        return [
            {
                "kind": "batchNormalization",
                "epsilon": config["epsilon"],
                "gamma": tensor(layer.gamma) if layer.gamma is not None else None,
                "beta": tensor(layer.beta) if layer.beta is not None else None,
                "movingMean": tensor(layer.moving_mean),
                "movingVariance": tensor(layer.moving_variance),
            }
        ]
    if kind == "Activation":
        return [{"kind": "activation", "activation": activation_of(layer, config["activation"])}]
    if kind == "ReLU":
        if config["max_value"] is not None or config["negative_slope"] or config["threshold"]:
            refuse(layer, "is a ReLU with a ceiling, a slope or a threshold")
        return [{"kind": "activation", "activation": "relu"}]
    if kind == "Softmax":
        return [{"kind": "activation", "activation": "softmax"}]
    refuse(layer, "is a kind of layer forward.js has no function for")


def model_script(model, name):
    """model.js: the model as a JavaScript constant, `MODEL`, its weights decoded on load."""
    input_shape = [int(size) for size in model.input_shape[1:]]
    if int(np.prod(input_shape)) != IMAGE_PIXELS:
        raise UserError(
            f"the model reads images of shape {tuple(input_shape)}: the page gives it one "
            "28x28 grey image (shape (28, 28, 1) or (784,))"
        )
    layers = [record for layer in model.layers for record in layer_records(layer)]
    description = {"name": name, "inputShape": input_shape, "layers": layers}
    return (
        f"// {ABOUT_MARK}: the model {name}, written by 07_draw_digit.py --static.\n"
        "// Its layers in order, each weight a list of float32 numbers in base64.\n"
        f"const MODEL = {json.dumps(description)};\n"
        "// Each weight from base64 text to numbers, as forward.js reads them.\n"
        "for (const layer of MODEL.layers) {\n"
        "  for (const value of Object.values(layer)) {\n"
        "    if (!value || !value.base64) continue;\n"
        "    const bytes = Uint8Array.from(atob(value.base64), (c) => c.charCodeAt(0));\n"
        "    value.data = new Float32Array(bytes.buffer);\n"
        "  }\n"
        "}\n"
    )


def about_text(name, parameters):
    return (
        f"{ABOUT_MARK}: draw a digit, and the model {name} ({parameters:,d} weights)\n"
        "reads it in your browser. Open index.html, or put this folder on any web server:\n"
        "nothing is sent anywhere. Written by 07_draw_digit.py --static; writing the page\n"
        "again into this folder replaces it. Teach mode needs the lesson's server.\n"
    )


def is_earlier_export(folder):
    about = folder / ABOUT_FILE
    try:
        return about.is_file() and about.read_text().startswith(ABOUT_MARK)
    except (OSError, UnicodeDecodeError):
        return False


def write_site(model, folder, name="model"):
    """Write the page with `model` (named `name` on it) into `folder` and return its path.
    The folder must be new, empty or an earlier export, which is replaced once the new site
    is complete; a UserError otherwise, and nothing is written."""
    folder = Path(folder).expanduser().absolute()
    if folder.exists() and not folder.is_dir():
        raise UserError(f"{folder} is a file: name a folder for the page")
    if folder.is_dir() and any(folder.iterdir()) and not is_earlier_export(folder):
        raise UserError(
            f"{folder} holds files that are not an exported page: name a new or empty "
            "folder (nothing was written)"
        )
    script = model_script(model, name)  # refuses a model the page cannot run, first
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    except OSError as error:
        raise UserError(f"cannot write {folder} ({error.strerror})") from None
    try:
        for page_file in PAGE_FILES:
            shutil.copyfile(SOURCE_DIR / page_file, temporary / page_file)
        (temporary / MODEL_FILE).write_text(script)
        (temporary / ABOUT_FILE).write_text(about_text(name, model.count_params()))
        for written in temporary.iterdir():
            os.chmod(written, NEW_FILE_MODE)
        os.chmod(temporary, 0o777 & ~(0o666 & ~NEW_FILE_MODE))  # a folder others may read
        replace_folder(temporary, folder)
    finally:
        if temporary.exists():
            shutil.rmtree(temporary)
    return folder


def replace_folder(new, folder):
    """Move the complete `new` folder to `folder`, the earlier one out of the way first."""
    if not folder.exists():
        new.rename(folder)
        return
    old = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-old-"))
    folder.rename(old / folder.name)
    new.rename(folder)
    shutil.rmtree(old)


def javascript_function(path, name):
    """The source of the JavaScript function `name` in the file at `path`, with the comment
    above it: from its comment's first line to the `}` that closes it."""
    lines = Path(path).read_text().splitlines()
    start = lines.index(next(line for line in lines if line.startswith(f"function {name}(")))
    end = lines.index("}", start)
    while start > 0 and lines[start - 1].startswith("//"):
        start -= 1
    return "\n".join(lines[start : end + 1])


def site_size(folder):
    """The bytes of the files in the folder."""
    return sum(path.stat().st_size for path in Path(folder).iterdir() if path.is_file())
