"""Draw the sample images that lesson 06 reads when it is given none.

The project draws them itself, so that they can be shipped: a phone-photo-like 3 in dark ink
on unevenly lit paper, and a 7 painted in white on black with a thick brush, as in a paint
program. They show both polarities and the clean-up steps of lesson 06.

    python samples/make_samples.py
"""

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

SAMPLES_DIR = Path(__file__).resolve().parent
SEED = 6  # the paper noise; the same seed draws the same files


def photo_of_a_3(random_generator):
    """Two pen arcs on paper that is lit from the right, with grain, saved as a JPEG."""
    width, height = 400, 300
    ink = Image.new("L", (width, height), 0)
    pen = ImageDraw.Draw(ink)
    stroke = 9
    pen.arc((150, 55, 250, 150), start=-160, end=90, fill=255, width=stroke)
    pen.arc((140, 140, 255, 250), start=-90, end=155, fill=255, width=stroke)
    pen.line((195, 150, 200, 143), fill=255, width=stroke)
    ink = ink.rotate(-8, resample=Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(1.2))
    ink = np.asarray(ink, dtype=np.float32) / 255
    rows, columns = np.indices(ink.shape)
    paper = 0.6 + 0.3 * columns / width + 0.05 * rows / height
    gray = paper * (1 - 0.8 * ink) + random_generator.normal(0, 0.02, ink.shape)
    rgb = np.clip(np.stack([gray, gray * 0.98, gray * 0.92], axis=-1), 0, 1)
    return Image.fromarray((255 * rgb).astype(np.uint8), "RGB")


def drawing_of_a_7():
    """A 7 with a crossbar, white on black, drawn with a round brush."""
    image = Image.new("L", (280, 280), 0)
    brush = ImageDraw.Draw(image)
    brush.line([(70, 60), (205, 60), (120, 235)], fill=255, width=18, joint="curve")
    brush.line((115, 150, 185, 150), fill=255, width=14)
    return image


def main():
    random_generator = np.random.default_rng(SEED)
    photo_of_a_3(random_generator).save(SAMPLES_DIR / "photo_of_a_3.jpg", quality=85)
    drawing_of_a_7().save(SAMPLES_DIR / "drawing_of_a_7.png")
    print(f"Wrote photo_of_a_3.jpg and drawing_of_a_7.png in {SAMPLES_DIR.name}/")


if __name__ == "__main__":
    main()
