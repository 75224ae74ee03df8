"""E6: the speed of learning ‖δʲ‖ of every hidden layer at initialization for nets of 1..10 hidden
layers, beside the prediction of eq. (124), for each activation × initializer.

For every net [784, width × k, 10] and seed: ‖δʲ‖ = ‖mean over the probe images of ∂C/∂bʲ‖ (the
chapter's speed, as in E2), the mean log-gain of the backward factor at each hidden layer and the
simple estimate (``factors``). The per-layer *gain* g is how much one layer multiplies the
gradient on its way towards the input: measured as exp(−slope) of the least-squares line of
ln ‖δʲ‖ against j (so g < 1 is a vanishing gradient, a drop by 1/g per layer); predicted as
exp(mean over j = 1..k−1 of the mean log-gain); estimated as exp(mean ln simple gain).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from vanishing.mnist.data import load_split
from vanishing.engine.nets import make_net
from vanishing.pipeline.provenance import describe
from vanishing.engine.train import one_hot
from . import factors

# The causes measure the chapter's nets: sigmoid output layer with the cross-entropy cost.
COST = "cross_entropy"
SWEEP_COLUMNS = ["activation", "init", "hidden_layers", "seed", "layer", "speed", "log_gain", "simple_gain",
                 "fprime_rms", "dropped"]
FACTOR_COLUMNS = ["activation", "init", "hidden_layers", "seeds", "measured_gain", "measured_low",
                  "measured_high", "predicted_gain", "predicted_low", "predicted_high", "simple_gain", "r2"]


def t975(df):
    """t₀.₉₇₅ of Student's t with df degrees of freedom (``scipy.stats.t.ppf``)."""
    if df < 1:
        raise ValueError(f"a confidence interval needs at least two seeds (df >= 1), got df = {df}")
    return float(stats.t.ppf(0.975, df))


def causes_net(hidden_layers, width, activation, init, seed, dtype):
    """A fresh [784, width × hidden_layers, 10] net of the causes (``nets.make_net`` with the
    chapter's cost): the same seed and init give the same net as in E1–E5 and R1–R4."""
    return make_net(hidden_layers, width, seed, activation=activation, init=init, cost=COST, dtype=dtype)[0]


def measure(net, x, labels):
    """The E6 readings of one net on probe images x (m, 784) with integer labels (m,): per hidden
    layer j = 1..k, speed ‖δʲ‖, mean log-gain, simple gain, rms f′(zʲ) and the fraction of
    examples without a gain."""
    fprimes, deltas = factors.backward_pass(net, x, one_hot(labels, net.sizes[-1], net.dtype))
    gains, dropped = factors.log_gains(deltas)
    return {"speed": factors.speeds(deltas)[:-1], "log_gain": gains, "simple_gain": factors.simple_gains(net, fprimes),
            "fprime_rms": factors.fprime_rms(fprimes), "dropped": dropped}


def sweep(section, activation, init, x, labels, dtype=np.float64, log=None):
    """E6 for one activation × init on probe images x with labels: a run per depth of
    ``section['hidden_layers']`` and seed."""
    runs = []
    for k in section["hidden_layers"]:
        for seed in section["seeds"]:
            net = causes_net(k, section["width"], activation, init, seed, dtype)
            runs.append({"activation": activation, "init": init, "hidden_layers": k, "seed": seed,
                         **measure(net, x, labels)})
        if log:
            log(f"E6 {activation} {init} k={k}: ||delta|| seed {section['seeds'][0]} "
                + " ".join(f"{s:.3g}" for s in runs[-len(section['seeds'])]["speed"]))
    return runs


def sweep_all(section, splits, dtype=np.float64, log=None):
    """E6 for every activation × init of ``section``, in one record."""
    x, labels = load_split(splits["train"], n=section["probe_size"], dtype=dtype)
    runs = [run for a in section["activations"] for i in section["inits"]
            for run in sweep(section, a, i, x, labels, dtype, log)]
    return {"experiment": "causes_depth_sweep", "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), "runs": runs}


def sweep_table(records):
    """One row per activation, init, depth, seed and hidden layer (columns SWEEP_COLUMNS)."""
    rows = [{"activation": run["activation"], "init": run["init"], "hidden_layers": run["hidden_layers"],
             "seed": run["seed"], "layer": j + 1, **{c: run[c][j] for c in SWEEP_COLUMNS[5:]}}
            for r in records for run in r["runs"] for j in range(run["hidden_layers"])]
    return pd.DataFrame(rows, columns=SWEEP_COLUMNS).sort_values(
        ["activation", "init", "hidden_layers", "seed", "layer"], kind="stable").reset_index(drop=True)


def fit_slope(layers, speeds):
    """Least-squares slope of ln ‖δʲ‖ against j, and the fit's R² (1 when exact)."""
    layers, y = np.asarray(layers, dtype=float), np.log(np.asarray(speeds, dtype=float))
    slope, intercept = np.polyfit(layers, y, 1)
    resid = y - (slope * layers + intercept)
    total = np.sum((y - y.mean()) ** 2)
    return float(slope), float(1.0 - np.sum(resid ** 2) / total) if total > 0 else 1.0


def per_seed(table):
    """Per activation, init, depth k ≥ 2 and seed: the fitted ln-slope, R², the mean log-gain over
    j = 1..k−1 and the mean ln simple gain over the same layers."""
    rows = []
    for key, g in table[table["hidden_layers"] >= 2].groupby(["activation", "init", "hidden_layers", "seed"]):
        g = g.sort_values("layer")
        slope, r2 = fit_slope(g["layer"], g["speed"])
        inner = g.iloc[:-1]  # transitions j -> j + 1 between hidden layers
        rows.append(dict(zip(["activation", "init", "hidden_layers", "seed"], key), slope=slope, r2=r2,
                         log_gain=float(inner["log_gain"].mean()),
                         log_simple=float(np.log(inner["simple_gain"]).mean())))
    return pd.DataFrame(rows)


def _interval(values):
    """Mean of ``values`` and its 95 % t-interval over seeds."""
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    half = t975(v.size - 1) * float(v.std(ddof=1)) / np.sqrt(v.size) if v.size > 1 else float("nan")
    return mean, mean - half, mean + half


def factor_table(table):
    """Per activation, init and depth k ≥ 2 (columns FACTOR_COLUMNS): the measured per-layer gain
    exp(−mean slope) with its 95 % interval over seeds, the predicted gain of eq. (124)
    exp(mean log-gain) with its interval, the simple estimate and the fits' mean R²."""
    rows = []
    for key, g in per_seed(table).groupby(["activation", "init", "hidden_layers"]):
        m, lo, hi = _interval(-g["slope"])
        p, plo, phi = _interval(g["log_gain"])
        rows.append(dict(zip(["activation", "init", "hidden_layers"], key), seeds=len(g),
                         measured_gain=np.exp(m), measured_low=np.exp(lo), measured_high=np.exp(hi),
                         predicted_gain=np.exp(p), predicted_low=np.exp(plo), predicted_high=np.exp(phi),
                         simple_gain=float(np.exp(g["log_simple"].mean())), r2=float(g["r2"].mean())))
    return pd.DataFrame(rows, columns=FACTOR_COLUMNS).sort_values(
        ["activation", "init", "hidden_layers"], kind="stable").reset_index(drop=True)
