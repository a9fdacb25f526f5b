"""
Title: Lesson 7 - Draw a digit and watch the model read it
Description: A small web server puts a saved lesson model behind a drawing page: draw with
    the mouse, a pen or a finger, and the page shows the digit the model reads, all ten
    probabilities, and the 28x28 image the model really receives, prepared by lesson 6's
    own steps. Its teach mode collects your own labelled digits for lesson 8.

Run (after one of lessons 01-03 or 05):
    python 07_draw_digit.py                   # opens http://127.0.0.1:8000 in your browser
    python 07_draw_digit.py --no-browser      # only print the address
    python 07_draw_digit.py --port 8001 --model outputs/models/02_simple_cnn.keras
    python 07_draw_digit.py --model outputs/models/08_teach_handwriting.keras  # lesson 8's
    In a notebook (notebooks/07_draw_digit.ipynb), set the same options in OPTIONS below; the
    page then works for as long as the notebook's kernel runs.

Expected: the page answers while you draw and a few milliseconds after each stroke (the
times measured with bench/bench_draw_digit.py are in docs/measurements.md). Ctrl-C stops the
server. The digits you teach it (Teach, or "Wrong? It is ..." under an answer) are saved
in outputs/my_digits/<session>/<digit>/, one session per run; nothing saved is replaced.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import base64
import errno
import io
import itertools
import json
import threading
import time
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from PIL import Image, UnidentifiedImageError

import common
import handwriting  # lesson 6's preparation of a digit, step by step
import own_digits  # where the digits you teach it are saved
import pictures

PAGE = common.PROJECT_DIR / "07_draw_digit.html"  # the drawing page: HTML, CSS, JavaScript
HOST = "127.0.0.1"  # this computer only; "0.0.0.0" lets others on the network in
PORT = 8000  # the page's address is http://HOST:PORT/; 0: any free port
OPEN_BROWSER = True  # open the page in the browser once it is served
EXAMPLES_PER_DIGIT = 5  # the teach mode asks for each digit this many times
# Pictures of the page, drawing and in teach mode, taken by bench/bench_draw_digit.py.
PAGE_PICTURES = [
    common.PROJECT_DIR / "docs" / "figures" / "07_draw_digit.png",
    common.PROJECT_DIR / "docs" / "figures" / "07_draw_digit_teach.png",
]
OUTPUT_DIR = common.PROJECT_DIR / "outputs"  # the models are read and your digits saved here
# The model that reads your drawings. (The course's command line takes the best one saved
# instead, or the one --model names.)
MODEL_PATH = common.model_path(OUTPUT_DIR, "05_best_cnn")

# %% The course's command line: leave it out when you copy
# The options the lesson is run with replace the settings above: python 07_draw_digit.py
# --port 8001, or in a notebook this OPTIONS line ("--help" lists them all).
OPTIONS = ""
lesson_options = {
    "--model": {
        "dest": "MODEL_PATH",
        "metavar": "PATH",
        "help": "a saved .keras model (default: the best one in the output folder)",
    },
    "--host": {"dest": "HOST", "help": f"default: {HOST}; 0.0.0.0 lets others in"},
    "--port": {"dest": "PORT", "type": int, "help": f"default: {PORT}; 0: any free"},
    "--no-browser": {
        "dest": "OPEN_BROWSER",
        "action": "store_false",
        "help": "only print the address; open no browser",
    },
    "--examples-per-digit": {
        "dest": "EXAMPLES_PER_DIGIT",
        "type": course.at_least_one,
        "metavar": "N",
        "help": f"how often the teach mode asks for each digit (default: {EXAMPLES_PER_DIGIT})",
    },
}
changed = course.start(globals(), OPTIONS, lesson_options, ctrl_c="Stopped the server.")
MODEL_PATH = course.find_model(changed.get("MODEL_PATH"), OUTPUT_DIR)

# %% Reading one drawing


def load_drawing(png_bytes):
    """The drawing as grey values, as lesson 6 loads a photo; a UserError if it is no image."""
    try:
        return handwriting.load_grayscale(io.BytesIO(png_bytes))
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise common.UserError("the body is not a PNG or JPEG image of a sensible size") from None


def read_drawing(gray, model):
    """The model's answer for one drawing: the digit, its confidence, all ten probabilities
    and the prepared 28x28 input as a PNG data URL. A UserError if there is no ink."""
    ink = handwriting.clean_ink(gray)
    prepared = handwriting.prepare_digit(ink)
    # One image at a time: predict_on_batch skips fit()'s machinery and takes milliseconds.
    probabilities = model.predict_on_batch(prepared.reshape(1, *model.input_shape[1:]))[0]
    digit = int(np.argmax(probabilities))
    return {
        "digit": digit,
        "confidence": float(probabilities[digit]),
        "probabilities": [round(float(value), 6) for value in probabilities],
        "prepared": png_data_url(prepared),
    }


def as_png(image_bytes):
    """The drawing as PNG bytes: as sent if it is a PNG, converted if it is a JPEG."""
    if image_bytes.startswith(b"\x89PNG"):
        return image_bytes
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_data_url(image):
    """A 0-1 grey image as a `data:image/png;base64,...` URL that a page can show."""
    buffer = io.BytesIO()
    Image.fromarray((255 * image).astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# %% Answering in JSON
# The standard library's http.server reads each request and calls a method named after it
# (do_GET, do_POST). This part of the handler writes the answers and drops refused bodies.
MAX_DRAWING_BYTES = 1_000_000  # a drawing is a few kilobytes as PNG; larger bodies are refused
# A refused body up to this size is read and dropped: closed unread, the answer can be lost.
MAX_DISCARDED_BYTES = 10 * MAX_DRAWING_BYTES
READ_CHUNK_BYTES = 64 * 1024


class JsonAnswers(BaseHTTPRequestHandler):
    """Answers with a body, and errors as `{"error": ...}` with a 4xx status."""

    # Headers and body leave in two small writes; without this, the second waits for the
    # browser's delayed acknowledgement of the first (Nagle's algorithm): up to 40 ms.
    disable_nagle_algorithm = True
    # Keep the connection open between requests: a browser drawing sends many.
    protocol_version = "HTTP/1.1"

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

    def send_error_json(self, status, message):
        self.send(status, json.dumps({"error": message}).encode(), "application/json")

    def log_message(self, format, *arguments):
        """Quiet: a line per request would bury the address the student needs."""


# %% Saving the digits you teach it
# Each drawing becomes <out>/my_digits/<session>/<digit>/<number>.png, written so that nothing
# collected is ever overwritten and a crash leaves no half-written drawing.


class TaughtDigits:
    """The drawings taught in this run of the server: one session folder, made when the
    first one is saved."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.session = None
        self.counts = {digit: 0 for digit in range(common.NUM_CLASSES)}
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

    def save(self, digit, png_bytes):
        """Save one drawing; its path."""
        with self.lock:
            digit_folder = self.session_folder() / str(digit)
            digit_folder.mkdir(exist_ok=True)
            number = self.counts[digit] + 1
            names = (f"{n:03d}.png" for n in itertools.count(number))
            path = own_digits.save_new_file(digit_folder, names, png_bytes)
            self.counts[digit] += 1
            return path

    def summary(self):
        return {"session": self.session, "saved": self.counts}


# %% Reading a drawing from a request
class DrawingRequests(JsonAnswers):
    """A POSTed drawing, checked: too large, not an image or without ink gets its 4xx."""

    def read_body(self):
        """The bytes sent, or None once a 411 or 413 has been answered."""
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self.close_connection = True
            self.send_error_json(HTTPStatus.LENGTH_REQUIRED, "send the PNG with a Content-Length")
            return None
        if int(length) > MAX_DRAWING_BYTES:
            self.discard_body()
            self.send_error_json(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the drawing has {int(length)} bytes; at most {MAX_DRAWING_BYTES} are read",
            )
            return None
        return self.rfile.read(int(length))

    def read_and_answer(self):
        """(the drawing's bytes, the model's answer), or None once a 4xx has been sent."""
        drawing = self.read_body()
        if drawing is None:
            return None
        try:
            gray = load_drawing(drawing)
        except common.UserError as error:
            self.send_error_json(HTTPStatus.BAD_REQUEST, str(error))
            return None
        try:
            with self.server.model_lock:  # one prediction at a time: the model is shared
                return drawing, read_drawing(gray, self.server.model)
        except common.UserError as error:  # an image, but no ink on it: an empty canvas
            self.send_error_json(HTTPStatus.UNPROCESSABLE_ENTITY, f"the drawing: {error}")
            return None

    def refuse_method(self):
        self.discard_body()
        self.send_error_json(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} is not served here")

    do_PUT = do_DELETE = do_PATCH = refuse_method


# %% The drawing page's addresses
class DrawingPageHandler(DrawingRequests):
    """GET /: the page. POST /predict: a drawing read. POST /teach?digit=D: a drawing saved
    as an example of D (201). GET /teach: what was saved. Anything else: a 4xx."""

    def do_GET(self):
        if self.path in ("/", "/index.html"):
            self.send(HTTPStatus.OK, self.server.page, "text/html; charset=utf-8")
        elif self.path == "/teach":
            answer = {**self.server.taught.summary(), "per_digit": self.server.examples_per_digit}
            self.send(HTTPStatus.OK, json.dumps(answer).encode(), "application/json")
        else:
            self.send_error_json(HTTPStatus.NOT_FOUND, f"nothing at {self.path}: the page is /")

    def do_POST(self):
        address = urlsplit(self.path)
        digit = parse_qs(address.query).get("digit", [""])[0]
        if address.path not in ("/predict", "/teach"):
            self.discard_body()
            message = f"nothing at {self.path}: POST /predict or /teach?digit=D"
            self.send_error_json(HTTPStatus.NOT_FOUND, message)
        elif address.path == "/teach" and not (len(digit) == 1 and digit.isdigit()):
            self.discard_body()
            message = "name the digit drawn: POST /teach?digit=D, D from 0 to 9"
            self.send_error_json(HTTPStatus.BAD_REQUEST, message)
        elif (read := self.read_and_answer()) is None:
            return  # the 4xx is sent
        elif address.path == "/predict":
            self.send(HTTPStatus.OK, json.dumps(read[1]).encode(), "application/json")
        else:
            self.save_taught(int(digit), *read)

    def save_taught(self, digit, drawing, answer):
        try:
            path = self.server.taught.save(digit, as_png(drawing))
        except OSError as error:  # a full disk, a folder not writable: the server serves on
            self.send_error_json(HTTPStatus.INSUFFICIENT_STORAGE, f"cannot save it ({error})")
            return
        saved = {"saved": path.relative_to(self.server.out).as_posix(), "digit": digit}
        saved.update(read_as=answer["digit"], count=self.server.taught.counts[digit])
        self.send(HTTPStatus.CREATED, json.dumps(saved).encode(), "application/json")


# %% The web server
def start_server(host, port, model, out, examples_per_digit):
    """A server for the page and the model, listening but not yet serving; a UserError if
    the port cannot be had. Taught digits go to `out`/my_digits/."""
    try:
        server = ThreadingHTTPServer((host, port), DrawingPageHandler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise common.UserError(
                f"port {port} is in use (another server, or this lesson already running?): "
                "choose another with --port N"
            ) from None
        raise common.UserError(f"cannot listen on {host}:{port} ({error.strerror})") from None
    server.daemon_threads = True  # a browser tab left open does not keep the program alive
    server.page = PAGE.read_bytes()
    server.model = model
    server.model_lock = threading.Lock()
    server.out = Path(out)
    server.taught = TaughtDigits(server.out / own_digits.MY_DIGITS)
    server.examples_per_digit = examples_per_digit
    return server


# %% What the page looks like
# `python 07_draw_digit.py` opens the page in your browser. Draw a digit and it answers as
# you draw, with the 28x28 input it prepared; its Teach button asks for each digit in turn.
for picture in PAGE_PICTURES:
    pictures.show_picture(picture)

# %% Serve the page
model = common.load_model(MODEL_PATH)
server = start_server(HOST, PORT, model, OUTPUT_DIR, EXAMPLES_PER_DIGIT)
host, port = server.server_address[:2]
url = f"http://{host}:{port}/"
print(f"Serving the drawing page at {url}")
if OPEN_BROWSER:
    webbrowser.open(url)
if common.running_in_notebook():
    # The notebook stays usable: the page is served beside it until the kernel stops.
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("It is served for as long as this notebook's kernel runs.")
else:
    print("Press Ctrl-C to stop.")
    server.serve_forever()

# %% [markdown]
# ## Try it
# 1. Draw a 7 with and without the bar across its stem, and a 1 with and without its flag.
#    Which version is the model surer of, and what does that say about MNIST's writers?
# 2. Draw a digit small in a corner of the canvas. Why does the prepared input look the same
#    as when you draw it large in the middle?
# 3. Start the page with lesson 1's model (`--model` with its path in outputs/models/) and
#    draw the same digits. Which model is fooled more easily?
