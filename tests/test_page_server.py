"""page_server.py, lesson 7's web server plumbing, on its own: a small handler of the tests'
served on a free port, the taught digits' files, drawings as bytes, and the journey figure."""

import http.client
import io
import json
import socket
import threading
from http import HTTPStatus

import numpy as np
import pytest
from digits import canvas_png
from figure_legibility import assert_legible_on_a_slide, saved
from PIL import Image

import own_digits
import page_server
import pictures
from common import UserError


class EchoPage(page_server.JsonHandler):
    """GET /hello answers JSON; POST /size reads the drawing and answers its size, or a 422
    for a drawing without ink, as a lesson's handler raises it."""

    def get(self, path, query):
        if path != "/hello":
            raise page_server.Refused(HTTPStatus.NOT_FOUND, f"nothing at {path}")
        self.send_json({"hello": query.get("name", ["world"])[0]})

    def post(self, path, query):
        if path != "/size":
            raise page_server.Refused(HTTPStatus.NOT_FOUND, f"nothing at {path}")
        gray = page_server.load_drawing(self.read_body())
        if gray.min() > 0.5:
            raise UserError("no ink found")
        self.send_json({"size": list(gray.shape), "server": self.server.name})


@pytest.fixture(scope="module")
def served():
    """EchoPage served on a free port of this computer: (host, port)."""
    server = page_server.start_server("127.0.0.1", 0, EchoPage, name="echo")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()


def ask(connection, method, path, body=None, headers=None):
    """(status, JSON answer, headers) of one request on an open connection."""
    connection.request(method, path, body, headers or {})
    response = connection.getresponse()
    return response.status, json.loads(response.read()), response.headers


def test_get_and_post_reach_the_handler_with_path_query_and_server(served):
    connection = http.client.HTTPConnection(*served, timeout=60)
    assert ask(connection, "GET", "/hello?name=Ada")[:2] == (200, {"hello": "Ada"})
    status, answer, headers = ask(connection, "POST", "/size", canvas_png(3, side=100))
    assert (status, answer) == (200, {"size": [100, 100], "server": "echo"})
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-store"
    connection.close()


def test_what_is_refused_gets_its_status_and_the_connection_serves_on(served):
    blank = io.BytesIO()
    Image.new("L", (50, 50), 255).save(blank, format="PNG")
    connection = http.client.HTTPConnection(*served, timeout=60)
    cases = [
        ("GET", "/other", None, 404, "nothing at /other"),
        ("POST", "/other", b"x" * 100_000, 404, "nothing at /other"),
        ("POST", "/size", b"not a picture", 400, "not a PNG or JPEG image"),
        ("POST", "/size", blank.getvalue(), 422, "the drawing: no ink found"),
        ("POST", "/size", b"x" * 1_000_001, 413, "at most 1000000 are read"),
        ("PUT", "/size", b"x" * 1000, 405, "PUT is not served here"),
        ("DELETE", "/hello", None, 405, "DELETE is not served here"),
    ]
    for method, path, body, expected, words in cases:
        status, answer, headers = ask(connection, method, path, body)
        assert status == expected and words in answer["error"], (method, path, answer)
        if status == 405:
            assert headers["Allow"] == "GET, POST"
        # The same connection answers the next request: the refused body was read.
        assert ask(connection, "GET", "/hello")[:2] == (200, {"hello": "world"})
    connection.close()


def test_a_body_without_length_is_refused_and_the_connection_closed(served):
    """Without a length the body's end is unknown: the answer is sent, then the server
    closes the connection (the client reads to its end)."""
    with socket.create_connection(served, timeout=60) as connection:
        connection.sendall(b"POST /size HTTP/1.1\r\nHost: test\r\n\r\n")
        received = b""
        while chunk := connection.recv(4096):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411 ")
    assert "Content-Length" in json.loads(body)["error"]


def test_a_port_in_use_is_a_user_error(served):
    host, port = served
    with pytest.raises(UserError, match=f"port {port} is in use"):
        page_server.start_server(host, port, EchoPage)


# %% Drawings as bytes


def test_a_grey_image_travels_as_a_data_url_and_back():
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0
    url = page_server.png_data_url(image)
    assert url.startswith("data:image/png;base64,")
    np.testing.assert_array_equal(page_server.image_of_data_url(url), image)


def test_a_jpeg_is_saved_as_png_and_a_png_as_sent():
    png = canvas_png(5)
    assert page_server.as_png(png) == png
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(png)).save(jpeg, format="JPEG")
    converted = page_server.as_png(jpeg.getvalue())
    assert converted.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(converted)) as image:
        assert image.size == (280, 280)


# %% The digits taught


def test_taught_digits_go_to_one_session_and_never_replace_a_file(tmp_path):
    taught = page_server.TaughtDigits(tmp_path, per_digit=3)
    assert taught.summary() == {
        "session": None,
        "saved": dict.fromkeys(range(10), 0),
        "per_digit": 3,
    }
    first = taught.save(2, canvas_png(2))
    session = taught.session
    assert first == {"saved": f"{own_digits.MY_DIGITS}/{session}/2/001.png", "digit": 2, "count": 1}
    (tmp_path / own_digits.MY_DIGITS / session / "2" / "002.png").write_bytes(b"mine")
    second = taught.save(2, canvas_png(2))
    assert second["saved"].endswith("/2/003.png") and second["count"] == 2
    assert (tmp_path / own_digits.MY_DIGITS / session / "2" / "002.png").read_bytes() == b"mine"
    # Another run of the server in the same second gets a session folder of its own.
    again = page_server.TaughtDigits(tmp_path, per_digit=3)
    again.session_folder()
    assert again.session != session and again.session.startswith(session[:10])


def test_a_folder_that_cannot_be_written_is_a_507(tmp_path):
    (tmp_path / own_digits.MY_DIGITS).write_text("a file where the folder should be")
    taught = page_server.TaughtDigits(tmp_path, per_digit=5)
    with pytest.raises(page_server.Refused) as refused:
        taught.save(4, canvas_png(4))
    assert refused.value.status == HTTPStatus.INSUFFICIENT_STORAGE
    assert "cannot save it" in refused.value.message


# %% The journey figure


def test_the_journey_figure_shows_the_answer_and_is_legible_on_a_slide(tmp_path):
    drawing = page_server.load_drawing(canvas_png(7))
    prepared = np.zeros((28, 28), np.float32)
    prepared[4:24, 13:15] = 1.0
    probabilities = np.full(10, 0.01)
    probabilities[7] = 0.91
    answer = {
        "digit": 7,
        "confidence": 0.91,
        "probabilities": probabilities.tolist(),
        "prepared": page_server.png_data_url(prepared),
    }
    figure = page_server.journey_figure(drawing, answer)
    texts = [text.get_text() for text in pictures.drawn_texts(figure)]
    assert "POST /predict" in texts and any("JSON: digit 7" in text for text in texts)
    assert_legible_on_a_slide(saved(figure, tmp_path, "journey.png"))
