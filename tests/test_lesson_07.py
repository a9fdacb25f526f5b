"""Lesson 07: the drawing page's server, its HTTP API, and the page in a real browser."""

import base64
import http.client
import io
import json
import re
import signal
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from digits import SEVEN_STROKES, canvas_png, zero_stroke
from drawing_page import draw_strokes, find_chromium, start_lesson, start_page_server
from figure_legibility import assert_legible_on_a_slide
from PIL import Image

import outputs

SAFETY_TIMEOUT_SECONDS = 120  # only keeps a broken server from hanging the tests
CHROMIUM = find_chromium()


@pytest.fixture(scope="module")
def server(digit_model, tmp_path_factory):
    """The lesson serving the drawn-digits model on a free port: (process, base URL, the
    output folder)."""
    out = tmp_path_factory.mktemp("outputs")
    process, url = start_page_server("--model", digit_model, "--out", out)
    assert url and url.startswith("http://127.0.0.1:"), process.stderr.read()
    yield process, url, out
    process.kill()
    process.wait()


def request(url, path, body=None, method=None, headers=None):
    """(status, JSON answer or text) of one request."""
    call = urllib.request.Request(url.rstrip("/") + path, data=body, method=method)
    for name, value in (headers or {}).items():
        call.add_header(name, value)
    try:
        with urllib.request.urlopen(call, timeout=SAFETY_TIMEOUT_SECONDS) as response:
            status, content, kind = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, content, kind = error.code, error.read(), error.headers
    if kind.get("Content-Type", "").startswith("application/json"):
        return status, json.loads(content)
    return status, content.decode()


def predict(url, png):
    return request(url, "/predict", png, headers={"Content-Type": "image/png"})


# %% Before it serves: a drawing's way to the model and back


def test_the_sample_drawings_way_is_drawn_legibly_before_the_page_is_served(server):
    _, _, out = server
    assert_legible_on_a_slide(out / outputs.FIGURES / "07_drawing_to_answer.png")


# %% The HTTP API


def test_the_page_is_served_and_fetches_nothing_from_outside(server):
    _, url, _ = server
    status, page = request(url, "/")
    assert status == 200 and "<canvas" in page and 'fetch("/predict"' in page
    assert not re.search(r"(src|href)=\"(https?:)?//|@import|url\(", page)


@pytest.mark.parametrize("digit", [0, 1, 3, 7])
def test_a_drawing_is_read(server, digit):
    _, url, _ = server
    status, answer = predict(url, canvas_png(digit))
    assert status == 200, answer
    assert answer["digit"] == digit
    assert len(answer["probabilities"]) == 10
    assert abs(sum(answer["probabilities"]) - 1) < 1e-3
    assert answer["confidence"] == pytest.approx(answer["probabilities"][digit], abs=1e-6)
    header, encoded = answer["prepared"].split(",", 1)
    assert header == "data:image/png;base64"
    with Image.open(io.BytesIO(base64.b64decode(encoded))) as prepared:
        assert prepared.size == (28, 28)


def test_bad_requests_get_a_4xx_and_the_server_keeps_serving(server):
    _, url, _ = server
    blank = io.BytesIO()
    Image.new("L", (280, 280), 255).save(blank, format="PNG")
    cases = [
        (predict(url, b"not a picture"), 400, "not a PNG or JPEG image"),
        (predict(url, blank.getvalue()), 422, "no ink found"),
        (predict(url, b"x" * 1_000_001), 413, "at most 1000000 are read"),
        (request(url, "/nothing"), 404, "nothing at /nothing"),
        (request(url, "/other", b"x", method="POST"), 404, "POST /predict"),
        (request(url, "/predict", b"x", method="PUT"), 405, "PUT is not served here"),
        (request(url, "/", method="DELETE"), 405, "DELETE is not served here"),
    ]
    for (status, answer), expected_status, words in cases:
        assert status == expected_status, (expected_status, answer)
        assert words in answer["error"], answer
    status, answer = predict(url, canvas_png(3))
    assert status == 200 and answer["digit"] == 3


def test_a_refused_body_is_read_so_the_answer_arrives_and_the_connection_serves_on(server):
    """A server that closes a connection with the body unread makes the kernel reset it, and
    the client can lose the answer; a body read in full also leaves the connection usable."""
    _, url, _ = server
    host, port = re.match(r"http://([\d.]+):(\d+)/", url).groups()
    connection = http.client.HTTPConnection(host, int(port), timeout=SAFETY_TIMEOUT_SECONDS)
    refused = [
        ("POST", "/other", b"x" * 100_000, 404),
        ("POST", "/predict", b"x" * 1_000_001, 413),
        ("PUT", "/predict", b"x" * 100_000, 405),
    ]
    for method, path, body, status in refused:
        connection.request(method, path, body)
        response = connection.getresponse()
        assert response.status == status and "error" in json.loads(response.read())
        # The same connection: had the body been left unread, it would be read as a request.
        connection.request("GET", "/")
        response = connection.getresponse()
        assert response.status == 200 and b"<canvas" in response.read()
    connection.close()


def test_a_request_without_length_is_refused(server):
    _, url, _ = server
    host, port = re.match(r"http://([\d.]+):(\d+)/", url).groups()
    connection = http.client.HTTPConnection(host, int(port), timeout=SAFETY_TIMEOUT_SECONDS)
    connection.putrequest("POST", "/predict")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 411
    assert "Content-Length" in json.loads(response.read())["error"]
    connection.close()


def test_concurrent_requests(server):
    _, url, _ = server
    digits = [0, 1, 3, 7] * 6
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda digit: predict(url, canvas_png(digit)), digits))
    assert [status for status, _ in answers] == [200] * len(digits)
    assert [answer["digit"] for _, answer in answers] == digits


def test_a_port_in_use_is_one_clear_line(server, digit_model, tmp_path):
    _, url, _ = server
    port = re.search(r":(\d+)/$", url).group(1)
    second = start_lesson("--no-browser", "--port", port, "--model", digit_model, "--out", tmp_path)
    _, stderr = second.communicate(timeout=SAFETY_TIMEOUT_SECONDS)
    assert second.returncode == 1
    assert stderr.strip().splitlines() == [
        f"error: port {port} is in use (another server, or this lesson already running?): "
        "choose another with --port N"
    ]


# %% Teaching: POST /teach?digit=D saves the drawing for lesson 8


def teach(url, digit, png):
    return request(url, f"/teach?digit={digit}", png, headers={"Content-Type": "image/png"})


def taught_files(out):
    return sorted(path.relative_to(out).as_posix() for path in out.rglob("*.png"))


def test_a_taught_drawing_is_saved_with_its_digit_and_nothing_is_replaced(server):
    _, url, out = server
    before = set(taught_files(out))
    status, first = teach(url, 4, canvas_png(4))
    assert status == 201, first
    session = first["saved"].split("/")[1]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d_\d{6}(_\d+)?", session), session
    assert first["saved"] == f"my_digits/{session}/4/{first['count']:03d}.png"
    assert first["digit"] == 4 and first["read_as"] == 4
    assert (out / first["saved"]).read_bytes() == canvas_png(4)
    # A file already at the next name (copied in by hand, say) is kept; the drawing goes on.
    next_name = out / f"my_digits/{session}/4/{first['count'] + 1:03d}.png"
    next_name.write_bytes(b"mine")
    status, second = teach(url, 4, canvas_png(1))
    assert (
        status == 201 and second["saved"] == f"my_digits/{session}/4/{first['count'] + 2:03d}.png"
    )
    assert next_name.read_bytes() == b"mine"
    assert (out / second["saved"]).read_bytes() == canvas_png(1)
    assert set(taught_files(out)) - before == {
        first["saved"],
        next_name.relative_to(out).as_posix(),
        second["saved"],
    }
    assert not [path for path in out.rglob(".*") if path.is_file()]  # no temporary files left
    status, summary = request(url, "/teach")
    assert status == 200 and summary["session"] == session and summary["per_digit"] == 5
    assert summary["saved"]["4"] == second["count"]


def test_bad_teach_requests_get_a_4xx_save_nothing_and_the_server_keeps_serving(server):
    _, url, out = server
    before = taught_files(out)
    blank = io.BytesIO()
    Image.new("L", (280, 280), 255).save(blank, format="PNG")
    cases = [
        (request(url, "/teach", canvas_png(3), method="POST"), 400, "name the digit drawn"),
        (teach(url, "x", canvas_png(3)), 400, "D from 0 to 9"),
        (teach(url, "12", canvas_png(3)), 400, "D from 0 to 9"),
        (teach(url, "-1", canvas_png(3)), 400, "D from 0 to 9"),
        (teach(url, 3, b"not a picture"), 400, "not a PNG or JPEG image"),
        (teach(url, 3, blank.getvalue()), 422, "no ink found"),
        (teach(url, 3, b"x" * 1_000_001), 413, "at most 1000000 are read"),
    ]
    for (status, answer), expected_status, words in cases:
        assert status == expected_status, (expected_status, answer)
        assert words in answer["error"], answer
    assert taught_files(out) == before
    status, answer = teach(url, 3, canvas_png(3))
    assert status == 201, answer


# %% The page in a real browser


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: apt-get install chromium")
def test_the_page_reads_a_digit_drawn_in_a_browser(server):
    from playwright.sync_api import sync_playwright

    _, url, _ = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(url)
            draw_strokes(page, SEVEN_STROKES)
            page.wait_for_selector(f'body[data-strokes="{len(SEVEN_STROKES)}"]', timeout=30_000)
            assert page.locator("#digit").inner_text() == "7"
            assert page.locator("body").get_attribute("data-digit") == "7"
            assert page.locator("#prepared").get_attribute("src").startswith("data:image/png")
            assert "ms after the stroke ended" in page.locator("#status").inner_text()
            # Clear, and a second tab: both keep working.
            page.click("#clear")
            assert page.locator("#digit").inner_text() == ""
            other = browser.new_page()
            other.goto(url)
            draw_strokes(other, SEVEN_STROKES)
            other.wait_for_selector(f'body[data-strokes="{len(SEVEN_STROKES)}"]', timeout=30_000)
            assert other.locator("#digit").inner_text() == "7"
        finally:
            browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium here: apt-get install chromium")
def test_the_teach_mode_asks_for_each_digit_and_saves_what_is_drawn(server):
    from playwright.sync_api import sync_playwright

    _, url, out = server
    before = set(taught_files(out))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            page = browser.new_page()
            page.goto(url)
            page.click("#mode")
            page.wait_for_selector('body[data-prompt="0"]')
            assert page.locator("#prompt").inner_text() == "Draw a 0 (1 of 5)"
            page.click("#save")  # nothing drawn yet: refused, and the prompt stays
            page.wait_for_function("document.getElementById('saved').textContent.length > 0")
            assert "no ink found" in page.locator("#saved").inner_text()
            assert page.locator("#prompt").inner_text() == "Draw a 0 (1 of 5)"
            draw_strokes(page, [zero_stroke()])
            page.click("#save")
            page.wait_for_selector('body[data-saved="1"]')
            assert page.locator("#prompt").inner_text() == "Draw a 0 (2 of 5)"
            page.click("#skip")
            assert page.locator("#prompt").inner_text() == "Draw a 1 (1 of 5)"
            # Back to reading: a 7 read, then corrected by hand to a 1 (as a test of the
            # correction, not of the model).
            page.click("#mode")
            draw_strokes(page, SEVEN_STROKES)
            page.wait_for_selector(f'body[data-strokes="{len(SEVEN_STROKES)}"]', timeout=30_000)
            page.click("#correct button:text-is('1')")
            page.wait_for_selector('body[data-saved="2"]')
            assert "Saved as a 1" in page.locator("#saved").inner_text()
        finally:
            browser.close()
    new = sorted(set(taught_files(out)) - before)
    assert [name.split("/")[2] for name in new] == ["0", "1"], new
    for name in new:
        with Image.open(out / name) as drawing:
            assert drawing.format == "PNG" and drawing.size == (280, 280)


# %% Stopping


def test_ctrl_c_stops_the_server_with_one_line(server):
    process, _, _ = server
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=SAFETY_TIMEOUT_SECONDS)
    assert process.returncode == 0
    assert stdout.strip().splitlines()[-1] == "Stopped the server."
    assert "Traceback" not in stderr
