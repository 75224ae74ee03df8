"""Tests of the explorable figures (vanishing.publication.widgets): the widget state built from the
pipeline's tables, the raw HTML fragments in both render paths, and, in headless Chromium, the
widgets of the rendered quick report driven like a reader would (keys, clicks), their printed
eq. (122) and eq. (123) values compared with chain.csv, window.csv, summary.json and
vanishing.chapter.chain (relative error ≤ 1e-9), at 1200 px and at 390 px (phone), with screenshots in
test-artifacts/.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from browser import CdpError, _console_errors, _requests, _stop, start_chromium
from vanishing.chapter import chain, experiments, summary
from vanishing.publication import render, widgets

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
REL = 1e-9  # the bound on |widget − pipeline| / |pipeline|

CHAIN_SECTION = {"max_depth": 6, "seeds": [0, 3], "exploding_weight": 100.0}
WINDOW_SECTION = {"w_max": 20.0, "w_points": 40, "scan_points": 20001}


# --------------------------------------------------------------------------- a page in Chromium

# windowsVirtualKeyCode of the keys the tests press
KEY_CODES = {"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40, "Home": 36, "End": 35,
             "PageUp": 33, "PageDown": 34, "Tab": 9, "Enter": 13, " ": 32}
KEY_TEXT = {"Enter": "\r", " ": " "}


class Page:
    """One tab showing ``html_path`` from file:// at ``width`` CSS pixels."""

    def __init__(self, html_path, width=1200, height=900, timeout=60.0):
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self._log = tempfile.TemporaryFile()
        self.proc, self.cdp = start_chromium(self._profile.name, self._log)
        try:
            target = self.cdp.call("Target.createTarget", {"url": "about:blank"}, timeout=timeout)
            self.session = self.cdp.call("Target.attachToTarget",
                                         {"targetId": target["targetId"], "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable")
            self.resize(width, height)
            self.url = Path(html_path).resolve().as_uri()
            nav = self.call("Page.navigate", {"url": self.url}, timeout=timeout)
            if nav.get("errorText"):
                raise CdpError(f"navigation to {self.url} failed: {nav['errorText']}")
            self.cdp.wait_event("Page.loadEventFired", timeout)
            self.cdp.pump(0.5)
        except Exception:
            self.close()
            raise

    def call(self, method, params=None, timeout=30.0):
        return self.cdp.call(method, params, self.session, timeout=timeout)

    def resize(self, width, height=900):
        self.width = width
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})

    def eval(self, expression):
        """The value of a JS expression; raises on a thrown exception."""
        reply = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise CdpError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def text(self, element_id):
        return self.eval(f"document.getElementById({element_id!r}).textContent")

    def focus(self, element_id):
        """Focus an element; returns the id of the element that has the focus afterwards."""
        return self.eval(f"(document.getElementById({element_id!r}).focus(), document.activeElement.id)")

    def press(self, key, times=1):
        """Press and release ``key`` ``times`` times in the focused element."""
        code, text = KEY_CODES[key], KEY_TEXT.get(key)
        for _ in range(times):
            # a key that types a character (Enter, Space) goes down as "keyDown" with its text,
            # which is what makes a focused button fire "click"
            for kind in ("keyDown" if text else "rawKeyDown", "keyUp"):
                event = {"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code,
                         "nativeVirtualKeyCode": code}
                if text and kind == "keyDown":
                    event["text"] = event["unmodifiedText"] = text
                self.call("Input.dispatchKeyEvent", event)

    def rect(self, element_id):
        """The element's box in page coordinates: x, y, width, height (CSS pixels)."""
        return self.eval(f"(() => {{ const r = document.getElementById({element_id!r}).getBoundingClientRect();"
                         " return {x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height}; })()")

    def click(self, element_id):
        """Scroll the element into view and click its centre with the mouse."""
        self.eval(f"document.getElementById({element_id!r}).scrollIntoView({{block: 'center'}})")
        box = self.eval(f"(() => {{ const r = document.getElementById({element_id!r}).getBoundingClientRect();"
                        " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                                                   "clickCount": 1})

    def choose(self, select_id, value):
        """Pick an option of a <select> (as a reader's choice would: value, then a change event)."""
        self.eval(f"(() => {{ const s = document.getElementById({select_id!r}); s.value = {value!r};"
                  " s.dispatchEvent(new Event('change', {bubbles: true})); })()")

    def screenshot(self, element_id, path):
        """PNG of one element (a margin of 8 px around it)."""
        box = self.rect(element_id)
        clip = {"x": max(0, box["x"] - 8), "y": max(0, box["y"] - 8), "width": box["width"] + 16,
                "height": box["height"] + 16, "scale": 1}
        shot = self.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(base64.b64decode(shot["data"]))

    def problems(self):
        """(console errors, failed requests, every URL requested except data: ones)."""
        self.cdp.pump(0.2)
        events = [e for e in self.cdp.events if e.get("sessionId") in (None, self.session)]
        requests, failed = _requests(events)
        return _console_errors(events), failed, requests

    def close(self):
        if getattr(self, "proc", None) is not None:
            _stop(self.proc, self.cdp)
            self.proc = None
        self._log.close()
        self._profile.cleanup()


def rel_err(got, want):
    """|got − want| / |want| (0 when both are 0)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return np.where(want == 0, np.abs(got), np.abs(got - want) / np.where(want == 0, 1, np.abs(want)))


def numbers(page, selector):
    """Floats printed in the elements matching ``selector``, in document order."""
    return [float(t) for t in page.eval(f"[...document.querySelectorAll({selector!r})].map(e => e.textContent)")]


def printed(page, element_id):
    return float(page.text(element_id))


def assert_clean(page):
    errors, failed, requests = page.problems()
    assert errors == [] and failed == []
    assert requests == [page.url], f"the page fetched more than itself: {requests}"


# --------------------------------------------------------------------------- state from the tables


@pytest.fixture(scope="module")
def chain_csv():
    return experiments.chain_table(CHAIN_SECTION)


@pytest.fixture(scope="module")
def window_tables():
    table = experiments.window_table(WINDOW_SECTION)
    return table, summary.window_summary(table, experiments.sigma_prime_table())


def test_chain_presets_are_the_pipelines_chains(chain_csv):
    presets = widgets.chain_presets(chain_csv, CHAIN_SECTION["exploding_weight"])
    assert [p["label"] for p in presets] == ["vanishing, seed 0", "vanishing, seed 3", "exploding, w = 100"]
    for preset, seed in zip(presets, CHAIN_SECTION["seeds"]):
        w, b = chain.vanishing_chain(CHAIN_SECTION["max_depth"], np.random.default_rng(seed))
        assert preset["w_mode"] == preset["b_mode"] == "layer" and preset["a0"] == widgets.CHAIN_A0
        np.testing.assert_allclose(preset["w"], w, rtol=0, atol=0)
        np.testing.assert_allclose(preset["b"], b, rtol=0, atol=1e-14)  # b = z − w a, recovered from the table
    exploding = presets[-1]
    assert (exploding["w_mode"], exploding["b_mode"], exploding["w"]) == ("common", "zero", 100.0)


def test_chain_presets_refuse_a_table_they_cannot_reproduce(chain_csv):
    for regime in ("vanishing", "exploding"):
        other = chain_csv.copy()
        other.loc[(other["regime"] == regime) & (other["layer"] == 2), "eq122"] *= 1 + 1e-6
        with pytest.raises(ValueError, match=rf"{regime}.*eq\. \(122\) with a0 = 1.0"):
            widgets.chain_presets(other, CHAIN_SECTION["exploding_weight"])
    with pytest.raises(ValueError, match="exploding_weight = 50"):
        widgets.chain_presets(chain_csv, 50.0)
    with pytest.raises(ValueError, match="lacks columns"):
        widgets.chain_presets(chain_csv.drop(columns="z"), 100.0)
    with pytest.raises(ValueError, match="needs regimes"):
        widgets.chain_presets(chain_csv[chain_csv["regime"] == "vanishing"], 100.0)
    with pytest.raises(ValueError, match="max_depth is 7"):
        widgets.chain_state(chain_csv, {**CHAIN_SECTION, "max_depth": 7})


def test_chain_state_ranges_come_from_the_config(chain_csv):
    state = widgets.chain_state(chain_csv, CHAIN_SECTION)
    assert state["ranges"]["depth"] == {"min": 1, "max": 6, "step": 1}
    assert state["ranges"]["weight"]["max"] == 100.0 == -state["ranges"]["weight"]["min"]
    assert state["y"] == widgets.CHAIN_Y and state["presets"][state["initial"]]["depth"] == 6


def test_window_slider_moves_on_the_tables_grid(window_tables):
    table, window_summary = window_tables
    state = widgets.window_state(table, window_summary)
    lo, step = state["ranges"]["weight"]["min"], state["ranges"]["weight"]["step"]
    assert 0 <= lo < step and state["ranges"]["weight"]["max"] == table["w"].iloc[-1]
    k = (table["w"].to_numpy() - lo) / step
    np.testing.assert_allclose(k, np.round(k), rtol=0, atol=1e-9)
    assert state["widest"] == {"w": window_summary["widest_w"], "width": window_summary["widest_width"]}
    assert state["initial"]["w"] in set(table["w"]) and abs(state["initial"]["w"] - window_summary["widest_w"]) <= step
    assert state["table"]["width_formula"] == table["width_formula"].tolist()


def test_window_state_refuses_a_bad_table(window_tables):
    table, window_summary = window_tables
    uneven = table.copy()
    uneven.loc[3, "w"] += 0.001
    with pytest.raises(ValueError, match="evenly spaced"):
        widgets.window_state(uneven, window_summary)
    with pytest.raises(ValueError, match="lacks columns"):
        widgets.window_state(table.drop(columns="width_scan"), window_summary)
    with pytest.raises(ValueError, match="increasing"):
        widgets.window_state(table.iloc[::-1], window_summary)


# --------------------------------------------------------------------------- the fragments


@pytest.fixture(scope="module")
def fragments(tmp_path_factory, chain_csv, window_tables):
    folder = tmp_path_factory.mktemp("widget-tables")
    chain_csv.to_csv(folder / "chain.csv", index=False)
    window_tables[0].to_csv(folder / "window.csv", index=False)
    fake_summary = {"config": {"chain": CHAIN_SECTION}, "window": window_tables[1]}
    return widgets.report_fragments(fake_summary, folder / "chain.csv", folder / "window.csv"), fake_summary


def test_fragments_are_one_raw_html_block_holding_the_state(fragments, chain_csv, window_tables):
    frags, _ = fragments
    assert set(frags) == {"_generated/widget_chain.md", "_generated/widget_window.md"}
    states = {"chain": widgets.chain_state(chain_csv, CHAIN_SECTION), "window": widgets.window_state(*window_tables)}
    for name, state in states.items():
        text = frags[f"_generated/widget_{name}.md"]
        assert text.startswith("```{=html}\n") and text.endswith("```\n") and text.count("```") == 2
        found = re.search(rf'<script type="application/json" id="vw-{name}-state">(.*?)</script>', text, re.S)
        assert json.loads(found.group(1)) == state
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert ids and all(i.startswith("vw-") for i in ids)
        assert not re.search(r'\b(src|href)=|@import|url\(', text), "a widget must not load anything"


def _pandoc(markdown, to):
    proc = subprocess.run([render.pandoc_path(), "--from", "markdown", "--to", to], input=markdown,
                          capture_output=True, text=True, check=True)
    return proc.stdout


def test_html_keeps_the_widgets_and_typst_drops_them(fragments):
    frags, _ = fragments
    markdown = "Before.\n\n" + frags["_generated/widget_chain.md"] + "\nAfter.\n"
    html = _pandoc(markdown, "html5")
    assert '<div class="vw-widget vw-chain" id="vw-chain"' in html and "function eq122(" in html
    typst = _pandoc(markdown, "typst")
    assert "Before." in typst and "After." in typst
    assert "vw-" not in typst and "eq122" not in typst


def test_the_widget_scripts_match_the_python_of_vanishing_chain():
    """The JS carries the same formulas as chain.py (a change in one must show in the other)."""
    chain_js = (widgets.ASSETS / "chain.js").read_text()
    window_js = (widgets.ASSETS / "window.js").read_text()
    assert "grads[l] = sp[l] * factor; factor = factor * sp[l] * w[l];" in chain_js
    assert "(2.0 / w) * Math.log(w * (1.0 + Math.sqrt(1.0 - 4.0 / w)) / 2.0 - 1.0)" in window_js


# --------------------------------------------------------------------------- the rendered report


@pytest.fixture(scope="module")
def run_dir(quick_run):
    """The quick run's folder: results/report/report.html and the tables it was made from."""
    return Path(quick_run)


@pytest.fixture(scope="module")
def report_page(run_dir):
    from test_render import require_chromium

    require_chromium()
    page = Page(run_dir / "results" / "report" / "report.html", width=1200)
    yield page
    page.close()


def _state(page, name):
    return json.loads(page.text(f"vw-{name}-state"))


def test_report_shows_each_widget_after_its_figure_and_the_pdf_does_not(run_dir):
    html = (run_dir / "results" / "report" / "report.html").read_text(encoding="utf-8")
    order = [html.index(s) for s in ('id="fig-e4"', 'id="vw-chain"', 'id="fig-e5"', 'id="vw-window"')]
    assert order == sorted(order)
    pdf = run_dir / "results" / "report" / "report.pdf"
    if pdf.exists():
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Try it" not in text and "eq122" not in text and "What causes" in text


def test_chain_presets_print_the_pipelines_chain_csv(report_page, run_dir):
    page, table = report_page, pd.read_csv(run_dir / "results" / "tables" / "chain.csv")
    options = page.eval("[...document.getElementById('vw-chain-preset').options].map(o => [o.value, o.text])")
    presets = [(v, label) for v, label in options if v != "custom"]
    assert len(presets) == table.groupby(["regime", "seed"], dropna=False).ngroups
    for value, label in presets:
        page.choose("vw-chain-preset", value)
        seed = re.search(r"seed (\d+)", label)
        rows = (table[(table["regime"] == "vanishing") & (table["seed"] == int(seed.group(1)))] if seed
                else table[table["regime"] == "exploding"]).sort_values("layer")
        assert len(numbers(page, "#vw-chain-table td.vw-grad")) == len(rows) == int(page.text("vw-chain-depth-val"))
        assert rel_err(numbers(page, "#vw-chain-table td.vw-grad"), rows["eq122"].abs()).max() <= REL, label
        factors = (rows["w"] * chain.sigmoid_prime(rows["z"])).abs()
        assert rel_err(numbers(page, "#vw-chain-table td.vw-factor"), factors).max() <= REL, label
        z = np.array(numbers(page, "#vw-chain-table td.vw-z"))
        assert np.all(np.abs(z - rows["z"]) <= REL * np.maximum(1, np.abs(rows["z"]))), label
        np.testing.assert_allclose(numbers(page, "#vw-chain-table td.vw-w"), rows["w"], rtol=REL)
    assert_clean(page)


def _chain_printed(page):
    """(w, b, a₀, D, printed |∂C/∂b_j|) of the chain widget."""
    return (printed(page, "vw-chain-w-val"), page.text("vw-chain-b-val"), printed(page, "vw-chain-a0-val"),
            int(page.text("vw-chain-depth-val")), numbers(page, "#vw-chain-table td.vw-grad"))


def test_chain_sliders_move_by_keyboard_and_print_eq122(report_page):
    page = report_page
    state = _state(page, "chain")
    page.choose("vw-chain-preset", "0")
    page.choose("vw-chain-wmode", "common")
    page.choose("vw-chain-bmode", "common")
    step = state["ranges"]["weight"]["step"]
    moves = [("vw-chain-w", "ArrowRight", 3), ("vw-chain-b", "ArrowLeft", 7), ("vw-chain-depth", "Home", 1),
             ("vw-chain-depth", "ArrowRight", 3), ("vw-chain-a0", "ArrowLeft", 25), ("vw-chain-w", "End", 1),
             ("vw-chain-w", "ArrowLeft", 960), ("vw-chain-b", "ArrowDown", 30), ("vw-chain-depth", "End", 1),
             ("vw-chain-w", "ArrowLeft", 45)]
    seen = []
    for slider, key, times in moves:
        assert page.focus(slider) == slider
        before = page.eval(f"document.getElementById({slider!r}).value")
        page.press(key, times)
        assert page.eval(f"document.getElementById({slider!r}).value") != before, f"{key} did not move {slider}"
        w, b, a0, depth, grads = _chain_printed(page)
        b = float(b)
        want = chain.eq122_gradients(np.full(depth, w), np.full(depth, b), a0, state["y"])
        assert len(grads) == depth and rel_err(grads, np.abs(want)).max() <= REL, (slider, key, w, b, a0, depth)
        seen.append((w, b, a0, depth))
    assert seen[-1][0] == pytest.approx(state["ranges"]["weight"]["max"] - 1005 * step)
    assert seen[2][3] == 1 and seen[3][3] == 4 and seen[-2][3] == state["ranges"]["depth"]["max"]
    assert page.eval("document.getElementById('vw-chain-preset').value") == "custom"
    assert_clean(page)


def test_chain_with_every_z_zero_is_the_exploding_chain(report_page):
    page = report_page
    state = _state(page, "chain")
    page.choose("vw-chain-preset", str(len(state["presets"]) - 1))  # exploding
    assert page.text("vw-chain-b-val") == "set by z = 0"
    for key, times in (("Home", 0), ("ArrowLeft", 40), ("ArrowLeft", 900), ("ArrowDown", 55)):
        page.focus("vw-chain-w")
        page.press(key, times)
        w, _, a0, depth, grads = _chain_printed(page)
        want = chain.eq122_gradients(*chain.exploding_chain(depth, w, a0), a0, state["y"])
        assert rel_err(grads, np.abs(want)).max() <= REL, w
        assert numbers(page, "#vw-chain-table td.vw-z") == [0.0] * depth
    assert_clean(page)


def test_one_weight_per_layer_by_keyboard(report_page):
    page = report_page
    state = _state(page, "chain")
    page.choose("vw-chain-preset", "1")
    preset = state["presets"][1]
    if page.eval("document.getElementById('vw-chain-layers-box').open") is False:
        page.click("vw-chain-layers-summary")
    assert page.eval("document.getElementById('vw-chain-layers-box').open") is True
    assert page.focus("vw-chain-w3") == "vw-chain-w3"
    page.press("ArrowLeft", 4)
    page.focus("vw-chain-b2")
    page.press("ArrowUp", 6)
    w, b = list(preset["w"]), list(preset["b"])
    w[2], b[1] = printed(page, "vw-chain-w3-val"), printed(page, "vw-chain-b2-val")
    assert w[2] != preset["w"][2] and b[1] != preset["b"][1]
    want = chain.eq122_gradients(np.array(w), np.array(b), preset["a0"], state["y"])
    assert rel_err(numbers(page, "#vw-chain-table td.vw-grad"), np.abs(want)).max() <= REL
    assert_clean(page)


def test_window_slider_walks_the_tables_grid(report_page, run_dir):
    page, table = report_page, pd.read_csv(run_dir / "results" / "tables" / "window.csv")
    state = _state(page, "window")
    weight = state["ranges"]["weight"]
    positions = round((weight["max"] - weight["min"]) / weight["step"]) + 1
    page.focus("vw-window-w")
    page.press("Home")
    matched, ws = {}, []
    for _ in range(positions):
        w = printed(page, "vw-window-w-val")
        ws.append(w)
        rows = np.flatnonzero(rel_err(table["w"], w) <= REL)
        if rows.size:
            row = table.iloc[rows[0]]
            matched[int(rows[0])] = w
            formula, numeric = printed(page, "vw-window-formula"), printed(page, "vw-window-numeric")
            assert rel_err(formula, row["width_formula"]) <= REL, w
            if row["width_formula"] > 0:
                assert rel_err(numeric, row["width_scan"]) <= REL, w
            else:  # |w| = 4: the window is one point
                assert abs(numeric) <= 1e-6 and abs(row["width_scan"]) <= 1e-6
        else:
            assert w < table["w"].iloc[0] and page.text("vw-window-formula") == "0", w
        page.press("ArrowRight")
    assert sorted(matched) == list(range(len(table))), "the slider missed rows of window.csv"
    assert ws == sorted(ws) and len(set(ws)) == positions
    assert_clean(page)


def test_window_bias_shifts_and_the_widest_window(report_page, run_dir):
    page = report_page
    summ = json.loads((run_dir / "results" / "summary.json").read_text())
    page.focus("vw-window-b")
    page.press("ArrowRight", 13)
    page.focus("vw-window-w")
    page.press("End")
    for times in (0, 11, 30):
        page.press("ArrowLeft", times)
        w, b = printed(page, "vw-window-w-val"), printed(page, "vw-window-b-val")
        assert b != 0
        scan = chain.window_width_scan(w, b, points=summ["config"]["window"]["scan_points"])
        assert rel_err(printed(page, "vw-window-numeric"), scan) <= REL, (w, b)
        assert rel_err(printed(page, "vw-window-formula"), chain.window_width_formula(w)) <= REL, w
    page.click("vw-window-widest")
    assert rel_err(printed(page, "vw-window-w-val"), summ["window"]["widest_w"]) <= REL
    assert rel_err(printed(page, "vw-window-formula"), summ["window"]["widest_width"]) <= REL
    assert rel_err(printed(page, "vw-window-numeric"), summ["window"]["widest_width"]) <= 1e-8
    assert rel_err(printed(page, "vw-window-widest-w"), summ["window"]["widest_w"]) <= REL
    assert rel_err(printed(page, "vw-window-widest-width"), summ["window"]["widest_width"]) <= REL
    assert_clean(page)


def test_screenshots_at_desktop_width(report_page):
    page = report_page
    page.choose("vw-chain-preset", str(len(_state(page, "chain")["presets"]) - 1))
    page.screenshot("vw-chain", ARTIFACTS / "widget_chain_exploding.png")
    page.choose("vw-chain-preset", "0")
    for name in ("chain", "window"):
        path = ARTIFACTS / f"widget_{name}.png"
        page.screenshot(f"vw-{name}", path)
        assert path.stat().st_size > 20_000
    assert (ARTIFACTS / "widget_chain_exploding.png").stat().st_size > 20_000


def test_widgets_are_usable_at_390px_and_by_keyboard(run_dir):
    from test_render import require_chromium

    require_chromium()
    page = Page(run_dir / "results" / "report" / "report.html", width=390)
    try:
        for name in ("chain", "window"):
            box = page.rect(f"vw-{name}")
            assert 300 <= box["width"] <= 390
            # nothing sticks out of the widget (its wide number table scrolls inside its own box)
            sticking_out = page.eval(f"[...document.querySelectorAll('#vw-{name} *')]"
                                     ".filter(e => !e.closest('.vw-scroll') && e.getBoundingClientRect().right"
                                     f" > {box['x'] + box['width'] + 0.5}).map(e => e.tagName + '#' + e.id)")
            assert sticking_out == [], sticking_out
            assert page.eval(f"document.querySelector('#vw-{name} .vw-scroll') === null || "
                             f"document.querySelector('#vw-{name} .vw-scroll').getBoundingClientRect().right"
                             f" <= {box['x'] + box['width'] + 0.5}")
            # every column of the per-layer table (bⱼ, the last, too) is on screen without scrolling
            cells = page.eval(f"[...document.querySelectorAll('#vw-{name} table.vw-table tbody td')]"
                              ".map(e => { const r = e.getBoundingClientRect(); return [e.className, r.left, r.right]; })")
            hidden = [c for c in cells if c[1] < box["x"] - 0.5 or c[2] > box["x"] + box["width"] + 0.5]
            assert hidden == [], hidden[:3]
            if name == "chain":
                assert {c[0] for c in cells} >= {"vw-grad", "vw-b"}
            for slider in page.eval(f"[...document.querySelectorAll('#vw-{name} input[type=range]')]"
                                    ".filter(e => e.offsetParent).map(e => e.id)"):
                assert page.rect(slider)["width"] >= 200, slider
            for svg in page.eval(f"[...document.querySelectorAll('#vw-{name} svg')].map(e => e.id)"):
                drawn = page.eval(f"document.getElementById({svg!r}).viewBox.baseVal.width")
                assert abs(drawn - page.rect(svg)["width"]) <= 1, f"{svg} not drawn at its width (text would shrink)"
        # Tab walks the chain widget's controls in order; arrows move the focused slider
        assert page.focus("vw-chain-preset") == "vw-chain-preset"
        page.press("Tab")
        assert page.eval("document.activeElement.id") == "vw-chain-depth"
        before = page.text("vw-chain-depth-val")
        page.press("ArrowLeft", 2)
        assert int(page.text("vw-chain-depth-val")) == int(before) - 2
        page.press("Tab")
        assert page.eval("document.activeElement.id") == "vw-chain-wmode"
        page.focus("vw-window-b")
        page.press("ArrowLeft")
        assert printed(page, "vw-window-b-val") < 0
        page.press("Tab")
        assert page.eval("document.activeElement.id") == "vw-window-widest"
        page.press("Enter")
        assert rel_err(printed(page, "vw-window-w-val"), _state(page, "window")["widest"]["w"]) <= REL
        for name in ("chain", "window"):
            path = ARTIFACTS / f"widget_{name}_390.png"
            page.screenshot(f"vw-{name}", path)
            assert path.stat().st_size > 20_000
        assert_clean(page)
    finally:
        page.close()
