"""CI: does requirements.txt install from wheels on every Python the course supports?

This machine has one Python, so the others are checked the way pip allows: for each target
Python and platform, pip resolves requirements.txt for that Python (`--python-version`,
`--platform`, wheels only) without installing anything (`--dry-run`). pip evaluates the
environment markers of requirements.txt for the Python that runs it, not for the target, so
they are applied here first, for each target, with `packaging`.

    python .ci/resolve_requirements.py                 # every Python and platform
    python .ci/resolve_requirements.py --python 3.15   # one

pip also evaluates the markers of the packages' own dependencies for the machine that runs it
(PyTorch's CUDA libraries, say, are Linux-only), so the whole dependency tree is resolved for
Linux x86-64, this machine's platform, and for Windows and macOS each pin of requirements.txt
is checked to have a wheel there. pip runs without this machine's own configuration (its
local wheels and caps): the check sees what a student's pip sees.

A pin without a wheel for a supported Python and platform fails the check. The one known gap
is named in KNOWN_SOURCE_BUILDS (and in the README's Troubleshooting): it is checked without
that package, and reported.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement

PROJECT_DIR = Path(__file__).resolve().parent.parent
PYTHONS = ["3.11", "3.12", "3.13", "3.14", "3.15"]
# pip matches platform tags exactly, so each platform lists the tags its wheels may carry.
MANYLINUX = [f"manylinux_2_{minor}_x86_64" for minor in range(39, 16, -1)]
PLATFORMS = {
    "Linux x86-64": {
        "tags": MANYLINUX + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
        "markers": {"sys_platform": "linux", "platform_system": "Linux"},
        "dependencies": True,  # the platform that runs the check: markers evaluate right
    },
    "Windows x86-64": {
        "tags": ["win_amd64"],
        "markers": {"sys_platform": "win32", "platform_system": "Windows"},
    },
    "macOS, Apple silicon": {
        "tags": [f"macosx_{major}_0_arm64" for major in range(15, 10, -1)],
        "markers": {"sys_platform": "darwin", "platform_system": "Darwin"},
    },
}
# {Python: {package without a wheel there: the pin that needs it}}. Keras stores a model's
# weights with h5py, which has no wheels for Python 3.15 yet: pip builds it from source.
KNOWN_SOURCE_BUILDS = {"3.15": {"h5py": "keras"}}


def pins_for(python, platform, path=PROJECT_DIR / "requirements.txt"):
    """The requirements that apply to one Python on one platform, markers evaluated."""
    environment = {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        **PLATFORMS[platform]["markers"],
    }
    pins = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate(environment):
            requirement.marker = None
            pins.append(str(requirement))
    return pins, environment


def dry_run(requirements, python, platform, no_deps=False):
    """pip's answer for these requirements on the target: (installed [(name, version)],
    the report's entries, pip's error or None)."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet"]
        command += ["--ignore-installed", "--only-binary=:all:", "--python-version", python]
        command += ["--target", str(Path(folder) / "target"), "--report", str(report)]
        for tag in PLATFORMS[platform]["tags"]:
            command += ["--platform", tag]
        command += ["--no-deps"] if no_deps else []
        environment = {**os.environ, "PIP_CONFIG_FILE": os.devnull}
        for name in ("PIP_CONSTRAINT", "PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL"):
            environment.pop(name, None)
        result = subprocess.run(
            command + requirements, capture_output=True, text=True, env=environment
        )
        if result.returncode != 0:
            lines = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
            return [], [], " ".join(lines) or result.stderr.strip()[-500:]
        entries = json.loads(report.read_text())["install"]
    names = [(entry["metadata"]["name"], entry["metadata"]["version"]) for entry in entries]
    return names, entries, None


def check(python, platform, path):
    """Resolve one target; returns (installed, known gaps skipped, error or None)."""
    pins, environment = pins_for(python, platform, path)
    if not PLATFORMS[platform].get("dependencies"):
        installed, _, error = dry_run(pins, python, platform, no_deps=True)
        return installed, sorted(KNOWN_SOURCE_BUILDS.get(python, {})), error
    gaps = KNOWN_SOURCE_BUILDS.get(python, {})
    needing = {pin for pin in pins if Requirement(pin).name in gaps.values()}
    skipped = []
    if needing:
        # Those pins alone, without their dependencies, then the rest with the dependencies
        # of those pins, less the package without a wheel.
        installed, entries, error = dry_run(sorted(needing), python, platform, no_deps=True)
        if error:
            return [], [], error
        pins = [pin for pin in pins if pin not in needing]
        for entry in entries:
            for dependency in entry["metadata"].get("requires_dist", []):
                requirement = Requirement(dependency)
                if requirement.name in gaps:
                    skipped.append(requirement.name)
                elif requirement.marker is None or requirement.marker.evaluate(
                    {**environment, "extra": ""}
                ):
                    requirement.marker = None
                    pins.append(str(requirement))
    else:
        installed = []
    resolved, _, error = dry_run(pins, python, platform)
    return installed + resolved, skipped, error


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", nargs="+", default=PYTHONS, choices=PYTHONS)
    parser.add_argument("--platform", nargs="+", default=list(PLATFORMS), choices=PLATFORMS)
    parser.add_argument("--file", type=Path, default=PROJECT_DIR / "requirements.txt")
    args = parser.parse_args()
    failures = 0
    for python in args.python:
        for platform in args.platform:
            installed, skipped, error = check(python, platform, args.file)
            if error:
                failures += 1
                print(f"FAILED Python {python}, {platform}: {error}")
                continue
            versions = {name.lower(): version for name, version in installed}
            backends = [
                f"{name} {versions[name]}"
                for name in ("tensorflow", "jax", "torch")
                if name in versions
            ] or ["no backend!"]
            note = f"; from source: {', '.join(skipped)}" if skipped else ""
            scope = "wheels" if PLATFORMS[platform].get("dependencies") else "pins, each a wheel"
            print(
                f"ok Python {python}, {platform}: {len(installed)} {scope}, "
                f"{', '.join(backends)}, keras {versions.get('keras')}, "
                f"numpy {versions.get('numpy')}{note}"
            )
            if not any(name in versions for name in ("tensorflow", "jax", "torch")):
                failures += 1
    targets = len(args.python) * len(args.platform)
    print(f"requirements.txt resolves for {targets - failures} of {targets} targets")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
