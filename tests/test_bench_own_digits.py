"""bench/bench_own_digits.py: its counts, its list of misses, and an empty folder."""

from conftest import assert_clean_failure, run_script
from digits import photo_of


def test_bench_own_digits_counts_a_labelled_folder(tmp_path, digit_model):
    """One subfolder per digit, as the course's collection is laid out; one image is filed
    under the wrong digit, so the count and the list of misses must show it."""
    folder = tmp_path / "digits"
    for digit in range(10):
        (folder / str(digit)).mkdir(parents=True)
        photo_of(str(digit), seed=digit).save(folder / str(digit) / f"writer__{digit}.jpg")
    photo_of("7", seed=7).save(folder / "1" / "other__seven.jpg")
    result = run_script(
        "bench/bench_own_digits.py", folder, "--model", digit_model, "--model", digit_model
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(f"Model: {digit_model}: 10/11 prepared images") == 2
    assert "The table is for the average of these 2 models' probabilities." in result.stdout
    assert "| writer | 10 | 100% |" in result.stdout
    assert "| other | 1 | 0% |" in result.stdout
    assert "| all | 11 | 10/11 = 90.9% |" in result.stdout
    wrong = [line for line in result.stdout.splitlines() if line.startswith("read wrong")]
    assert wrong == [f"read wrong: {folder / '1' / 'other__seven.jpg'} is a 1, read as 7"]


def test_bench_own_digits_empty_folder_is_one_clear_line(tmp_path, digit_model):
    result = run_script("bench/bench_own_digits.py", tmp_path, "--model", digit_model)
    assert_clean_failure(result, "no images in")
