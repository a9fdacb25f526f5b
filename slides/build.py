"""Make the lecture decks, slides/<lesson>.pptx and .pdf, from the executed notebooks.

    python -m pip install -r requirements-dev.txt
    python slides/build.py                       # every lesson, and the lecture
    python slides/build.py --only 02_simple_cnn  # one lesson
    python slides/build.py --only lecture        # the 90-minute lecture
    python slides/build.py --check               # fail if a committed deck is out of step

What a deck holds, and how it is made, is in slides/decks.py and docs/for_lecturers.md.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import decks  # noqa: E402

if __name__ == "__main__":
    decks.main()
