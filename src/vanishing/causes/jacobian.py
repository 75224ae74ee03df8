"""The singular values of the layer Jacobians at initialization (Glorot & Bengio 2010, Sect. 4.2).

For hidden layers j and j + 1 of a fresh net, ∂aʲ⁺¹/∂aʲ = Σ′(zʲ⁺¹) wʲ⁺¹ (shape (nʲ⁺¹, nʲ)), one
matrix per input image. Glorot & Bengio report the average singular value of these Jacobians:
about 0.8 with their normalized initialization and 0.5 with the standard U[−1/√n, 1/√n] (their
nets: 1000 units per layer). Values near 1 keep the back-propagated gradient's size from layer
to layer; values below 1 shrink it geometrically.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.mnist.data import load_split
from vanishing.pipeline.provenance import describe
from . import factors
from .depth_sweep import causes_net

# The published average singular values (book.GLOROT_JACOBIAN_SINGULAR_VALUE) by our init names.
PUBLISHED = {"glorot": book.GLOROT_JACOBIAN_SINGULAR_VALUE["normalized"],
             "standard": book.GLOROT_JACOBIAN_SINGULAR_VALUE["standard"]}
PUBLISHED_ACTIVATION = "tanh"  # the activation of the paper's analysis (it has no ReLU)
COLUMNS = ["activation", "init", "seed", "layer", "mean_singular_value", "top_singular_value"]


def layer_singular_values(net, x):
    """Per hidden-to-hidden Jacobian j -> j + 1 (j = 1..k−1): (mean over images and singular
    values, mean over images of the largest singular value)."""
    fprimes = factors.hidden_fprime(net, x)
    out = []
    for i in range(len(fprimes) - 1):
        sv = factors.singular_values(net.weights[i + 1], fprimes[i + 1])  # (m, n) decreasing
        out.append((float(sv.mean()), float(sv[:, 0].mean())))
    return out


def jacobian_runs(section, splits, dtype=np.float64, log=None):
    """Every activation × init × seed of ``section``: nets of ``hidden_layers`` hidden layers,
    Jacobians on the first ``images`` training images."""
    x, _ = load_split(splits["train"], n=section["images"], dtype=dtype)
    runs = []
    for activation in section["activations"]:
        for init in section["inits"]:
            for seed in section["seeds"]:
                net = causes_net(section["hidden_layers"], section["width"], activation, init, seed, dtype)
                runs.append({"activation": activation, "init": init, "seed": seed,
                             "singular_values": layer_singular_values(net, x)})
            if log:
                mean = np.mean([m for r in runs[-len(section["seeds"]):] for m, _ in r["singular_values"]])
                log(f"Jacobians {activation} {init}: mean singular value {mean:.3f}")
    return {"experiment": "causes_jacobian", "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), "runs": runs}


def jacobian_table(records):
    """One row per activation, init, seed and Jacobian (``layer`` j: from hidden layer j to j + 1)."""
    rows = [{"activation": r["activation"], "init": r["init"], "seed": r["seed"], "layer": j + 1,
             "mean_singular_value": mean, "top_singular_value": top}
            for record in records for r in record["runs"] for j, (mean, top) in enumerate(r["singular_values"])]
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(
        ["activation", "init", "seed", "layer"], kind="stable").reset_index(drop=True)
