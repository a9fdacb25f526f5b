"""Lesson 7's drawing page for the tests and the benchmark: its server, and a real browser.

process, url = start_page_server("--model", path, "--out", folder)
chromium = find_chromium()          # None where Debian's Chromium is not installed
draw_strokes(page, digits.SEVEN_STROKES)
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
ADDRESS_LINE = re.compile(r"Serving the drawing page at (http://\S+/)$")


def start_lesson(*arguments, environment=None):
    """Start 07_draw_digit.py as a student would, from another folder; return the process.
    `environment` adds variables (KERAS_BACKEND, say)."""
    return subprocess.Popen(
        [sys.executable, str(PROJECT_DIR / "07_draw_digit.py"), *map(str, arguments)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd="/",
        env={**os.environ, **(environment or {})},
    )


def start_page_server(*arguments, echo=False, environment=None):
    """The lesson serving on a free port, no browser opened: (process, base URL). The URL is
    None if the server stopped before it served (its stderr says why)."""
    process = start_lesson("--no-browser", "--port", 0, *arguments, environment=environment)
    for line in process.stdout:
        if echo:
            print(line.rstrip())
        match = ADDRESS_LINE.match(line.strip())
        if match:
            return process, match.group(1)
    return process, None


def find_chromium():
    """Debian's Chromium (apt-get install chromium), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def draw_strokes(page, strokes, steps=12):
    """Draw strokes given in canvas pixels with the mouse, as a hand would."""
    box = page.locator("#canvas").bounding_box()
    for stroke in strokes:
        (x, y), rest = stroke[0], stroke[1:]
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.mouse.down()
        for x, y in rest:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=steps)
        page.mouse.up()
