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

The drawings are digits drawn here with Pillow's font on a 280x280 canvas, black on white,
as the page sends them. Takes about a minute.
"""

import argparse
import io
import json
import math
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
CANVAS_SIDE = 280  # the page's canvas
CLIENT_COUNTS = (4, 8)  # clients at once, after the single client
BROWSER_DRAWINGS = 40  # digits drawn in the browser


def drawing(digit):
    """A digit as the page sends it: black ink on a white 280x280 canvas, as PNG bytes."""
    image = Image.new("L", (CANVAS_SIDE, CANVAS_SIDE), 255)
    font = ImageFont.load_default(size=int(0.7 * CANVAS_SIDE))
    ImageDraw.Draw(image).text(
        (CANVAS_SIDE / 2, CANVAS_SIDE / 2), str(digit), fill=0, font=font, anchor="mm"
    )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


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


def seven_strokes(box):
    """The bar and the stem of a 7, in page coordinates."""
    x, y = box["x"], box["y"]
    return [[(x + 70, y + 60), (x + 210, y + 60)], [(x + 210, y + 60), (x + 120, y + 235)]]


def three_strokes(box):
    """A 3 in one stroke: two arcs, as a hand draws it."""
    x, y = box["x"], box["y"]
    points = []
    for centre_y, radius, start, end in [(95, 45, 200, 450), (185, 50, 270, 520)]:
        for step in range(16):
            angle = math.radians(start + (end - start) * step / 15)
            points.append(
                (x + 140 + radius * math.cos(angle), y + centre_y + radius * math.sin(angle))
            )
    return [points]


def draw(page, strokes):
    for stroke in strokes:
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*point, steps=4)
        page.mouse.up()


def browser_latencies(url, screenshot=None):
    """Stroke end to answer on screen, in the page's own measurement; None without Chromium."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright

    latencies = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True)
        page = browser.new_page(viewport={"width": 1000, "height": 470})
        page.goto(url)
        box = page.locator("#canvas").bounding_box()
        for _ in range(BROWSER_DRAWINGS):
            page.click("#clear")
            draw(page, seven_strokes(box))
            page.wait_for_selector('body[data-strokes="2"]', timeout=30_000)
            latencies.append(float(page.locator("body").get_attribute("data-latency")))
        print("Browser, ms from stroke end to answer:", " ".join(f"{ms:.0f}" for ms in latencies))
        if screenshot:
            page.click("#clear")
            draw(page, three_strokes(box))
            page.wait_for_selector('body[data-strokes="1"]', timeout=30_000)
            page.screenshot(path=str(screenshot))
            print(f"Saved screenshot: {screenshot} (the page read {page.inner_text('#digit')})")
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

    command = [sys.executable, str(PROJECT_DIR / "07_draw_digit.py"), "--no-browser", "--port", "0"]
    if args.model:
        command += ["--model", str(args.model)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        for line in server.stdout:
            print(line.rstrip())
            match = re.match(r"Serving the drawing page at (\S+)", line)
            if match:
                url = match.group(1)
                break
        if url is None:
            sys.exit(server.stderr.read().strip() or "error: the server did not start")
        drawings = [drawing(digit % 10) for digit in range(args.requests)]
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
