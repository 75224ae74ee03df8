"""Snakemake through a real (single-node) SLURM cluster, with the user profile profiles/slurm.

The cluster comes from tests/slurm/cluster.py: Debian's SLURM packages (installed if
missing), munged + slurmctld + slurmd on localhost, and partition "debug". The tests need
root. Without root they are skipped, except under CI=true, where they fail instead.
Deselect them with `-m "not slurm"`.

Two toy workflows check the plugin and the profiles (every job through SLURM, a failing job
reported as failed); the last test runs the project's own quick config through SLURM and
compares its tables with those of the local run.
"""

import os
import shutil
import textwrap
import time
from pathlib import Path

import pytest
import yaml

from vanishing.beyond import optimizer_names

from conftest import copy_project, write_config

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


# --------------------------------------------------------------------------- the project itself

QUICK_TIMEOUT_S = 1800  # generous: the quick DAG (36 SLURM jobs) takes a few minutes on 2 cores
COMPARED_TABLES = ["depth_accuracy", "initial_speed", "learning_speed", "chain", "window",
                   "beyond_init", "beyond_saturation", "beyond_optimizers", "beyond_table1"]


def expected_slurm_jobs(config: dict) -> dict[str, set[str]]:
    """rule -> the wildcard strings (values joined by '_', as the plugin writes them) of its SLURM jobs.

    Every other rule of the DAG is a localrule and must not reach SLURM.
    """
    e1, e2, e3 = config["depth_accuracy"], config["initial_speed"], config["learning_speed"]
    b = resolved_beyond(config)
    r1, r2, r3, r4 = b["init"], b["saturation"], b["optimizers"], b["table1"]
    why_deeper = resolved_sections(config, "why_deeper")
    base_e1 = yaml.safe_load((slurm.REPO / "config" / "config.yaml").read_text())["depth_accuracy"]
    budget = {**base_e1, **e1, **why_deeper["budget"]}
    remedies, equalized = why_deeper["remedies"], why_deeper["equalized"]
    return {
        "prepare_mnist": {""},
        "initial_speed": {str(d) for d in e2["hidden_layers"]},
        **stacked_jobs("train_depth_accuracy", {str(d) for d in e1["hidden_layers"]}, e1["seeds"],
                       e1.get("stack_seeds", 5)),
        "train_learning_speed": {f"{d}_{s}" for d in e3["hidden_layers"] for s in e3["seeds"]},
        "beyond_init": {f"{a}_{i}" for a in r1["activations"] for i in r1["inits"]},
        **stacked_jobs("beyond_saturation", {f"{a}_{i}" for a in r2["activations"] for i in r2["inits"]},
                       r2["seeds"], b["stack_seeds"]["saturation"]),
        **selection_jobs(r3, b["stack_seeds"]["selection"]),
        **stacked_jobs("beyond_optimizer", set(optimizer_names(r3)), r3["seeds"], b["stack_seeds"]["optimizers"]),
        **stacked_jobs("beyond_table1", {f"{a}_{i}" for a in r4["activations"] for i in r4["inits"]},
                       r4["seeds"], b["stack_seeds"]["table1"]),
        # the chapter's causes: one job per experiment (workflow/rules/causes.smk)
        "causes_run": {"depth_sweep", "jacobian", "regime", "layerwise"},
        # why deeper is no better: E1's runs for longer, E2 at N(0, 1) weights, the remedies
        **stacked_jobs("why_deeper_budget", {str(d) for d in budget["hidden_layers"]}, budget["seeds"],
                       budget["stack_seeds"]),
        "why_deeper_large_init": {str(d) for d in e2["hidden_layers"]},
        **stacked_jobs("why_deeper_remedies", {f"{r}_{d}" for r in remedies["remedies"] for d in remedies["hidden_layers"]},
                       remedies["seeds"], remedies["stack_seeds"]),
        **stacked_jobs("why_deeper_equalized", {f"{r}_{d}" for r in equalized["remedies"] for d in equalized["hidden_layers"]},
                       equalized["seeds"], equalized["stack_seeds"]),
    }


def stacked_jobs(rule: str, configurations: set[str], seeds: list, size: int) -> dict[str, set[str]]:
    """A stacked training rule's SLURM jobs: one per configuration and chunk of ``size`` seeds (the
    config's stack_seeds; 1 gives chunks of one), each chunk a rule <rule>_seeds<first>_<last>."""
    chunks = [seeds[i : i + size] for i in range(0, len(seeds), size)]
    return {f"{rule}_seeds{c[0]}_{c[-1]}": set(configurations) for c in chunks}


def selection_jobs(r3: dict, size: int) -> dict[str, set[str]]:
    """R3's selection jobs: one per optimizer, selection seed and chunk of ``size`` etas (the
    config's beyond.stack_seeds.selection; 1 gives chunks of one), chunk k a rule
    beyond_optimizer_select_etas<k>."""
    chunks = range(-(-len(r3["etas"]) // size))
    return {f"beyond_optimizer_select_etas{k}": {f"{o}_{s}" for o in optimizer_names(r3) for s in r3["select_seeds"]}
            for k in chunks}


def resolved_sections(config: dict, part: str) -> dict:
    """A config part made of sections (`beyond:`, `why_deeper:`) as Snakemake resolves it:
    config/config.yaml's sections updated by ``config``'s."""
    base = yaml.safe_load((slurm.REPO / "config" / "config.yaml").read_text())[part]
    given = config.get(part, {})
    return {name: {**section, **given.get(name, {})} if isinstance(section, dict) else given.get(name, section)
            for name, section in base.items()}


def resolved_beyond(config: dict) -> dict:
    """The `beyond:` section as Snakemake resolves it."""
    return resolved_sections(config, "beyond")


@pytest.mark.slow
def test_quick_config_runs_through_slurm_and_reproduces_the_local_tables(
    slurm_cluster, tmp_path, quick_config, quick_run
):
    workdir = copy_project(tmp_path / "project")
    config = write_config(workdir / "test.yaml", quick_config)
    expected = expected_slurm_jobs(quick_config)
    base_config = yaml.safe_load((slurm.REPO / "config" / "config.yaml").read_text())
    threads = quick_config.get("threads", base_config["threads"])
    profile = yaml.safe_load((slurm.USER_PROFILE / "config.yaml").read_text())

    start = time.monotonic()
    proc = slurm.run_snakemake_slurm(
        workdir, workdir / "Snakefile", ["--configfile", str(config)], QUICK_TIMEOUT_S, cluster=slurm_cluster
    )
    wall_s = time.monotonic() - start
    jobs = slurm_cluster.jobs(workdir)
    print(f"\nquick config through SLURM: {wall_s:.0f} s wall time, {len(jobs)} SLURM jobs")
    print(slurm.format_jobs(jobs))

    assert not slurm.timed_out(proc), report(proc, jobs)
    assert proc.returncode == 0, report(proc, jobs)

    # Only the heavy rules went to SLURM, each exactly once per depth (x seed), and all succeeded.
    by_rule = {rule: [j for j in jobs if j.rule == rule] for rule in {j.rule for j in jobs}}
    assert set(by_rule) == set(expected), report(proc, jobs)
    for rule, wildcards in expected.items():
        assert len(by_rule[rule]) == len(wildcards), (rule, report(proc, jobs))
        assert {j.wildcards for j in by_rule[rule]} == wildcards, (rule, report(proc, jobs))
    assert all(j.state == "COMPLETED" and (j.exit_code, j.signal) == (0, 0) for j in jobs), report(proc, jobs)
    assert len({j.name for j in jobs}) == 1, "all jobs of one run carry the run's UUID as job name"

    # Each job left its plugin log at .snakemake/slurm_logs/rule_<rule>/<wildcards>/<jobid>.log.
    for job in jobs:
        logdir = workdir / ".snakemake" / "slurm_logs" / f"rule_{job.rule}" / job.wildcards
        assert {int(p.stem) for p in logdir.glob("*.log")} == {job.job_id}, (job, report(proc, jobs))
        assert f"has been submitted with SLURM jobid {job.job_id}" in proc.stdout

    # The resources SLURM granted: threads -> --cpus-per-task, the profile's partition and,
    # for the rules it names in set-resources, its mem_mb and runtime.
    partition = profile["default-resources"].get("slurm_partition")
    for job in jobs:
        assert job.cpus_per_task == threads, job
        if partition:
            assert job.partition == partition, job
        wanted = profile.get("set-resources", {}).get(job.rule, {})
        if "mem_mb" in wanted:
            assert job.mem_mb == wanted["mem_mb"], job
        if "runtime" in wanted:
            assert job.time_limit_min == wanted["runtime"], job

    # The same numbers as the local run, to the byte.
    for name in COMPARED_TABLES:
        ours = (workdir / "results" / "tables" / f"{name}.csv").read_bytes()
        assert ours == (quick_run / "results" / "tables" / f"{name}.csv").read_bytes(), name
