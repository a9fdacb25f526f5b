"""handwriting.py: each step of lesson 6's preparation, on photos and drawings that the tests
draw themselves, and splitting a number into digits."""

import keras
import numpy as np
import pytest
from digits import NUMBERS, photo_of, to_mnist_layout, written_number
from PIL import Image, ImageDraw, ImageFont
from scipy import ndimage

import handwriting


def mnist_reference(digit):
    """The same digit drawn straight in MNIST's layout, to compare the prepared one with."""
    font = ImageFont.load_default(size=110)
    image = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(image).text((40, 20), str(digit), fill=255, font=font, stroke_width=2)
    return to_mnist_layout(image).astype(np.float32) / 255


def correlation(first, second):
    return float(np.corrcoef(first.ravel(), second.ravel())[0, 1])


def shape_correlation(first, second):
    """How alike two digits are in shape, wherever each sits in its field."""

    def ink_only(image):
        rows, columns = np.flatnonzero(image.max(axis=1)), np.flatnonzero(image.max(axis=0))
        crop = image[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        return np.asarray(Image.fromarray(crop.astype(np.float32)).resize((20, 20)))

    return correlation(ink_only(first), ink_only(second))


# %% Each step on its own


def test_polarity_is_detected_and_fixed():
    dark_on_light = np.full((40, 40), 0.9, np.float32)
    dark_on_light[10:30, 18:22] = 0.1
    fixed = handwriting.make_ink_light(dark_on_light)
    assert fixed[20, 20] > 0.8 and fixed[0, 0] < 0.2
    light_on_dark = 1 - dark_on_light
    np.testing.assert_array_equal(handwriting.make_ink_light(light_on_dark), light_on_dark)


def test_uneven_paper_and_noise_are_removed(tmp_path):
    path = tmp_path / "photo.jpg"
    photo_of("7").save(path)
    ink = handwriting.suppress_noise(
        handwriting.remove_background(handwriting.make_ink_light(handwriting.load_grayscale(path)))
    )
    # The paper, bright and dark side alike, is black; the strokes are bright. The digit
    # was drawn at 63% to 80% of the width and below the top tenth.
    height, width = ink.shape
    assert ink[:, : int(0.6 * width)].max() == 0.0
    assert ink[: height // 10].max() == 0.0 and ink[:, int(0.85 * width) :].max() == 0.0
    assert ink.max() == 1.0 and ink.sum() > 100


def test_crop_ignores_a_speck_of_dust():
    ink = np.zeros((300, 300), np.float32)
    ink[100:200, 150:170] = 1.0  # a "1"
    ink[5, 5] = 1.0  # dust
    assert handwriting.crop_to_ink(ink).shape == (100, 20)


def test_thin_strokes_are_thickened():
    ink = np.zeros((200, 120), np.float32)
    ink[10:190, 60] = 1.0  # a one-pixel line
    thick = handwriting.thicken_strokes(ink)
    width = (thick[100] > 0.5).sum()
    assert 0.08 * 200 <= width <= 0.13 * 200
    # A line that is already as wide as MNIST's strokes stays as it is.
    wide = np.zeros((200, 120), np.float32)
    wide[10:190, 50:76] = 1.0
    np.testing.assert_array_equal(handwriting.thicken_strokes(wide), wide)


def test_specks_are_removed_but_all_strokes_kept():
    ink = np.zeros((100, 100), np.float32)
    ink[10:90, 40:48] = 1.0  # a stroke
    ink[10:18, 20:60] = 1.0  # another stroke touching it
    ink[50:60, 70:78] = 1.0  # a separate stroke, a fair share of the ink
    ink[95, 5] = 1.0  # dust
    cleaned = handwriting.remove_specks(ink)
    assert cleaned[95, 5] == 0.0
    np.testing.assert_array_equal(cleaned[:90], ink[:90])


def test_fit_in_box_keeps_the_aspect_ratio():
    ink = np.ones((150, 50), np.float32)
    small = handwriting.fit_in_box(ink)
    assert small.shape == (20, 7)
    assert 0.0 <= small.min() and small.max() <= 1.0


def center_of_mass(field):
    rows, columns = np.indices(field.shape)
    return (rows * field).sum() / field.sum(), (columns * field).sum() / field.sum()


def test_center_by_mass_puts_the_mass_in_the_middle():
    digit = np.zeros((20, 12), np.float32)
    digit[:4, :] = 1.0  # a 7: a heavy bar at the top ...
    digit[4:, 5:7] = 1.0  # ... and a thin stem
    field = handwriting.center_by_mass(digit)
    assert field.shape == (28, 28) and field.sum() == pytest.approx(digit.sum())
    assert center_of_mass(field) == pytest.approx((14, 14), abs=0.5)
    # The box is not centred, the mass is: the digit sits low, as MNIST's 7s do.
    assert np.flatnonzero(field.max(axis=1))[0] > (28 - 20) // 2


@pytest.mark.parametrize("digit", [2, 4, 7])
def test_a_photo_is_prepared_like_mnist(tmp_path, digit):
    path = tmp_path / f"{digit}.jpg"
    photo_of(str(digit), seed=digit).save(path)
    gray = handwriting.load_grayscale(path)
    prepared = handwriting.prepare_digit(handwriting.clean_ink(gray))
    assert prepared.shape == (28, 28) and prepared.dtype == np.float32
    rows, columns = np.flatnonzero(prepared.max(axis=1)), np.flatnonzero(prepared.max(axis=0))
    assert max(rows[-1] - rows[0], columns[-1] - columns[0]) + 1 <= 20  # fits the 20x20 box
    assert center_of_mass(prepared) == pytest.approx((14, 14), abs=1)
    assert shape_correlation(prepared, mnist_reference(digit)) > 0.8
    # Straight resizing, the usual mistake, gives something unrecognisable.
    naive = np.asarray(Image.open(path).convert("L").resize((28, 28)), np.float32) / 255
    assert correlation(naive, mnist_reference(digit)) < 0.3


def test_transparent_and_palette_images(tmp_path):
    glyph = Image.new("L", (300, 300), 0)
    ImageDraw.Draw(glyph).text((90, 40), "3", fill=255, font=ImageFont.load_default(size=180))
    # Black ink on a transparent background: the transparency becomes white paper.
    rgba = Image.new("RGBA", glyph.size, (0, 0, 0, 0))
    rgba.putalpha(glyph)
    rgba.save(tmp_path / "transparent.png")
    gray = handwriting.load_grayscale(tmp_path / "transparent.png")
    assert gray[0, 0] == 1.0 and gray.min() < 0.1
    # White ink on a transparent background: the transparency becomes black paper.
    white = Image.new("RGBA", glyph.size, (255, 255, 255, 0))
    white.putalpha(glyph)
    white.save(tmp_path / "white.png")
    gray = handwriting.load_grayscale(tmp_path / "white.png")
    assert gray[0, 0] == 0.0 and gray.max() > 0.9
    glyph.convert("P").save(tmp_path / "palette.png")
    for name in ("transparent.png", "white.png", "palette.png"):
        prepared = handwriting.prepare_digit(
            handwriting.clean_ink(handwriting.load_grayscale(tmp_path / name))
        )
        assert shape_correlation(prepared, mnist_reference(3)) > 0.7, name


def test_phone_photo_is_turned_upright(tmp_path):
    image = photo_of("1", size=(300, 200), at=(100, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # EXIF orientation: the camera was turned by 90 degrees
    image.save(tmp_path / "rotated.jpg", exif=exif)
    assert handwriting.load_grayscale(tmp_path / "rotated.jpg").shape == (300, 200)


# %% Thick strokes stay solid


def paint_drawing(digit, side, brush, dark_on_light):
    """A digit filling most of a side x side canvas, its strokes about `brush` pixels wide,
    as drawn in a paint program (0.0 black to 1.0 white)."""
    font_size = int(0.8 * side)
    font_stroke = 0.1 * font_size  # the built-in font's own stroke width
    widen = max(0, round((brush - font_stroke) / 2))
    image = Image.new("L", (side, side), 0)
    ImageDraw.Draw(image).text(
        (side / 2, side / 2),
        str(digit),
        fill=255,
        font=ImageFont.load_default(size=font_size),
        anchor="mm",
        stroke_width=widen,
        stroke_fill=255,
    )
    ink = np.asarray(image, dtype=np.float32) / 255
    return 1.0 - ink if dark_on_light else ink


def middle_and_edge(image):
    """Mean brightness of the strokes' middle and of their outer pixels."""
    strokes = image > 0.3
    depth = ndimage.distance_transform_edt(strokes)
    edge = image[(depth > 0) & (depth < 1.5)].mean()
    middle = image[depth >= max(1.5, 0.6 * depth.max())].mean()
    return middle, edge


@pytest.mark.parametrize("side, brush", [(28, 4), (64, 10), (200, 30)])
@pytest.mark.parametrize("dark_on_light", [True, False], ids=["dark-on-light", "light-on-dark"])
def test_thick_strokes_stay_solid_and_are_read(side, brush, dark_on_light, digit_model):
    model = keras.models.load_model(digit_model)
    for digit in (0, 4, 8):
        gray = paint_drawing(digit, side, brush, dark_on_light)
        ink = handwriting.clean_ink(gray)
        middle, edge = middle_and_edge(ink)
        assert middle >= edge, (digit, middle, edge)
        prepared = handwriting.prepare_digit(ink)
        middle, edge = middle_and_edge(prepared)
        assert middle >= edge, (digit, middle, edge)
        probabilities = model.predict(prepared.reshape(1, -1), verbose=0)
        assert probabilities.argmax() == digit, (digit, probabilities.round(2))


def test_uneven_light_is_still_removed_around_thick_strokes(tmp_path):
    """A thick marker on a photo lit from one side: solid strokes, and no paper left."""
    path = tmp_path / "marker.jpg"
    photo_of("8", width=9).save(path)
    ink = handwriting.clean_ink(handwriting.load_grayscale(path))
    assert ink[:, : int(0.6 * ink.shape[1])].max() == 0.0
    middle, edge = middle_and_edge(ink)
    assert middle >= edge


# %% Numbers: split by blobs of ink


def blob_count(ink):
    return ndimage.label(ink > 0, structure=np.ones((3, 3)))[1]


def column_groups(ink):
    """How many groups of inked columns, separated by empty ones: the digits that splitting
    at empty columns (lesson 6's earlier rule) would find."""
    has_ink = np.concatenate([[False], ink.max(axis=0) > 0])
    return int(np.sum(has_ink[1:] & ~has_ink[:-1]))


def test_the_drawn_numbers_are_the_hard_cases(tmp_path):
    """The test images really are what they are named: splitting the slanted number at empty
    columns finds fewer than its 4 digits, the 5 is in two blobs, the touching one in one."""
    inks = {}
    for name, (text, options) in NUMBERS.items():
        gray = np.asarray(written_number(text, **options), dtype=np.float32) / 255
        inks[name] = handwriting.clean_ink(gray)
    assert column_groups(inks["slanted_tight"]) < 4 and blob_count(inks["slanted_tight"]) == 4
    assert blob_count(inks["detached_bar"]) == 5 and column_groups(inks["detached_bar"]) == 4
    assert blob_count(inks["touching"]) == 1
    for name, ink in inks.items():
        assert len(handwriting.split_digits(ink)) == 4, name
