"""R4: a small version of Glorot & Bengio's (2010) Table 1: the MNIST test error of deep nets by
activation and initialization, trained with mini-batch SGD.

The paper's rows compared here: sigmoid and tanh with the standard init, tanh with the normalized
init (our ``glorot``). The claims are judged among nets that trained: a claim is "not tested" when
any compared run is stuck at chance, any ends below TRAINED_ACCURACY (a net that left chance but has
not learned most of MNIST yet: comparing it is comparing how long nets sit on the initial plateau,
not the error of trained nets), or fewer than MIN_SEEDS compared runs did not diverge; the stuck
runs are reported as a finding of their own. A run that diverges (weights or cost not finite) is counted and left out of
the means and intervals: it has no test error. A run stuck at chance (finite numbers, test accuracy
at or below ``training.CHANCE_ACCURACY``: the net learned nothing, as Glorot & Bengio's saturated
sigmoid nets can) is counted too, and kept: its test error is what that net does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.mnist.data import load_split
from vanishing.publication.wording import plural
from vanishing.engine.train import Monitor, Optimizer, accuracy
from .training import (CHANCE_ACCURACY, TRAINED_ACCURACY, is_diverged, is_stuck, record, seed_labels, seed_nets,
                       stats, train_seeds)
from .verdicts import difference_interval, judge, precondition

MIN_SEEDS = 3  # precondition: trained (not diverged) seeds per compared cell
SIGMOID_MINIMAL = 0.2  # points of test error: sigmoid above tanh (the paper's difference: 0.45)
NORMALIZED_MINIMAL = 0.05  # points: tanh standard above tanh normalized (the paper's difference: 0.12)
STANDARD, NORMALIZED = "standard", "glorot"

COLUMNS = {
    "activation": "hidden activation", "init": "initializer", "seed": "seed",
    "epochs": "training epochs", "diverged": "stopped on non-finite weights or cost (no test accuracy)",
    "stuck": f"stuck at chance: finite numbers, but a test accuracy at or below {CHANCE_ACCURACY:g} % (chance: 10 %)",
    "validation_accuracy": "accuracy (%) on the validation images after the last epoch",
    "test_accuracy": "accuracy (%) on the 10,000 test images after the last epoch (empty if diverged)",
    "test_error": "100 − test_accuracy (%) (empty if diverged)",
}


def table1_runs(section, activation, init, seeds, splits, dtype=np.float64, log=None):
    """R4: mini-batch SGD, validation accuracy every epoch and the test accuracy at the end, for the
    seeds of one activation × init trained as one stacked computation (one seed: a single run); one
    record per seed, in the order of ``seeds``."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    tx, ty = load_split(splits["test"], dtype=dtype)
    nets, rngs = seed_nets(section, activation, init, seeds, dtype)
    probe = book.SPEED_PROBE_IMAGES  # the per-layer speeds recorded alongside, over the book's probe
    monitors = [Monitor(x[:probe], y[:probe], bias_neurons=0, valid_x=vx, valid_y=vy) for _ in seeds]
    labels = seed_labels(f"R4 {activation} {init}", section, seeds)
    runs = train_seeds(nets, rngs, x, y, monitors, labels_of_runs=labels, log=log,
                       epochs=section["epochs"], mini_batch_size=section["mini_batch_size"],
                       eta=section["eta"], lmbda=section["lmbda"], optimizer=Optimizer())
    out = []
    for net, seed, label, (history, stopped) in zip(nets, seeds, labels, runs):
        test = accuracy(net, tx, ty) if stopped is None else None  # null: diverged, nothing to test
        if log and test is not None:
            log(f"{label}: test accuracy {test:.2f}% on {len(ty)} test images")
        out.append(record("beyond_table1", section, dtype, activation=activation, init=init, seed=seed,
                          diverged_at_epoch=stopped, test_accuracy=test, test_images=len(ty), history=history))
    return out


def _test_accuracy(record):
    """The record's test accuracy (%), NaN for a diverged run (whose record holds null)."""
    test = record["test_accuracy"]
    return float("nan") if test is None else float(test)


def table1_table(records):
    rows = [{"activation": r["activation"], "init": r["init"], "seed": r["seed"], "epochs": r["config"]["epochs"],
             "diverged": is_diverged(0.0, _test_accuracy(r), r["diverged_at_epoch"]),
             "stuck": is_stuck(0.0, _test_accuracy(r), r["diverged_at_epoch"]),
             "validation_accuracy": r["history"]["validation_accuracy"][-1],
             "test_accuracy": _test_accuracy(r), "test_error": 100.0 - _test_accuracy(r)} for r in records]
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values(["activation", "init", "seed"], kind="stable")


def summarize_table1(table, section):
    """R4: test error per activation and init (diverged runs counted and left out of the means,
    runs stuck at chance counted and kept), beside the paper's Table 1; the claims by Welch intervals of differences of mean
    test error."""
    table = table.assign(**{c: table[c].astype(str).str.lower().isin(["true", "1"]) for c in ("diverged", "stuck")})
    table = table.assign(left_out=table["diverged"])  # a stuck run's test error is a measurement
    cells = []
    for (act, init), g in table.groupby(["activation", "init"]):
        ok = g[~g["left_out"]]
        cells.append({"activation": act, "init": init, "test_error": stats(ok["test_error"]),
                      "seeds": int(len(g)), "diverged_seeds": int(g["diverged"].sum()),
                      "stuck_seeds": int(g["stuck"].sum())})

    def err(act, init):
        g = table[(table["activation"] == act) & (table["init"] == init) & ~table["left_out"]]
        return g["test_error"].to_numpy() if len(g) else np.array([])

    pub = book.GLOROT_TABLE1_MNIST
    arch = book.GLOROT_TABLE1_ARCH
    devs = [f"{section['hidden_layers']} hidden layers of {section['width']} units (the paper: "
            f"{arch['hidden_layers']} of {arch['width']})",
            f"{plural(section['epochs'], 'epoch', words=False)} of mini-batch SGD at a fixed η = {section['eta']:g}, "
            f"λ = {section['lmbda']:g}"]
    if section["cost"] != "log_likelihood":
        devs.append("sigmoid output with cross-entropy (the paper: softmax with log-likelihood)")
    common = {"source": book.GLOROT_BENGIO, "tested_as_stated": "partly", "deviations": devs, "ran": True}
    def cell(act, init):
        return next((c for c in cells if c["activation"] == act and c["init"] == init), None)

    def untrained(compared):
        """Compared runs that did not diverge and end below TRAINED_ACCURACY (stuck ones included)."""
        ok = table[~table["left_out"]]
        return int(sum(((ok["activation"] == a) & (ok["init"] == i) & (ok["test_accuracy"] < TRAINED_ACCURACY)).sum()
                       for a, i in compared))

    def trained(compared):
        """Preconditions: no compared run stuck at chance or below TRAINED_ACCURACY, MIN_SEEDS runs per
        cell that did not diverge."""
        conds = [precondition("compared runs stuck at chance", sum(cell(*c)["stuck_seeds"] for c in compared), 0,
                              "<="),
                 precondition(f"compared runs below {TRAINED_ACCURACY:g} % test accuracy (not trained)",
                              untrained(compared), 0, "<=")]
        conds += [precondition(f"{a} {i} runs that did not diverge", cell(a, i)["seeds"] - cell(a, i)["diverged_seeds"],
                               MIN_SEEDS) for a, i in compared]
        return conds

    acts, inits = set(table["activation"]), set(table["init"])
    # name, run?, the claim, where the paper says it, the measure, the cell with the higher error
    # claimed, the other cell, the minimal effect
    comparisons = [
        ("sigmoid_worst", {"sigmoid", "tanh"} <= acts and STANDARD in inits,
         "Sigmoid hidden units give a higher MNIST test error than tanh units.",
         f"Table 1 (sigmoid {pub['sigmoid']} %, tanh {pub['tanh']} %)",
         "mean test error (%), sigmoid − tanh, standard init", ("sigmoid", STANDARD), ("tanh", STANDARD),
         SIGMOID_MINIMAL),
        ("normalized_helps_tanh", "tanh" in acts and {STANDARD, NORMALIZED} <= inits,
         "The normalized initialization lowers the test error of tanh nets.",
         f"Table 1 (tanh {pub['tanh']} % → {pub['tanh_normalized']} %)",
         "mean test error (%), tanh standard − tanh normalized", ("tanh", STANDARD), ("tanh", NORMALIZED),
         NORMALIZED_MINIMAL),
    ]
    claims = {name: judge(claim, where=where, measure=measure, interval=difference_interval(err(*high), err(*low)),
                          minimal=minimal, side="above", null=0.0, preconditions=trained([high, low]), **common)
              for name, run, claim, where, measure, high, low, minimal in comparisons if run}
    findings = [f"at width {section['width']} and {plural(section['epochs'], 'epoch', words=False)}, "
                f"{c['stuck_seeds']} of {c['seeds']} "
                f"{c['activation']} nets with the {c['init']} init never left chance"
                for c in cells if c["stuck_seeds"]]
    return {"cells": cells, "claims": claims, "stuck_findings": findings,
            "published": {"label": f"Glorot & Bengio (2010), Table 1: MNIST test error (%), "
                                   f"{arch['hidden_layers']} hidden layers of {arch['width']} units",
                          "source": book.GLOROT_BENGIO, "values": pub,
                          "mapping": "their standard init is our 'standard', their normalized (N) our 'glorot'"}}
