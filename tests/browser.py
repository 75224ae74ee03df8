"""Open a local HTML file in headless Chromium and report what went wrong while loading it.

A tiny client for the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file
descriptors 3 and 4 of the browser, NUL-separated JSON): standard library only, no port,
no websocket, no driver whose version must match the browser. Used by the tests as::

    result = open_and_check(html_path, screenshot_path)
    assert not result["console_errors"] and not result["failed_requests"]

Chromium is Debian's (``apt-get install chromium``), run as root with the flags this
workplace needs: ``--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
--disable-background-networking --disable-component-update --disable-sync`` and a new empty
``--user-data-dir``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--mute-audio", "--remote-debugging-pipe"]


class CdpError(RuntimeError):
    """The browser did not answer, or answered a command with an error."""


class Cdp:
    """A DevTools Protocol connection to a Chromium started with ``--remote-debugging-pipe``."""

    def __init__(self, send_fd: int, recv_fd: int):
        self.send_fd, self.recv_fd = send_fd, recv_fd
        self.events: list[dict] = []
        self._buffer = b""
        self._next_id = 0

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict:
        """Send one command and return its result, keeping events that arrive meanwhile."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.send_fd, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply is None:
                raise CdpError(f"no answer to {method} within {timeout} s")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def pump(self, seconds: float):
        """Collect events for ``seconds``."""
        deadline = time.monotonic() + seconds
        while (message := self._receive(deadline)) is not None:
            if "method" in message:
                self.events.append(message)

    def wait_event(self, method: str, timeout: float) -> dict:
        """Wait for (and return) the first event named ``method``, kept or new."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            message = self._receive(deadline)
            if message is None:
                raise CdpError(f"no {method} event within {timeout} s")
            if "method" in message:
                self.events.append(message)

    def _receive(self, deadline: float) -> dict | None:
        """The next message, or None at the deadline."""
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.recv_fd], [], [], remaining)[0]:
                return None
            chunk = os.read(self.recv_fd, 1 << 20)
            if not chunk:
                raise CdpError("browser closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)


def _pipe_child_fds(read_fd: int, write_fd: int):
    """preexec_fn: put the browser's ends of the two pipes on fds 3 and 4 (inheritable)."""
    high_read = fcntl.fcntl(read_fd, fcntl.F_DUPFD, 10)
    high_write = fcntl.fcntl(write_fd, fcntl.F_DUPFD, 10)
    os.dup2(high_read, 3)
    os.dup2(high_write, 4)
    os.close(high_read)
    os.close(high_write)


def start_chromium(profile_dir: str, log_file) -> tuple[subprocess.Popen, Cdp]:
    """Start headless Chromium with a DevTools pipe; return the process and a client."""
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    proc = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
        stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, close_fds=False,
        preexec_fn=lambda: _pipe_child_fds(to_browser_r, from_browser_w))
    os.close(to_browser_r)
    os.close(from_browser_w)
    return proc, Cdp(to_browser_w, from_browser_r)


def _console_errors(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and browser log errors, as text."""
    errors = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
            errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif e["method"] == "Runtime.exceptionThrown":
            details = p.get("exceptionDetails", {})
            errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif e["method"] == "Log.entryAdded" and p["entry"].get("level") == "error":
            errors.append(f"log: {p['entry'].get('text')} {p['entry'].get('url', '')}".rstrip())
    return errors


def _requests(events: list[dict]) -> tuple[list[str], list[str]]:
    """(every URL requested except data: URLs, failed requests with their reason)."""
    urls, failed = {}, []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Network.requestWillBeSent":
            urls[p["requestId"]] = p["request"]["url"]
        elif e["method"] == "Network.loadingFailed":
            failed.append(f"{urls.get(p['requestId'], p['requestId'])}: {p.get('errorText')}"
                          + (f" ({p['blockedReason']})" if p.get("blockedReason") else ""))
        elif e["method"] == "Network.responseReceived" and p["response"].get("status", 200) >= 400:
            failed.append(f"{p['response']['url']}: HTTP {p['response']['status']}")
    return [u for u in urls.values() if not u.startswith("data:")], failed


def _screenshot(cdp: Cdp, session: str, path: Path, width: int, max_height: int):
    """Full-page PNG (up to ``max_height`` CSS pixels tall) of the page in ``session``."""
    metrics = cdp.call("Page.getLayoutMetrics", session=session)
    height = int(min(max_height, max(600, metrics["cssContentSize"]["height"])))
    cdp.call("Emulation.setDeviceMetricsOverride",
             {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}, session)
    shot = cdp.call("Page.captureScreenshot", {"format": "png"}, session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(shot["data"]))


def open_and_check(html_path, screenshot_path, *, width: int = 1200, max_height: int = 6000,
                   timeout: float = 60.0, settle: float = 1.0) -> dict:
    """Open ``html_path`` from ``file://``; save a screenshot; return what went wrong.

    Returns ``dict(console_errors=[...], failed_requests=[...], requests=[...], title=str)``
    where ``requests`` lists every URL fetched except ``data:`` ones (for a self-contained
    page: just the file itself).
    """
    url = Path(html_path).resolve().as_uri()
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, \
            tempfile.TemporaryFile() as log_file:
        proc, cdp = start_chromium(profile, log_file)
        try:
            target = cdp.call("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
            attached = cdp.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
            session = attached["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                cdp.call(f"{domain}.enable", session=session)
            nav = cdp.call("Page.navigate", {"url": url}, session, timeout=timeout)
            if nav.get("errorText"):
                raise CdpError(f"navigation to {url} failed: {nav['errorText']}")
            cdp.wait_event("Page.loadEventFired", timeout)
            cdp.pump(settle)
            title = cdp.call("Runtime.evaluate", {"expression": "document.title", "returnByValue": True},
                             session)["result"].get("value", "")
            _screenshot(cdp, session, Path(screenshot_path), width, max_height)
            events = [e for e in cdp.events if e.get("sessionId") in (None, session)]
            requests, failed = _requests(events)
            return {"console_errors": _console_errors(events), "failed_requests": failed,
                    "requests": requests, "title": title}
        except CdpError as exc:
            log_file.seek(0)
            raise CdpError(f"{exc}\nchromium output:\n{log_file.read().decode(errors='replace')[-3000:]}") from exc
        finally:
            _stop(proc, cdp)


# Layout facts of the publication template (src/vanishing/publication/pandoc/template.html), in CSS pixels.
LAYOUT_PROBE = """(() => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return {left: r.left, right: r.right, top: r.top, width: r.width, height: r.height,
            visible: s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0}; };
  const p = document.querySelector('main p');
  // Elements of the main column that stick out of it horizontally (by more than 1 px) while no
  // ancestor between them and the column scrolls horizontally (overflow-x auto or scroll).
  const main = document.querySelector('main');
  const overflowing = [];
  if (main) {
    const m = main.getBoundingClientRect();
    const scrolls = el => { for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
    for (const el of main.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if ((r.right > m.right + 1 || r.left < m.left - 1) && !scrolls(el)) {
        overflowing.push({tag: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                          (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ')[0] : ''),
                          left: Math.round(r.left), right: Math.round(r.right),
                          text: (el.textContent || '').trim().slice(0, 60)});
      }
    }
  }
  // Boxes that scroll: their content wider than they are (a reader must scroll them sideways).
  return {overflowing: overflowing.slice(0, 40), viewport: window.innerWidth, scroll_width: document.documentElement.scrollWidth,
          text: box(p), main: box(document.querySelector('main')), toc: box(document.querySelector('nav#TOC')),
          font_family: p ? getComputedStyle(p).fontFamily : '',
          font_size: p ? parseFloat(getComputedStyle(p).fontSize) : 0};
})()"""


def layout(html_path, widths=(1280, 390), screenshot_dir=None, *, timeout: float = 60.0,
           max_height: int = 16000) -> dict:
    """Open ``html_path`` at each viewport width; return ``{width: LAYOUT_PROBE result}`` and save
    full-page screenshots ``<screenshot_dir>/report-<width>.png`` if a folder is given."""
    url = Path(html_path).resolve().as_uri()
    facts = {}
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile, \
            tempfile.TemporaryFile() as log_file:
        proc, cdp = start_chromium(profile, log_file)
        try:
            for width in widths:
                target = cdp.call("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
                session = cdp.call("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})["sessionId"]
                cdp.call("Page.enable", session=session)
                cdp.call("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600}, session)
                cdp.events.clear()
                cdp.call("Page.navigate", {"url": url}, session, timeout=timeout)
                cdp.wait_event("Page.loadEventFired", timeout)
                cdp.pump(0.5)
                facts[width] = cdp.call("Runtime.evaluate", {"expression": LAYOUT_PROBE, "returnByValue": True},
                                        session)["result"]["value"]
                if screenshot_dir is not None:
                    _screenshot(cdp, session, Path(screenshot_dir) / f"report-{width}.png", width, max_height)
                cdp.call("Target.closeTarget", {"targetId": target["targetId"]})
        except CdpError as exc:
            log_file.seek(0)
            raise CdpError(f"{exc}\nchromium output:\n{log_file.read().decode(errors='replace')[-3000:]}") from exc
        finally:
            _stop(proc, cdp)
    return facts


def _stop(proc: subprocess.Popen, cdp: Cdp):
    """Close the browser politely, then for sure; close our pipe ends."""
    try:
        cdp.call("Browser.close", timeout=5)
    except (CdpError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for fd in (cdp.send_fd, cdp.recv_fd):
        try:
            os.close(fd)
        except OSError:
            pass
