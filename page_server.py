"""Lesson 7's web server: the plumbing below what the lesson teaches. It is one of the plain
modules a student copies beside a notebook, with handwriting.py and own_digits.py.

The lesson says what each address of its page does, in a handler class of its own:

    class DrawingPage(page_server.JsonHandler):
        def get(self, path, query): ...    # a GET request: answer with self.send_json(...)
        def post(self, path, query): ...   # a POST request: its body is self.read_body()

    server = page_server.start_server(host, port, DrawingPage, model=model, ...)
    server.serve_forever()

`JsonHandler` reads each request and calls `get` or `post` with its address. A request it
cannot serve gets a 4xx answer, `{"error": "..."}`, and the server serves on: `Refused`
raised with its status (no such address, no length, too large, not an image), or a
`UserError` (422: a drawing without ink). A refused body is read and dropped, so that the
answer arrives and the connection serves the next request.

- `load_drawing`, `png_data_url`: PNG bytes to grey values, and a grey image to a data URL
  that a page can show.
- `TaughtDigits`: the digits taught in teach mode, saved as
  <out>/my_digits/<session>/<digit>/<number>.png, one session per run; nothing is replaced.
  `taught_digit(query)`: the D of `?digit=D`, refused unless 0-9.
- `journey_figure`: a drawing's way to the model and the answer's way back, as a figure.
"""

import base64
import errno
import io
import itertools
import json
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image, UnidentifiedImageError

from common import NUM_CLASSES, UserError
from handwriting import load_grayscale
from own_digits import MY_DIGITS, save_new_file

MAX_DRAWING_BYTES = 1_000_000  # a drawing is a few kilobytes as PNG; larger bodies are refused
# A refused body up to this size is read and dropped: closed unread, the answer can be lost.
MAX_DISCARDED_BYTES = 10 * MAX_DRAWING_BYTES
READ_CHUNK_BYTES = 64 * 1024


class Refused(Exception):
    """A request answered with `status` (a 4xx, or 507) and `{"error": message}`."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status, self.message = status, message


# %% Drawings: bytes, grey values, data URLs


def load_drawing(png_bytes):
    """The drawing as grey values, as lesson 6 loads a photo; Refused (400) if it is no image."""
    try:
        return load_grayscale(io.BytesIO(png_bytes))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        message = "the body is not a PNG or JPEG image of a sensible size"
        raise Refused(HTTPStatus.BAD_REQUEST, message) from None


def png_data_url(image):
    """A 0-1 grey image as a `data:image/png;base64,...` URL that a page can show."""
    buffer = io.BytesIO()
    Image.fromarray((255 * image).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_of_data_url(url):
    """The grey image (0-1) of a PNG data URL, as the page shows it."""
    encoded = url.split(",", 1)[1]
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as image:
        return np.asarray(image.convert("L"), dtype=np.float32) / 255


def as_png(image_bytes):
    """The drawing as PNG bytes: as sent if it is a PNG, converted if it is a JPEG."""
    if image_bytes.startswith(b"\x89PNG"):
        return image_bytes
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes)).save(buffer, format="PNG")
    return buffer.getvalue()


# %% Requests in, JSON out


class JsonHandler(BaseHTTPRequestHandler):
    """The standard library's http.server calls do_GET, do_POST, ... for each request; these
    call the subclass's get(path, query) or post(path, query) and answer what is refused."""

    # Headers and body leave in two small writes; without this, the second waits for the
    # browser's delayed acknowledgement of the first (Nagle's algorithm): up to 40 ms.
    disable_nagle_algorithm = True
    # Keep the connection open between requests: a browser drawing sends many.
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.answer(self.get)

    def do_POST(self):
        self.answer(self.post)

    def do_PUT(self):
        self.answer(self.refuse_method)

    do_DELETE = do_PATCH = do_PUT

    def get(self, path, query):
        self.refuse_method(path, query)

    def post(self, path, query):
        self.refuse_method(path, query)

    def refuse_method(self, path, query):
        raise Refused(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not served here")

    def answer(self, method):
        """Call `method` with the request's path and query; send what it refused."""
        self.body_read = False
        address = urlsplit(self.path)
        try:
            method(address.path, parse_qs(address.query))
        except Refused as refused:
            self.send_error_json(refused.status, refused.message)
        except UserError as error:  # an image, but nothing to read on it: an empty canvas
            self.send_error_json(HTTPStatus.UNPROCESSABLE_ENTITY, f"the drawing: {error}")

    def not_found(self, what_is_served):
        raise Refused(HTTPStatus.NOT_FOUND, f"nothing at {self.path}: {what_is_served}")

    def read_body(self):
        """The bytes sent; Refused (411, 413) if they have no length or are too many."""
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self.close_connection = True
            raise Refused(HTTPStatus.LENGTH_REQUIRED, "send the PNG with a Content-Length")
        if int(length) > MAX_DRAWING_BYTES:
            message = f"the drawing has {int(length)} bytes; at most {MAX_DRAWING_BYTES} are read"
            raise Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, message)
        self.body_read = True
        return self.rfile.read(int(length))

    def discard_body(self):
        """Read and drop the body of a request that is refused. Read in full, it leaves the
        connection fit for the next request; one too large to read is cut off instead."""
        length = self.headers.get("Content-Length", "0")
        remaining = int(length) if length.isdigit() else MAX_DISCARDED_BYTES + 1
        if remaining > MAX_DISCARDED_BYTES:
            self.close_connection = True
            return
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, READ_CHUNK_BYTES))
            if not chunk:  # the client stopped sending
                self.close_connection = True
                return
            remaining -= len(chunk)

    def send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "GET, POST")
        self.end_headers()
        self.wfile.write(body)

    def send_page(self, html):
        self.send(HTTPStatus.OK, html, "text/html; charset=utf-8")

    def send_json(self, answer, status=HTTPStatus.OK):
        self.send(status, json.dumps(answer).encode(), "application/json")

    def send_error_json(self, status, message):
        if not self.body_read:
            self.discard_body()
        self.send_json({"error": message}, status)

    def log_message(self, format, *arguments):
        """Quiet: a line per request would bury the address the student needs."""


# %% The digits taught in teach mode


def taught_digit(query):
    """The digit a drawing is taught as, from its address's `?digit=D`; Refused (400) unless
    D is one of 0-9."""
    digit = query.get("digit", [""])[0]
    if not (len(digit) == 1 and digit.isdigit()):
        message = "name the digit drawn: POST /teach?digit=D, D from 0 to 9"
        raise Refused(HTTPStatus.BAD_REQUEST, message)
    return int(digit)


class TaughtDigits:
    """The drawings taught in this run of the server, in one session folder under
    <out>/my_digits/, made when the first one is saved; `per_digit`: how many of each digit
    the page asks for."""

    def __init__(self, out, per_digit):
        self.out = Path(out)
        self.folder = self.out / MY_DIGITS
        self.per_digit = per_digit
        self.session = None
        self.counts = {digit: 0 for digit in range(NUM_CLASSES)}
        self.lock = threading.Lock()

    def session_folder(self):
        """This run's folder, named by the time of its first drawing; never an existing one."""
        if self.session is None:
            stamp, suffix = time.strftime("%Y-%m-%d_%H%M%S"), 1
            while True:
                name = stamp if suffix == 1 else f"{stamp}_{suffix}"
                try:
                    (self.folder / name).mkdir(parents=True)
                    break
                except FileExistsError:
                    suffix += 1
            self.session = name
        return self.folder / self.session

    def save(self, digit, image_bytes):
        """Save one drawing (PNG or JPEG) as a PNG; what was saved, for the answer. Refused
        (507) if it cannot be written: a full disk, a folder not writable."""
        try:
            with self.lock:
                digit_folder = self.session_folder() / str(digit)
                digit_folder.mkdir(exist_ok=True)
                names = (f"{n:03d}.png" for n in itertools.count(self.counts[digit] + 1))
                path = save_new_file(digit_folder, names, as_png(image_bytes))
                self.counts[digit] += 1
                count = self.counts[digit]
        except OSError as error:
            raise Refused(HTTPStatus.INSUFFICIENT_STORAGE, f"cannot save it ({error})") from None
        return {"saved": path.relative_to(self.out).as_posix(), "digit": digit, "count": count}

    def summary(self):
        return {"session": self.session, "saved": self.counts, "per_digit": self.per_digit}


# %% The server


def start_server(host, port, handler, **attributes):
    """A server whose requests `handler` answers, listening but not yet serving, with each of
    `attributes` (the page, the model, ...) set on it for the handler to read as
    self.server.<name>. A UserError if the port cannot be had."""
    try:
        server = ThreadingHTTPServer((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UserError(
                f"port {port} is in use (another server, or this lesson already running?): "
                "choose another with --port N"
            ) from None
        raise UserError(f"cannot listen on {host}:{port} ({error.strerror})") from None
    server.daemon_threads = True  # a browser tab left open does not keep the program alive
    for name, value in attributes.items():
        setattr(server, name, value)
    return server


# %% A drawing's way to the model and back, as a figure

JOURNEY_POINTS = 15  # the figure's smallest text: legible on a slide, where it is shown whole


def journey_figure(drawing, answer):
    """The way of one drawing (grey values) to the model and of its `answer` (as POST
    /predict sends it) back to the page: the canvas, the prepared 28x28 image, the ten
    probabilities, with arrows that say what travels."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    points = JOURNEY_POINTS
    figure = plt.figure(figsize=(12, 5.2))
    board = figure.add_axes([0, 0, 1, 1])  # boxes, arrows and words, in figure fractions
    board.set(xlim=(0, 1), ylim=(0, 1))
    board.axis("off")
    stages = [  # (left, right, who, what it does)
        (0.01, 0.24, "The page", "a drawing on the canvas"),
        (0.36, 0.57, "The server", "lesson 6's preparation"),
        (0.66, 0.99, "The model", "ten probabilities (%)"),
    ]
    for left, right, who, what in stages:
        box = FancyBboxPatch((left, 0.3), right - left, 0.6, "round,pad=0.005,rounding_size=0.02")
        board.add_patch(box).set(facecolor="#eef4fa", edgecolor="#4a6f8a")
        board.text((left + right) / 2, 0.85, who, ha="center", size=points + 3, weight="bold")
        board.text((left + right) / 2, 0.79, what, ha="center", size=points)
    prepared = image_of_data_url(answer["prepared"])
    for left, image, caption in [
        (0.05, drawing, f"{drawing.shape[1]}x{drawing.shape[0]} pixels"),
        (0.39, prepared, f"{prepared.shape[1]}x{prepared.shape[0]} pixels"),
    ]:
        axis = figure.add_axes([left, 0.36, 0.15, 0.38], xticks=[], yticks=[])
        axis.imshow(image, cmap="gray", vmin=0, vmax=1)
        axis.set_xlabel(caption, size=points)
    bars = figure.add_axes([0.71, 0.44, 0.26, 0.3])
    probabilities = 100 * np.array(answer["probabilities"])
    colours = ["tab:orange" if d == answer["digit"] else "tab:blue" for d in range(NUM_CLASSES)]
    bars.bar(range(NUM_CLASSES), probabilities, color=colours)
    bars.set(xticks=range(NUM_CLASSES), ylim=(0, 100))
    bars.tick_params(labelsize=points)
    arrow = {"arrowstyle": "-|>", "color": "#4a6f8a", "linewidth": 2, "mutation_scale": 20}
    for start, end, above, below in [
        (0.24, 0.36, "POST /predict", "its PNG"),
        (0.57, 0.66, "28x28", "predict"),
    ]:
        board.annotate("", xy=(end, 0.6), xytext=(start, 0.6), arrowprops=arrow)
        board.text((start + end) / 2, 0.63, above, ha="center", size=points)
        board.text((start + end) / 2, 0.53, below, ha="center", size=points)
    # The answer goes back: down from the model, along the bottom, up into the page.
    board.plot([0.82, 0.82, 0.125], [0.3, 0.12, 0.12], color=arrow["color"], linewidth=2)
    board.annotate("", xy=(0.125, 0.3), xytext=(0.125, 0.12), arrowprops=arrow)
    back = f"JSON: digit {answer['digit']}, the ten probabilities, the prepared image as PNG"
    board.text(0.47, 0.15, back, ha="center", size=points)
    shown = "The page draws the bars and shows the prepared image."
    board.text(0.47, 0.03, shown, ha="center", size=points)
    figure.suptitle("A drawing's way to the model and back", size=points + 5, y=1.0)
    return figure
