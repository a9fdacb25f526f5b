"""Lesson 0 end to end, from another folder, on data the tests make."""

import re

import numpy as np
from conftest import assert_clean_failure, assert_png, run_script

import outputs


def test_lesson_00_quick(tmp_path, mnist_npz):
    result = run_script("00_load_data.py", "--quick", "--data", mnist_npz, "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "I0000" not in result.stderr
    output = result.stdout
    assert re.search(r"x_train +shape \(600, 28, 28\) +dtype uint8", output)
    assert "total    600    200" in output
    assert re.search(r"rows of 784 \(dense networks\) +shape \(600, 784\) +dtype uint8", output)
    assert re.search(
        r"scaled to 0-1: / 255 +shape \(600, 28, 28\) +dtype float32 +range 0.0 to 1.0", output
    )
    assert re.search(r"one-hot: to_categorical +shape \(600, 10\)", output)
    for name in ("00_first_four_digits.png", "00_random_digits.png"):
        assert_png(tmp_path / outputs.FIGURES / name)
        assert f"Saved figure: {tmp_path / 'figures' / name}" in output
    assert f"Source: {mnist_npz}" in output


def test_lesson_00_reads_idx_folder_from_environment(tmp_path, mnist_arrays):
    import digits

    folder = digits.write_idx_folder(mnist_arrays, tmp_path / "idx", gzipped=True)
    result = run_script("00_load_data.py", "--out", tmp_path, env={"MNIST_DATA": str(folder)})
    assert result.returncode == 0, result.stderr
    counts = np.bincount(mnist_arrays["y_test"], minlength=10)
    assert f"    9 {np.bincount(mnist_arrays['y_train'])[9]:6d} {counts[9]:6d}" in result.stdout


def test_lesson_00_bad_data_is_one_clear_line(tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"\x00" * 100)
    result = run_script("00_load_data.py", "--data", bad, "--out", tmp_path)
    assert_clean_failure(result, str(bad), "download mnist.npz again")
