"""The answers' words: numbers with fixed precision, spreads over seeds, and the sentences
that compare two sets of runs, chosen by the measured numbers themselves.

    spread([1.01, 0.91, 1.07])          # "1.00% (0.91-1.07%, 3 seeds)"
    judged = judge(new_errors, old_errors)
    judged.kind                         # "lower", "higher", "mixed" or "same"
"""

import re
import statistics
from dataclasses import dataclass

from try_it_runs import DEFAULT_SEED


def percent(value, digits=2):
    return f"{value:.{digits}f}%"


def listing(items):
    """'a', 'a and b', 'a, b and c'."""
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def counted(count, singular, plural=None):
    """'1 image', '2 images'."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def seeds_text(seeds):
    return f"seed {seeds[0]}" if len(seeds) == 1 else f"seeds {listing(seeds)}"


def mean(values):
    return statistics.mean(values)


def spread(values, unit="%", digits=2):
    """The mean and the range over seeds, or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit} (one seed)"
    low, high = min(values), max(values)
    return (
        f"{mean(values):.{digits}f}{unit} ({low:.{digits}f}-{high:.{digits}f}{unit}, "
        f"{len(values)} seeds)"
    )


def per_seed(values, seeds, unit="%", digits=2):
    """'0.91%, 1.07% and 1.06% (seeds 1, 2 and 3)'."""
    shown = listing(f"{value:.{digits}f}{unit}" for value in values)
    return f"{shown} ({seeds_text(seeds)})"


@dataclass
class Judged:
    """How a set of runs stands against another over the same seeds, in words."""

    kind: str  # "lower", "higher", "mixed" or "same"
    clear: bool  # apart beyond the spread between seeds (never with one seed)
    words: str


def judge(
    new, old, what="test error", lower="lower", higher="higher", unit="percentage points", digits=2
):
    """Compare `new` with `old`, each a value per seed (the same seeds, in order)."""
    count = len(new)
    below = sum(n < o for n, o in zip(new, old))
    above = sum(n > o for n, o in zip(new, old))
    difference = mean(new) - mean(old)
    if below == count or above == count:
        kind = lower if below == count else higher
        clear = count > 1 and (max(new) < min(old) if below == count else min(new) > max(old))
        if count == 1:
            by = f"{abs(difference):.{digits}f} {unit}"
            return Judged(kind, clear, f"{what} {kind} by {by} in one run: no conclusion")
        by = f"{abs(difference):.{digits}f} {unit}"
        if clear:
            gap = min(old) - max(new) if below == count else min(new) - max(old)
            beyond = (
                f"and the ranges over the {count} seeds do not overlap ({gap:.{digits}f} "
                f"{unit} apart): beyond the spread between seeds"
                + (", though two seeds measure that spread only roughly" if count == 2 else "")
            )
        else:
            beyond = "though the seeds overlap: the runs of one reach the other's"
        words = f"{what} {kind} in every seed, by {by} on average, {beyond}"
        return Judged(kind, clear, words)
    if below == above == 0:
        where = "in one run" if count == 1 else "in every seed"
        return Judged("same", False, f"the same {what} {where}")
    words = (
        f"{what} {lower} in {below} and {higher} in {above} of the {count} seeds "
        f"({difference:+.{digits}f} {unit} on average): within the spread between seeds"
    )
    return Judged("mixed", False, words)


def ran(commands, seeds=None, edits=()):
    """What was run: the command (or commands), the seeds, and each edit made to the copy of
    the lesson."""
    commands = [commands] if isinstance(commands, str) else commands
    text = listing(f"`{command}`" for command in commands)
    if seeds:
        text += f" with {seeds_text(seeds)}" + (" (`--seed N`)" if seeds != [DEFAULT_SEED] else "")
    for edit in edits:
        text += f"; in a copy of the lesson, {edit.shown()}"
    return text


def answer(ran, measured, why, accept, took=""):
    """One answer: what ran (and how long it took here), what it measured, why, as a teaching
    assistant says it, and what to accept when marking: the range a student's run may give,
    the conclusion expected, and a common wrong answer."""
    took = f" {took}." if took else ""
    return (
        f"**Ran:** {ran}.{took}\n\n**Measured:** {measured}\n\n**Why:** {why}\n\n"
        f"**Accept:** {accept}"
    )


def placed(value, values, unit="percentage points", digits=2):
    """Where one run's value lies against the range of `values` (the unchanged lesson's runs):
    'within', '0.01 percentage points above', ..., compared as the answer prints them."""
    value, low, high = (round(v, digits) for v in (value, min(values), max(values)))
    if value > high:
        return f"{value - high:.{digits}f} {unit} above"
    if value < low:
        return f"{low - value:.{digits}f} {unit} below"
    return "within"


def far(value, values, digits=2):
    """Whether one run's value lies further outside the range of `values` than the range is
    wide: clearly outside what another run of the unchanged lesson gives. Never with one."""
    value, low, high = (round(v, digits) for v in (value, min(values), max(values)))
    return len(values) > 1 and (value - high > high - low or low - value > high - low)


# %% Reading what a lesson printed

PARAMETERS = re.compile(r"Total params: ([\d,]+)")
LAYER_ROW = re.compile(r"^\W*(\w+) \((\w+)\)\s*\W\s*(\(.*?\))\s*\W\s*([\d,]+)\s*\W*$")


def total_parameters(printed):
    """The total that model.summary() printed."""
    found = PARAMETERS.findall(printed)
    if not found:
        raise ValueError("model.summary() printed no 'Total params'")
    return int(found[0].replace(",", ""))


def summary_layers(printed):
    """[(name, kind, output shape, parameters)] of the first model.summary() printed."""
    rows = []
    for line in printed.splitlines():
        match = LAYER_ROW.match(line)
        if match:
            name, kind, shape, count = match.groups()
            if rows and name == rows[0][0]:
                break  # a second summary
            rows.append((name, kind, shape, int(count.replace(",", ""))))
    if not rows:
        raise ValueError("model.summary() printed no layers")
    return rows


def validation_images(printed):
    """How many validation images the lesson held out, from its 'Validation:' line."""
    match = re.search(r"^Validation: x \((\d+),", printed, re.M)
    if not match:
        raise ValueError("the lesson printed no 'Validation: x (N, ...)' line")
    return int(match.group(1))
