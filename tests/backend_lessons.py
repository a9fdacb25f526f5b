"""The lessons on a backend other than TensorFlow: what test_backend_jax.py and
test_backend_torch.py check, each for its own backend (two files, so that pytest-xdist runs
them side by side).

Every lesson runs in quick mode as a script with KERAS_BACKEND set, as a student would start
it. Models cross backends both ways: the other backend's models are checked and read by
TensorFlow here (the tests' own process) and by lessons 04 and 06, and lessons 04, 06 and 07
on the other backend read a model that TensorFlow trained (`digit_model`); lesson 08 adapts
the other backend's CNN, and TensorFlow reads the result.
"""

from course import BACKEND_NAMES

import json
import re
import urllib.request

import keras
import pytest
from conftest import (
    PROJECT_DIR,
    TRAINING_LESSONS,
    assert_png,
    check_lesson_outputs,
    run_script,
)
from digits import canvas_png
from drawing_page import start_page_server

import outputs

BANNER = re.compile(r"^Python [\d.]+ \| Keras [\d.]+ \| (\w+) \S+ \| trains on: (.+)$")
LOG_WALL = re.compile(r"I0000|oneDNN|absl::InitializeLog|cuda drivers|Traceback|Warning")
TTA_COPIES = 1  # lesson 05's test-time augmentation, kept short


class LessonsOnABackend:
    backend = None  # "jax" or "torch", set by the test class

    def run(self, script, *arguments, backend=None):
        return run_script(script, *arguments, env={"KERAS_BACKEND": backend or self.backend})

    @pytest.fixture(scope="class")
    def trained(self, mnist_npz, tmp_path_factory):
        """One output folder where lessons 00-03 and 05 ran once in quick mode on this
        backend: (folder, {lesson: result})."""
        out = tmp_path_factory.mktemp(f"outputs_{self.backend}")
        common = ("--quick", "--data", mnist_npz, "--out", out)
        results = {
            name: self.run(script, *common) for name, (script, _) in TRAINING_LESSONS.items()
        }
        results["05_best_cnn"] = self.run("05_best_cnn.py", *common, "--tta", TTA_COPIES)
        results["00_load_data"] = self.run("00_load_data.py", *common)
        return out, results

    def check_quiet_start(self, result):
        """The banner names this backend and the device; no log wall on either stream."""
        banner = BANNER.match(result.stdout.splitlines()[0])
        assert banner, result.stdout.splitlines()[0]
        assert banner.groups() == (BACKEND_NAMES[self.backend], "CPU")
        assert not LOG_WALL.search(result.stderr), result.stderr

    @pytest.mark.parametrize("name", [*TRAINING_LESSONS, "05_best_cnn"])
    def test_a_training_lesson(self, name, trained, mnist_arrays, capsys):
        out, results = trained
        result = results[name]
        assert result.returncode == 0, result.stderr
        self.check_quiet_start(result)
        # The saved model reloads here, under TensorFlow, and predicts exactly what the
        # lesson reported on its own backend.
        input_shape = TRAINING_LESSONS.get(name, (None, (28, 28, 1)))[1]
        tta = name == "05_best_cnn"
        metrics = check_lesson_outputs(result, out, name, mnist_arrays, input_shape, capsys, tta)
        assert metrics["backend"] == self.backend
        assert metrics["steps_per_execution"] == 1

    def test_lesson_00(self, trained):
        _, results = trained
        result = results["00_load_data"]
        assert result.returncode == 0, result.stderr
        self.check_quiet_start(result)
        assert "total    600    200" in result.stdout

    def test_the_same_seed_prints_the_same_numbers(self, trained, mnist_npz, tmp_path):
        out, _ = trained
        again = self.run("01_mlp_baseline.py", "--quick", "--data", mnist_npz, "--out", tmp_path)
        assert again.returncode == 0, again.stderr
        for folder in (outputs.METRICS, outputs.HISTORY):
            first = json.loads((out / folder / "01_mlp_baseline.json").read_text())
            second = json.loads((tmp_path / folder / "01_mlp_baseline.json").read_text())
            first.pop("train_seconds", None), second.pop("train_seconds", None)
            assert first == second

    def test_lesson_04_reads_this_backends_models_and_so_does_tensorflow(self, trained, mnist_npz):
        out, _ = trained
        for backend in (self.backend, "tensorflow"):
            result = self.run(
                "04_analyze_errors.py", "--out", out, "--data", mnist_npz, backend=backend
            )
            assert result.returncode == 0, result.stderr
            assert "Misclassified by " in result.stdout

    def test_lesson_06_reads_a_model_from_tensorflow_and_one_from_this_backend(
        self, trained, digit_model, tmp_path
    ):
        out, _ = trained
        trained_here = out / outputs.MODELS / "02_simple_cnn.keras"
        for model, backend in [(digit_model, self.backend), (trained_here, "tensorflow")]:
            result = self.run(
                "06_predict_digit.py", "--model", model, "--out", tmp_path, backend=backend
            )
            assert result.returncode == 0, result.stderr
            # Started in "/", the lesson prints the sample's path in full.
            sample = PROJECT_DIR / "samples" / "photo_of_a_3.jpg"
            assert re.search(rf"^{re.escape(str(sample))}: \d \(", result.stdout, re.M)
            if model == digit_model:  # it reads the sample photo right, here as everywhere
                assert f"{sample}: 3 (" in result.stdout
        assert_png(tmp_path / outputs.FIGURES / "06_step5_centred.png")

    def test_lesson_07_serves_a_model_from_tensorflow(self, digit_model, tmp_path):
        process, url = start_page_server(
            "--model", digit_model, "--out", tmp_path, environment={"KERAS_BACKEND": self.backend}
        )
        try:
            assert url, process.stderr.read()
            request = urllib.request.Request(url + "predict", data=canvas_png(7))
            with urllib.request.urlopen(request, timeout=120) as response:
                assert json.loads(response.read())["digit"] == 7
        finally:
            process.kill()
            process.wait()

    def test_lesson_08_adapts_this_backends_cnn_and_tensorflow_reads_it(
        self, trained, mnist_npz, tmp_path
    ):
        out, _ = trained
        trained_here = out / outputs.MODELS / "02_simple_cnn.keras"
        result = self.run(
            "08_teach_handwriting.py",
            "--quick",
            "--epochs",
            1,
            "--data",
            mnist_npz,
            "--model",
            trained_here,
            "--out",
            tmp_path,
        )
        assert result.returncode == 0, result.stderr
        self.check_quiet_start(result)
        record = json.loads(
            (tmp_path / outputs.ADAPTATION / "08_teach_handwriting.json").read_text()
        )
        assert record["adapt_images"] == 24 and record["epochs"] == 1
        adapted = keras.models.load_model(tmp_path / outputs.MODELS / "08_teach_handwriting.keras")
        assert adapted.input_shape == (None, 28, 28, 1)
