"""The benchmark command at a small size: every case runs and reports sane figures.

This is a smoke test, not a timed one: it checks the command works end to end (generated
data, real batch jobs, a real server for the upload) and that each figure is there.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_runs_every_case_at_a_small_size(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "gateway.bench",
            "--rows",
            "2000",
            "--json",
            "--workdir",
            str(tmp_path / "work"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert document["command"] == "python -m gateway.bench --rows 2000 --json --workdir " + str(
        tmp_path / "work"
    )
    assert document["broken_cases"] == []
    assert set(document["cases"]) == {"1", "2", "3", "4", "5", "6"}
    for number, case in document["cases"].items():
        assert "error" not in case, case
        assert case["rows"] > 0, number
        assert case["rows_per_second"] > 0, number
        assert case["peak_rss_mb"] > 0, number
        assert case["check_ok"] is True, number
        assert isinstance(case["met"], bool), number
    jobs = document["cases"]
    assert [jobs[n]["rows"] for n in ("1", "2", "3")] == [2000, 10000, 400]
    assert all(jobs[n]["state"] == "certified" for n in ("1", "2", "3"))
    # Rejections spread over many codes, as the generator intends.
    assert len(jobs["1"]["counts"]["by_code"]) >= 15
    assert jobs["4"]["entries"] == 60_000
    assert jobs["4"]["bytes_per_entry_disk"] <= 16.01
    assert jobs["5"]["status"] == 202
    assert jobs["5"]["bytes"] > 1_900_000
    assert jobs["6"]["speedup"] > 0
    assert jobs["6"]["counts"] == jobs["6"]["baseline_counts"]
    # Nothing is left behind but the work folder itself.
    assert not any((tmp_path / "work").iterdir())


def test_unknown_case_is_refused():
    done = subprocess.run(
        [sys.executable, "-m", "gateway.bench", "--cases", "7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "cases are numbers 1-6" in done.stderr
