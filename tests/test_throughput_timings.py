"""benchmarks/job_seconds.py: job-seconds per experiment from Snakemake's benchmark files."""

import importlib.util

import pytest

from conftest import REPO

spec = importlib.util.spec_from_file_location("job_seconds", REPO / "benchmarks" / "job_seconds.py")
job_seconds = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job_seconds)

HEADER = "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"


def bench(root, name, seconds, rss="120.5"):
    path = root / "benchmarks" / f"{name}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + f"{seconds}\t0:00:01\t{rss}\t1\t1\t1\t0\t0\t90\t{seconds}\n")


@pytest.fixture
def results(tmp_path):
    bench(tmp_path, "depth_accuracy/depth1/seeds0-4", 30.0)
    bench(tmp_path, "depth_accuracy/depth4/seeds0-4", 50.5)
    bench(tmp_path, "learning_speed/depth2/seed0", 2.0, rss="-")
    bench(tmp_path, "beyond/r3/sgd/eta0.1/seed0", 7.0)
    bench(tmp_path, "beyond/r3/nesterov-0.9/eta0.1/seed0", 9.0)
    bench(tmp_path, "beyond/r4/relu_glorot/seed0", 4.0)
    bench(tmp_path, "why_deeper/remedies/residual/depth6/seeds0-4", 6.0)
    bench(tmp_path, "causes/regime", 3.0)
    return tmp_path


def test_groups_sum_job_seconds_per_experiment(results):
    rows = job_seconds.read_benchmarks(sorted(str(p) for p in (results / "benchmarks").rglob("*.tsv")))
    groups = job_seconds.job_seconds(rows)
    assert groups == {"beyond/r3": (2, 16.0, 9.0), "beyond/r4": (1, 4.0, 4.0), "causes": (1, 3.0, 3.0),
                      "depth_accuracy": (2, 80.5, 50.5), "learning_speed": (1, 2.0, 2.0),
                      "why_deeper/remedies": (1, 6.0, 6.0)}
    # the chapter's experiments first, then R1-R4, then the why-deeper questions
    assert list(groups) == ["causes", "depth_accuracy", "learning_speed", "beyond/r3", "beyond/r4",
                            "why_deeper/remedies"]
    table = job_seconds.markdown(groups, t=0.5)
    assert "| E1 depth vs accuracy (`depth_accuracy`) | 2 | 80 | 50 | 161 |" in table
    assert "| R3 optimizers (`beyond/r3`) | 2 | 16 | 9 | 32 |" in table
    assert "| Q4 remedies (and Q2's rule at their budget) (`why_deeper/remedies`) | 1 | 6 | 6 | 12 |" in table
    assert table.splitlines()[-1] == "| all | 8 | 112 | 50 | 223 |"


def test_update_replaces_only_the_marked_block(results, tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- job-seconds:begin -->\nold table\n<!-- job-seconds:end -->\nafter\n")
    monkeypatch.setattr("sys.argv", ["job_seconds.py", "--results", str(results), "--update", str(readme)])
    job_seconds.main()
    text = readme.read_text()
    assert text.startswith("intro\n<!-- job-seconds:begin -->\n| experiment |")
    assert text.endswith("<!-- job-seconds:end -->\nafter\n")
    assert "old table" not in text and "| learning_speed (`learning_speed`)" not in text
    readme.write_text("no markers\n")
    with pytest.raises(SystemExit, match="no <!-- job-seconds:begin -->"):
        job_seconds.main()


def test_no_benchmark_files_is_an_error_naming_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.argv", ["job_seconds.py", "--results", str(tmp_path)])
    with pytest.raises(SystemExit, match="no benchmark files under"):
        job_seconds.main()
