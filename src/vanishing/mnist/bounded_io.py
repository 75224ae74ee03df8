"""Bounded I/O for fetching data from sources that may be hostile or broken: a deadline on a whole
download (however slowly a server trickles), a cap on decompressed size (a gzip bomb writes at
most the expected bytes), and child processes that die with their parent.

Every failure is a :class:`SourceError` whose message names the URL or file and the reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import gzip
import http.client
import os
import shutil
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
import zlib
from pathlib import Path

CHUNK = 1 << 20


class SourceError(Exception):
    """A source could not supply the four verified IDX files; the message says why."""


# --------------------------------------------------------------------------- size caps


def too_large(label: str, limit: int) -> SourceError:
    """The error for a file that would grow beyond its known size ``limit``."""
    return SourceError(f"{label}: larger than the expected {limit} bytes; rejected")


def gunzip(fileobj, dest, label: str, limit: int):
    """Decompress the gzip stream ``fileobj`` into ``dest``, at most ``limit`` bytes: a larger
    output (a gzip bomb) stops the decompression before anything beyond ``limit`` is written.
    ``label`` names the stream in errors."""
    written = 0
    try:
        with gzip.GzipFile(fileobj=fileobj, mode="rb") as gz, open(dest, "wb") as out:
            while chunk := gz.read(CHUNK):
                written += len(chunk)
                if written > limit:
                    raise too_large(label, limit)
                out.write(chunk)
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise SourceError(f"{label}: not a valid gzip file ({e})") from e


def copy_local(src: Path, dest, limit: int):
    """Copy a local IDX file into ``dest`` (at most ``limit`` bytes), decompressing it if its
    name ends in ``.gz``."""
    if src.suffix == ".gz":
        with open(src, "rb") as f:
            gunzip(f, dest, str(src), limit)
    elif src.stat().st_size > limit:
        raise too_large(str(src), limit)
    else:
        shutil.copyfile(src, dest)


# --------------------------------------------------------------------------- child processes


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with(parent: int):
    """A ``preexec_fn``: have Linux SIGKILL the child when its parent dies (even by SIGKILL),
    so that a killed run leaves no orphan that started in its own session."""

    def preexec():
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):  # not Linux: the timeout still bounds the child
            return
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


def run_with_timeout(command: list[str], cwd, timeout: float) -> subprocess.CompletedProcess:
    """Run ``command`` capturing its output; after ``timeout`` seconds kill its whole process
    group (so no grandchild keeps the pipes open) and raise :class:`subprocess.TimeoutExpired`.
    The command is killed too if this process dies first.
    """
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=die_with(os.getpid()),
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


# --------------------------------------------------------------------------- deadlines


def error_text(e: BaseException) -> str:
    """A short reason for a network error (URLError wraps the interesting part)."""
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return f"{type(e).__name__}: {e}"


def shorten(text: str, limit: int = 200) -> str:
    """``text`` cut to ``limit`` characters (a server chooses it: never quote it whole)."""
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} characters)"


class HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http:// or https://; any other target is a :class:`SourceError`
    (urllib's own handler also follows ftp://, which no deadline here would watch)."""

    def http_error_302(self, req, fp, code, msg, headers):
        location = headers.get("location") or headers.get("uri")
        if location is not None:
            target = urllib.parse.urljoin(req.full_url, location.strip())
            if urllib.parse.urlsplit(target).scheme.lower() not in ("http", "https"):
                raise SourceError(f"{req.full_url}: redirected to {shorten(target)}: refused, only http:// "
                                  "and https:// redirects are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


class Watchdog:
    """Shuts down every socket a download opened once its deadline passes, so that no read,
    however slowly a server trickles, outlives the deadline (``urlopen``'s timeout bounds
    each read only)."""

    def __init__(self, seconds: float):
        self.sockets: list[socket.socket] = []
        self.expired = False
        self.lock = threading.Lock()
        self.timer = threading.Timer(max(seconds, 0.0), self.expire)
        self.timer.daemon = True

    def create_connection(self, *args, **kwargs) -> socket.socket:
        sock = socket.create_connection(*args, **kwargs)
        with self.lock:
            self.sockets.append(sock)
            if self.expired:
                sock.shutdown(socket.SHUT_RDWR)
        return sock

    def expire(self):
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def opener(self) -> urllib.request.OpenerDirector:
        """An opener that speaks HTTP(S) only, every connection watched: it follows redirects
        to http:// and https:// URLs only (:class:`HttpOnlyRedirects`) and has no handler for
        any other scheme (ftp:, file:, data: are refused, never opened)."""
        watchdog = self

        def watched(base):
            class Connection(base):
                def __init__(self, *args, **kwargs):
                    super().__init__(*args, **kwargs)
                    self._create_connection = watchdog.create_connection

            return Connection

        http_conn, https_conn = watched(http.client.HTTPConnection), watched(http.client.HTTPSConnection)

        class HTTPHandler(urllib.request.HTTPHandler):
            def http_open(self, req):
                return self.do_open(http_conn, req)

        class HTTPSHandler(urllib.request.HTTPSHandler):
            def https_open(self, req):
                return self.do_open(https_conn, req, context=self._context)

        opener = urllib.request.OpenerDirector()
        for handler in (urllib.request.ProxyHandler(), urllib.request.UnknownHandler(), HTTPHandler(),
                        HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(), HttpOnlyRedirects(),
                        urllib.request.HTTPErrorProcessor()):
            opener.add_handler(handler)
        return opener

    def __enter__(self):
        self.timer.start()
        return self

    def __exit__(self, *exc):
        self.timer.cancel()


def download_gz(url: str, dest, seconds: float, limit: int, total: float | None = None):
    """Download the gzip file at ``url`` within ``seconds`` and decompress it into ``dest``
    (at most ``limit`` bytes). ``total`` is the source's whole allowance, for the message."""
    if seconds <= 0:
        raise SourceError(f"{url}: not started: the source's {total or 0:g} s (data.timeout) had run out")
    with Watchdog(seconds) as watchdog:
        try:
            with watchdog.opener().open(url, timeout=seconds) as response:
                gunzip(response, dest, url, limit)
        except (OSError, http.client.HTTPException, SourceError) as e:
            if watchdog.expired:
                raise SourceError(f"{url}: timed out: the source took longer than {total or seconds:g} s "
                                  "(data.timeout bounds each source's whole download)") from e
            if isinstance(e, SourceError):
                raise
            raise SourceError(f"{url}: {error_text(e)}") from e
        if watchdog.expired:
            raise SourceError(f"{url}: timed out after {total or seconds:g} s (data.timeout)")
