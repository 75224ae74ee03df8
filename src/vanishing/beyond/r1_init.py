"""R1: the gradients of every hidden layer at initialization (Glorot & Bengio 2010, Sect. 4).

For each activation x init, nets of every width and seed: ‖δˡ‖ (the chapter's speed), the
per-example size of δˡ, the weight gradients and the activations, over the first probe images;
no training. The paper's claims are about tanh nets with its standard init
U[−1/√n_in, 1/√n_in] (biases 0) against its normalized init (our ``glorot``); the book's inits
(``large``, ``scaled``) and the other activations are extra columns of the table.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.mnist.data import load_split
from vanishing.engine.train import Monitor, one_hot
from .training import record, section_net, stats
from .verdicts import geometric_mean_interval, interval_json, judge, precondition

FLAT_BAND = (0.5, 2.0)  # "roughly constant across layers": last/first within a factor 2
SHRINK_MINIMAL = 2.0  # "shrinks towards the input": last/first above a factor 2 (outside the band)
MIN_SEEDS = 3  # precondition: seeds (initializations) per judged init
PAPER_ACTIVATION = "tanh"
STANDARD, NORMALIZED = "standard", "glorot"

COLUMNS = {
    "activation": "hidden activation", "init": "initializer", "width": "units per hidden layer",
    "seed": "seed of the initialization", "layer": "hidden layer j (1 = next to the input)",
    "delta": "‖δˡ‖ = ‖mean ∂C/∂bˡ‖ over the probe images (the chapter's speed), l = j + 1",
    "delta_rms": "√(mean over probe images of ‖δˡₓ‖²), the per-example size",
    "grad_w": "‖mean ∂C/∂wˡ‖_F over the probe images",
    "grad_w_entry": "grad_w / √(nˡ nˡ⁻¹): root mean square of one weight's gradient",
    "activation_rms": "root mean square of the layer's activations over the probe images",
}


def init_gradients(section, activation, init, splits, dtype=np.float64, log=None):
    """R1: for every width and seed, the gradients of a fresh net over the probe images.

    speed_b[l] = ‖mean ∂C/∂bˡ‖ = ‖δˡ‖, speed_w[l] = ‖mean ∂C/∂wˡ‖_F, delta_rms[l] = √(mean over
    examples of ‖δˡₓ‖²), for l = 2..L; activation_rms per hidden layer; the weights' shapes."""
    x, y = load_split(splits["train"], n=section["probe_size"], dtype=dtype)
    runs = []
    for width in section["widths"]:
        for seed in section["seeds"]:
            net, _ = section_net(section, activation, init, width, seed, dtype)
            row = Monitor(x, y, bias_neurons=0, act_x=x).measure(net)
            deltas = net.deltas(x, one_hot(y, net.sizes[-1], net.dtype))
            rms = [float(np.sqrt(np.mean(np.sum(d * d, axis=1)))) for d in deltas]
            act_rms = [math.hypot(m, sd) for m, sd in zip(row["activation_mean"], row["activation_std"])]
            runs.append({"width": width, "seed": seed, "speed_b": row["speed_b"], "speed_w": row["speed_w"],
                         "delta_rms": rms, "activation_rms": act_rms,
                         "shapes": [list(w.shape) for w in net.weights]})
            if log:
                log(f"R1 {activation} {init} width={width} seed={seed}: ||delta|| "
                    + " ".join(f"{s:.4g}" for s in row["speed_b"][:-1]))
    return record("beyond_init", section, dtype, activation=activation, init=init, runs=runs)


def init_table(records):
    rows = []
    for r in records:
        for run in r["runs"]:
            for j in range(len(run["speed_b"]) - 1):
                n_out, n_in = run["shapes"][j]
                rows.append({"activation": r["activation"], "init": r["init"], "width": run["width"],
                             "seed": run["seed"], "layer": j + 1, "delta": run["speed_b"][j],
                             "delta_rms": run["delta_rms"][j], "grad_w": run["speed_w"][j],
                             "grad_w_entry": run["speed_w"][j] / math.sqrt(n_out * n_in),
                             "activation_rms": run["activation_rms"][j]})
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(["activation", "init", "width", "seed", "layer"],
                                                                 kind="stable")


def layer_ratios(table, column):
    """Per (activation, init, width, seed): last hidden layer's ``column`` / first hidden layer's."""
    wide = table.pivot_table(index=["activation", "init", "width", "seed"], columns="layer", values=column)
    return (wide[wide.columns.max()] / wide[1]).rename(f"{column}_ratio")


MEASURES = ("delta", "delta_rms", "grad_w", "grad_w_entry")


def summarize_init(table, section):
    """R1: every combination's last/first ratios with their intervals, and the paper's claims
    judged on tanh at the largest width, standard against normalized."""
    ratios = pd.concat([layer_ratios(table, m) for m in MEASURES], axis=1).reset_index()
    combos = []
    for (act, init, width), g in ratios.groupby(["activation", "init", "width"]):
        profile = table[(table["activation"] == act) & (table["init"] == init) & (table["width"] == width)]
        combos.append({"activation": act, "init": init, "width": int(width),
                       **{f"{m}_ratio": stats(g[f"{m}_ratio"]) for m in MEASURES},
                       **{f"{m}_ratio_interval": interval_json(geometric_mean_interval(g[f"{m}_ratio"]))
                          for m in MEASURES},
                       "delta_by_layer": profile.groupby("layer")["delta"].mean().tolist(),
                       "activation_rms_by_layer": profile.groupby("layer")["activation_rms"].mean().tolist()})

    width = max(int(w) for w in table["width"].unique())

    def per_seed(init, measure):
        sel = ratios[(ratios["activation"] == PAPER_ACTIVATION) & (ratios["init"] == init) & (ratios["width"] == width)]
        return sel[f"{measure}_ratio"].to_numpy() if len(sel) else None

    def interval(init, measure):
        v = per_seed(init, measure)
        return None if v is None else geometric_mean_interval(v)

    k, cost = section["hidden_layers"], section["cost"]
    deviations = [f"{k} hidden layers of {width} units (the paper: up to 5 of 1,000)",
                  f"the first {section['probe_size']:,} MNIST training images"]
    if cost != "log_likelihood":
        deviations.append("sigmoid output with cross-entropy (the paper: softmax with log-likelihood)")
    def seeds(init):
        v = per_seed(init, "delta_rms")
        return [precondition(f"seeds of tanh {init} at width {width}", 0 if v is None else int(len(v)), MIN_SEEDS)]

    common = {"source": book.GLOROT_BENGIO, "tested_as_stated": "partly", "log": True,
              "width": width, "activation": PAPER_ACTIVATION}
    claims = {
        "normalized_flat": judge(
            "With the normalized initialization the back-propagated gradient keeps roughly the same size "
            "in every layer.", where="Sect. 4, back-propagated gradients at initialization (tanh)",
            deviations=deviations, measure="last/first hidden layer ratio of the per-example size of δˡ, glorot",
            interval=interval(NORMALIZED, "delta_rms"), minimal=None, band=FLAT_BAND,
            preconditions=seeds(NORMALIZED), **common),
        "standard_shrinks": judge(
            "With the standard initialization the back-propagated gradient shrinks from the output towards "
            "the input.", where="Sect. 4, back-propagated gradients at initialization (tanh)",
            deviations=deviations, measure="last/first hidden layer ratio of the per-example size of δˡ, standard",
            interval=interval(STANDARD, "delta_rms"), minimal=SHRINK_MINIMAL, side="above", null=1.0,
            preconditions=seeds(STANDARD), **common),
        "weights_flat_standard": judge(
            "At initialization the weight gradients have roughly the same size in every layer, with the "
            "standard initialization.", where="Sect. 4, weight gradients at initialization (tanh)",
            deviations=deviations + ["gradient of the mean cost over the probe images, per weight"],
            measure="last/first hidden layer ratio of the RMS gradient of one weight, standard",
            interval=interval(STANDARD, "grad_w_entry"), minimal=None, band=FLAT_BAND,
            preconditions=seeds(STANDARD), **common),
        "weights_flat_normalized": judge(
            "At initialization the weight gradients have roughly the same size in every layer, with the "
            "normalized initialization.", where="Sect. 4, weight gradients at initialization (tanh)",
            deviations=deviations + ["gradient of the mean cost over the probe images, per weight"],
            measure="last/first hidden layer ratio of the RMS gradient of one weight, glorot",
            interval=interval(NORMALIZED, "grad_w_entry"), minimal=None, band=FLAT_BAND,
            preconditions=seeds(NORMALIZED), **common),
    }
    return {
        "combinations": combos, "flat_band": list(FLAT_BAND), "shrink_minimal": SHRINK_MINIMAL,
        "paper_case": {"activation": PAPER_ACTIVATION, "width": width, "inits": [STANDARD, NORMALIZED]},
        "claims": claims,
        "published": {"label": "Glorot & Bengio (2010), Sect. 4: mean singular value of the layer "
                               "Jacobians at initialization (tanh, 5 hidden layers)",
                      "source": book.GLOROT_BENGIO, **book.GLOROT_JACOBIAN_SINGULAR_VALUE},
    }
