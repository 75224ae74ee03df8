"""R2: saturation of the hidden layers during training (Glorot & Bengio 2010, Sect. 3, Figs. 2-3).

Mini-batch SGD; on fixed test images, each hidden layer's mean and standard deviation of the
activations, its 98th percentile of |a| and the fraction of its values in the flat part of the
activation (tanh |a| > 0.9, sigmoid |2a − 1| > 0.9), before training, every ``record_every`` updates during
the first ``record_epochs`` epochs, and after every epoch. The paper's figures use its standard
init; ``glorot`` runs beside it for comparison.

Claims (judged on the standard init): with sigmoid units the top hidden layer is driven towards 0
early and recovers slowly (Fig. 2); with tanh units the layers saturate, the top layer included
(measured by the rise of its fraction of values with |a| > 0.9; its 98th percentile of |a| and its
mean derivative against its start are read beside), starting in layer 1 and then moving up the
layers (Fig. 3).

The saturation claim's measure is the fraction of values in the flat part, not the mean derivative:
E[f′] also falls when every unit's |a| grows a little and none reaches the flat part, so a falling
derivative alone does not say that a layer saturates. Its minimal effect is the paper's own reading:
Fig. 3 calls a layer saturated when its 98th percentile of |a| reaches the flat part, i.e. when more
than 1 − 0.98 = 2 % of its values lie there. A low fraction is evidence against the claim, so it is
part of the measure, not a precondition (a failed precondition would make that evidence "not tested").
Preconditions: at least MIN_SEEDS seeds; the recovery needs a minimum inside the records (not the
last record: a layer still falling has not started to recover); the order needs seeds where it
is defined.

The per-seed numbers in beyond_summary.json are strict JSON; null stands for what NULL_MEANS says.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.mnist.data import load_split
from vanishing.publication.wording import plural
from .training import BeyondMonitor, record, seed_labels, seed_nets, stats, train_seeds
from .verdicts import geometric_mean_interval, judge, kendall_tau, mean_interval, precondition

DROP_MINIMAL = 0.5  # "driven towards 0": the top layer's early minimum below half its initial mean
EARLY_FRACTION = 0.2  # "early": within the first 20 % of the training updates
RECOVERY_BAND = (0.1, 1.0)  # "recovers slowly": between 10 % and all of the drop recovered at the end
ORDER_MINIMAL = 1 / 3  # layer order: Kendall's τ(layer, saturation update) above 1/3
MIN_SEEDS = 3  # precondition: seeds per judged claim
PERCENTILE = book.GLOROT_FIG3_PERCENTILE
SATURATED_ABOVE = 0.9  # the flat part: tanh |a| > 0.9, sigmoid |2a − 1| > 0.9 (f′/max f′ < 0.19)
# tanh "saturates": the top layer's fraction of values in the flat part rises by more than the
# 2 % that Fig. 3's 98th percentile reads as saturated
SATURATED_MINIMAL = 1.0 - PERCENTILE / 100.0
F_PRIME_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}
# What a null means in the summary's per-seed entries (in memory: +inf for a crossing, NaN otherwise).
NULL_MEANS = {"crossing_update": "the layer never reached the saturation level (+inf; ranked last by τ)",
              "tau": "undefined: no layer reached the level, or all at the same update",
              "recovery_fraction": "undefined: the top layer never dropped below its initial mean"}
PAPER_INIT = "standard"

COLUMNS = {
    "activation": "hidden activation", "init": "initializer", "seed": "seed",
    "epoch": "epoch (fractional inside early epochs)", "update": "mini-batch updates so far",
    "layer": "hidden layer j", "mean": "mean activation of the layer over its units and the fixed test images",
    "std": "standard deviation of the same values",
    "p98": "98th percentile of |a| over the same values (Glorot & Bengio's Fig. 3)",
    "saturated": "fraction of the same values in the flat part of the activation: |a| > 0.9 (tanh), |2a − 1| > 0.9 "
                 "(sigmoid; the same f′/max f′ < 0.19); empty for ReLU",
    "derivative": "relative mean derivative E[f′(z)] / max f′ of the layer (exact from mean and std)",
}


def saturation_seeds(section, activation, init, seeds, splits, dtype=np.float64, log=None):
    """R2: mini-batch SGD with the activations recorded on fixed test images, for the seeds of one
    activation × init trained as one stacked computation (one seed: a single run); one record per
    seed, in the order of ``seeds``."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    tx, _ = load_split(splits["test"], n=section["activation_images"], dtype=dtype)
    nets, rngs = seed_nets(section, activation, init, seeds, dtype)
    p = section["probe_size"]
    monitors = [BeyondMonitor(x[:p], y[:p], bias_neurons=0, act_x=tx, percentile=PERCENTILE,
                              saturated_above=SATURATED_ABOVE) for _ in seeds]
    labels = seed_labels(f"R2 saturation {activation} {init}", section, seeds)
    runs = train_seeds(
        nets, rngs, x, y, monitors, labels_of_runs=labels, log=log, epochs=section["epochs"],
        mini_batch_size=section["mini_batch_size"], eta=section["eta"], lmbda=section["lmbda"],
        record_every=section["record_every"], record_epochs=section["record_epochs"])
    updates = -(-section["train_size"] // section["mini_batch_size"])
    return [record("beyond_saturation", section, dtype, activation=activation, init=init, seed=seed,
                   updates_per_epoch=updates, diverged_at_epoch=stopped, history=history)
            for seed, (history, stopped) in zip(seeds, runs)]


def relative_derivative(activation, mean, std):
    """E[f′(z)]/max f′ over a layer's values from their mean m and (population) std s:
    sigmoid f′ = a(1 − a): E = m − s² − m²; tanh f′ = 1 − a²: E = 1 − s² − m²; ReLU: undefined
    from m and s alone (NaN)."""
    second = std**2 + mean**2
    if activation == "sigmoid":
        return (mean - second) / F_PRIME_MAX["sigmoid"]
    if activation == "tanh":
        return 1.0 - second
    return float("nan")


def saturation_table(records):
    rows = []
    for r in records:
        h = r["history"]
        for epoch, means, stds, p98, saturated in zip(h["epoch"], h["activation_mean"], h["activation_std"],
                                                      h["activation_percentile"], h["activation_saturated"]):
            for j, values in enumerate(zip(means, stds, p98, saturated)):
                # null: a diverged run's last reading, or no flat part (ReLU)
                m, s, p, f = (float("nan") if v is None else v for v in values)
                rows.append({"activation": r["activation"], "init": r["init"], "seed": r["seed"],
                             "epoch": float(epoch), "update": int(round(epoch * r["updates_per_epoch"])),
                             "layer": j + 1, "mean": m, "std": s, "p98": p, "saturated": f,
                             "derivative": relative_derivative(r["activation"], m, s)})
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(["activation", "init", "seed", "update", "layer"],
                                                                 kind="stable")


def first_crossing(series, level):
    """The first index (update) at which ``series`` reaches ``level``; +inf if it never does."""
    hit = series[series >= level]
    return float(hit.index[0]) if len(hit) else float("inf")


def _runs(table, activation, init):
    g = table[(table["activation"] == activation) & (table["init"] == init)]
    values = ["mean", "p98", "saturated", "derivative"]
    return {int(seed): s.pivot_table(index="update", columns="layer", values=values).sort_index()
            for seed, s in g.groupby("seed")}


def sigmoid_top_layer(series, total):
    """One sigmoid seed: the top layer's initial mean, its minimum in the first EARLY_FRACTION of
    the updates (and when), the lower layers' means then, its overall minimum and final value."""
    mean = series["mean"]
    top = mean.columns.max()
    early = mean[top][mean.index <= EARLY_FRACTION * total]
    t_early = int(early.idxmin())
    initial, final, minimum = float(mean[top].iloc[0]), float(mean[top].iloc[-1]), float(mean[top].min())
    drop = initial - minimum
    return {"initial": initial, "early_minimum": float(early.min()), "early_minimum_update": t_early,
            "early_ratio": float(early.min()) / initial,
            "lower_layers_at_minimum": [float(mean[j].loc[t_early]) for j in mean.columns if j != top],
            "minimum": minimum, "minimum_is_last": bool(mean[top].idxmin() == mean.index.max()), "final": final,
            "recovery_fraction": (final - minimum) / drop if drop > 0 else float("nan")}


def tanh_layer_order(series, level):
    """One tanh seed: the update at which each layer's 98th percentile of |a| first reaches
    ``level``, Kendall's τ between layer and that update, the top layer's largest |mean|, its
    fraction of values in the flat part (at the start, at its highest, and the rise between) and
    its lowest mean derivative over its start (and every layer's)."""
    p98 = series["p98"]
    crossing = [first_crossing(p98[j], level) for j in p98.columns]
    finite = [c for c in crossing if np.isfinite(c)]
    tau = kendall_tau(list(p98.columns), crossing) if finite else float("nan")
    top = series["mean"].columns.max()
    derivative = series["derivative"]
    return {"crossing_update": crossing, "tau": tau, "top_max_abs_mean": float(series["mean"][top].abs().max()),
            "top_p98_final": float(p98[top].iloc[-1]),
            "top_saturated_initial": float(series["saturated"][top].iloc[0]),
            "top_saturated_highest": float(series["saturated"][top].max()),
            "top_saturated_rise": float(series["saturated"][top].max() - series["saturated"][top].iloc[0]),
            "highest_saturated_by_layer": [float(series["saturated"][j].max()) for j in p98.columns],
            "top_derivative_ratio": float(derivative[top].min() / derivative[top].iloc[0]),
            "lowest_derivative_ratio_by_layer": [float(derivative[j].min() / derivative[j].iloc[0])
                                                 for j in derivative.columns]}


def _per_seed_json(entry):
    """One seed's entry of ``tanh_layer_order`` or ``sigmoid_top_layer`` with the non-finite values
    of the NULL_MEANS fields as None (null)."""
    def null(v):
        return [null(x) for x in v] if isinstance(v, list) else None if not np.isfinite(v) else v

    return {k: null(v) if k in NULL_MEANS else v for k, v in entry.items()}


def _deviations(section):
    out = [f"{section['hidden_layers']} hidden layers of {section['width']} units (the paper: 1,000)",
           f"{plural(section['epochs'], 'epoch', words=False)} on {section['train_size']:,} MNIST images (the paper: "
           "hundreds of epochs)"]
    if section["cost"] != "log_likelihood":
        out.append("sigmoid output with cross-entropy (the paper: softmax with log-likelihood)")
    return out


def summarize_saturation(table, section):
    """R2: per seed, the sigmoid top layer's drop and recovery and the tanh layers' order of
    saturation (standard init); the claims with their intervals."""
    total = section["epochs"] * -(-section["train_size"] // section["mini_batch_size"])
    level = section["saturation_level"]
    sig = {s: sigmoid_top_layer(v, total) for s, v in _runs(table, "sigmoid", PAPER_INIT).items()}
    tanh = {s: tanh_layer_order(v, level) for s, v in _runs(table, "tanh", PAPER_INIT).items()}
    tanh_glorot = {s: tanh_layer_order(v, level) for s, v in _runs(table, "tanh", "glorot").items()}
    sig_glorot = {s: sigmoid_top_layer(v, total) for s, v in _runs(table, "sigmoid", "glorot").items()}
    devs = _deviations(section)
    common = {"source": book.GLOROT_BENGIO, "tested_as_stated": "partly", "deviations": devs, "init": PAPER_INIT}
    taus = [e["tau"] for e in tanh.values()]
    interior = float(np.mean([not e["minimum_is_last"] for e in sig.values()])) if sig else None
    claims = {
        "sigmoid_top_to_zero": judge(
            "With sigmoid units the top hidden layer's activations are driven towards 0 early in training.",
            where="Sect. 3, Fig. 2", measure="top layer's lowest mean in the first "
            f"{100 * EARLY_FRACTION:.0f} % of the updates / its initial mean (sigmoid, standard init)",
            interval=geometric_mean_interval([e["early_ratio"] for e in sig.values()]) if sig else None,
            minimal=DROP_MINIMAL, side="below", null=1.0, log=True,
            preconditions=[precondition("sigmoid seeds", len(sig), MIN_SEEDS)], **common),
        "sigmoid_slow_recovery": judge(
            "The top sigmoid layer then leaves saturation by itself, slowly.", where="Sect. 3, Fig. 2",
            measure="fraction of the top layer's drop recovered at the end of training (sigmoid, standard init)",
            interval=mean_interval([e["recovery_fraction"] for e in sig.values()]) if sig else None,
            minimal=None, band=RECOVERY_BAND, contradict_below=False,
            preconditions=[precondition("sigmoid seeds", len(sig), MIN_SEEDS),
                           precondition("fraction of seeds whose top-layer minimum lies inside the records (not the "
                                        "last one)", interior, 1.0)], **common),
        "tanh_layer_order": judge(
            "With tanh units saturation appears in layer 1 first and then in the higher layers.",
            where="Sect. 3, Fig. 3", measure=f"Kendall's τ between hidden layer and the update at which its 98th "
            f"percentile of |a| first reaches {level:g} (tanh, standard init)",
            interval=mean_interval(taus) if tanh else None, minimal=ORDER_MINIMAL, side="above", null=0.0,
            ran=bool(tanh), preconditions=[precondition("tanh seeds with a defined order (τ)",
                                                        int(sum(np.isfinite(t) for t in taus)), MIN_SEEDS)],
            seeds_without_order=int(sum(not np.isfinite(t) for t in taus)), **common),
        "tanh_saturates": judge(
            "With tanh units the hidden layers saturate during training (the top layer included), rather than "
            "the top layer being driven to 0 as with sigmoid.",
            where="Sect. 3, Fig. 3", measure=f"rise of the top tanh layer's fraction of values with |a| > "
            f"{SATURATED_ABOVE:g}, from its start to its highest during training (standard init; minimal effect: "
            f"the {100 - PERCENTILE:g} % above the {PERCENTILE:g}th percentile, Fig. 3's reading of saturated)",
            interval=mean_interval([e["top_saturated_rise"] for e in tanh.values()]) if tanh else None,
            minimal=SATURATED_MINIMAL, side="above", null=0.0,
            preconditions=[precondition("tanh seeds", len(tanh), MIN_SEEDS)], **common),
    }
    derivative_drop = {}
    for act in ("sigmoid", "tanh"):
        drops = [float(v["derivative"][v["derivative"].columns.max()].min()
                       / v["derivative"][v["derivative"].columns.max()].iloc[0])
                 for v in _runs(table, act, PAPER_INIT).values()]
        derivative_drop[act] = stats(drops)
    saturated_highest = {act: stats([float(v["saturated"][v["saturated"].columns.max()].max())
                                     for v in _runs(table, act, PAPER_INIT).values()]) for act in ("sigmoid", "tanh")}
    return {
        "updates_per_epoch": -(-section["train_size"] // section["mini_batch_size"]), "total_updates": total,
        "early_updates": EARLY_FRACTION * total, "saturation_level": level, "percentile": PERCENTILE,
        "sigmoid_top_layer": {s: _per_seed_json(e) for s, e in sig.items()},
        "sigmoid_top_layer_glorot": {s: _per_seed_json(e) for s, e in sig_glorot.items()},
        "sigmoid_top_layer_stats": {k: stats([e[k] for e in sig.values()]) for k in
                                    ("initial", "early_minimum", "final", "recovery_fraction", "early_ratio")},
        "lower_layers_above_top_seeds": int(sum(all(m > e["early_minimum"] for m in e["lower_layers_at_minimum"])
                                                for e in sig.values())),
        "tanh_order": {s: _per_seed_json(e) for s, e in tanh.items()},
        "tanh_order_glorot": {s: _per_seed_json(e) for s, e in tanh_glorot.items()}, "null_means": NULL_MEANS,
        "tanh_glorot_tau": stats([e["tau"] for e in tanh_glorot.values()]),
        "derivative_drop": derivative_drop, "saturated_above": SATURATED_ABOVE,
        "top_saturated_highest": saturated_highest,
        "claims": claims,
        "published": {"label": "Glorot & Bengio (2010), Fig. 2: the top sigmoid layer desaturates around epoch",
                      "source": book.GLOROT_BENGIO, "desaturation_epoch": book.GLOROT_FIG2_DESATURATION_EPOCH},
    }
