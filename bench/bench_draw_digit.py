"""How fast lesson 07's drawing page answers, measured the way a student meets it.

Starts `07_draw_digit.py` with a saved model (default: the best in outputs/) and measures:
- one client: POST /predict with a drawing, a few hundred times in a row;
- several clients at once (4 and 8 threads), the same drawings;
- in a real browser (Debian's Chromium, driven by Playwright), the time from the end of a
  stroke to the answer on screen, as the page itself measures it, over many drawn digits.
Prints the median and the 95th percentile of each, in milliseconds.

    python bench/bench_draw_digit.py
    python bench/bench_draw_digit.py --model outputs/models/05_best_cnn.keras --requests 400
    python bench/bench_draw_digit.py --screenshot docs/figures/07_draw_digit.png
        # ... and docs/figures/07_draw_digit_teach.png, the teach mode

The drawings are digits drawn here with Pillow's font on a 280x280 canvas, black on white,
as the page sends them (tests/digits.py, shared with the tests). Takes about a minute.
"""

import argparse
import json
import math
import signal
import statistics
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "tests"))
import digits  # noqa: E402
from drawing_page import draw_strokes, find_chromium, start_page_server  # noqa: E402

RESULTS_DIR = PROJECT_DIR / "bench" / "results"
CLIENT_COUNTS = (4, 8)  # clients at once, after the single client
BROWSER_DRAWINGS = 40  # digits drawn in the browser
MOUSE_STEPS = 4  # mouse positions between two points of a stroke


def timed_predict(url, png):
    """Milliseconds for one POST /predict, and the digit it answered."""
    request = urllib.request.Request(
        url + "predict", data=png, headers={"Content-Type": "image/png"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        answer = json.loads(response.read())
    return 1000 * (time.perf_counter() - start), answer["digit"]


def summary(milliseconds):
    ordered = sorted(milliseconds)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95


def browser_latencies(url, screenshot=None):
    """Stroke end to answer on screen, in the page's own measurement; None without Chromium."""
    chromium = find_chromium()
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    latencies = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        page = browser.new_page(viewport={"width": 1000, "height": 500})
        page.goto(url)
        for _ in range(BROWSER_DRAWINGS):
            page.click("#clear")
            draw_strokes(page, digits.SEVEN_STROKES, steps=MOUSE_STEPS)
            page.wait_for_selector('body[data-strokes="2"]', timeout=30_000)
            latencies.append(float(page.locator("body").get_attribute("data-latency")))
        print("Browser, ms from stroke end to answer:", " ".join(f"{ms:.0f}" for ms in latencies))
        if screenshot:
            page.click("#clear")
            draw_strokes(page, digits.three_strokes(), steps=MOUSE_STEPS)
            page.wait_for_selector('body[data-strokes="1"]', timeout=30_000)
            page.screenshot(path=str(screenshot))
            print(f"Saved screenshot: {screenshot} (the page read {page.inner_text('#digit')})")
            # The teach mode, asking for its first digit, drawn but not saved.
            page.click("#mode")
            page.wait_for_selector('body[data-prompt="0"]')
            draw_strokes(page, [digits.zero_stroke()], steps=MOUSE_STEPS)
            page.wait_for_selector('body[data-strokes="1"]', timeout=30_000)
            teach_screenshot = screenshot.with_name(f"{screenshot.stem}_teach{screenshot.suffix}")
            page.screenshot(path=str(teach_screenshot))
            print(f"Saved screenshot: {teach_screenshot}")
        browser.close()
    return latencies


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="a saved .keras model (default: the best)")
    parser.add_argument("--requests", type=int, default=300, help="requests per measurement")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of the page")
    args = parser.parse_args()

    model = ["--model", args.model.resolve()] if args.model else []
    server, url = start_page_server(*model, echo=True)
    try:
        if url is None:
            sys.exit(server.stderr.read().strip() or "error: the server did not start")
        drawings = [digits.canvas_png(digit % 10, stroke_width=0) for digit in range(args.requests)]
        for png in drawings[:20]:  # warm-up: the first predictions trace the model
            timed_predict(url, png)

        rows = []
        single = [timed_predict(url, png)[0] for png in drawings]
        rows.append(("1 client", *summary(single), len(single)))
        for clients in CLIENT_COUNTS:
            with ThreadPoolExecutor(max_workers=clients) as pool:
                times = [ms for ms, _ in pool.map(lambda png: timed_predict(url, png), drawings)]
            rows.append((f"{clients} clients at once", *summary(times), len(times)))
        latencies = browser_latencies(url, args.screenshot)
        if latencies:
            rows.append(
                ("browser: stroke end to answer on screen", *summary(latencies), len(latencies))
            )
        else:
            print("No Chromium here (apt-get install chromium): the browser row is left out.")
    finally:
        server.send_signal(signal.SIGINT)
        server.communicate(timeout=60)

    print("\n| measurement | median ms | 95th percentile ms | requests |")
    print("| --- | --- | --- | --- |")
    for name, median, p95, count in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} | {count} |")
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    results = [dict(zip(("measurement", "median_ms", "p95_ms", "count"), row)) for row in rows]
    (RESULTS_DIR / "draw_digit.json").write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
