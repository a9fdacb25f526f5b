"""Every relative link and #anchor in README.md and docs/*.md leads to a file and a heading
that exist, as GitHub resolves them."""

import re
from pathlib import Path

import pytest
from conftest import PROJECT_DIR

DOCUMENTS = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^(```|~~~)")


def prose_lines(text):
    """The lines outside fenced code blocks, where links and headings are."""
    inside = False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            inside = not inside
        elif not inside:
            yield line


def github_anchor(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its words
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def anchors(path):
    """Every anchor of a markdown file's headings, with GitHub's -1, -2 for repeats."""
    seen, result = {}, set()
    for line in prose_lines(path.read_text()):
        match = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            anchor = github_anchor(match.group(1))
            count = seen.get(anchor, 0)
            seen[anchor] = count + 1
            result.add(anchor if count == 0 else f"{anchor}-{count}")
    return result


def links(path):
    """The relative link targets of a markdown file (a link's words may span two lines)."""
    prose = re.sub(r"`[^`\n]*`", "", "\n".join(prose_lines(path.read_text())))
    for match in LINK.finditer(prose):
        target = match.group(1)
        if not re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            yield target


def test_github_anchors():
    assert github_anchor("Lesson 5: trying to beat it") == "lesson-5-trying-to-beat-it"
    assert github_anchor("`--number`'s failure modes") == "--numbers-failure-modes"
    assert github_anchor("Why JAX and PyTorch are slower here") == (
        "why-jax-and-pytorch-are-slower-here"
    )


def test_every_document_has_links():
    assert len(list(links(PROJECT_DIR / "README.md"))) >= 10


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_relative_links_and_anchors_resolve(document):
    broken = []
    for target in links(document):
        file_part, _, anchor = target.partition("#")
        linked = (document.parent / file_part).resolve() if file_part else document
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading with that anchor in {linked.name}")
        assert Path(linked).is_relative_to(PROJECT_DIR), target
    assert not broken, broken


def test_the_readme_is_a_front_door():
    """At most about 12 KB, with real figures, and a Quick start that makes a virtual
    environment before it installs anything."""
    readme = (PROJECT_DIR / "README.md").read_text()
    assert len(readme.encode()) <= 12_000
    figures = re.findall(r"!\[[^\]]+\]\((docs/figures/[^)]+\.png)\)", readme)
    assert len(figures) >= 4 and all((PROJECT_DIR / figure).is_file() for figure in figures)
    quick_start = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```bash\n(.*?)```", quick_start, re.S).group(1).splitlines()
    assert [command.split("#")[0].strip() for command in commands] == [
        "python -m venv .venv",
        "source .venv/bin/activate",
        "python -m pip install -r requirements.txt",
        "python 00_load_data.py",
    ]
