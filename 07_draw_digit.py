"""
Title: Lesson 7 - Draw a digit and watch the model read it
Description: A small web server puts a saved lesson model behind a drawing page: draw with
    the mouse, a pen or a finger, and the page shows the digit the model reads, all ten
    probabilities, and the 28x28 image the model really receives, prepared by lesson 6's
    own steps. Its teach mode collects your own labelled digits for lesson 8. The same page
    also runs without a server: the trained network in the browser, in plain JavaScript.

Run (after one of lessons 01-03 or 05):
    python 07_draw_digit.py                   # opens http://127.0.0.1:8000 in your browser
    python 07_draw_digit.py --no-browser      # only print the address
    python 07_draw_digit.py --port 8001 --model outputs/models/02_simple_cnn.keras
    python 07_draw_digit.py --model outputs/models/08_teach_handwriting.keras  # lesson 8's
    python 07_draw_digit.py --static site     # no server: site/index.html runs lesson 3's model
    In a notebook (notebooks/07_draw_digit.ipynb), set the same options in OPTIONS below; the
    page then works for as long as the notebook's kernel runs.

Expected: first the sample drawing's way to the model and back, as a figure; then the page
answers while you draw and a few milliseconds after each stroke (the times measured with
bench/bench_draw_digit.py are in docs/measurements.md). Ctrl-C stops the
server. The digits you teach it (Teach, or "Wrong? It is ..." under an answer) are saved
in outputs/my_digits/<session>/<digit>/, one session per run; nothing saved is replaced.
With --static DIR the lesson writes the page, the model and its forward pass into DIR (about
a third of a megabyte for lesson 3's model) and serves nothing: open DIR/index.html in any
browser, or put DIR on a course web page.
"""

# %% The course's start: leave it out when you copy
# Keras starts quietly, on an installed backend, when this comes before it is imported.
import course

# %% Setup
import json
import sys
import threading
import webbrowser
from http import HTTPStatus

import numpy as np

import common
import handwriting  # lesson 6's preparation of a digit
import page_server  # the web server's plumbing
import pictures
import static_site  # the page as a static site: the model runs in the browser

# The drawing page: its HTML, CSS and JavaScript.
PAGE = common.PROJECT_DIR / "07_draw_digit.html"
HOST = "127.0.0.1"  # this computer only; "0.0.0.0": the network too
PORT = 8000  # the page is at http://HOST:PORT/; 0: any free port
OPEN_BROWSER = True  # open the page once it is served
EXAMPLES_PER_DIGIT = 5  # how often teach mode asks for each digit
# Pictures of the page, drawing and in teach mode, taken by bench/bench_draw_digit.py.
DOCS_FIGURES = common.PROJECT_DIR / "docs" / "figures"
PAGE_PICTURE = DOCS_FIGURES / "07_draw_digit.png"
TEACH_PICTURE = DOCS_FIGURES / "07_draw_digit_teach.png"
# Where the models are read, and your digits and the figure saved.
OUTPUT_DIR = common.PROJECT_DIR / "outputs"
# The model that reads your drawings. (The course's command line takes the best one saved
# instead, or the one --model names.)
MODEL_PATH = common.model_path(OUTPUT_DIR, "05_best_cnn")
# A drawing that samples/make_samples.py made, read below as the page's drawings are.
SAMPLE_DRAWING = common.PROJECT_DIR / "samples" / "drawing_of_a_7.png"
# A folder: write the page there as a static site, the model running in the browser, and
# serve nothing. None: serve the page.
SITE_DIR = None
# The model a static site runs unless --model names another: lesson 3's, small and quick.
SITE_MODEL = "03_large_cnn"
# The JavaScript of the static page: lesson 6's preparation and the network's forward pass.
FORWARD_JS = common.PROJECT_DIR / "static_page" / "forward.js"

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
    "--static": {
        "dest": "SITE_DIR",
        "metavar": "DIR",
        "help": "write the page as a static site into DIR (new, empty or an earlier one), "
        f"running --model or else {SITE_MODEL}, and serve nothing",
    },
    "--examples-per-digit": {
        "dest": "EXAMPLES_PER_DIGIT",
        "type": course.at_least_one,
        "metavar": "N",
        "help": f"how often the teach mode asks for each digit (default: {EXAMPLES_PER_DIGIT})",
    },
}
changed = course.start(globals(), OPTIONS, lesson_options, ctrl_c="Stopped the server.")
if SITE_DIR is not None and "MODEL_PATH" not in changed:  # a static site runs lesson 3's
    MODEL_PATH = common.model_path(OUTPUT_DIR, SITE_MODEL)
    if not MODEL_PATH.is_file():
        raise common.UserError(
            f"{MODEL_PATH} does not exist: run {SITE_MODEL}.py first, or name a saved "
            ".keras model with --model PATH"
        )
    changed["MODEL_PATH"] = MODEL_PATH
MODEL_PATH = course.find_model(changed.get("MODEL_PATH"), OUTPUT_DIR)

# %% [markdown]
# ## A model served to a page
# So far each model ran inside a lesson's script. To read a digit drawn in a browser, a
# small web server keeps the model in memory, and a page talks to it over HTTP: the page
# sends each drawing, the server prepares it as lesson 6 does and asks the model, and the
# answer comes back for the page to show. The model never leaves the server; the page only
# sends pictures and receives numbers. `python 07_draw_digit.py` opens the page in your
# browser.
#
# - The page draws on a canvas and sends it as a PNG: `POST /predict`
# - The server prepares it the MNIST way, as in lesson 6
# - `model.predict` gives the ten probabilities
# - The answer comes back as JSON; the page draws the bars

# %% What the page looks like
pictures.show_picture(PAGE_PICTURE)

# %% [markdown]
# ## Reading one drawing
# The server reads a drawing exactly as lesson 6 reads a photo: the canvas's dark ink on
# white becomes light ink on black, the digit is cropped, fitted into 20x20 and centred by
# mass in 28x28, and the model reads that image. The answer holds more than the digit: all
# ten probabilities, so that the page can show how sure the model is and what it hesitated
# over, and the prepared image itself, so that you see what the model really received.
#
# The prepared image travels as a PNG inside the JSON, as a data URL
# (`data:image/png;base64,...`), which a page can show as it is. Below, the sample drawing
# takes the same way as a drawing from the page: the bytes of a PNG file, then
# `read_drawing`, then the answer the page would receive.
#
# - The canvas prepared as lesson 6 prepares a photo
# - `predict_on_batch`: one image, in milliseconds
# - The answer: the digit, the ten probabilities, the prepared image


# %% One drawing read: prepare, predict, answer
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
        "prepared": page_server.png_data_url(prepared),
    }


# %% A drawing's way to the model and back
model = common.load_model(MODEL_PATH)
png_bytes = SAMPLE_DRAWING.read_bytes()  # what the page sends: its canvas as a PNG file
gray = page_server.load_drawing(png_bytes)
answer = read_drawing(gray, model)
print(f"POST /predict: {len(png_bytes)} bytes; the answer:")
shortened = answer["prepared"][:40] + "..."  # the image's PNG, shortened
print(json.dumps(answer | {"prepared": shortened}))
figure = page_server.journey_figure(gray, answer)
pictures.save_figure(figure, OUTPUT_DIR, "07_drawing_to_answer.png")

# %% [markdown]
# ## The same network in the browser, without a server
# The server is needed only to run the model, and a trained network is nothing but its
# layers and their numbers. Written out in plain JavaScript, the page runs it itself: each
# layer kind is one short function (a convolution is four nested loops of multiply and
# add), and the model's weights travel with the page as one file. The drawing is prepared
# by lesson 6's steps ported to JavaScript with the same names. Such a page needs no
# Python, no server and no library: `python 07_draw_digit.py --static site` writes it, and
# `site/index.html` opens from the disk, on a projector or on a phone, or from any course
# web page. Measured against Keras, it gives the same probabilities to within 0.0001 and
# the same digits (docs/measurements.md).
#
# - `model.js`: the layers and their trained weights
# - `prepare.js`: lesson 6's preparation, step by step
# - `forward.js`: one function per layer kind, about 100 lines
# - Teach mode still needs the server: it saves files


# %% Each Keras layer and the JavaScript function that runs it
def javascript_functions(layer):
    """The functions of forward.js that run a Keras layer, or what it does instead."""
    try:
        kinds = [record["kind"] for record in static_site.layer_records(layer)]
    except common.UserError:
        return "none: the static page cannot run this model"
    return ", ".join(kinds) or "nothing: it only changes images while training"


for layer in model.layers:
    print(f"{layer.name:22} {type(layer).__name__:20} -> {javascript_functions(layer)}")

# %% A dense layer, and the whole network, in JavaScript
# Two of forward.js's functions: each layer kind has one as short (the file has them all).
for function in ("dense", "forward"):
    print(static_site.javascript_function(FORWARD_JS, function))

# %% The page as a static site
if SITE_DIR is not None:
    site = static_site.write_site(model, SITE_DIR, name=MODEL_PATH.stem)
    size = static_site.site_size(site) / 1e6
    print(f"Wrote the static page: {common.display_path(site)} ({size:.2f} MB)")
    print(
        f"Open {common.display_path(site / 'index.html')} in a browser, or put the folder online."
    )

# %% The course's end with --static: leave it out when you copy
# The page is written for a static host: the lesson serves nothing (a notebook serves on).
if SITE_DIR is not None and not common.running_in_notebook():
    sys.exit(0)

# %% [markdown]
# ## What each address does
# A web server answers requests, each a method and an address: `GET` asks for something,
# `POST` sends something. The page needs four addresses: the page itself, a drawing to
# read, a drawing to save with its digit, and how many were saved. The standard library's
# `http.server` reads each request and hands it to a handler class. `page_server.py` does
# the plumbing: it reads the body, saves files safely, and answers what is wrong (no such
# address, a body too large, no image, no ink) with a 4xx status and a JSON `error`, and the
# server serves on. So the class below says only what each address does.
#
# - `GET /`: the page (`07_draw_digit.html`, nothing fetched from elsewhere)
# - `POST /predict`: a drawing read, answered in JSON
# - `POST /teach?digit=D`: a drawing saved as a D (201)
# - `GET /teach`: how many of each digit were saved


# %% What each address does
class DrawingPage(page_server.JsonHandler):
    """What each address does; anything else gets a 404."""

    def get(self, path, query):
        if path in ("/", "/index.html"):  # the page
            self.send_page(self.server.page)
        elif path == "/teach":  # how many were taught
            self.send_json(self.server.taught.summary())
        else:
            self.not_found("the page is /")

    def post(self, path, query):
        if path == "/predict":  # a drawing read
            _, answer = self.read_sent_drawing()
            self.send_json(answer)
        elif path == "/teach":  # a drawing saved as a D
            digit = page_server.taught_digit(query)
            drawing, answer = self.read_sent_drawing()
            saved = self.server.taught.save(digit, drawing)
            saved["read_as"] = answer["digit"]
            self.send_json(saved, HTTPStatus.CREATED)
        else:
            self.not_found("POST /predict or /teach?digit=D")

    def read_sent_drawing(self):
        """The drawing sent and the model's answer, or a 4xx."""
        drawing = self.read_body()
        gray = page_server.load_drawing(drawing)
        with self.server.model_lock:  # the model reads one at a time
            answer = read_drawing(gray, self.server.model)
        return drawing, answer


# %% [markdown]
# ## Teach mode: your own labelled digits
# A model trained on MNIST reads the styles MNIST's writers used; yours may differ. The
# page's **Teach** button asks for each digit in turn and saves every drawing with its
# label, and "Wrong? It is ..." under an answer saves a drawing with the digit you name.
# Lesson 8 adapts the model on these digits. Each run of the server is one session, a
# folder of its own, so that lesson 8 can hold the last session out and score on digits
# it never learned from. A file is never replaced: nothing you collected can be lost.
#
# - `outputs/my_digits/<session>/<digit>/<number>.png`
# - One session per run of the server: another sitting to score on
# - Nothing collected is ever overwritten or left half-written

# %% The page in teach mode
pictures.show_picture(TEACH_PICTURE)

# %% Serve the page
server = page_server.start_server(
    HOST,
    PORT,
    DrawingPage,
    page=PAGE.read_bytes(),
    model=model,
    model_lock=threading.Lock(),  # one prediction at a time
    taught=page_server.TaughtDigits(OUTPUT_DIR, EXAMPLES_PER_DIGIT),
)
host, port = server.server_address[:2]
url = f"http://{host}:{port}/"
print(f"Serving the drawing page at {url}")
if OPEN_BROWSER:
    webbrowser.open(url)
if common.running_in_notebook():
    # The notebook stays usable: the page is served beside it.
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
