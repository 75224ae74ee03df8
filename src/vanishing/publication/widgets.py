"""Explorable figures: the chapter's two thought experiments as widgets in the HTML report.

Rule ``report`` writes two fragments into the render copy, ``_generated/widget_chain.md`` and
``_generated/widget_window.md``; ``report.qmd`` includes each right after its static figure. A
fragment is one raw HTML block (```` ```{=html} ````: Quarto and pandoc pass it through to the
HTML, the Typst/PDF path drops it; its ``<table>`` carries ``data-quarto-disable-processing``, or
Quarto's HTML-table processing would turn it into an empty table in the PDF) holding the widget's markup, its scoped CSS (class prefix
``vw-``), its JavaScript inline (plain JS and SVG from ``widget_assets/``, nothing fetched when
the page opens) and its state as JSON. Every number in that state comes from the pipeline:

- chain (eq. 122): the chains of rule ``chain`` (``chain.csv``: per layer wˡ and zˡ, from which
  bˡ = zˡ − wˡ aˡ⁻¹ follows) with the input a₀ and target y that rule used, the exploding weight
  and the depth from the config;
- window (eq. 123): the |w| grid and widths of ``window.csv`` (the w slider moves on that grid)
  and the widest window of E5 (``summary.json``).

The widgets' JS evaluates eqs. (122) and (123) itself; ``tests/test_widgets.py`` checks its
printed values against these tables and against :mod:`vanishing.chapter.chain`.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from vanishing.chapter import chain, experiments
from . import palette
from vanishing.engine.network import Sigmoid

ASSETS = Path(__file__).with_name("widget_assets")
FRAGMENTS = {"chain": "_generated/widget_chain.md", "window": "_generated/widget_window.md"}

# Slider grids (display choices, not results): positions on each side of 0 for w and b of the
# chain, steps of the chain's input a₀ over [0, 1], points of the window plot's curve.
CHAIN_WEIGHT_STEPS = 1000
CHAIN_INPUT_STEPS = 100
WINDOW_BIAS_STEPS = 200
WINDOW_PLOT_POINTS = 601
# The window plot's range of inputs a: activations of a sigmoid layer lie in [0, 1]; a margin of
# the same size on each side shows the factor falling off.
WINDOW_A_RANGE = (-1.0, 2.0)

_CHAIN_ARGS = inspect.signature(experiments.chain_table).parameters
CHAIN_A0 = _CHAIN_ARGS["a0"].default  # the input and target rule chain used
CHAIN_Y = _CHAIN_ARGS["y"].default


# --- chain (eq. 122) -----------------------------------------------------------------------------


def chain_biases(w, z, a0):
    """bˡ = zˡ − wˡ aˡ⁻¹ with a⁰ = a0 and aˡ = σ(zˡ): the biases behind a chain.csv row set."""
    w, z = np.asarray(w, dtype=float), np.asarray(z, dtype=float)
    prev = np.concatenate([[a0], Sigmoid.fn(z[:-1])])
    return z - w * prev


def chain_presets(table: pd.DataFrame, exploding_weight: float, a0=CHAIN_A0, y=CHAIN_Y, tol=1e-9):
    """The widget's presets: each vanishing chain of ``chain.csv`` (per-layer w and b) and the
    exploding chain (one w, biases chosen so every z = 0). Raises ValueError if the table is not
    what rule chain writes, or if eq. (122) with (a0, y) does not give back its values.

    a0 enters only through b¹ = z¹ − w¹ a0, so the presets give back the table's zˡ and
    gradients whatever a0 is; a0 and y are taken from rule chain's own defaults so that b¹ and
    the widget's input slider show the chain the pipeline ran."""
    missing = {"regime", "seed", "layer", "w", "z", "eq122"} - set(table.columns)
    if missing:
        raise ValueError(f"chain table lacks columns {sorted(missing)}")
    regimes = set(table["regime"])
    if not {"vanishing", "exploding"} <= regimes:
        raise ValueError(f"chain table needs regimes 'vanishing' and 'exploding', has {sorted(regimes)}")
    depth = int(table["layer"].max())
    presets = []
    for seed, rows in table[table["regime"] == "vanishing"].groupby("seed", sort=True):
        rows = rows.sort_values("layer")
        w, z = rows["w"].to_numpy(float), rows["z"].to_numpy(float)
        b = chain_biases(w, z, a0)
        _check_eq122(w, b, a0, y, rows["eq122"].to_numpy(float), f"vanishing seed {int(seed)}", tol)
        presets.append({"label": f"vanishing, seed {int(seed)}", "depth": depth,
                        "w_mode": "layer", "b_mode": "layer", "w": w.tolist(), "b": b.tolist(), "a0": a0})
    rows = table[table["regime"] == "exploding"].sort_values("layer")
    w_ex = rows["w"].to_numpy(float)
    if not np.all(w_ex == exploding_weight):
        raise ValueError(f"exploding rows of the chain table have w = {sorted(set(w_ex))}, "
                         f"the config says exploding_weight = {exploding_weight}")
    _check_eq122(*chain.exploding_chain(depth, exploding_weight, a0), a0, y, rows["eq122"].to_numpy(float),
                 "exploding", tol)
    presets.append({"label": f"exploding, w = {exploding_weight:g}", "depth": depth,
                    "w_mode": "common", "b_mode": "zero", "w": float(exploding_weight), "a0": a0})
    return presets


def _check_eq122(w, b, a0, y, expected, what, tol):
    got = chain.eq122_gradients(w, b, a0, y)
    rel = np.abs(got - expected) / np.maximum(np.abs(expected), 1e-300)
    if rel.max() > tol:
        raise ValueError(f"chain table, {what}: eq. (122) with a0 = {a0}, y = {y} differs from its eq122 "
                         f"column by {rel.max():.3g} (relative)")


def chain_state(table: pd.DataFrame, section: dict):
    """The chain widget's JSON state from chain.csv and the config's ``chain`` section."""
    depth = int(table["layer"].max())
    if depth != section["max_depth"]:
        raise ValueError(f"chain table has {depth} layers, the config's chain.max_depth is {section['max_depth']}")
    weight = float(section["exploding_weight"])
    step = weight / CHAIN_WEIGHT_STEPS
    presets = chain_presets(table, weight)
    return {"y": CHAIN_Y, "initial": 0, "presets": presets,
            "ranges": {"depth": {"min": 1, "max": depth, "step": 1},
                       "weight": {"min": -weight, "max": weight, "step": step},
                       "bias": {"min": -weight, "max": weight, "step": step},
                       "input": {"min": 0.0, "max": 1.0, "step": 1.0 / CHAIN_INPUT_STEPS}},
            "colors": {"grad": palette.OKABE_ITO_NAMED["blue"], "factor": palette.OKABE_ITO_NAMED["vermillion"]}}


# --- window (eq. 123) ----------------------------------------------------------------------------


def window_state(table: pd.DataFrame, window_summary: dict):
    """The window widget's JSON state: the w slider on window.csv's |w| grid (extended down
    towards 0 with the same step, where there is no window), the table's widths for the curve
    against |w|, and E5's widest window."""
    missing = {"w", "width_formula", "width_scan"} - set(table.columns)
    if missing:
        raise ValueError(f"window table lacks columns {sorted(missing)}")
    ws = table["w"].to_numpy(float)
    if len(ws) < 2 or not np.all(np.diff(ws) > 0):
        raise ValueError("window table's w column must hold at least two increasing values")
    step = (ws[-1] - ws[0]) / (len(ws) - 1)
    if not np.allclose(np.diff(ws), step, rtol=1e-9, atol=0):
        raise ValueError("window table's w column is not an evenly spaced grid")
    below = math.floor(ws[0] / step * (1 + 1e-12))
    lo = ws[0] - below * step
    widest = {"w": float(window_summary["widest_w"]), "width": float(window_summary["widest_width"])}
    bias = ws[-1] / 2
    initial = float(ws[np.argmin(np.abs(ws - widest["w"]))])
    return {"initial": {"w": initial, "b": 0.0}, "widest": widest,
            "ranges": {"weight": {"min": float(lo), "max": float(ws[-1]), "step": float(step)},
                       "bias": {"min": -bias, "max": bias, "step": bias / WINDOW_BIAS_STEPS}},
            "table": {"w": ws.tolist(), "width_formula": table["width_formula"].astype(float).tolist()},
            "a_range": list(WINDOW_A_RANGE), "plot_points": WINDOW_PLOT_POINTS,
            "colors": {"factor": palette.OKABE_ITO_NAMED["blue"], "window": palette.OKABE_ITO_NAMED["bluish_green"]}}


# --- fragments -----------------------------------------------------------------------------------


def _asset(name):
    return (ASSETS / name).read_text(encoding="utf-8")


def html_block(name: str, state: dict) -> str:
    """One raw HTML block: scoped CSS, markup, the state as JSON and the script (in an IIFE)."""
    data = json.dumps(state, allow_nan=False, separators=(",", ":")).replace("</", "<\\/")
    script = _asset("common.js") + "\n" + _asset(f"{name}.js")
    tables = re.findall(r"<table\b[^>]*>", _asset(f"{name}.html"))
    if any('data-quarto-disable-processing="true"' not in tag for tag in tables):
        raise ValueError(f"widget {name}: a <table> without data-quarto-disable-processing would reach the PDF")
    for text in (script, data):
        if "```" in text or "{{<" in text or "</script" in text.lower():
            raise ValueError(f"widget {name}: text that would end the raw block or be read as a shortcode")
    return (f"```{{=html}}\n<style>\n{_asset('widgets.css')}</style>\n{_asset(f'{name}.html')}"
            f'<script type="application/json" id="vw-{name}-state">{data}</script>\n'
            f"<script>\n(function () {{\n\"use strict\";\n{script}}})();\n</script>\n```\n")


def report_fragments(summary: dict, chain_csv, window_csv) -> dict:
    """{path in the render copy: markdown} for both widgets, from this run's tables and summary."""
    chain_table, window_table = pd.read_csv(chain_csv), pd.read_csv(window_csv)
    return {FRAGMENTS["chain"]: html_block("chain", chain_state(chain_table, summary["config"]["chain"])),
            FRAGMENTS["window"]: html_block("window", window_state(window_table, summary["window"]))}
