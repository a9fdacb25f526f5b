"""The answer key as markdown: a header (the machine, the command, the time each lesson's
runs took) and a section per lesson, each answer numbered as its exercise.

A section written earlier is kept when an invocation answers other lessons (`--only`): each
section carries its own numbers in an HTML comment, from which the header is made again.
"""

import os
import re
from pathlib import Path

from try_it_runs import PROJECT_DIR, TRY_IT_HEADING, TryItError
from try_it_words import listing

LESSON_ORDER = [
    "00_load_data",
    "01_mlp_baseline",
    "02_simple_cnn",
    "03_large_cnn",
    "04_analyze_errors",
    "05_best_cnn",
    "06_predict_digit",
    "07_draw_digit",
    "08_teach_handwriting",
]
SECTION = re.compile(r"^## (\d\d_\w+)\.py$", re.M)
STATS = re.compile(
    r"<!-- try-it: runs=(\d+) seconds=([\d.]+) kept=(\d+)(?: load=([\d.]+)-([\d.]+))?"
    r" used=([\w.:,-]*) -->"
)
BANNER = re.compile(r"^Python .* \| trains on: .*$", re.M)
INDENT = "   "  # an answer's paragraphs, inside its numbered item


def exercises_of(name, text):
    """The exercises of a lesson's Try it cell, each as one line of text."""
    if text.count(TRY_IT_HEADING) != 1:
        raise TryItError(f"{name}.py has no single Try it cell")
    items = []
    for line in text.split(TRY_IT_HEADING, 1)[1].splitlines():
        body = line.removeprefix("#").strip()
        numbered = re.match(r"(\d+)\. (.*)", body)
        if numbered:
            items.append(numbered.group(2))
        elif items and body and line.startswith("#"):
            items[-1] += " " + body
    return items


def shown_command(only, own_digits):
    """The command as a reader types it: the data as mnist.npz, paths from the project."""
    words = ["python", "bench/try_it.py", "--data", "mnist.npz"]
    if own_digits:
        words += ["--own-digits", os.path.relpath(own_digits, PROJECT_DIR)]
    return " ".join(words + (["--only", only] if only else []))


def section(name, answers, tallies, command):
    """A lesson's section: heading, what its runs took, each exercise quoted with its answer.
    `tallies` are (identity, seconds, kept, load) of each run it used; its comment keeps them,
    so that the header counts a run that several sections share once."""
    exercises = exercises_of(name, (PROJECT_DIR / f"{name}.py").read_text())
    runs, kept = len(tallies), sum(kept for _, _, kept, _ in tallies)
    seconds = sum(round(seconds, 1) for _, seconds, _, _ in tallies)  # as the comment has them
    loads = [load for _, _, _, load in tallies if load is not None]
    kept_words = f", {kept} of them kept from an earlier invocation" if kept else ""
    load = f" load={min(loads):.1f}-{max(loads):.1f}" if loads else ""
    used = ",".join(
        f"{identity}:{seconds:.1f}:{int(kept)}" for identity, seconds, kept, _ in tallies
    )
    lines = [
        f"## {name}.py",
        "",
        f"<!-- try-it: runs={runs} seconds={seconds:.1f} kept={kept}{load} used={used} -->",
        f"*{runs} runs{kept_words}, {seconds / 60:.1f} minutes of runs; "
        f"made again by `{command}`.*",
        "",
    ]
    for number, (exercise, text) in enumerate(zip(exercises, answers), start=1):
        lines.append(f"{number}. *{exercise}*")
        for paragraph in text.split("\n\n"):
            lines += ["", INDENT + paragraph]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def placeholder(name, own_digits):
    command = shown_command(name, own_digits)
    return f"## {name}.py\n\nNot measured yet: `{command}`.\n"


def earlier_sections(path):
    """{lesson: its section} of a key written before."""
    if path is None or not Path(path).is_file():
        return {}
    text = Path(path).read_text()
    starts = [(match.start(), match.group(1)) for match in SECTION.finditer(text)]
    ends = [start for start, _ in starts[1:]] + [len(text)]
    found = {name: text[start:end].rstrip() + "\n" for (start, name), end in zip(starts, ends)}
    return {name: body for name, body in found.items() if STATS.search(body)}


def used_runs(stats):
    """{identity: (seconds, kept)} of the runs a section's comment lists."""
    entries = (entry.split(":") for entry in stats.group(6).split(",") if entry)
    return {identity: (float(seconds), kept == "1") for identity, seconds, kept in entries}


def owner(identity, listing_sections):
    """The lesson a shared run is counted under: the one it runs, where that lesson's section
    lists it, else the first section that does."""
    own = [name for name in listing_sections if name[:2] == identity[:2]]
    return (own or listing_sections)[0]


def header(sections, machine, banner, quick, command):
    loads, used_by = [], {}
    for name in LESSON_ORDER:
        stats = STATS.search(sections.get(name, ""))
        if not stats:
            continue
        loads += [float(value) for value in stats.groups()[3:5] if value]
        used_by[name] = used_runs(stats)
    counted = {identity: tally for used in used_by.values() for identity, tally in used.items()}
    listed = {
        identity: owner(identity, [name for name in used_by if identity in used_by[name]])
        for identity in counted
    }
    rows = []
    for name in LESSON_ORDER:
        if name not in used_by:
            rows.append(f"| {name}.py | | not measured yet |")
            continue
        own = [counted[identity] for identity in counted if listed[identity] == name]
        own_seconds = sum(seconds for seconds, _ in own)
        rows.append(f"| {name}.py | {len(own)} | {own_seconds / 60:.1f} |")
    total_runs = len(counted)
    total_seconds = sum(seconds for seconds, _ in counted.values())
    total_kept = sum(kept for _, kept in counted.values())
    missing = [name for name in LESSON_ORDER if not STATS.search(sections.get(name, ""))]
    lines = [
        "# Answers to the Try it exercises",
        "",
        "The answer key for lecturers and teaching assistants: every lesson's Try it "
        "exercises, numbered as in the lesson, each with what was run, what it measured and "
        "why, as one would explain it when grading.",
        "",
        "Every number here was measured by `bench/try_it.py`, on the machine named below, "
        "except where an answer names docs/measurements.md: lesson 05's answers hold their "
        "single runs against the recipe's runs there as well as its runs here. "
        "The explanations are chosen by comparing those numbers. Where an exercise compares "
        "two recipes or asks how much something varies, the answer gives each seed's value "
        "and calls a difference clear only beyond the spread between seeds: the same way in "
        "every seed, and the ranges over the seeds apart; a difference from a single run says "
        "*one run: no conclusion*. A student's own numbers differ on "
        "another machine, backend or version, and with another seed: the **Accept:** line of "
        "each answer says what to accept when marking (the range a student's run may give, "
        "the conclusion expected, a common wrong answer).",
        "",
        f"- **Machine:** {machine}; {banner}.",
        "- **Method:** for each exercise the script makes its change (an option, or the edit "
        "it names, in a copy of the lesson; the lesson itself is never changed) and runs the "
        "copy as a notebook, every run in one shared Jupyter kernel started in notebooks/, "
        "its namespace emptied and Keras' session cleared before each run; it reads the "
        "outcome from what the run printed and saved. A **Ran:** line shows the same run as "
        "a student types it in a terminal (`python lesson.py` and its options, "
        "`mnist.npz` standing for the local copy of MNIST); the key passed those options "
        "through the notebook's `OPTIONS` line instead. Exercises that ask a student to "
        "photograph or draw digits say what stood in for them.",
        f"- **Command:** `{command}`; one lesson's section at a time with `--only LESSON`. How "
        "to rebuild it after a lesson changes: [for lecturers](for_lecturers.md#the-answer-key).",
        f"- **Kept runs:** {total_kept} of the {total_runs} runs were kept from an earlier "
        "invocation; a run is kept only for the same lesson code (its comments aside), "
        "course modules, data, Python, Keras, backend and backend version, and each section "
        "and answer says how many of its runs were kept, where any were. Runs that read lesson "
        "07's page, the collected digits or an image made from them are always made again.",
        f"- **Time:** {total_runs} runs, {total_seconds / 60:.1f} minutes of runs in all"
        + (f" (not measured yet: {listing(missing)})" if missing else "")
        + "; a run that several lessons use (a model that later lessons read) counts once, "
        "in the table under the lesson it runs (or, where that lesson does not use it, the "
        "first that does), and in each section that uses it."
        + (
            f" The load average (1 minute) of the machine's {os.cpu_count()} cores was "
            f"{min(loads):.1f}-{max(loads):.1f} as the runs ended (a run's own threads count "
            "in it, so a load above the cores alone does not show other work beside it)."
            if loads
            else ""
        ),
        "",
        "| lesson | runs | minutes |",
        "| --- | ---: | ---: |",
        *rows,
        "",
    ]
    if quick:
        lines[2:2] = [
            "**Quick check**: every exercise on small data with one seed. It shows that each "
            "still runs as written; its numbers mean nothing.",
            "",
        ]
    return "\n".join(lines)


def key_document(answered, key, machine, out, quick):
    """The whole key: sections answered now, those kept from `out`, the header."""
    command = shown_command(None, key.own_digits)
    sections = {} if quick else earlier_sections(out)
    for name, answers in answered.items():
        results = {key.identity(run): key.results[run] for run in key.used.get(name, ())}
        tallies = [
            (identity, result.wall_seconds, result.reused, result.load)
            for identity, result in sorted(results.items())
        ]
        sections[name] = section(name, answers, tallies, shown_command(name, key.own_digits))
    printed = "".join(result.printed for result in key.results.values())
    banner = BANNER.search(printed)
    body = [sections.get(name) or placeholder(name, key.own_digits) for name in LESSON_ORDER]
    banner_text = banner.group(0) if banner else "no lesson ran"
    return header(sections, machine, banner_text, quick, command) + "\n" + "\n".join(body)
