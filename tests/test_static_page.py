"""Lesson 07's static page: the export, and the page in headless Chromium checked against
Keras (the forward pass) and handwriting.py (the preparation).

With the course's data beside the clone (../shared/data), the first 1,000 MNIST test images
and the real photos of own_digits are used; without it, the tests' own drawn digits and the
samples."""

import base64

import digits
import keras
import numpy as np
import pytest
from conftest import PROJECT_DIR, assert_clean_failure, run_script
from digits import SEVEN_STROKES
from drawing_page import find_chromium
from static_page_browser import browser_prepared, browser_probabilities, open_site

import common
import handwriting
import page_server
import static_site
from common import UserError

SHARED_DATA = PROJECT_DIR.parent / "shared" / "data"
MNIST_IMAGES = 1000  # the first test images compared, when the course's MNIST is there
PROBABILITY_TOLERANCE = 1e-4  # the browser's probabilities against Keras'
MEAN_PIXEL_TOLERANCE = 1 / 255  # a prepared image against handwriting.py's, per pixel
DIGITS_AGREEING = 0.99  # the share of photos read as the same digit
LESSON_3_SITE_BYTES = 1_000_000  # the whole folder, for lesson 3's model
CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium: apt-get install chromium"
)


# %% The data, the models and the browser


@pytest.fixture(scope="module")
def mnist_test():
    """(images uint8, labels): the course's first 1,000 test images, else the tests' own."""
    if (SHARED_DATA / "mnist.npz").is_file():
        with np.load(SHARED_DATA / "mnist.npz") as data:
            return data["x_test"][:MNIST_IMAGES], data["y_test"][:MNIST_IMAGES]
    arrays = digits.make_mnist_like()
    return arrays["x_test"], arrays["y_test"]


def photo_files(tmp_path_factory):
    """The real photos of own_digits, else the samples and photos the tests draw."""
    own = SHARED_DATA / "own_digits"
    if own.is_dir():
        return handwriting.image_paths([own])
    folder = tmp_path_factory.mktemp("photos")
    made = []
    for digit in range(10):
        path = folder / f"{digit}.png"
        digits.photo_of(str(digit), seed=digit).save(path)
        made.append(path)
    samples = PROJECT_DIR / "samples"
    return [samples / "photo_of_a_3.jpg", samples / "drawing_of_a_7.png", *made]


def layer_3_and_5_model(input_shape=(28, 28, 1)):
    """Lesson 3's network with lesson 5's other layer kinds: augmentation, batch
    normalization after each convolution and the first dense layer."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.Sequential([layers.RandomRotation(0.03), layers.RandomTranslation(0.1, 0.1)]),
            layers.Conv2D(30, kernel_size=(5, 5), activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(15, kernel_size=(3, 3), activation="relu", padding="same"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(50, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.fixture(scope="module")
def cnn_model():
    """That network trained for one short epoch on the tests' drawn digits: its batch
    normalization has moved its averages, and it reads digits."""
    images, labels = digits.make_digits(1000, seed=5)
    common.set_seed(1)
    model = layer_3_and_5_model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(common.scale_pixels(images)[..., None], labels, epochs=2, batch_size=32, verbose=0)
    return model


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def cnn_page(browser, cnn_model, tmp_path_factory):
    site = static_site.write_site(cnn_model, tmp_path_factory.mktemp("cnn") / "site", "cnn")
    page, _ = open_site(browser, site)
    yield page
    page.context.close()


# %% The forward pass against Keras


@needs_chromium
def test_the_browser_gives_keras_probabilities_on_mnist(cnn_model, cnn_page, mnist_test):
    images, _ = mnist_test
    expected = cnn_model.predict(common.scale_pixels(images)[..., None], verbose=0)
    found = browser_probabilities(cnn_page, images)
    assert found.shape == expected.shape
    assert np.abs(found - expected).max() < PROBABILITY_TOLERANCE
    assert (found.argmax(axis=1) == expected.argmax(axis=1)).all()
    assert len(set(expected.argmax(axis=1))) > 1  # a model that reads, not one constant


# %% Lesson 6's preparation against handwriting.py


@needs_chromium
def test_the_browser_prepares_photos_as_handwriting_py_and_reads_the_same_digits(
    cnn_model, cnn_page, tmp_path_factory
):
    paths = photo_files(tmp_path_factory)
    browser_digits, expected_images = [], []
    for path in paths:
        found = browser_prepared(cnn_page, path)
        try:
            expected = handwriting.prepare_digit(
                handwriting.clean_ink(handwriting.load_image(path))
            )
        except UserError:  # no ink: the page finds none either
            assert found is None, path
            continue
        assert found is not None, path
        prepared = np.array(found["prepared"]).reshape(expected.shape)
        assert np.abs(prepared - expected).mean() < MEAN_PIXEL_TOLERANCE, path
        browser_digits.append(np.argmax(found["probabilities"]))
        expected_images.append(expected)
    keras_digits = cnn_model.predict(np.array(expected_images)[..., None], verbose=0).argmax(axis=1)
    assert len(keras_digits) >= min(len(paths), 10)
    agreeing = np.mean(np.array(browser_digits) == keras_digits)
    assert agreeing >= DIGITS_AGREEING, agreeing


# %% The page: drawn on with a mouse, a pen and a finger, from the disk


@pytest.fixture(scope="module")
def drawn_digits_site(digit_model, tmp_path_factory):
    """The page with the small model that reads the tests' drawings."""
    model = keras.models.load_model(digit_model)
    return static_site.write_site(model, tmp_path_factory.mktemp("drawn") / "site", "drawn")


def stroke_points(page, strokes):
    box = page.locator("#canvas").bounding_box()
    return [[(box["x"] + x, box["y"] + y) for x, y in stroke] for stroke in strokes]


def draw_with(page, strokes, device):
    """Draw with the mouse (Playwright), or a pen or a finger (Chromium's input events)."""
    if device == "mouse":
        for stroke in stroke_points(page, strokes):
            page.mouse.move(*stroke[0])
            page.mouse.down()
            for x, y in stroke[1:]:
                page.mouse.move(x, y, steps=12)
            page.mouse.up()
        return
    session = page.context.new_cdp_session(page)
    for stroke in stroke_points(page, strokes):
        (x0, y0), (x1, y1) = stroke[0], stroke[-1]
        path = [(x0 + (x1 - x0) * s / 12, y0 + (y1 - y0) * s / 12) for s in range(13)]
        for step, (x, y) in enumerate(path):
            if device == "finger":
                kind = "touchStart" if step == 0 else "touchMove"
                session.send(
                    "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y}]}
                )
            else:
                kind = "mousePressed" if step == 0 else "mouseMoved"
                pen = {"x": x, "y": y, "button": "left", "buttons": 1, "pointerType": "pen"}
                session.send("Input.dispatchMouseEvent", {"type": kind, "clickCount": 1, **pen})
        if device == "finger":
            session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        else:
            pen = {"x": x1, "y": y1, "button": "left", "pointerType": "pen", "clickCount": 1}
            session.send("Input.dispatchMouseEvent", {"type": "mouseReleased", **pen})


def prepared_on_page(page):
    """The prepared image the page shows, 0-1."""
    pixels = page.evaluate(
        "Array.from(document.getElementById('prepared').getContext('2d')"
        ".getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))"
    )
    return np.array(pixels, dtype=np.float32).reshape(28, 28) / 255


@needs_chromium
def test_the_page_reads_a_mouse_drawing_from_the_disk_and_requests_nothing(
    browser, drawn_digits_site
):
    page, requested = open_site(browser, drawn_digits_site)
    try:
        draw_with(page, SEVEN_STROKES, "mouse")
        page.wait_for_selector(f'body[data-strokes="{len(SEVEN_STROKES)}"]')
        assert page.locator("#digit").inner_text() == "7"
        assert page.locator("body").get_attribute("data-pointer") == "mouse"
        assert "ms after the stroke ended" in page.locator("#status").inner_text()
        bars = page.locator(".bar")
        assert bars.count() == 10 and "best" in bars.nth(7).get_attribute("class")
        assert "needs the lesson's server" in page.locator("#about").inner_text()
        # The prepared image on the page is the one the lesson's server makes of its canvas.
        canvas_png = base64.b64decode(page.evaluate("canvas.toDataURL('image/png')").split(",")[1])
        expected = handwriting.prepare_digit(
            handwriting.clean_ink(page_server.load_drawing(canvas_png))
        )
        shown = prepared_on_page(page)
        assert np.abs(shown - expected).max() <= 1 / 255 + 1e-6  # the shown image: 8 bits
        page.click("#clear")
        assert page.locator("#digit").inner_text() == ""
        assert all(url.startswith("file://") for url in requested), requested
        names = {url.rsplit("/", 1)[1] for url in requested}  # the page and its scripts
        assert names == {*static_site.PAGE_FILES, static_site.MODEL_FILE}, requested
    finally:
        page.context.close()


@needs_chromium
@pytest.mark.parametrize("device", ["finger", "pen"])
def test_a_finger_or_a_pen_draws_on_a_phone_sized_page(browser, drawn_digits_site, device):
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    page, _ = open_site(browser, drawn_digits_site, **phone)
    try:
        box = page.locator("#canvas").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the canvas fits the phone
        draw_with(page, SEVEN_STROKES, device)
        page.wait_for_selector(f'body[data-strokes="{len(SEVEN_STROKES)}"]')
        pointer = {"finger": "touch", "pen": "pen"}[device]
        assert page.locator("body").get_attribute("data-pointer") == pointer
        assert page.locator("#digit").inner_text() == "7"
    finally:
        page.context.close()


# %% The export


def test_lesson_3s_site_is_under_a_megabyte(tmp_path):
    layers = keras.layers
    model = keras.Sequential(  # lesson 3's network, as 03_large_cnn.py builds it
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(30, kernel_size=(5, 5), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(15, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(50, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    site = static_site.write_site(model, tmp_path / "site", "03_large_cnn")
    assert sorted(path.name for path in site.iterdir()) == sorted(
        [*static_site.PAGE_FILES, static_site.MODEL_FILE, static_site.ABOUT_FILE]
    )
    assert static_site.site_size(site) <= LESSON_3_SITE_BYTES


def test_a_layer_the_page_cannot_run_is_named_and_nothing_is_written(tmp_path):
    model = keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.LayerNormalization(name="norm"),
            keras.layers.Dense(10),
        ]
    )
    with pytest.raises(UserError, match="'norm' \\(LayerNormalization\\)"):
        static_site.write_site(model, tmp_path / "site")
    swish = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="tanh")])
    with pytest.raises(UserError, match="activation 'tanh'"):
        static_site.write_site(swish, tmp_path / "site")
    assert list(tmp_path.iterdir()) == []


def test_an_earlier_export_is_replaced_and_any_other_folder_is_left_alone(tmp_path, digit_model):
    model = keras.models.load_model(digit_model)
    site = static_site.write_site(model, tmp_path / "site", "first")
    static_site.write_site(model, site, "second")
    assert "second" in (site / static_site.MODEL_FILE).read_text()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my notes")
    with pytest.raises(UserError, match="not an exported page"):
        static_site.write_site(model, mine)
    assert [path.name for path in mine.iterdir()] == ["notes.txt"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["mine", "site"]  # no leftovers


def test_the_lesson_writes_the_site_from_its_command_line_and_refuses_a_folder_of_yours(
    tmp_path, digit_model
):
    site = tmp_path / "site"
    result = run_script(
        "07_draw_digit.py", "--static", site, "--model", digit_model, "--out", tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Wrote the static page" in result.stdout and "Serving" not in result.stdout
    assert (site / "index.html").is_file() and (site / static_site.MODEL_FILE).is_file()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "index.html").write_text("my page")
    refused = run_script(
        "07_draw_digit.py", "--static", tmp_path / "mine", "--model", digit_model, "--out", tmp_path
    )
    assert_clean_failure(refused, "not an exported page")
    assert (tmp_path / "mine" / "index.html").read_text() == "my page"
    # Without --model the site runs lesson 3's model, which this output folder lacks.
    missing = run_script("07_draw_digit.py", "--static", tmp_path / "new", "--out", tmp_path)
    assert_clean_failure(missing, "03_large_cnn.keras does not exist", "run 03_large_cnn.py")
    assert not (tmp_path / "new").exists()


def test_a_javascript_function_is_shown_whole_with_its_comment():
    """Lesson 07 prints two of forward.js's functions, each from its comment to its end."""
    source = static_site.javascript_function(static_site.SOURCE_DIR / "forward.js", "dense")
    lines = source.splitlines()
    assert lines[0].startswith("// Dense") and lines[1].startswith("function dense(")
    assert lines[-1] == "}" and source.count("function ") == 1
