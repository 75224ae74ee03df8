"""Drills of issue 10 through Snakemake with the real MNIST: a flipped byte or permuted labels in
`data/mnist/raw`, or a changed split, are refused before any training; the advised command
recovers; a killed run's `.part` leftovers are removed by the next run."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import copy_project, run_snakemake, write_config
from vanishing.mnist import data

SPLIT_FILES = ["data/mnist/train.npz", "data/mnist/validation.npz", "data/mnist/test.npz"]
TRAINING = "results/depth_accuracy/depth1/seed0.json"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory, quick_config):
    """A project copy whose raw files and splits were made by Snakemake (fetch, prepare)."""
    work = copy_project(tmp_path_factory.mktemp("prepared"))
    write_config(work / "test.yaml", quick_config)
    run_snakemake(work, *SPLIT_FILES, "--cores", "1", "--configfile", "test.yaml")
    return work


@pytest.fixture
def work(prepared, tmp_path):
    """A fresh copy of the prepared project (timestamps kept) for one drill."""
    return shutil.copytree(prepared, tmp_path / "work", symlinks=True)


def run(work, *targets, check=False):
    return run_snakemake(work, *targets, "--cores", "1", "--configfile", "test.yaml", check=check)


def flip_byte(path):
    content = bytearray(path.read_bytes())
    content[1000] ^= 0x01
    path.write_bytes(bytes(content))


def permute_labels(path):
    content = path.read_bytes()
    labels = np.frombuffer(content[8:], dtype=np.uint8)
    path.write_bytes(content[:8] + np.random.default_rng(0).permutation(labels).tobytes())


@pytest.mark.parametrize(
    ("name", "change"), [(data.TRAIN_IMAGES, flip_byte), (data.TRAIN_LABELS, permute_labels)]
)
def test_a_changed_raw_file_is_refused_before_training(work, name, change):
    raw = work / "data" / "mnist" / "raw" / name
    size = raw.stat().st_size
    change(raw)
    assert raw.stat().st_size == size
    proc = run(work, TRAINING)
    assert proc.returncode != 0
    log = (work / "logs" / "data" / "prepare_mnist.log").read_text()
    for text in (proc.stdout, log):
        assert f"{raw.relative_to(work)} has SHA-256" in text, text[-3000:]
        assert f"expected {data.CHECKSUMS[name]}" in text
        assert "snakemake --cores 1 --forcerun fetch_mnist" in text
    assert "rule train_depth_accuracy" not in proc.stdout  # no training job started
    assert not (work / TRAINING).exists()
    # The advised command refetches the verified files and the run goes on.
    run_snakemake(work, *SPLIT_FILES, "--cores", "1", "--configfile", "test.yaml", "--forcerun", "fetch_mnist")
    assert data.sha256_file(raw) == data.CHECKSUMS[name]


def test_a_changed_split_is_refused_by_the_training_job(work):
    split = work / "data" / "mnist" / "train.npz"
    x, y = data.load_split(split, dtype=np.float32)
    np.savez(split, x=x, y=np.roll(y, 1))  # a well-formed split with the wrong labels
    proc = run(work, TRAINING)
    assert proc.returncode != 0
    assert "rule prepare_mnist" not in proc.stdout  # the split is newer than its inputs
    # the job's log: seed0.log, or seeds0-1.log when E1 trains its seeds stacked (stack_seeds > 1)
    log = "".join(p.read_text() for p in (work / "logs" / "depth_accuracy" / "depth1").glob("seed*.log"))
    assert "data/mnist/train.npz has SHA-256" in log and "--forcerun prepare_mnist" in log
    assert not (work / TRAINING).exists()


def test_a_killed_runs_leftovers_are_removed_by_the_next_run(work):
    leftovers = [
        work / "data" / "mnist" / ".train.npz.x7k2m9q1.part.npz",
        work / "data" / "mnist" / "raw" / ".fetch-ab12cd34.part" / data.TRAIN_IMAGES,
        work / "results" / "tables" / ".chain.csv.k3j_x9a0.part",
    ]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 1000)
    proc = run_snakemake(work, "-n", "--configfile", "test.yaml")
    assert "Removed 2 temporary file(s) left in data/mnist by a killed run" in proc.stdout
    assert "Removed 1 temporary file(s) left by a killed run" in proc.stdout
    assert not any(p.exists() for p in leftovers)
    assert not (work / "data" / "mnist" / "raw" / ".fetch-ab12cd34.part").exists()
    assert (work / "data" / "mnist" / "train.npz").exists()


def test_two_clones_sharing_a_data_folder_both_finish(tmp_path, mnist_raw, quick_config):
    """Clone A fetches into a shared absolute data.dir from a mirror held back by the test; clone
    B's dry run meanwhile leaves A's fetch alone, and B's own run waits for A's lock and keeps the
    files A finished. Both runs finish; the splits are the verified ones."""
    import functools
    import gzip
    import http.server
    import subprocess
    import threading
    import time

    from conftest import SNAKEMAKE

    site = tmp_path / "site"
    site.mkdir()
    for name in data.RAW_NAMES:
        (site / f"{name}.gz").write_bytes(gzip.compress((mnist_raw / name).read_bytes(), compresslevel=1))
    release = threading.Event()

    class HeldMirror(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            release.wait(timeout=120)
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(HeldMirror, directory=str(site)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    shared = tmp_path / "shared" / "mnist"
    config = {**quick_config, "data": {"dir": str(shared), "allow_outside_project": True, "timeout": 300,
                                       "sources": [f"http://127.0.0.1:{server.server_address[1]}/"]}}
    clones = {}
    for name in ("a", "b"):
        clones[name] = copy_project(tmp_path / name)
        write_config(clones[name] / "test.yaml", config)
    targets = [str(shared / f"{split}.npz") for split in data.SPLITS]

    def start(name):
        return subprocess.Popen([SNAKEMAKE, *targets, "--cores", "1", "--configfile", "test.yaml"], cwd=clones[name],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_for(condition, what, seconds=120):
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            for name, proc in runs.items():
                assert proc.poll() is None, f"clone {name} ended early:\n{proc.communicate()[0][-4000:]}"
            time.sleep(0.1)

    runs = {}
    try:
        runs["a"] = start("a")
        wait_for(lambda: list((shared / "raw").glob(".fetch-*.part")), "A's fetch to start")
        staging = list((shared / "raw").glob(".fetch-*.part"))
        dry = run_snakemake(clones["b"], "-n", "--configfile", "test.yaml", timeout=300)
        assert "another run is fetching or preparing MNIST there" in dry.stdout, dry.stdout[-3000:]
        assert all(p.exists() for p in staging)  # A's fetch in progress is not deleted
        runs["b"] = start("b")
        b_log = clones["b"] / "logs" / "data" / "fetch_mnist.log"
        wait_for(lambda: b_log.exists() and "waiting for another run" in b_log.read_text(), "B to wait for A's lock")
        release.set()
        outputs = {name: proc.communicate(timeout=600)[0] for name, proc in runs.items()}
    finally:
        release.set()
        for proc in runs.values():
            proc.kill()
        server.shutdown()
        server.server_close()
    for name, proc in runs.items():
        assert proc.returncode == 0, f"clone {name}:\n{outputs[name][-4000:]}"
    assert "kept" in b_log.read_text()  # B used A's finished fetch
    for split in data.SPLITS:
        data.verify_split(shared / f"{split}.npz")
    assert data.read_json(shared / "raw" / "source.json")["source"] == config["data"]["sources"][0]


@pytest.fixture
def finished(quick_run, tmp_path):
    """A fresh copy of the quick config's whole run (timestamps kept) for one drill."""
    return shutil.copytree(quick_run, tmp_path / "finished", symlinks=True)


TABLE = "results/tables/depth_accuracy.csv"


def test_a_truncated_seed_file_is_named_and_the_advised_command_rebuilds_it(finished):
    seed, table = finished / TRAINING, finished / TABLE
    original = table.read_bytes()
    content = seed.read_bytes()
    seed.write_bytes(content[: len(content) // 2])  # newer than the table: the table is remade from it
    proc = run(finished, TABLE)
    assert proc.returncode != 0
    advice = f"snakemake --cores 1 --forcerun {TRAINING}"
    log = (finished / "logs" / "tables" / "depth_accuracy.log").read_text()
    for text in (proc.stdout, log):
        assert f"{TRAINING}: not valid JSON (" in text and advice in text, text[-3000:]
    run_snakemake(finished, TABLE, *advice.split()[1:], "--configfile", "test.yaml")
    assert table.read_bytes() == original


def test_a_hand_edited_table_is_refused_and_the_advised_command_rebuilds_it(finished, quick_run):
    """Final-epoch validation accuracy set to 12.5 by hand: the summary (and every other reader)
    refuses the table, the report is not remade from it, and the advised command restores it."""
    import pandas as pd

    table = finished / TABLE
    original, report = table.read_bytes(), (finished / "results" / "report" / "report.html").read_bytes()
    frame = pd.read_csv(table)
    frame.loc[frame["epoch"] == frame["epoch"].max(), "validation_accuracy"] = 12.5
    frame.to_csv(table, index=False, float_format="%.17g")
    proc = run(finished)
    assert proc.returncode != 0
    advice = f"snakemake --cores 1 --forcerun {TABLE}"
    assert f"{TABLE} has SHA-256 " in proc.stdout and "the table was changed after it was made" in proc.stdout
    assert advice in proc.stdout, proc.stdout[-3000:]
    assert (finished / "results" / "report" / "report.html").read_bytes() == report  # not remade from it
    run_snakemake(finished, *advice.split()[1:], "--configfile", "test.yaml")
    assert table.read_bytes() == original
    summaries = [data.read_json(work / "results" / "summary.json")["depth_accuracy"] for work in (finished, quick_run)]
    assert summaries[0] == summaries[1]
