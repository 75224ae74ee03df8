"""Stale-lock release: a dead owner's locks go, a live owner's stay."""

import os
import socket
import subprocess
import sys

from vanishing.locks import PIDFILE, release_stale_locks


def make_locks(folder, owner_pid):
    (folder / "locks").mkdir(parents=True)
    (folder / "locks" / "0.output.lock").write_text("results/summary.json\n")
    (folder / PIDFILE).write_text(f"{socket.gethostname()} {owner_pid}\n")


def dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_locks_of_a_dead_run_are_released(tmp_path):
    make_locks(tmp_path, dead_pid())
    assert release_stale_locks(tmp_path, log=lambda _: None) is True
    assert not (tmp_path / "locks").exists()
    assert (tmp_path / PIDFILE).read_text().split() == [socket.gethostname(), str(os.getpid())]


def test_locks_of_a_live_run_are_kept(tmp_path):
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as live:
        try:
            make_locks(tmp_path, live.pid)
            assert release_stale_locks(tmp_path, log=lambda _: None) is False
            assert (tmp_path / "locks" / "0.output.lock").exists()
            assert (tmp_path / PIDFILE).read_text().split()[1] == str(live.pid)
        finally:
            live.kill()


def test_locks_recorded_on_another_host_are_kept(tmp_path):
    (tmp_path / "locks").mkdir()
    (tmp_path / "locks" / "0.input.lock").write_text("x\n")
    (tmp_path / PIDFILE).write_text("some-other-host 1\n")
    assert release_stale_locks(tmp_path, log=lambda _: None) is False
    assert (tmp_path / "locks" / "0.input.lock").exists()
