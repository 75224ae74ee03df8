"""Q5, the readings the chapter's text leaves out, from tables the pipeline already makes or cheap
runs of E2's protocol:

* exploding gradients in real nets (``exploding``): R1's nets (``beyond_init.csv``) in which ‖δʲ‖
  grows towards the input, i.e. the last over the first hidden layer's speed at initialization has
  a 95 % interval (geometric mean over seeds) wholly below 1;
* the book's N(0, 1) weights in the chapter's nets (``large_init``): E2's nets and probe with init
  N(0, 1) for weights and biases, against E2's own N(0, 1/n_in). The chapter's argument — |w| < 1
  and σ′ ≤ 1/4, so every layer shrinks the gradient by at least 4 — predicts a per-layer factor
  (‖δᵏ‖/‖δ¹‖)^(1/(k − 1)) of at least ARGUMENT_FACTOR; the claim is judged by the interval rule on
  the geometric mean over seeds (MIN_SEEDS seeds needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.beyond import verdicts as v

ARGUMENT_FACTOR = 4.0  # 1/max σ′: |w σ′(z)| < 1/4 when |w| < 1
MIN_SEEDS = 5


def _ratios(table, keys, speed="speed", first_layer=1):
    """Per group of ``keys`` and seed: the last over the first hidden layer's speed."""
    out = []
    for key, g in table.groupby(keys, sort=False):
        wide = g.pivot_table(index="seed", columns="layer", values=speed)
        ratio = wide[wide.columns.max()] / wide[first_layer]
        out.append((key if isinstance(key, tuple) else (key,), int(wide.columns.max()), ratio.to_numpy()))
    return out


def exploding(beyond_init: pd.DataFrame):
    """R1's activation × init × width whose speed grows towards the input (last/first wholly below
    1), and every case's geometric-mean ratio with its interval."""
    cases = []
    for (activation, init, width), layers, ratio in _ratios(beyond_init, ["activation", "init", "width"],
                                                            speed="delta"):
        i = v.geometric_mean_interval(ratio)
        cases.append({"activation": activation, "init": init, "width": int(width), "hidden_layers": layers,
                      "ratio": v.interval_json(i), "grows_towards_input": bool(i is not None and i["hi"] < 1.0)})
    return {"cases": cases, "exploding": [c for c in cases if c["grows_towards_input"]]}


def per_layer_factor(ratio, layers):
    return np.asarray(ratio, dtype=float) ** (1.0 / (layers - 1))


def large_init(large: pd.DataFrame, scaled: pd.DataFrame, width: int):
    """Per depth: the last/first ratio and the per-layer factor with N(0, 1) weights and with E2's
    N(0, 1/n_in), and the claim of the chapter's argument (factor ≥ 4) with the large weights;
    ``width``: the nets' units per hidden layer."""
    scaled_by_depth = {key[0]: r for key, _, r in _ratios(scaled, ["hidden_layers"])}
    out = []
    for (k,), layers, ratio in _ratios(large, ["hidden_layers"]):
        if layers < 2:
            continue
        factor = v.geometric_mean_interval(per_layer_factor(ratio, layers))
        row = {"hidden_layers": int(k), "ratio": v.interval_json(v.geometric_mean_interval(ratio)),
               "factor": v.interval_json(factor)}
        if k in scaled_by_depth:
            row["ratio_scaled"] = v.interval_json(v.geometric_mean_interval(scaled_by_depth[k]))
            row["factor_scaled"] = v.interval_json(v.geometric_mean_interval(per_layer_factor(scaled_by_depth[k],
                                                                                             layers)))
        row["claim"] = v.judge(
            f"with N(0, 1) weights the gradient shrinks by at least {ARGUMENT_FACTOR:g} per layer "
            f"({k} hidden layers)", source="the book", where="Chapter 5, the |w| < 1 argument",
            tested_as_stated=True, deviations=[], measure="per-layer factor (‖δᵏ‖/‖δ¹‖)^(1/(k − 1)), geometric mean",
            interval=factor, minimal=ARGUMENT_FACTOR, side="above", null=1.0, log=True,
            preconditions=[v.precondition("seeds", int(len(ratio)), MIN_SEEDS)])
        out.append(row)
    family = v.apply_family([r["claim"] for r in out])
    return {"per_depth": out, "argument_factor": ARGUMENT_FACTOR, "width": int(width), "family": family}


def e3_fit(table: pd.DataFrame):
    """Per depth of E3: the training cost at the start and the end, and the training and validation
    accuracy at the end (mean and standard deviation over seeds): do E3's nets learn anything in its
    updates?"""
    last = int(table["epoch"].max())
    out = []
    for k, g in table.groupby("hidden_layers"):
        start, end = g[g["epoch"] == 0], g[g["epoch"] == last]

        def stats(s):
            return {"mean": float(s.mean()), "std": float(s.std(ddof=1)) if len(s) > 1 else 0.0, "n": int(len(s))}

        out.append({"hidden_layers": int(k), "cost_start": stats(start["training_cost"]),
                    "cost_end": stats(end["training_cost"]), "training_accuracy_start": stats(start["training_accuracy"]),
                    "training_accuracy_end": stats(end["training_accuracy"]),
                    "validation_accuracy_end": stats(end["validation_accuracy"])})
    return {"epochs": last, "per_depth": out}
