"""The benchmark harness runs end to end on a tiny catalogue and writes its table and plot."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks import measure, report, run

CASES = [
    "list: no filter",
    "list: one facet",
    "list: party facet",
    "list: three facets",
    "list: two values in one facet",
    "list: date range",
    "list: in force on a date",
    "list: text search",
    "list: page 1",
    "list: deep page",
    "detail: many parties",
]


@pytest.mark.django_db
def test_the_harness_measures_every_case_and_writes_the_table_and_plot(tmp_path):
    assert run.main(["--here", "--treaties", "30", "--quick", "--repeat", "2", "--output-dir", str(tmp_path)]) == 0

    (raw,) = (tmp_path / "results").glob("pages-*.json")
    result = json.loads(raw.read_text())
    assert result["treaties"] == 30
    assert [case["name"] for case in result["cases"]] == CASES
    for case in result["cases"]:
        public = case["public"]
        assert public["status"] == 200, case["name"]
        assert public["median_ms"] > 0 and public["p95_ms"] >= public["median_ms"] and public["first_ms"] > 0
        assert public["queries"] > 0 and public["sql_ms"] > 0, case["name"]
        assert public["slowest_sql"].lstrip().upper().startswith("SELECT") and public["plan"]
    with_admin = [case for case in result["cases"] if case["admin"]]
    assert len(with_admin) == 9  # every list case the admin can express
    assert all(case["admin"]["status"] == 200 and case["admin"]["queries"] > 0 for case in with_admin)

    table = (tmp_path / "results.md").read_text()
    for name in CASES:
        assert f"| {name} |" in table
    assert "Targets, measured on" not in table or "at 30 treaties" in table
    assert (tmp_path / "page_time_vs_size.png").read_bytes().startswith(b"\x89PNG")


def test_the_report_includes_import_and_load_results(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "import-1000.json").write_text(
        json.dumps(
            {
                "size": 1000,
                "csv_mb": 1.5,
                "fixture_mb": 4.2,
                "import": {"seconds": 12.5, "max_rss_mb": 180.0},
                "loaddata": {"seconds": 250.0, "max_rss_mb": 900.0},
                "speedup": 20.0,
            }
        )
    )
    (results / "load-1000.json").write_text(
        json.dumps(
            {
                "size": 1000,
                "workers": 2,
                "connections": 16,
                "seconds": 30.0,
                "requests": 9000,
                "rps": 300.0,
                "p50_ms": 40.0,
                "p95_ms": 90.0,
                "p99_ms": 150.0,
                "errors": 0,
            }
        )
    )
    text = report.write(results, tmp_path).read_text()
    assert "| 1,000 | 1.5 | 12.5 | 180 | 4.2 | 250.0 | 900 | 20.0× |" in text
    assert "| 1,000 | 2 | 16 | 30 | 9,000 | 300.0 | 40.0 | 90.0 | 150 | 0 |" in text


def measured_python(code: str) -> dict:
    """What ``benchmarks.rss`` reports for a Python process running ``code``."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.rss", "--", sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def test_peak_memory_is_that_of_the_measured_command_alone():
    allocate = "x = bytearray(80 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    result = measured_python(allocate)
    assert result["returncode"] == 0
    assert 80 <= result["max_rss_mb"] < 400
    assert result["seconds"] > 0


def test_memory_of_a_forking_command_is_summed_over_its_processes():
    both = (
        "import os, time\n"
        "pid = os.fork()\n"
        "x = bytearray(70 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])\n"
        "time.sleep(0.8)\n"
        "os._exit(0) if pid == 0 else os.waitpid(pid, 0)\n"
    )
    result = measured_python(both)
    assert result["returncode"] == 0
    assert 70 <= result["max_rss_mb"] < 200  # the largest single process
    assert result["tree_pss_mb"] >= 140  # both processes' own 70 MB


def test_percentile_and_bad_arguments():
    assert measure.percentile([5, 1, 3, 2, 4], 0.5) == 3
    assert measure.percentile(list(range(1, 101)), 0.95) == 95
    with pytest.raises(SystemExit):
        run.parse_args(["--only", "pages,everything"])
    with pytest.raises(SystemExit):
        run.parse_args(["--sizes", "lots"])
    args = run.parse_args(["--quick", "--sizes", "2500", "--sqlite", "0"])
    assert (args.size_list, args.sqlite_list, args.repeat, args.import_size) == ([2500], [], 5, 2500)
