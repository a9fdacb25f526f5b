"""Lesson 07's static page in headless Chromium, for the tests and the benchmark: the page
opened from the disk, and its forward pass and preparation called on given data.

    page, requested = open_site(browser, folder)   # requested: the addresses it asked for
    probabilities = browser_probabilities(page, images)       # uint8 (N, 28, 28)
    found = browser_prepared(page, path)   # {"prepared", "probabilities"}, None if no ink

The page itself only reads its canvas; here a photo's pixels, as Pillow decodes them, are
given to the same functions (loadGrayscale, cleanInk, prepareDigit, forward).
"""

import base64
import zlib

import numpy as np
from PIL import Image, ImageOps

DECODE_BASE64 = """() => {
  window.decodeBase64 = (encoded) => {
    const text = atob(encoded);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  };
}"""
FORWARD_ALL = """([encoded, count]) => {
  const bytes = decodeBase64(encoded);
  const size = bytes.length / count;
  const answers = [];
  for (let i = 0; i < count; i++) {
    // common.scale_pixels: float32, divided by 255
    const image = Array.from(bytes.subarray(i * size, (i + 1) * size), (v) => Math.fround(v / 255));
    answers.push(forward(MODEL, image));
  }
  return answers;
}"""


PREPARE = """async ([encoded, width, height]) => {
  const packed = decodeBase64(encoded);
  const stream = new Blob([packed]).stream().pipeThrough(new DecompressionStream("deflate"));
  const rgba = new Uint8Array(await new Response(stream).arrayBuffer());
  const ink = cleanInk(loadGrayscale(rgba, width, height));
  if (ink === null) return null;
  const prepared = prepareDigit(ink);
  return { prepared: Array.from(prepared.data), probabilities: forward(MODEL, prepared.data) };
}"""


def open_site(browser, folder, **context_settings):
    """The exported page opened from the disk; the page and the addresses it requested."""
    context = browser.new_context(**context_settings)
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto((folder / "index.html").as_uri())
    page.wait_for_function("typeof MODEL === 'object' && typeof forward === 'function'")
    page.evaluate(DECODE_BASE64)  # for the tests' data
    return page, requested


def as_base64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode()


def rgba_pixels(path):
    """The picture's pixels as Pillow decodes them (turned upright), as a canvas holds them."""
    with Image.open(path) as opened:
        image = ImageOps.exif_transpose(opened)
        return np.asarray(image.convert("RGBA"))


def browser_probabilities(page, images):
    """The page's forward pass on uint8 images, scaled as common.scale_pixels does."""
    return np.array(page.evaluate(FORWARD_ALL, [as_base64(images), len(images)]))


def browser_prepared(page, path):
    """The page's preparation and reading of a photo: {"prepared": 784 values,
    "probabilities": 10}, or None where it finds no ink."""
    rgba = rgba_pixels(path)
    height, width = rgba.shape[:2]
    packed = base64.b64encode(zlib.compress(rgba.tobytes(), 1)).decode()
    return page.evaluate(PREPARE, [packed, width, height])
