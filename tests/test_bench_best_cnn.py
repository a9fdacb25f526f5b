"""bench/bench_best_cnn.py --compare: its bookkeeping with stand-in runs, and one real run of
the lesson and a candidate in the lesson's quick mode. (Its own file, so that pytest-xdist can
run it beside the lesson's tests.)"""

import argparse
import json
import sys
from pathlib import Path

from conftest import PROJECT_DIR, assert_clean_failure, run_script

sys.path.insert(0, str(PROJECT_DIR / "bench"))
import bench_best_cnn  # noqa: E402


def test_compare_alternates_the_order_and_reports_each_seed_and_the_mean(
    tmp_path, monkeypatch, capsys
):
    candidate = tmp_path / "my_variant.py"
    candidate.write_text("")
    calls = []

    def stand_in_run(script, flags, seed, args, tta, keep=None):
        """What a run of the lesson returns: the candidate 0.01 points and 60 s worse."""
        calls.append((Path(script).name, seed, flags, tta))
        worse = 1 if flags else 0
        error = {"1": 0.30, "2": 0.40, "3": 0.35}[seed] + 0.01 * worse
        metrics = {
            "seed": int(seed),
            "single_pass_test_error_percent": error,
            "validation_error_percent": error + 0.1,
            "train_seconds": 600.0 + 60 * worse,
        }
        return metrics, 700.0

    monkeypatch.setattr(bench_best_cnn, "run_configuration", stand_in_run)
    args = argparse.Namespace(
        seeds=["1", "2", "3"], candidate=f"{candidate} --no-schedule", out=None
    )
    bench_best_cnn.run_comparison(args)

    lesson, variant = ("05_best_cnn.py", []), ("my_variant.py", ["--no-schedule"])
    order = [lesson, variant, variant, lesson, lesson, variant]  # a slow stretch hits both
    assert calls == [(name, seed, flags, 0) for (name, flags), seed in zip(order, "112233")]
    lines = capsys.readouterr().out.splitlines()
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in lines if "| " in line}
    assert [cell.strip() for cell in rows["the lesson's recipe"]] == [
        "0.30%", "0.40%", "0.35%", "**0.350%**", "0.450%", "10.0, 10.0, 10.0 min", "10.0 min",
        "1.00",
    ]  # fmt: skip
    assert [cell.strip() for cell in rows["candidate `my_variant.py --no-schedule`"]] == [
        "0.31%", "0.41%", "0.36%", "**0.360%**", "0.460%", "11.0, 11.0, 11.0 min", "11.0 min",
        "1.10",
    ]  # fmt: skip
    assert lines[-1] == (
        "Goal for candidate `my_variant.py --no-schedule`: mean 0.360% in one pass "
        "(<= 0.33%: missed), longest training 11.0 min (<= 11 min: met)"
    )


def test_compare_runs_the_lesson_and_a_copy_of_it_from_another_folder(tmp_path, mnist_npz):
    """For real, in quick mode: the copy finds `common`, its flag takes effect, and each run's
    model and output are kept."""
    candidate = tmp_path / "elsewhere" / "my_variant.py"
    candidate.parent.mkdir()
    candidate.write_text((PROJECT_DIR / "05_best_cnn.py").read_text())
    results = tmp_path / "results"
    result = run_script(
        "bench/bench_best_cnn.py",
        "--compare",
        "--quick",
        "--seeds",
        "1",
        "--candidate",
        f"{candidate} --no-schedule",
        "--data",
        mnist_npz,
        "--results",
        results,
        "--out",
        tmp_path / "kept",
    )
    assert result.returncode == 0, result.stderr
    rows = json.loads(next(results.glob("best_cnn-compare-*.json")).read_text())
    assert [(row["recipe"], row["seed"]) for row in rows] == [("lesson", 1), ("candidate", 1)]
    for row in rows:
        assert row["schedule"] is (row["recipe"] == "lesson")  # the candidate's flag counted
        assert row["tta_copies"] == 0 and row["quick"]
        assert 0 <= row["validation_error_percent"] <= 100
    assert "| candidate `my_variant.py --no-schedule` |" in result.stdout
    assert len(list(results.glob("*.log"))) == 2  # each run's own output, kept
    kept = sorted(path.parent.parent.name for path in tmp_path.glob("kept/*/models/*.keras"))
    assert kept == ["candidate-seed1", "lesson-seed1"]


def test_bench_candidate_that_is_not_a_file_is_one_clear_line(tmp_path):
    result = run_script("bench/bench_best_cnn.py", "--compare", "--candidate", tmp_path / "no.py")
    assert_clean_failure(result, "--candidate", "no.py")
