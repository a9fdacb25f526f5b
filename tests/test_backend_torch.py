"""Every lesson in quick mode on PyTorch, and models that cross to and from TensorFlow."""

import importlib.util

import pytest
from backend_lessons import LessonsOnABackend


@pytest.mark.skipif(not importlib.util.find_spec("torch"), reason="PyTorch is not installed")
class TestLessonsOnPyTorch(LessonsOnABackend):
    backend = "torch"
