"""Beyond the chapter: the remedies of Glorot & Bengio (2010) and Sutskever et al. (2013), measured
on the chapter's nets. Runs, tables, the summary with its computed verdicts, and what the report
quotes; nothing here knows about Snakemake or paths.

R1  initialization x activation, at initialization: ‖δˡ‖ and ‖∂C/∂wˡ‖ of every hidden layer.
R2  saturation during training (Glorot & Bengio's Fig. 2): mean and std of each hidden layer's
    activations on fixed test images, sigmoid against tanh.
R3  optimizers: SGD, classical momentum and Nesterov's accelerated gradient with Sutskever et al.'s
    momentum schedule, on a well-initialized net.
R4  a small version of Glorot & Bengio's Table 1: test error by activation and initialization.

Every net is the chapter's: [784, width x k, 10], sigmoid output layer, cross-entropy cost.
Hidden layers are numbered 1..k as in the chapter's figures (hidden layer j is layer l = j + 1).

Verdicts. Each claim gets one of SUPPORTS, CONTRADICTS or CANNOT_TELL, computed from this run's
numbers by the rules below (functions ``*_verdict``); "seed spread" always means the range from
the smallest to the largest value over seeds.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from . import book
from .data import load_split
from .experiments import sizes
from .network import Network
from .provenance import describe
from .train import Monitor, Optimizer, TrainingDiverged, accuracy, one_hot, sutskever_mu, train

SUPPORTS, CONTRADICTS, CANNOT_TELL, NOT_RUN = "supports", "contradicts", "cannot tell", "not run"

FLAT_BAND = (0.5, 2.0)  # R1: a last/first ratio in this band is "roughly flat"
DROP_SUPPORTS, DROP_CONTRADICTS = 0.5, 0.8  # R2: top-layer mean falls below / stays above this × initial
EARLY_FRACTION = 0.2  # R2: "early" = within the first 20 % of the training updates
RECOVERY_SEEN = 0.1  # R2: a recovery of less than 10 % of the drop is "not seen yet"
MARKEDLY = 1.25  # R3: "markedly worse" = a mean training cost at least 25 % higher
MU_LOW, MU_HIGH = 0.9, 0.99  # R3: the two caps of Sutskever et al.'s Table 1 that are compared

# Derivative of each hidden activation at its steepest point, for the relative mean derivative.
F_PRIME_MAX = {"sigmoid": 0.25, "tanh": 1.0, "relu": 1.0}


# =============================================================================================
# Verdict rules (pure functions of numbers; unit-tested on hand-made values).


def all_of(verdicts):
    """A claim made of parts: CONTRADICTS if any part contradicts, SUPPORTS if every part
    supports, else CANNOT_TELL. Parts that were not run are ignored (NOT_RUN if all are)."""
    verdicts = [v for v in verdicts if v != NOT_RUN]
    if not verdicts:
        return NOT_RUN
    if CONTRADICTS in verdicts:
        return CONTRADICTS
    return SUPPORTS if all(v == SUPPORTS for v in verdicts) else CANNOT_TELL


def seed_vote(verdicts):
    """Per-seed verdicts of one claim: the common verdict if every seed agrees, else CANNOT_TELL."""
    verdicts = list(verdicts)
    if not verdicts:
        return NOT_RUN
    return verdicts[0] if all(v == verdicts[0] for v in verdicts) else CANNOT_TELL


def _in_band(value, band=FLAT_BAND):
    return band[0] <= value <= band[1]


def _abs_log_range(ratios):
    a = np.abs(np.log(np.asarray(ratios, dtype=float)))
    return float(a.min()), float(a.max())


def flat_vs_steep_verdict(normalized, standard, band=FLAT_BAND):
    """R1, back-propagated gradient: "with the normalized init the last/first ratio stays roughly
    flat, with the standard init it does not". ``normalized`` and ``standard`` are per-seed ratios.

    CONTRADICTS if the normalized init's mean ratio is outside ``band`` or the standard init's
    mean ratio is inside it; otherwise CANNOT_TELL if the seed spreads of |ln ratio| of the two
    inits overlap; otherwise SUPPORTS.
    """
    if not len(normalized) or not len(standard):
        return NOT_RUN
    if not _in_band(float(np.mean(normalized)), band) or _in_band(float(np.mean(standard)), band):
        return CONTRADICTS
    lo_n, hi_n = _abs_log_range(normalized)
    lo_s, hi_s = _abs_log_range(standard)
    return CANNOT_TELL if hi_n >= lo_s and hi_s >= lo_n else SUPPORTS


def flat_verdict(ratios, band=FLAT_BAND):
    """R1, weight gradients of one init: "the last/first ratio stays roughly flat".

    SUPPORTS if the mean ratio over seeds is inside ``band``; CONTRADICTS if every seed's ratio is
    outside it; else CANNOT_TELL (the mean is outside but the seed spread reaches into the band).
    """
    if not len(ratios):
        return NOT_RUN
    if _in_band(float(np.mean(ratios)), band):
        return SUPPORTS
    return CONTRADICTS if not any(_in_band(float(r), band) for r in ratios) else CANNOT_TELL


def larger_verdict(a, b, margin=1.0):
    """"a is larger than b" (by the factor ``margin`` for SUPPORTS), from per-seed values.

    SUPPORTS if the seed spreads are separate with a above (min a > max b) and mean a ≥ margin ·
    mean b; CONTRADICTS if they are separate with a below (max a < min b); else CANNOT_TELL.
    Non-finite values (diverged runs) count as +inf.
    """
    a = np.nan_to_num(np.asarray(a, dtype=float), nan=np.inf)
    b = np.nan_to_num(np.asarray(b, dtype=float), nan=np.inf)
    if not a.size or not b.size:
        return NOT_RUN
    if a.min() > b.max() and np.mean(a) >= margin * np.mean(b):
        return SUPPORTS
    if a.max() < b.min():
        return CONTRADICTS
    return CANNOT_TELL


def drop_verdict(initial, minimum, lower_at_minimum):
    """R2, one seed: "the top hidden layer's mean activation is driven towards 0 early".

    ``initial`` and ``minimum`` are the top layer's mean activation before training and at its
    lowest point in the early part of training; ``lower_at_minimum`` the other hidden layers'
    means at that moment. SUPPORTS if minimum ≤ DROP_SUPPORTS · initial and every lower layer is
    above it; CONTRADICTS if minimum > DROP_CONTRADICTS · initial; else CANNOT_TELL.
    """
    if minimum <= DROP_SUPPORTS * initial and all(m > minimum for m in lower_at_minimum):
        return SUPPORTS
    if minimum > DROP_CONTRADICTS * initial:
        return CONTRADICTS
    return CANNOT_TELL


def recovery_fraction(initial, minimum, final):
    """How much of the drop from ``initial`` to ``minimum`` has been recovered at ``final``."""
    drop = initial - minimum
    return (final - minimum) / drop if drop > 0 else float("nan")


def recovery_verdict(initial, minimum, final, minimum_is_last):
    """R2, one seed: "the top layer recovers, slowly" (the paper: around epoch 100).

    r = (final − minimum)/(initial − minimum). CANNOT_TELL if the lowest point is the last record
    or r < RECOVERY_SEEN (no recovery seen yet: it may come later) or there was no drop;
    CONTRADICTS if r ≥ 1 (fully recovered within this much shorter run: not slow); else SUPPORTS
    (recovering, but still below its initial value at the end).
    """
    r = recovery_fraction(initial, minimum, final)
    if minimum_is_last or not math.isfinite(r) or r < RECOVERY_SEEN:
        return CANNOT_TELL
    return CONTRADICTS if r >= 1.0 else SUPPORTS


def less_saturation_verdict(tanh_drop, sigmoid_drop):
    """R2, one seed: "tanh's top layer is not driven into saturation as sigmoid's is". The drops
    are min over training / initial value of the top layer's relative mean derivative E[f′]/max f′.
    SUPPORTS if tanh's drop is the smaller one (ratio closer to 1), CONTRADICTS if larger, else
    (equal) CANNOT_TELL."""
    if tanh_drop > sigmoid_drop:
        return SUPPORTS
    return CONTRADICTS if tanh_drop < sigmoid_drop else CANNOT_TELL


VERDICT_RULES = {
    "flat_vs_steep": flat_vs_steep_verdict.__doc__,
    "flat": flat_verdict.__doc__,
    "larger": larger_verdict.__doc__,
    "drop": drop_verdict.__doc__,
    "recovery": recovery_verdict.__doc__,
    "less_saturation": less_saturation_verdict.__doc__,
    "all_of": all_of.__doc__,
    "seed_vote": seed_vote.__doc__,
}


# =============================================================================================
# Runs.


def _net(section, activation, init, width, seed, dtype):
    rng = np.random.default_rng(seed)
    net = Network(sizes(section["hidden_layers"], width), rng, activation=activation, init=init, dtype=dtype)
    return net, rng


def _record(experiment, section, dtype, **results):
    return {"experiment": experiment, "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), **results}


def per_example_deltas(net, x, y):
    """δˡ of every example, for every layer: a list (layer order) of arrays of shape (m, nˡ).

    The same recursion as Network.backprop, without summing over the batch: its sum over rows is
    backprop's ∂C/∂bˡ."""
    activations = net.forward(x)
    delta = net.cost.delta(activations[-1], y)
    out = [None] * len(net.weights)
    for i in range(len(net.weights) - 1, -1, -1):
        out[i] = delta
        if i:
            delta = np.dot(delta, net.weights[i]) * net._act(i - 1).prime(activations[i])
    return out


def init_gradients(section, activation, init, splits, dtype=np.float64, log=None):
    """R1: for every width and seed, the gradients of a fresh net over the probe images.

    speed_b[l] = ‖mean ∂C/∂bˡ‖ = ‖δˡ‖ (the chapter's speed), speed_w[l] = ‖mean ∂C/∂wˡ‖_F, and
    delta_rms[l] = √(mean over examples of ‖δˡₓ‖²) (the per-example size Glorot & Bengio
    histogram), for every layer l = 2..L; activation_rms the root mean square of each hidden
    layer's activations over the probe images; ``shapes`` the weight matrices' shapes."""
    x, y = load_split(splits["train"], n=section["probe_size"], dtype=dtype)
    runs = []
    for width in section["widths"]:
        for seed in section["seeds"]:
            net, _ = _net(section, activation, init, width, seed, dtype)
            row = Monitor(x, y, bias_neurons=0, act_x=x).measure(net)
            deltas = per_example_deltas(net, x, one_hot(y, net.sizes[-1], net.dtype))
            rms = [float(np.sqrt(np.mean(np.sum(d * d, axis=1)))) for d in deltas]
            act_rms = [math.hypot(m, sd) for m, sd in zip(row["activation_mean"], row["activation_std"])]
            runs.append({"width": width, "seed": seed, "speed_b": row["speed_b"], "speed_w": row["speed_w"],
                         "delta_rms": rms, "activation_rms": act_rms, "shapes": [list(w.shape) for w in net.weights]})
            if log:
                log(f"R1 {activation} {init} width={width} seed={seed}: ||delta|| "
                    + " ".join(f"{s:.4g}" for s in row["speed_b"][:-1]))
    return _record("beyond_init", section, dtype, activation=activation, init=init, runs=runs)


def saturation(section, activation, seed, splits, dtype=np.float64, log=None):
    """R2: mini-batch SGD; the mean and std of each hidden layer's activations on the first
    ``activation_images`` test images before training, every ``record_every`` updates during the
    first ``record_epochs`` epochs, and after every epoch."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    tx, _ = load_split(splits["test"], n=section["activation_images"], dtype=dtype)
    net, rng = _net(section, activation, section["init"], section["width"], seed, dtype)
    monitor = Monitor(x[: section["probe_size"]], y[: section["probe_size"]], bias_neurons=0, act_x=tx)
    label = f"R2 saturation {activation} seed={seed} (width={section['width']}, init={section['init']}, eta={section['eta']})"
    history = train(net, x, y, epochs=section["epochs"], mini_batch_size=section["mini_batch_size"],
                    eta=section["eta"], lmbda=section["lmbda"], rng=rng, monitor=monitor, log=log, label=label,
                    record_every=section["record_every"], record_epochs=section["record_epochs"])
    history.pop("bias_grad", None)
    updates = -(-section["train_size"] // section["mini_batch_size"])
    return _record("beyond_saturation", section, dtype, activation=activation, seed=seed,
                   updates_per_epoch=updates, history=history)


OPTIMIZER_NAME = re.compile(r"^(sgd|momentum|nesterov)(?:-(0\.\d+))?$")


def optimizer_names(section):
    """The R3 optimizers as path-safe names: 'sgd', and '<method>-<mu_max>' for the others."""
    names = []
    for method in section["methods"]:
        names += ["sgd"] if method == "sgd" else [f"{method}-{mu}" for mu in section["mu_max"]]
    return names


def parse_optimizer(name):
    """'nesterov-0.99' -> ('nesterov', 0.99); 'sgd' -> ('sgd', 0.0)."""
    match = OPTIMIZER_NAME.match(name)
    if not match or (match.group(1) == "sgd") == (match.group(2) is not None):
        raise ValueError(f"not an optimizer name: {name!r} (expected 'sgd' or '<momentum|nesterov>-<mu_max>')")
    return match.group(1), float(match.group(2) or 0.0)


def _train_recording(net, rng, x, y, section, eta, optimizer, monitor, log, label):
    """Train; a divergence ends the run early and is recorded instead of failing the job."""
    try:
        history = train(net, x, y, epochs=section["epochs"], mini_batch_size=section["mini_batch_size"],
                        eta=eta, lmbda=section["lmbda"], rng=rng, monitor=monitor, log=log, label=label,
                        optimizer=optimizer)
        diverged = None
    except TrainingDiverged as error:
        history = monitor.history
        diverged = int(history["epoch"][-1])
        if log:
            log(f"{label}: {error}; recorded as diverged")
    history.pop("bias_grad", None)
    return history, diverged


def optimizer_run(section, optimizer, eta, seed, splits, dtype=np.float64, log=None):
    """R3: one optimizer at one learning rate η: training cost, validation accuracy and the
    per-layer speeds after every epoch (entry 0 before training)."""
    method, mu_max = parse_optimizer(optimizer)
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    net, rng = _net(section, section["activation"], section["init"], section["width"], seed, dtype)
    p = section["probe_size"]
    monitor = Monitor(x[:p], y[:p], bias_neurons=0, cost_x=x, cost_y=y, valid_x=vx, valid_y=vy,
                      lmbda=section["lmbda"], n=len(x))
    opt = Optimizer(kind=method, mu_max=mu_max if method != "sgd" else 0.9, schedule=section["schedule"])
    label = f"R3 {optimizer} eta={eta} seed={seed} (width={section['width']}, {section['activation']}, {section['init']})"
    history, diverged = _train_recording(net, rng, x, y, section, eta, opt, monitor, log, label)
    return _record("beyond_optimizers", section, dtype, optimizer=optimizer, method=method,
                   mu_max=mu_max, eta=eta, seed=seed, diverged_at_epoch=diverged, history=history)


def table1_run(section, activation, init, seed, splits, dtype=np.float64, log=None):
    """R4: mini-batch SGD; validation accuracy every epoch and the test accuracy at the end."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    tx, ty = load_split(splits["test"], dtype=dtype)
    net, rng = _net(section, activation, init, section["width"], seed, dtype)
    monitor = Monitor(x[:1000], y[:1000], bias_neurons=0, valid_x=vx, valid_y=vy)
    label = f"R4 {activation} {init} seed={seed} (width={section['width']}, eta={section['eta']})"
    history, diverged = _train_recording(net, rng, x, y, section, section["eta"], Optimizer(), monitor, log, label)
    test = accuracy(net, tx, ty) if diverged is None else float("nan")
    if log:
        log(f"{label}: test accuracy {test:.2f}% on {len(ty)} test images")
    return _record("beyond_table1", section, dtype, activation=activation, init=init, seed=seed,
                   diverged_at_epoch=diverged, test_accuracy=test, test_images=len(ty), history=history)


# =============================================================================================
# Tables (one row per measurement; columns documented in TABLE_COLUMNS).

TABLE_COLUMNS = {
    "beyond_init": {
        "activation": "hidden activation", "init": "initializer", "width": "units per hidden layer",
        "seed": "seed of the initialization", "layer": "hidden layer j (1 = next to the input)",
        "delta": "‖δˡ‖ = ‖mean ∂C/∂bˡ‖ over the probe images (the chapter's speed), l = j + 1",
        "delta_rms": "√(mean over probe images of ‖δˡₓ‖²), the per-example size",
        "grad_w": "‖mean ∂C/∂wˡ‖_F over the probe images",
        "grad_w_entry": "grad_w / √(nˡ nˡ⁻¹): root mean square of one weight's gradient",
        "activation_rms": "root mean square of the layer's activations over the probe images",
    },
    "beyond_saturation": {
        "activation": "hidden activation", "seed": "seed", "epoch": "epoch (fractional inside early epochs)",
        "update": "mini-batch updates so far", "layer": "hidden layer j",
        "mean": "mean activation of the layer over its units and the fixed test images",
        "std": "standard deviation of the same values",
        "derivative": "relative mean derivative E[f′(z)] / max f′ of the layer (exact from mean and std)",
    },
    "beyond_optimizers": {
        "optimizer": "sgd, momentum-<mu_max> or nesterov-<mu_max>", "method": "sgd, momentum or nesterov",
        "mu_max": "cap of Sutskever et al.'s momentum schedule (0 for sgd)", "eta": "learning rate",
        "seed": "seed", "epoch": "epoch (0 = before training)",
        "training_cost": "mean cross-entropy over the training images (+ L2 term if lmbda > 0)",
        "validation_accuracy": "accuracy (%) on the 10,000 validation images",
        "speed_layer<j>": "‖δˡ‖ of hidden layer j over the first probe_size training images",
    },
    "beyond_table1": {
        "activation": "hidden activation", "init": "initializer", "seed": "seed",
        "epochs": "training epochs", "diverged": "whether training stopped on non-finite numbers",
        "validation_accuracy": "accuracy (%) on the validation images after the last epoch",
        "test_accuracy": "accuracy (%) on the 10,000 test images after the last epoch",
        "test_error": "100 − test_accuracy (%)",
    },
}


def init_table(records):
    rows = []
    for r in records:
        for run in r["runs"]:
            k = len(run["speed_b"]) - 1
            for j in range(k):
                n_out, n_in = run["shapes"][j]
                rows.append({"activation": r["activation"], "init": r["init"], "width": run["width"],
                             "seed": run["seed"], "layer": j + 1, "delta": run["speed_b"][j],
                             "delta_rms": run["delta_rms"][j], "grad_w": run["speed_w"][j],
                             "grad_w_entry": run["speed_w"][j] / math.sqrt(n_out * n_in),
                             "activation_rms": run["activation_rms"][j]})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["beyond_init"])).sort_values(
        ["activation", "init", "width", "seed", "layer"], kind="stable")


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
        for epoch, means, stds in zip(h["epoch"], h["activation_mean"], h["activation_std"]):
            for j, (m, s) in enumerate(zip(means, stds)):
                rows.append({"activation": r["activation"], "seed": r["seed"], "epoch": float(epoch),
                             "update": int(round(epoch * r["updates_per_epoch"])), "layer": j + 1, "mean": m,
                             "std": s, "derivative": relative_derivative(r["activation"], m, s)})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["beyond_saturation"])).sort_values(
        ["activation", "seed", "update", "layer"], kind="stable")


def optimizers_table(records):
    rows = []
    for r in records:
        h = r["history"]
        for i, epoch in enumerate(h["epoch"]):
            row = {"optimizer": r["optimizer"], "method": r["method"], "mu_max": r["mu_max"], "eta": r["eta"],
                   "seed": r["seed"], "epoch": int(epoch), "training_cost": h["training_cost"][i],
                   "validation_accuracy": h["validation_accuracy"][i]}
            row.update({f"speed_layer{j + 1}": s for j, s in enumerate(h["speed_b"][i][:-1])})
            rows.append(row)
    return pd.DataFrame(rows).sort_values(["optimizer", "eta", "seed", "epoch"], kind="stable")


def table1_table(records):
    rows = [{"activation": r["activation"], "init": r["init"], "seed": r["seed"], "epochs": r["config"]["epochs"],
             "diverged": r["diverged_at_epoch"] is not None,
             "validation_accuracy": r["history"]["validation_accuracy"][-1],
             "test_accuracy": r["test_accuracy"], "test_error": 100.0 - r["test_accuracy"]} for r in records]
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["beyond_table1"])).sort_values(
        ["activation", "init", "seed"], kind="stable")


# =============================================================================================
# Summary: the numbers, the papers' published values, and the computed verdicts.


def stats(values):
    v = np.asarray(values, dtype=float)
    if not v.size:
        return None
    return {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
            "min": float(np.min(v)), "max": float(np.max(v)), "n": int(v.size)}


def layer_ratios(table, column):
    """Per (activation, init, width, seed): last hidden layer's ``column`` / first hidden layer's."""
    wide = table.pivot_table(index=["activation", "init", "width", "seed"], columns="layer", values=column)
    return (wide[wide.columns.max()] / wide[1]).rename(f"{column}_ratio")


def summarize_init(table):
    """R1: the last/first ratios of every combination, and the verdicts per activation."""
    measures = ("delta", "delta_rms", "grad_w", "grad_w_entry")
    ratios = pd.concat([layer_ratios(table, m) for m in measures], axis=1).reset_index()
    combos = []
    for (act, init, width), g in ratios.groupby(["activation", "init", "width"]):
        profile = table[(table["activation"] == act) & (table["init"] == init) & (table["width"] == width)]
        combos.append({"activation": act, "init": init, "width": int(width),
                       **{f"{m}_ratio": stats(g[f"{m}_ratio"]) for m in measures},
                       "delta_by_layer": profile.groupby("layer")["delta"].mean().tolist(),
                       "activation_rms_by_layer": profile.groupby("layer")["activation_rms"].mean().tolist()})

    def per_seed(act, init, width, measure):
        sel = ratios[(ratios["activation"] == act) & (ratios["init"] == init) & (ratios["width"] == width)]
        return sel[f"{measure}_ratio"].to_numpy()

    widths = sorted(int(w) for w in table["width"].unique())
    delta, delta_rms, weights = {}, {}, {}
    for act in sorted(table["activation"].unique()):
        by_width = {}
        for w in widths:
            by_width[str(w)] = {
                "delta": flat_vs_steep_verdict(per_seed(act, "glorot", w, "delta"), per_seed(act, "scaled", w, "delta")),
                "delta_rms": flat_vs_steep_verdict(per_seed(act, "glorot", w, "delta_rms"),
                                                   per_seed(act, "scaled", w, "delta_rms")),
                "weights": all_of([flat_verdict(per_seed(act, init, w, "grad_w_entry")) for init in ("glorot", "scaled")]),
                "weights_glorot": flat_verdict(per_seed(act, "glorot", w, "grad_w_entry")),
                "weights_scaled": flat_verdict(per_seed(act, "scaled", w, "grad_w_entry")),
            }
        delta[act] = {"verdict": all_of(v["delta"] for v in by_width.values()), "by_width": by_width}
        delta_rms[act] = all_of(v["delta_rms"] for v in by_width.values())
        weights[act] = all_of(v["weights"] for v in by_width.values())
    case = "tanh"
    return {
        "combinations": combos,
        "flat_band": list(FLAT_BAND),
        "paper_case": case,
        "claims": {
            "delta_flat": {
                "claim": "With the normalized initialization the back-propagated gradient stays roughly "
                         "constant across layers; with the standard one it shrinks towards the input.",
                "source": book.GLOROT_BENGIO, "where": "Sect. 4, back-propagated gradients at initialization (tanh)",
                "measure": "last/first hidden layer ratio of ||delta^l|| (mean over seeds); glorot against scaled",
                "rule": "flat_vs_steep, then all_of over widths",
                "verdict": delta.get(case, {}).get("verdict", NOT_RUN),
                "by_activation": {a: d["verdict"] for a, d in delta.items()},
                "by_width": {a: {w: v["delta"] for w, v in d["by_width"].items()} for a, d in delta.items()},
                "per_example_rms_verdict": delta_rms,
            },
            "weights_flat": {
                "claim": "At initialization the weight gradients are roughly the same in every layer "
                         "with either initialization.",
                "source": book.GLOROT_BENGIO, "where": "Sect. 4, weight gradients at initialization (tanh)",
                "measure": "last/first hidden layer ratio of the RMS gradient of one weight "
                           "(||dC/dw^l||_F / sqrt(n_l n_(l-1))), mean over seeds; glorot and scaled",
                "rule": "flat for each init, all_of over inits and widths",
                "verdict": weights.get(case, NOT_RUN),
                "by_activation": weights,
                "by_width": {a: {w: {k: v[k] for k in ("weights_glorot", "weights_scaled")}
                                 for w, v in d["by_width"].items()} for a, d in delta.items()},
            },
        },
        "published": {"label": "Glorot & Bengio (2010), Sect. 4: mean singular value of the layer "
                               "Jacobians at initialization (tanh, 5 hidden layers)",
                      "source": book.GLOROT_BENGIO, **book.GLOROT_JACOBIAN_SINGULAR_VALUE},
    }


def _top_layer_series(table, activation, seed):
    g = table[(table["activation"] == activation) & (table["seed"] == seed)]
    return g.pivot_table(index="update", columns="layer", values=["mean", "derivative"]).sort_index()


def summarize_saturation(table, section):
    """R2: per seed, the top hidden layer's drop, recovery and saturation; verdicts by seed vote."""
    total = section["epochs"] * -(-section["train_size"] // section["mini_batch_size"])
    per_seed, verdicts = [], {"drop": [], "recovery": [], "less_saturation": []}
    sig_seeds = set(table.loc[table["activation"] == "sigmoid", "seed"])
    tanh_seeds = set(table.loc[table["activation"] == "tanh", "seed"])
    derivative_drop = {}
    for act in ("sigmoid", "tanh"):
        for seed in sorted(sig_seeds if act == "sigmoid" else tanh_seeds):
            s = _top_layer_series(table, act, int(seed))
            top = s["mean"].columns.max()
            derivative = s["derivative"][top]
            derivative_drop[(act, seed)] = float(derivative.min() / derivative.iloc[0])
            if act != "sigmoid":
                continue
            mean = s["mean"][top]
            early = mean[mean.index <= EARLY_FRACTION * total]
            t_early = early.idxmin()
            lower = [float(s["mean"][j].loc[t_early]) for j in s["mean"].columns if j != top]
            t_min = mean.idxmin()
            entry = {"seed": int(seed), "initial": float(mean.iloc[0]), "early_minimum": float(early.min()),
                     "early_minimum_update": int(t_early), "early_minimum_epoch": t_early / total * section["epochs"],
                     "lower_layers_at_minimum": lower, "minimum": float(mean.min()), "minimum_update": int(t_min),
                     "final": float(mean.iloc[-1]),
                     "recovery_fraction": recovery_fraction(float(mean.iloc[0]), float(mean.min()), float(mean.iloc[-1])),
                     "derivative_drop": derivative_drop[(act, seed)]}
            entry["drop_verdict"] = drop_verdict(entry["initial"], entry["early_minimum"], lower)
            entry["recovery_verdict"] = recovery_verdict(entry["initial"], entry["minimum"], entry["final"],
                                                         t_min == mean.index.max())
            per_seed.append(entry)
            verdicts["drop"].append(entry["drop_verdict"])
            verdicts["recovery"].append(entry["recovery_verdict"])
    for seed in sorted(sig_seeds & tanh_seeds):
        verdicts["less_saturation"].append(less_saturation_verdict(derivative_drop[("tanh", seed)],
                                                                   derivative_drop[("sigmoid", seed)]))
    last = table[table["update"] == table["update"].max()]
    top = int(table["layer"].max())
    first = table[(table["update"] == 0) & (table["layer"] == top)]
    final = {act: {"derivative_by_layer": g.groupby("layer")["derivative"].mean().tolist(),
                   "top_std": float(g.loc[g["layer"] == top, "std"].mean()),
                   "top_std_initial": float(first.loc[first["activation"] == act, "std"].mean()),
                   "top_max_abs_mean": float(table.loc[(table["activation"] == act) & (table["layer"] == top), "mean"]
                                             .abs().max())}
             for act, g in last.groupby("activation")}
    tanh_drops = [v for (a, _), v in derivative_drop.items() if a == "tanh"]
    sig_drops = [v for (a, _), v in derivative_drop.items() if a == "sigmoid"]
    published = {"label": "Glorot & Bengio (2010), Fig. 2: the top sigmoid layer desaturates around epoch",
                 "source": book.GLOROT_BENGIO, "desaturation_epoch": book.GLOROT_FIG2_DESATURATION_EPOCH}
    return {
        "updates_per_epoch": -(-section["train_size"] // section["mini_batch_size"]),
        "total_updates": total, "early_updates": EARLY_FRACTION * total,
        "sigmoid_top_layer": per_seed,
        "sigmoid_top_layer_stats": {k: stats([e[k] for e in per_seed]) for k in
                                    ("initial", "early_minimum", "final", "recovery_fraction", "early_minimum_epoch")}
        if per_seed else {},
        "derivative_drop": {"sigmoid": stats(sig_drops), "tanh": stats(tanh_drops)},
        "final": final,
        "claims": {
            "top_layer_to_zero": {
                "claim": "With sigmoid hidden units, the top hidden layer's activations are driven towards 0 "
                         "early in training, while the lower hidden layers stay above it.",
                "source": book.GLOROT_BENGIO, "where": "Sect. 3, Fig. 2", "rule": "drop per seed, seed_vote",
                "verdict": seed_vote(verdicts["drop"]), "by_seed": verdicts["drop"]},
            "slow_recovery": {
                "claim": "The top sigmoid layer then leaves saturation by itself, slowly.",
                "source": book.GLOROT_BENGIO, "where": "Sect. 3, Fig. 2", "rule": "recovery per seed, seed_vote",
                "verdict": seed_vote(verdicts["recovery"]), "by_seed": verdicts["recovery"]},
            "tanh_no_top_saturation": {
                "claim": "Symmetric tanh units do not suffer the sigmoid's saturation of the top hidden layer.",
                "source": book.GLOROT_BENGIO, "where": "Sect. 3",
                "measure": "min over training / initial value of the top layer's E[f']/max f'",
                "rule": "less_saturation per seed, seed_vote",
                "verdict": seed_vote(verdicts["less_saturation"]), "by_seed": verdicts["less_saturation"]},
        },
        "published": published,
    }


def summarize_optimizers(table, section):
    """R3: final training cost and validation accuracy of every optimizer at every η; each optimizer
    at its best η (lowest mean final training cost, as Sutskever et al. chose ε); verdicts."""
    last = table.loc[table.groupby(["optimizer", "eta", "seed"])["epoch"].idxmax()]
    epochs = int(section["epochs"])
    # A run that stopped early (diverged) has no final epoch: its final cost counts as +inf.
    last = last.assign(training_cost=np.where(last["epoch"] == epochs, last["training_cost"], np.inf))
    last["training_cost"] = last["training_cost"].replace(np.nan, np.inf)
    runs, best = [], {}
    for (opt, eta), g in last.groupby(["optimizer", "eta"]):
        runs.append({"optimizer": opt, "eta": float(eta), "final_training_cost": stats(g["training_cost"]),
                     "final_validation_accuracy": stats(g["validation_accuracy"]),
                     "diverged_seeds": int((~np.isfinite(g["training_cost"])).sum())})
    for opt in sorted(last["optimizer"].unique()):
        cand = [r for r in runs if r["optimizer"] == opt]
        best[opt] = min(cand, key=lambda r: r["final_training_cost"]["mean"])["eta"]

    def costs(opt):
        g = last[(last["optimizer"] == opt) & (last["eta"] == best[opt])]
        return g["training_cost"].to_numpy()

    momentum = [o for o in best if o != "sgd"]
    claims = {}
    if "sgd" in best and momentum:
        best_momentum = min(momentum, key=lambda o: float(np.mean(costs(o))))
        claims["sgd_worse"] = {
            "claim": "A well-initialized net trains markedly worse without momentum.",
            "source": book.SUTSKEVER, "where": "Abstract; Table 1",
            "measure": f"final training cost, sgd against the best momentum method, each at its best eta "
                       f"(markedly: at least {MARKEDLY:g} times)",
            "rule": "larger(sgd, best momentum, margin)", "compared": ["sgd", best_momentum],
            "numbers": {o: stats(costs(o)) for o in ("sgd", best_momentum)},
            "ratio_of_means": float(np.mean(costs("sgd")) / np.mean(costs(best_momentum))),
            "verdict": larger_verdict(costs("sgd"), costs(best_momentum), MARKEDLY)}
    parts, pairs = [], []
    for method in ("momentum", "nesterov"):
        lo, hi = f"{method}-{MU_LOW}", f"{method}-{MU_HIGH}"
        if lo in best and hi in best:
            parts.append(larger_verdict(costs(lo), costs(hi), MARKEDLY))
            pairs.append([lo, hi])
    if parts:
        claims["higher_mu_better"] = {
            "claim": f"With the learning rate tuned, momentum with μ_max = {MU_HIGH} trains markedly better than "
                     f"with {MU_LOW} (poorly tuned momentum is worse).",
            "source": book.SUTSKEVER, "where": "Table 1",
            "measure": "final training cost at each setting's best eta", "compared": pairs,
            "rule": f"larger(mu_max {MU_LOW}, mu_max {MU_HIGH}, margin) per method, all_of",
            "numbers": {o: stats(costs(o)) for pair in pairs for o in pair},
            "verdict": all_of(parts), "by_method": dict(zip((p[0].split("-")[0] for p in pairs), parts))}
    cm_hi, nag_hi = f"momentum-{MU_HIGH}", f"nesterov-{MU_HIGH}"
    if cm_hi in best and nag_hi in best:
        claims["nesterov_better"] = {
            "claim": f"At μ_max = {MU_HIGH} Nesterov's accelerated gradient trains better than classical momentum.",
            "source": book.SUTSKEVER, "where": "Table 1",
            "measure": "final training cost at each method's best eta",
            "rule": "larger(momentum, nesterov)", "compared": [cm_hi, nag_hi],
            "numbers": {o: stats(costs(o)) for o in (cm_hi, nag_hi)},
            "verdict": larger_verdict(costs(cm_hi), costs(nag_hi))}
    effective = {o: best[o] / (1.0 - parse_optimizer(o)[1]) for o in best}
    updates = epochs * -(-section["train_size"] // section["mini_batch_size"])
    mu_final = {o: (sutskever_mu(updates - 1, mu) if section["schedule"] else mu)
                for o, mu in ((o, parse_optimizer(o)[1]) for o in best) if o != "sgd"}
    return {"epochs": epochs, "updates": updates, "mu_at_last_update": mu_final,
            "runs": runs, "best_eta": best, "effective_step_at_best_eta": effective,
            "best": {o: next(r for r in runs if r["optimizer"] == o and r["eta"] == best[o]) for o in best},
            "claims": claims,
            "published": {"label": "Sutskever et al. (2013), Table 1: training squared error of the MNIST deep "
                                   "autoencoder, by method and mu_max",
                          "source": book.SUTSKEVER, "values": book.SUTSKEVER_MNIST_AUTOENCODER}}


def summarize_table1(table):
    """R4: test error per activation and init, beside Glorot & Bengio's Table 1; verdicts."""
    cells = []
    for (act, init), g in table.groupby(["activation", "init"]):
        cells.append({"activation": act, "init": init, "test_error": stats(g["test_error"]),
                      "test_accuracy": stats(g["test_accuracy"]), "diverged_seeds": int(g["diverged"].sum())})

    def err(act, init):
        return table[(table["activation"] == act) & (table["init"] == init)]["test_error"].to_numpy()

    inits = sorted(table["init"].unique())
    acts = set(table["activation"])
    pub = book.GLOROT_TABLE1_MNIST
    claims = {}
    if {"sigmoid", "tanh"} <= acts:
        by_init = {i: larger_verdict(err("sigmoid", i), err("tanh", i)) for i in inits}
        claims["sigmoid_worst"] = {
            "claim": "Sigmoid hidden units give a higher test error on MNIST than tanh units.",
            "source": book.GLOROT_BENGIO, "where": f"Table 1 (sigmoid {pub['sigmoid']} %, tanh {pub['tanh']} %)",
            "measure": "test error (%) over seeds, sigmoid against tanh, at each init",
            "rule": "larger(sigmoid, tanh) per init, all_of", "by_init": by_init,
            "numbers": {f"{a}_{i}": stats(err(a, i)) for a in ("sigmoid", "tanh") for i in inits},
            "verdict": all_of(by_init.values())}
    if "tanh" in acts and {"scaled", "glorot"} <= set(inits):
        claims["normalized_helps_tanh"] = {
            "claim": "The normalized initialization lowers the test error of tanh nets.",
            "source": book.GLOROT_BENGIO, "where": f"Table 1 (tanh {pub['tanh']} % → {pub['tanh_normalized']} %)",
            "measure": "test error (%) over seeds, tanh with scaled against tanh with glorot",
            "rule": "larger(tanh scaled, tanh glorot)",
            "numbers": {f"tanh_{i}": stats(err("tanh", i)) for i in ("scaled", "glorot")},
            "verdict": larger_verdict(err("tanh", "scaled"), err("tanh", "glorot"))}
    return {"cells": cells, "claims": claims,
            "published": {"label": f"Glorot & Bengio (2010), Table 1: MNIST test error (%), "
                                   f"{book.GLOROT_TABLE1_ARCH['hidden_layers']} hidden layers of "
                                   f"{book.GLOROT_TABLE1_ARCH['width']} units",
                          "source": book.GLOROT_BENGIO, "values": book.GLOROT_TABLE1_MNIST,
                          "mapping": "their 'standard' init U[-1/sqrt(n), 1/sqrt(n)], biases 0, is closest to "
                                     "our 'scaled'; their 'normalized' (N) is our 'glorot'"}}


def summarize(tables, config):
    """The whole beyond_summary.json from the four tables and the config's ``beyond`` section."""
    out = {
        "r1": summarize_init(tables["beyond_init"]),
        "r2": summarize_saturation(tables["beyond_saturation"], config["saturation"]),
        "r3": summarize_optimizers(tables["beyond_optimizers"], config["optimizers"]),
        "r4": summarize_table1(tables["beyond_table1"]),
    }
    out["verdicts"] = {f"{r}.{name}": claim["verdict"] for r in ("r1", "r2", "r3", "r4")
                       for name, claim in out[r]["claims"].items()}
    out["rules"] = {"thresholds": {"flat_band": list(FLAT_BAND), "drop_supports": DROP_SUPPORTS,
                                   "drop_contradicts": DROP_CONTRADICTS, "early_fraction": EARLY_FRACTION,
                                   "recovery_seen": RECOVERY_SEEN, "markedly": MARKEDLY},
                    "functions": VERDICT_RULES}
    out["config"] = config
    return out


# =============================================================================================
# What the report quotes: formatted strings and markdown tables.


def fmt(x, digits=3):
    """A number for prose: 3 significant digits, no exponent below 10⁶; '–' for None or NaN; ∞."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float) and math.isinf(x):
        return "∞" if x > 0 else "−∞"
    x = float(x)
    if x != 0 and abs(x) >= 10 ** digits:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def fmt_pct(x):
    return "–" if x is None or not math.isfinite(x) else f"{x:.2f}"


def _pm(s, fn=fmt):
    return "–" if s is None else f"{fn(s['mean'])} ± {fn(s['std'])}"


def _range(s, fn=fmt):
    return "–" if s is None else f"{fn(s['min'])}–{fn(s['max'])}"


def _key(x):
    """A shortcode-safe key part: 0.99 -> '099', 'nesterov-0.99' -> 'nesterov_099'."""
    return re.sub(r"[^0-9a-zA-Z_]", "", str(x).replace("-", "_"))


def _init_combo_vars(v, base, c):
    v[f"{base}_ratio"] = fmt(c["delta_ratio"]["mean"])
    v[f"{base}_ratio_range"] = _range(c["delta_ratio"])
    v[f"{base}_rms_ratio"] = fmt(c["delta_rms_ratio"]["mean"])
    v[f"{base}_wratio"] = fmt(c["grad_w_entry_ratio"]["mean"])
    v[f"{base}_wratio_range"] = _range(c["grad_w_entry_ratio"])
    v[f"{base}_fratio"] = fmt(c["grad_w_ratio"]["mean"])
    v[f"{base}_act_first"] = fmt(c["activation_rms_by_layer"][0])
    v[f"{base}_act_last"] = fmt(c["activation_rms_by_layer"][-1])
    v[f"{base}_seeds"] = str(c["delta_ratio"]["n"])


def report_variables(beyond_summary: dict) -> dict:
    """Nested dict of already-formatted strings for ``{{< var beyond.<r>.<key> >}}``."""
    s = beyond_summary
    out = {"band_lo": fmt(FLAT_BAND[0]), "band_hi": fmt(FLAT_BAND[1]), "markedly": fmt(MARKEDLY),
           "drop_supports": fmt(DROP_SUPPORTS), "drop_contradicts": fmt(DROP_CONTRADICTS),
           "early_percent": fmt(100 * EARLY_FRACTION), "recovery_seen_percent": fmt(100 * RECOVERY_SEEN)}
    # R1
    r1 = s["r1"]
    v1 = {"verdict_delta": r1["claims"]["delta_flat"]["verdict"],
          "verdict_weights": r1["claims"]["weights_flat"]["verdict"],
          "jacobian_normalized": fmt(r1["published"].get("normalized")),
          "jacobian_standard": fmt(r1["published"].get("standard"))}
    for act, verdict in r1["claims"]["delta_flat"]["by_activation"].items():
        v1[f"{act}_verdict_delta"] = verdict
        v1[f"{act}_verdict_delta_rms"] = r1["claims"]["delta_flat"]["per_example_rms_verdict"][act]
        v1[f"{act}_verdict_weights"] = r1["claims"]["weights_flat"]["by_activation"][act]
    widths = sorted({c["width"] for c in r1["combinations"]})
    v1["widths"] = " and ".join(str(w) for w in widths)
    v1["hidden_layers"] = str(s["config"]["init"]["hidden_layers"])
    v1["probe_size"] = f"{s['config']['init']['probe_size']:,}"
    aliases = {}
    if widths:
        v1["width_small"], v1["width_large"] = str(widths[0]), str(widths[-1])
        aliases = {widths[0]: ["small"], widths[-1]: ["large"]}
        aliases[widths[0]] = aliases[widths[0]] + (["large"] if len(widths) == 1 else [])
    for c in r1["combinations"]:
        names = [f"w{c['width']}"] + aliases.get(c["width"], [])
        for name in names:
            _init_combo_vars(v1, f"{c['activation']}_{c['init']}_{name}", c)
    if widths:
        v1["seeds"] = str(r1["combinations"][0]["delta_ratio"]["n"])
    out["r1"] = v1

    # R2
    r2 = s["r2"]
    cfg2 = s["config"]["saturation"]
    v2 = {k: c["verdict"] for k, c in r2["claims"].items()}
    v2.update({"epochs": str(cfg2["epochs"]), "width": str(cfg2["width"]), "init": cfg2["init"],
               "hidden_layers": str(cfg2["hidden_layers"]), "mini_batch_size": str(cfg2["mini_batch_size"]),
               "lmbda": fmt(cfg2["lmbda"]),
               "eta": fmt(cfg2["eta"]), "train_size": f"{cfg2['train_size']:,}", "seeds": str(len(cfg2["seeds"])),
               "updates_per_epoch": f"{r2['updates_per_epoch']:,}", "total_updates": f"{r2['total_updates']:,}",
               "record_every": str(cfg2["record_every"]), "record_epochs": str(cfg2["record_epochs"]),
               "images": str(cfg2["activation_images"]),
               "published_desaturation_epoch": fmt(r2["published"]["desaturation_epoch"])})
    st = r2.get("sigmoid_top_layer_stats") or {}
    for k in ("initial", "early_minimum", "final", "recovery_fraction", "early_minimum_epoch"):
        v2[f"top_{k}"] = _pm(st.get(k))
        v2[f"top_{k}_mean"] = fmt(st[k]["mean"]) if st.get(k) else "–"
    for act in ("sigmoid", "tanh"):
        v2[f"{act}_derivative_drop"] = _pm(r2["derivative_drop"].get(act))
        fin = r2.get("final", {}).get(act)
        if fin:
            v2[f"{act}_final_derivative_top"] = fmt(fin["derivative_by_layer"][-1])
            v2[f"{act}_final_derivative_range"] = (f"{fmt(min(fin['derivative_by_layer']))}–"
                                                   f"{fmt(max(fin['derivative_by_layer']))}")
            v2[f"{act}_final_top_std"] = fmt(fin["top_std"])
            v2[f"{act}_initial_top_std"] = fmt(fin["top_std_initial"])
            v2[f"{act}_top_max_abs_mean"] = fmt(fin["top_max_abs_mean"])
    out["r2"] = v2
    # R3
    r3 = s["r3"]
    cfg3 = s["config"]["optimizers"]
    v3 = {k: c["verdict"] for k, c in r3["claims"].items()}
    v3.update({"epochs": str(cfg3["epochs"]), "width": str(cfg3["width"]), "init": cfg3["init"],
               "hidden_layers": str(cfg3["hidden_layers"]),
               "mu_max": " and ".join(fmt(m) for m in cfg3["mu_max"]),
               "activation": cfg3["activation"], "mini_batch_size": str(cfg3["mini_batch_size"]),
               "train_size": f"{cfg3['train_size']:,}", "seeds": str(len(cfg3["seeds"])),
               "etas": ", ".join(fmt(e) for e in cfg3["etas"]), "lmbda": fmt(cfg3["lmbda"])})
    for opt, run in r3["best"].items():
        k = _key(opt)
        v3[f"{k}_eta"] = fmt(run["eta"])
        v3[f"{k}_effective_step"] = fmt(r3["effective_step_at_best_eta"][opt])
        v3[f"{k}_cost"] = _pm(run["final_training_cost"])
        v3[f"{k}_accuracy"] = _pm(run["final_validation_accuracy"], fmt_pct)
    v3["updates"] = f"{r3['updates']:,}"
    for opt, mu in r3["mu_at_last_update"].items():
        v3[f"{_key(opt)}_mu_final"] = fmt(mu)
    v3["mu_low"], v3["mu_high"] = fmt(MU_LOW), fmt(MU_HIGH)
    if "sgd_worse" in r3["claims"]:
        best_momentum = r3["claims"]["sgd_worse"]["compared"][1]
        v3["best_momentum"] = best_momentum
        v3["best_momentum_eta"] = fmt(r3["best"][best_momentum]["eta"])
        v3["best_momentum_cost"] = _pm(r3["best"][best_momentum]["final_training_cost"])
        v3["sgd_ratio"] = fmt(r3["claims"]["sgd_worse"]["ratio_of_means"])
    for k, val in book.SUTSKEVER_MNIST_AUTOENCODER.items():  # as printed in the paper
        v3[f"published_{_key(k)}"] = f"{val:.2f}" if val < 1 else f"{val:.1f}"
    out["r3"] = v3
    # R4
    r4 = s["r4"]
    cfg4 = s["config"]["table1"]
    v4 = {k: c["verdict"] for k, c in r4["claims"].items()}
    v4.update({"epochs": str(cfg4["epochs"]), "width": str(cfg4["width"]), "eta": fmt(cfg4["eta"]),
               "mini_batch_size": str(cfg4["mini_batch_size"]),
               "lmbda": fmt(cfg4["lmbda"]), "train_size": f"{cfg4['train_size']:,}",
               "seeds": str(len(cfg4["seeds"])), "hidden_layers": str(cfg4["hidden_layers"]),
               "published_layers": str(book.GLOROT_TABLE1_ARCH["hidden_layers"]),
               "published_width": str(book.GLOROT_TABLE1_ARCH["width"])})
    for c in r4["cells"]:
        v4[f"{c['activation']}_{c['init']}_error"] = _pm(c["test_error"], fmt_pct)
    for k, val in book.GLOROT_TABLE1_MNIST.items():
        v4[f"published_{k}"] = fmt_pct(val)
    out["r4"] = v4
    return out


ACTIVATION_ORDER = ["sigmoid", "tanh", "relu"]
INIT_ORDER = ["large", "scaled", "glorot"]
CITATION = {book.GLOROT_BENGIO: "@glorot2010", book.SUTSKEVER: "@sutskever2013"}


def _order(value, order):
    return order.index(value) if value in order else len(order)


def _md_table(header, rows, caption, label, left=1):
    """A pipe table (the first ``left`` columns left-aligned, the others right) with its caption."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(":---" if i < left else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + f"\n\n: {caption} {{#{label}}}\n"


def report_tables(beyond_summary: dict) -> dict:
    """Markdown pipe tables with their caption lines, by path relative to report/
    (``_generated/beyond_r1.md`` ...), as ``vanishing.report.report_tables`` names its own."""
    s = beyond_summary
    out = {}
    # R1: ratios per combination.
    rows = []
    for c in sorted(s["r1"]["combinations"], key=lambda c: (_order(c["activation"], ACTIVATION_ORDER),
                                                            _order(c["init"], INIT_ORDER), c["width"])):
        rows.append([c["activation"], c["init"], c["width"], fmt(c["delta_ratio"]["mean"]), _range(c["delta_ratio"]),
                     fmt(c["delta_rms_ratio"]["mean"]), fmt(c["grad_w_entry_ratio"]["mean"]),
                     _range(c["grad_w_entry_ratio"])])
    n = s["r1"]["combinations"][0]["delta_ratio"]["n"] if s["r1"]["combinations"] else 0
    out["_generated/beyond_r1.md"] = _md_table(
        ["activation", "init", "width", "‖δ‖ last/first", "seed range", "per-example ‖δ‖ last/first",
         "weight gradient last/first", "seed range"], rows,
        f"R1: last over first hidden layer at initialization, mean over {n} seeds "
        f"({s['config']['init']['hidden_layers']} hidden layers). ‖δ‖ is the chapter's speed; the weight "
        "gradient is the RMS gradient of one weight.", "tbl-beyond-r1", left=2)
    # R3: each optimizer at each eta.
    rows = []
    for r in sorted(s["r3"]["runs"], key=lambda r: (r["optimizer"] != "sgd", r["optimizer"], -r["eta"])):
        best = s["r3"]["best_eta"].get(r["optimizer"]) == r["eta"]
        mu = parse_optimizer(r["optimizer"])[1]
        rows.append([r["optimizer"] + (" (best η)" if best else ""), fmt(r["eta"]), fmt(r["eta"] / (1 - mu)),
                     _pm(r["final_training_cost"]), _pm(r["final_validation_accuracy"], fmt_pct),
                     r["diverged_seeds"]])
    out["_generated/beyond_r3.md"] = _md_table(
        ["optimizer", "η", "η/(1−μ_max)", "final training cost", "validation accuracy (%)", "diverged seeds"], rows,
        f"R3: after {s['r3']['epochs']} epochs, mean ± std over seeds.", "tbl-beyond-r3")
    # R4: test error beside the paper.
    pub = book.GLOROT_TABLE1_MNIST
    paper = {("sigmoid", "scaled"): pub["sigmoid"], ("tanh", "scaled"): pub["tanh"],
             ("tanh", "glorot"): pub["tanh_normalized"]}
    rows = [[c["activation"], c["init"], _pm(c["test_error"], fmt_pct), _range(c["test_error"], fmt_pct),
             fmt_pct(paper[(c["activation"], c["init"])]) if (c["activation"], c["init"]) in paper else "–"]
            for c in sorted(s["r4"]["cells"], key=lambda c: (_order(c["activation"], ACTIVATION_ORDER),
                                                             _order(c["init"], INIT_ORDER)))]
    cfg4 = s["config"]["table1"]
    out["_generated/beyond_r4.md"] = _md_table(
        ["activation", "init", "test error (%)", "seed range", "Glorot & Bengio (%)"], rows,
        f"R4: test error on the 10,000 MNIST test images, {cfg4['hidden_layers']} hidden layers of "
        f"{cfg4['width']} units, {cfg4['epochs']} epochs, mean ± std over {len(cfg4['seeds'])} seeds; the "
        f"paper's values ({book.GLOROT_TABLE1_ARCH['hidden_layers']} layers of {book.GLOROT_TABLE1_ARCH['width']} "
        "units) with their standard init placed at scaled and their normalized init at glorot.", "tbl-beyond-r4",
        left=2)
    # All verdicts.
    rows = []
    for r in ("r1", "r2", "r3", "r4"):
        for name, c in s[r]["claims"].items():
            rows.append([r.upper(), c["claim"], f"{CITATION[c['source']]}, {c.get('where', '')}", c["verdict"]])
    out["_generated/beyond_verdicts.md"] = _md_table(["", "claim", "source", "this run"], rows,
                                                     "The papers' claims and this run's computed verdicts.",
                                                     "tbl-beyond-verdicts", left=4)
    return out
