"""Snakemake through a real (single-node) SLURM cluster, with the user profile profiles/slurm.

The cluster comes from tests/slurm/cluster.py: Debian's SLURM packages (installed if
missing), munged + slurmctld + slurmd on localhost, and partition "debug". The tests need
root. Without root they are skipped, except under CI=true, where they fail instead.
Deselect them with `-m "not slurm"`.
"""

import os
import shutil
import textwrap
from pathlib import Path

import pytest

try:  # tests/ is a package root or on sys.path, depending on how pytest was started
    from tests.slurm import cluster as slurm
except ImportError:
    from slurm import cluster as slurm

pytestmark = pytest.mark.slurm

TIMEOUT_S = 300

TOY_SNAKEFILE = """
rule all:
    input:
        "c.txt",


rule a:
    output:
        "a.txt",
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "python -c 'open(\\"{output}\\", \\"w\\").write(\\"1\\")'"


rule b:
    input:
        "a.txt",
    output:
        "b.txt",
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "python -c 'open(\\"{output}\\", \\"w\\").write(str(int(open(\\"{input}\\").read()) + 1))'"


rule c:
    input:
        "b.txt",
    output:
        "c.txt",
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "python -c 'open(\\"{output}\\", \\"w\\").write(str(int(open(\\"{input}\\").read()) * 10))'"
"""

FAILING_SNAKEFILE = """
rule all:
    input:
        "ok.txt",
        "boom.txt",


rule ok:
    output:
        "ok.txt",
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "python -c 'open(\\"{output}\\", \\"w\\").write(\\"ok\\")'"


rule boom:
    output:
        "boom.txt",
    resources:
        mem_mb=200,
        runtime=5,
    shell:
        "python -c 'import sys; sys.exit(1)'"
"""


@pytest.fixture(scope="session")
def slurm_cluster():
    """A running single-node SLURM cluster for the whole session, torn down at the end."""
    reason = slurm.unavailable_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the SLURM tests, but {reason}")
        pytest.skip(reason)
    with slurm.slurm_cluster() as cluster:
        yield cluster


def write_workflow(workdir: Path, snakefile_text: str) -> Path:
    """Write a Snakefile into workdir, with the repository's workflow profile, as a user has it."""
    snakefile = workdir / "Snakefile"
    snakefile.write_text(textwrap.dedent(snakefile_text))
    profile = workdir / "profiles" / "default"
    profile.mkdir(parents=True)
    shutil.copy(slurm.REPO / "profiles" / "default" / "config.yaml", profile / "config.yaml")
    return snakefile


def report(proc, jobs) -> str:
    """Snakemake's output (its end) and SLURM's job record, for assertion messages."""
    return f"exit {proc.returncode}\n{proc.stdout[-6000:]}\n{slurm.format_jobs(jobs)}"


def slurm_log_ids(workdir: Path, rule: str) -> set[int]:
    """The SLURM job ids of the plugin's log files for rule (.snakemake/slurm_logs/rule_<rule>/<id>.log)."""
    logdir = workdir / ".snakemake" / "slurm_logs" / f"rule_{rule}"
    return {int(p.stem) for p in logdir.glob("*.log")}


def test_toy_workflow_runs_every_job_through_slurm(slurm_cluster, tmp_path):
    snakefile = write_workflow(tmp_path, TOY_SNAKEFILE)

    proc = slurm.run_snakemake_slurm(tmp_path, snakefile, [], TIMEOUT_S, cluster=slurm_cluster)
    jobs = slurm_cluster.jobs(tmp_path)
    print(slurm.format_jobs(jobs))

    assert not slurm.timed_out(proc), report(proc, jobs)
    assert proc.returncode == 0, report(proc, jobs)
    assert (tmp_path / "c.txt").read_text() == "20"
    # rule all has no action, so it runs locally; the three others are SLURM jobs
    assert sorted(j.rule for j in jobs) == ["a", "b", "c"], report(proc, jobs)
    assert all(j.state == "COMPLETED" and (j.exit_code, j.signal) == (0, 0) for j in jobs), report(proc, jobs)
    assert len({j.name for j in jobs}) == 1, "all jobs of one run carry the run's UUID as job name"
    for job in jobs:
        assert slurm_log_ids(tmp_path, job.rule) == {job.job_id}, report(proc, jobs)
        assert f"has been submitted with SLURM jobid {job.job_id}" in proc.stdout


def test_failing_rule_is_reported_as_a_failed_slurm_job(slurm_cluster, tmp_path):
    snakefile = write_workflow(tmp_path, FAILING_SNAKEFILE)

    proc = slurm.run_snakemake_slurm(tmp_path, snakefile, [], TIMEOUT_S, cluster=slurm_cluster)
    jobs = {j.rule: j for j in slurm_cluster.jobs(tmp_path)}
    print(slurm.format_jobs(list(jobs.values())))

    assert not slurm.timed_out(proc), report(proc, jobs.values())
    assert proc.returncode != 0, report(proc, jobs.values())
    assert set(jobs) == {"ok", "boom"}, report(proc, jobs.values())
    assert (jobs["ok"].state, jobs["ok"].exit_code) == ("COMPLETED", 0)
    assert (jobs["boom"].state, jobs["boom"].exit_code) == ("FAILED", 1)
    boom_id = jobs["boom"].job_id
    assert f"SLURM-job '{boom_id}' failed" in proc.stdout, report(proc, jobs.values())
    assert "Error in rule boom" in proc.stdout, report(proc, jobs.values())
    assert slurm_log_ids(tmp_path, "boom") == {boom_id}, "the failed job's SLURM log is kept"
    assert not (tmp_path / "boom.txt").exists()
