"""Lesson 07's static page against the served one: how fast each reads a drawing, and how
closely the browser's JavaScript agrees with Keras and handwriting.py.

Speed: the same digits drawn with the mouse, in turn on the static page (07_draw_digit.py
--static, opened from the disk) and on the served page (07_draw_digit.py, POST /predict),
in Debian's Chromium driven by Playwright; each page measures the time from the end of the
last stroke to the answer on screen. Prints the median and 95th percentile, in ms.

Agreement (--mnist, --photos): the static page's forward pass on MNIST test images against
model.predict (largest difference of a probability, digits agreeing), and its preparation
of real photos against handwriting.py's (mean difference per pixel, in 1/255) with the
digits read.

    python bench/bench_static_page.py                          # lesson 3's saved model
    python bench/bench_static_page.py --model outputs/models/05_best_cnn.keras
    python bench/bench_static_page.py --mnist ../shared/data/mnist.npz \\
        --photos ../shared/data/own_digits --drawings 0        # agreement only
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))
sys.path.insert(0, str(PROJECT_DIR / "tests"))
import course  # noqa: E402, F401  (Keras' quiet start)

import digits  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
from bench_draw_digit import summary  # noqa: E402
from drawing_page import draw_strokes, find_chromium, start_page_server  # noqa: E402
from static_page_browser import browser_prepared, browser_probabilities, open_site  # noqa: E402

import common  # noqa: E402
import handwriting  # noqa: E402
import static_site  # noqa: E402

DEFAULT_MODEL = common.model_path(PROJECT_DIR / "outputs", "03_large_cnn")
MOUSE_STEPS = 4  # mouse positions between two points of a stroke, as bench_draw_digit.py
MNIST_IMAGES = 1000  # the first test images compared
DRAWINGS = [digits.SEVEN_STROKES, digits.three_strokes(), [digits.zero_stroke()]]


def stroke_end_to_answer(page, strokes):
    """Draw one digit on a cleared page; the page's own milliseconds from the end of the
    last stroke to the answer on screen, and the digit shown."""
    page.click("#clear")
    draw_strokes(page, strokes, steps=MOUSE_STEPS)
    page.wait_for_selector(f'body[data-strokes="{len(strokes)}"]', timeout=60_000)
    body = page.locator("body")
    return float(body.get_attribute("data-latency")), body.get_attribute("data-digit")


def speed(browser, model_path, site, drawings):
    """The served and the static page, drawing for drawing in turn: {page: [ms, ...]}."""
    with tempfile.TemporaryDirectory() as out:
        process, url = start_page_server("--model", model_path, "--out", out)
        try:
            served = browser.new_page(viewport={"width": 1000, "height": 500})
            served.goto(url)
            static, requested = open_site(browser, site, viewport={"width": 1000, "height": 500})
            times = {"served page (POST /predict)": [], "static page (in the browser)": []}
            answers = []
            for number in range(drawings):
                strokes = DRAWINGS[number % len(DRAWINGS)]
                pages = [served, static] if number % 2 == 0 else [static, served]
                shown = {}
                for page in pages:
                    name = next(iter(times)) if page is served else list(times)[1]
                    milliseconds, shown[name] = stroke_end_to_answer(page, strokes)
                    times[name].append(milliseconds)
                answers.append(len(set(shown.values())) == 1)
            assert all(url.startswith("file://") for url in requested), requested
        finally:
            process.kill()
            process.wait()
    print(f"The two pages showed the same digit for {sum(answers)} of {len(answers)} drawings.")
    return times


def mnist_agreement(page, model, path):
    with np.load(path) as data:
        images = data["x_test"][:MNIST_IMAGES]
    expected = model.predict(
        common.scale_pixels(images).reshape(-1, *model.input_shape[1:]), verbose=0
    )
    found = browser_probabilities(page, images)
    agreeing = int((found.argmax(axis=1) == expected.argmax(axis=1)).sum())
    largest = float(np.abs(found - expected).max())
    print(f"MNIST, first {len(images)} test images: largest probability difference ", end="")
    print(f"{largest:.2e}; digits agreeing: {agreeing} of {len(images)}")


def photo_agreement(page, model, folder):
    differences, browser_digits, prepared = [], [], []
    paths = handwriting.image_paths([folder])
    for path in paths:
        found = browser_prepared(page, path)
        try:
            expected = handwriting.prepare_digit(
                handwriting.clean_ink(handwriting.load_image(path))
            )
        except common.UserError:
            print(f"{path.name}: no ink for handwriting.py; the page: {found is None}")
            continue
        mine = np.array(found["prepared"]).reshape(expected.shape)
        differences.append(255 * float(np.abs(mine - expected).mean()))
        browser_digits.append(int(np.argmax(found["probabilities"])))
        prepared.append(expected)
    shape = (-1, *model.input_shape[1:])
    keras_digits = model.predict(np.array(prepared).reshape(shape), verbose=0).argmax(axis=1)
    agreeing = int((np.array(browser_digits) == keras_digits).sum())
    print(f"Photos in {folder}: {len(prepared)} prepared; mean difference per pixel: ", end="")
    print(f"largest {max(differences):.2e}/255, average {np.mean(differences):.2e}/255; ", end="")
    print(f"digits agreeing: {agreeing} of {len(prepared)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--drawings", type=int, default=100, help="digits drawn on each page")
    parser.add_argument("--mnist", type=Path, help="mnist.npz: compare the forward pass")
    parser.add_argument("--photos", type=Path, help="a folder of photos: compare the preparation")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None or not args.model.is_file():
        sys.exit(f"error: needs Chromium and a saved model ({args.model}): run 03_large_cnn.py")
    from playwright.sync_api import sync_playwright

    model = keras.models.load_model(args.model)
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        site = static_site.write_site(model, Path(folder) / "site", args.model.stem)
        print(f"Static site of {args.model.name}: {static_site.site_size(site):,d} bytes")
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        if args.drawings:
            times = speed(browser, args.model, site, args.drawings)
            print(f"\nModel {args.model.name}; {os.cpu_count()} CPU cores")
            print("| page | median ms | 95th percentile ms | drawings |")
            print("|---|---:|---:|---:|")
            for name, milliseconds in times.items():
                median, p95 = summary(milliseconds)
                print(f"| {name} | {median:.1f} | {p95:.1f} | {len(milliseconds)} |")
            print(f"(static page, mean: {statistics.mean(times[list(times)[1]]):.1f} ms)")
        page, _ = open_site(browser, site)
        if args.mnist:
            mnist_agreement(page, model, args.mnist)
        if args.photos:
            photo_agreement(page, model, args.photos)
        browser.close()


if __name__ == "__main__":
    main()
