"""The answers to lessons 06 and 07's Try it: your own handwriting, read from files and drawn
on the page. Where an exercise asks a student to draw or photograph, real digits from a folder
(--own-digits) or the styles the course draws stand in, and the answer says which.
"""

import contextlib
import io
import json
import re
from pathlib import Path

import numpy as np
import try_it_drawings as drawings
from try_it_00_02 import L01
from try_it_05 import L05, RECIPE
from try_it_runs import MARK, PROJECT_DIR, Change, Edit, Input, ModelOf, Run, TryItError
from try_it_words import answer, listing, ran

import common
import own_digits

L06, L07 = "06_predict_digit", "07_draw_digit"
MODEL = ModelOf(RECIPE, L05)  # the best saved model, as a student has it after lesson 05
SAMPLES = Input(str(PROJECT_DIR / "samples"), "samples/")
QUICK_PER_STYLE = 1  # quick mode: drawings of each style and hand, when no folder is given
STYLES_SEED = 42  # the drawn styles' seed, as lesson 08 draws them by default
YEARS = ("2026", "1741")  # the year to write, else one from the drawn styles' 1, 4 and 7
PREPARED = "try_it_prepared.npy"  # exercise 1: the inputs lesson 06 prepared, kept to compare
SAVE_PREPARED = (
    "import json\nimport pathlib\n"
    "prepared = np.concatenate([read_image(path, model)[1] "
    "for path in handwriting.image_paths(IMAGES)])\n"
    f'np.save(pathlib.Path(OUTPUT_DIR) / "{PREPARED}", prepared)\n'
    f'print("{MARK}" + json.dumps({{"prepared": len(prepared)}}))'
)
TOP_LEFT = Edit(
    "centred = handwriting.center_by_mass(fitted)",
    "centred = np.pad(fitted, ((0, 28 - fitted.shape[0]), (0, 28 - fitted.shape[1])))",
)
CORNER_OR_CENTRE = (  # exercise 2 on every labelled image: top left corner against centred
    "import json\n"
    "labelled = [p for p in handwriting.image_paths(IMAGES) if p.parent.name.isdigit()]\n"
    "fitted_all = [handwriting.fit_in_box(handwriting.thicken_strokes(handwriting.crop_to_ink("
    "handwriting.remove_specks(handwriting.clean_ink(handwriting.load_image(p)))))) "
    "for p in labelled]\n"
    "corner = np.stack([np.pad(f, ((0, 28 - f.shape[0]), (0, 28 - f.shape[1]))) "
    "for f in fitted_all])\n"
    "middle = np.stack([handwriting.center_by_mass(f) for f in fitted_all])\n"
    "labels = np.array([int(p.parent.name) for p in labelled])\n"
    "marks = {}\n"
    "for way, inputs in (('corner', corner), ('centred', middle)):\n"
    "    answers = model.predict(inputs.reshape(len(inputs), *model.input_shape[1:]), verbose=0)\n"
    "    marks[way + '_right'] = int(np.sum(answers.argmax(axis=1) == labels))\n"
    "    marks[way + '_confidence'] = float(answers.max(axis=1).mean())\n"
    f'print("{MARK}" + json.dumps({{"labelled": len(labels), **marks}}))'
)
CHANGES_06 = {
    "read": Change(options=("--json",), after=(SAVE_PREPARED,)),
    "top left": Change(edits=(TOP_LEFT,), after=(CORNER_OR_CENTRE,)),
    "number": Change(options=("--number",)),
}
STEP_6 = re.compile(r"^(\S+\.(?:jpg|jpeg|png)): (\d) \(([\d.]+)%\)$", re.M | re.I)
READS = re.compile(r": reads (\d+)$", re.M)
MOST_MISREAD_LISTED = 8  # exercise 1 names this many images read wrong, then counts the rest
SHOWN_STATISTICS = ("brightness", "the share of ink")
LIKE_MNIST = 0.25  # exercise 1: within this share of MNIST's brightness and ink: MNIST-like
LIKE_MNIST_PIXELS = 1.0  # ... and the centre of mass within a pixel as far from the middle
SAMPLE_LABEL = re.compile(r"of_a_(\d)")  # samples/photo_of_a_3.jpg is a 3
MANIFEST = "MANIFEST.tsv"  # where a folder of collected digits names their sources
WITHOUT_PHOTOS = (
    "A student with no photos of their own draws digits with the mouse on lesson 07's page "
    "(its teach mode saves them as image files, in outputs/my_digits/) or writes on paper and "
    "scans it. Without any, lesson 06 reads the course's two samples (samples/photo_of_a_3.jpg "
    "and samples/drawing_of_a_7.png), and lesson 08 run with no folder teaches the styles the "
    "course draws. Their numbers then differ from these: mark the method and the reasoning."
)
YEAR_WITHOUT_CAMERA = (
    "A student with no camera writes the year with the mouse in any paint program, dark on a "
    "light background (lesson 06 inverts it to light ink on dark, as MNIST has), and saves it "
    "as an image file, or scans a sheet; lesson 07's page draws one digit at a time, so it "
    "does not serve here. Their reading then differs from this one: mark the method and the "
    "reasoning."
)
DRAWN_BY_HAND = (
    "The key cannot draw with a hand: it sends the page drawings made from own_digits.py's "
    "strokes, as the browser sends a canvas; a student draws with the mouse or a finger, so "
    "their numbers differ: mark the comparison the exercise asks for and its reasoning."
)


def own_digit_folder(key):
    """(the folder as an Input, its files, what they are): --own-digits, else the drawn styles."""
    if key.own_digits:
        files = drawings.own_digit_files(key.own_digits)
        writers = len({item.writer for item in files})
        what = f"{len(files)} real photos and drawings by {writers} writers (--own-digits)"
        if (Path(key.own_digits) / MANIFEST).is_file():
            what += (
                ", which their writers published in public code repositories (the folder's "
                f"{MANIFEST} names each file's source; the course does not ship them)"
            )
        return Input(str(key.own_digits), "own_digits/"), files, what
    per_style = QUICK_PER_STYLE if key.quick else own_digits.DRAWINGS_PER_STYLE
    folder = drawings.write_drawn_styles(key.work / "drawn_styles", STYLES_SEED, per_style)
    files = drawings.own_digit_files(folder)
    what = f"the {len(files)} drawings of the styles the course draws (own_digits.py)"
    return Input(str(folder), "own_digits/"), files, what


def label_of(image):
    path = Path(image)
    sample = SAMPLE_LABEL.search(path.name)
    return int(path.parent.name) if path.parent.name.isdigit() else int(sample.group(1))


def misread(readings, most=MOST_MISREAD_LISTED):
    """'a.png (a 4) as 9, ...' for the first few, and how many more."""
    named = [
        f"{Path(r['image']).name} (a {label_of(r['image'])}) as {r['digit']}" for r in readings
    ]
    more = f" and {len(named) - most} more" if len(named) > most else ""
    return ", ".join(named[:most]) + more


def statistics(images):
    """Mean brightness, share of ink pixels and the centre of mass's mean distance from the
    field's centre, in pixels: how MNIST-like 28x28 inputs are."""
    images = np.asarray(images, dtype=np.float64)
    rows, columns = np.indices(images.shape[1:])
    mass = images.sum(axis=(1, 2))
    centre = (np.array(images.shape[1:]) - 1) / 2
    down = (images * rows).sum(axis=(1, 2)) / mass - centre[0]
    across = (images * columns).sum(axis=(1, 2)) / mass - centre[1]
    return images.mean(), np.mean(images > 0.5), np.mean(np.hypot(down, across))


def answers_06(key):
    own, files, what = own_digit_folder(key)
    reading = Run(L06, CHANGES_06["read"], seed=None, model=MODEL, inputs=(SAMPLES, own))
    read = key.run(reading, "exercise 1")
    readings = [json.loads(line) for line in read.printed.splitlines() if line.startswith("{")]
    right = [r for r in readings if r["digit"] == label_of(r["image"])]
    samples = [r for r in readings if not Path(r["image"]).parent.name.isdigit()]
    wrong = [r for r in readings if r not in right]
    brightness, ink, off = statistics(np.load(read.out / PREPARED))
    with contextlib.redirect_stdout(io.StringIO()):  # its lines about the source
        (_, _), (x_test, _) = common.load_mnist(key.data, quick=key.quick)
    mnist = statistics(common.scale_pixels(x_test))
    unlike = [
        what
        for what, mine, theirs in zip(SHOWN_STATISTICS, (brightness, ink), mnist)
        if abs(mine - theirs) > LIKE_MNIST * theirs
    ] + (["where the centre of mass lies"] if abs(off - mnist[2]) > LIKE_MNIST_PIXELS else [])
    first = answer(
        ran(reading.command()) + f", with the course's samples and {what}",
        f"read right: {len(right)} of {len(readings)}; the samples "
        + listing(
            f"{Path(r['image']).name} as {r['digit']} ({100 * r['confidence']:.1f}%)"
            for r in samples
        )
        + (f"; read wrong: {misread(wrong)}" if wrong else "")
        + f". The prepared inputs against MNIST's test images: mean brightness {brightness:.3f} "
        f"against {mnist[0]:.3f}, ink pixels {100 * ink:.1f}% against {100 * mnist[1]:.1f}%, "
        f"centre of mass {off:.2f} pixels from the middle against {mnist[2]:.2f}.",
        "Look at each image's figure, 06_<name>.png: the middle panel is what the model reads. "
        + (
            "By these numbers the prepared inputs are MNIST-like (brightness and ink within "
            f"{LIKE_MNIST:.0%} of MNIST's, centred the same way), which is what the "
            "preparation is for: a model trained on MNIST reads only input that looks like "
            "MNIST."
            if not unlike
            else f"By these numbers they differ from MNIST's in {listing(unlike)}: the "
            "preparation fits the digit's shape, not its stroke width, and a model trained "
            "on MNIST reads best what looks like MNIST."
        ),
        "the student's own digit read (right or wrong) and a judgement of its figure's "
        "middle panel: a white digit on black, filling about the middle 20x20, like MNIST's. "
        f"Expected conclusion: prepared this way, most real digits are read right (here "
        f"{len(right)} of {len(readings)}). Common wrong answer: judging the left panel (the "
        f"photo as taken) instead of the prepared input. {WITHOUT_PHOTOS}",
        key.took(read),
    )

    moved = key.run(
        Run(L06, CHANGES_06["top left"], seed=None, model=MODEL, inputs=(own,)), "exercise 2"
    )
    (photo, digit, sure), (_, digit_moved, sure_moved) = (
        STEP_6.search(result.printed).groups() for result in (read, moved)
    )
    corner, centred = moved.mark("corner_right"), moved.mark("centred_right")
    second = answer(
        ran(Run(L06, model=MODEL).command(), edits=(TOP_LEFT,))
        + "; the same two ways for every labelled image",
        f"{photo} read as {digit_moved} with {sure_moved}% at the top left, against {digit} with "
        f"{sure}% centred. Over the {moved.mark('labelled')} labelled images: {corner} read "
        f"right at the top left (mean confidence {100 * moved.mark('corner_confidence'):.1f}%) "
        f"against {centred} centred ({100 * moved.mark('centred_confidence'):.1f}%).",
        (
            "Less sure and more often wrong at the corner: "
            if corner < centred
            else "The answers did not get worse at the corner on these images, though the "
            "input moved: "
        )
        + "every MNIST digit was centred by its centre of mass, so the model learned strokes "
        "in the middle of the field. A convolution finds a stroke anywhere, but the dense "
        "layers after it expect it where MNIST put it.",
        f"for the course's sample photo about what was measured here ({digit_moved} with "
        f"{sure_moved}% against {sure}%), since the edited cells read SAMPLE_PHOTO; with "
        "SAMPLE_PHOTO set to the student's own image, a lower confidence or another digit at "
        "the top left, and the clear difference only over many images. "
        f"Expected conclusion: fewer read right at the corner (here {corner} against "
        f"{centred} of {moved.mark('labelled')}), because MNIST's digits were all centred. "
        "Common wrong answer: 'a CNN does not care where the digit is'. "
        f"{WITHOUT_PHOTOS}",
        key.took(moved),
    )

    year_file = key.work / "year.png"
    year = next((y for y in YEARS if drawings.year_image(files, y, year_file)), None)
    if year is None:
        raise TryItError(f"no writer in {own.path} has the digits of {listing(YEARS)}")
    year_input = Input(str(year_file), "year.png")
    numbering = Run(L06, CHANGES_06["number"], seed=None, model=MODEL, inputs=(year_input,))
    number = key.run(numbering, "exercise 3")
    found = READS.search(number.printed)
    if not found:
        raise TryItError("lesson 06 with --number printed no 'reads' line")
    third = answer(
        ran(numbering.command())
        + f", year.png being {year} put together from one writer's digits in {what}",
        f"it reads {found.group(1)} for {year}.",
        (
            "Right: --number splits the ink into blobs, left to right, and prepares each "
            "as a digit of its own."
            if found.group(1) == year
            else "Not right: --number splits the ink into blobs, left to right; where it "
            "splits or reads one wrongly, look at year.png's figure, 06_year.png: each piece "
            "under the image, with its reading."
        ),
        "the student's year read right, or wrong with the reason from the figure (two "
        "digits touching become one blob; a broken stroke becomes two). Common wrong answer: "
        "blaming the model for a split the blob finder made. The key's year is put together "
        f"from separate images; a student writes it on one sheet. {YEAR_WITHOUT_CAMERA}",
        key.took(number),
    )
    return [first, second, third]


# %% Lesson 07

PAGE = Change(options=("--port", "0", "--no-browser"))
PAGE_FOLDER = "page"  # both visits to the page save into one output folder: two sittings


def visit(url, teach_now):
    """What the exercises draw, asked of the page at `url`; then a sitting of teach mode."""
    answers = {
        version: drawings.read_on_page(url, [(digit, png) for png in pngs])
        for version, (digit, pngs) in drawings.versions(STYLES_SEED).items()
    }
    digit, small, large = drawings.corner_and_middle()
    placed = {
        name: drawings.prepared_input(url, png)
        for name, png in (("small", small), ("large", large))
    }
    answers["placed"] = [(digit, a["digit"], a["probabilities"][digit]) for _, a in placed.values()]
    answers["styles"] = drawings.read_on_page(url, drawings.held_out_styles(STYLES_SEED))
    drawings.teach(url, teach_now)
    return answers, {name: image for name, (image, _) in placed.items()}


def page_visits(key):
    """Lesson 07's page served twice into one folder, with lesson 05's model and then lesson
    01's: each visit draws what the exercises ask and teaches one sitting of own digits
    (lesson 08's first exercise). Returns the two visits' answers and the folder."""
    _, files, _ = own_digit_folder(key)
    sittings = drawings.two_sessions(files)
    visits = []
    for model, sitting in ((MODEL, sittings[0]), (ModelOf(Run(L01), L01), sittings[1])):
        run = Run(L07, PAGE, seed=None, model=model, folder=PAGE_FOLDER)
        result = key.run(
            run,
            "exercises 1-3 and a sitting of teach mode",
            visit=lambda url, _, s=sitting: visit(url, s),
        )
        visits.append(result.visited)
    return visits, key.work / PAGE_FOLDER


def visit_results(key):
    """The two runs of lesson 07 that served its page."""
    return [result for run, result in key.results.items() if run.lesson == L07]


def sure_of_truth(answers):
    """Mean probability the page gave the true digit, in percent, and how many it read right."""
    return 100 * np.mean([p for _, _, p in answers]), sum(d == a for d, a, _ in answers)


def surer_version(shown, digit):
    """The version of a digit the model gave the truth more probability, or None where the
    two are the same as printed (to 0.1%)."""
    low, high = sorted((v for v in shown if v.startswith(digit)), key=lambda v: shown[v][0])
    return None if f"{shown[low][0]:.1f}" == f"{shown[high][0]:.1f}" else high


def answers_07(key):
    (best, best_inputs), (mlp, _) = page_visits(key)[0]
    shown = {v: sure_of_truth(a) for v, a in best.items() if v not in ("placed", "styles")}
    rows = "; ".join(
        f"{v}: {p:.1f}%, {right} of {drawings.DRAWINGS_PER_VERSION} right"
        for v, (p, right) in shown.items()
    )
    surer = {d: surer_version(shown, d) for d in "71"}
    marks = {"7": "its bar", "1": "its flag"}
    judged = [
        f"surer of the {surer[d]}" if surer[d] else f"as sure of a {d} with {marks[d]} as without"
        for d in "71"
    ]
    european_wins = any(surer[d] and not surer[d].endswith("without") for d in "71")
    first = answer(
        f"the page (`python {L07}.py`, lesson 05's model) asked through its `POST /predict`, "
        f"as the browser asks it, with {drawings.DRAWINGS_PER_VERSION} drawings of each "
        "version in the strokes of own_digits.py's crossed 7 and flagged 1 (and the same "
        "strokes without the bar and the flag), at the same random sizes and slants",
        f"mean probability of the true digit: {rows}.",
        f"It is {listing(judged)}. "
        + (
            "Where a European style wins, the model has seen enough of it in MNIST; "
            "where the plain style wins, that is the style MNIST's American writers used."
            if european_wins
            else "MNIST's writers, American census staff and students, mostly wrote a 7 "
            "without a bar and a 1 as a single stroke, and the model is surest of what it saw "
            "most"
            + (
                "; where it is as sure of both versions, either is plain enough to read."
                if not all(surer.values())
                else "."
            )
        ),
        "which version the student's own drawings got the higher probability for, from "
        "several drawings of each, not one. Expected conclusion, as measured here: "
        f"{listing(judged)}, tied to how MNIST's writers wrote. Common wrong answer: a "
        f"conclusion from one drawing of each. {DRAWN_BY_HAND}",
        key.took(visit_results(key)),
    )

    small, large = best_inputs["small"], best_inputs["large"]
    difference = np.abs(small - large)
    (digit, small_answer, small_p), (_, large_answer, large_p) = best["placed"]
    second = answer(
        "the page asked with a 7 drawn small (a fifth of the canvas high) in the top left "
        "corner and large in the middle, with the page's pen",
        f"the prepared inputs differ by {difference.mean():.3f} on average (pixels 0-1), at "
        f"most {difference.max():.2f}; ink pixels {100 * np.mean(small > 0.5):.1f}% against "
        f"{100 * np.mean(large > 0.5):.1f}%. Read as {small_answer} ({100 * small_p:.1f}% for "
        f"the 7) small, {large_answer} ({100 * large_p:.1f}%) large.",
        "The page prepares every drawing as lesson 6 does: it crops to the ink, scales the "
        "digit into 20x20 and centres it by its mass in 28x28, so where and how large you "
        "draw is gone before the model sees it. "
        + (
            "What remains is the pen: drawn small, the same pen is thicker for the digit, "
            "so its strokes come out bolder."
            if np.mean(small > 0.5) > np.mean(large > 0.5)
            else "What remains is little: the two inputs are nearly the same picture."
        ),
        "that the page crops, scales and centres the drawing, as lesson 6 prepares an image. "
        "Full marks for noticing the strokes come out bolder when drawn small. Common wrong "
        f"answer: 'the convolutions do not care where the digit is'. {DRAWN_BY_HAND}",
        key.took(visit_results(key)),
    )

    everything = {
        name: [a for answers in visit_.values() for a in answers]
        for name, visit_ in (("best", best), ("mlp", mlp))
    }
    scores = {name: sure_of_truth(answers) for name, answers in everything.items()}
    total = len(everything["best"])
    mlp_right, best_right = scores["mlp"][1], scores["best"][1]
    third = answer(
        f"`python {L07}.py --model outputs/models/{L01}.keras`, asked with the same {total} "
        "drawings: the versions above, the placed 7s and the 24 held-out drawn styles",
        f"lesson 1's model read {scores['mlp'][1]} of {total} right (mean probability of the "
        f"true digit {scores['mlp'][0]:.1f}%), lesson 5's {scores['best'][1]} "
        f"({scores['best'][0]:.1f}%).",
        (
            f"Lesson 1's model misread more of these drawings ({total - mlp_right} against "
            f"{total - best_right} of {total}), but with one trained model of each, no "
            "conclusion beyond these drawings. Where the digit sits is not the difference: the "
            "page centres every drawing for both models (exercise 2). What differs is how "
            "each reads the centred strokes: lesson 1's dense network weighs every pixel on "
            "its own, so a slant or a thicker stroke moves the digit onto other pixels, while "
            "lesson 5's convolutions, trained on turned and shifted digits, respond to local "
            "stroke patterns that survive such changes."
            if mlp_right < best_right
            else (
                "Both models read as many of these drawings right: on them neither is fooled "
                "more easily."
                if mlp_right == best_right
                else "Here lesson 1's model read more right, which these drawings alone "
                "cannot explain."
            )
        ),
        "counts from the student's own drawings, the same drawings for both models. "
        "Expected conclusion: the model that misread more, with the caution that one model "
        "of each and a handful of drawings settle little (here lesson 1's read "
        f"{mlp_right} and lesson 5's {best_right} of {total} right). Common wrong answer: "
        "that lesson 1's model fails because the digit "
        "sits elsewhere (the page centres it for both). "
        f"{DRAWN_BY_HAND}",
        key.took(visit_results(key)),
    )
    return [first, second, third]
