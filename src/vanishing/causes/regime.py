"""Why the gap between the layers' speeds shrinks in some regimes, one factor at a time.

Under the book's protocol (E3) the first hidden layer of a 4 × 30 sigmoid net learns about 100
times more slowly than the last for 500 epochs, while in R3 (Glorot & Bengio's normalized init,
mini-batches of 100, λ = 0, η = 1) the four speeds come close after a few epochs. The two regimes
differ in five settings: the weights' distribution, the biases (N(0, 1) or 0), the mini-batch
size, λ and η. Starting from ``baseline`` we switch each setting alone to its ``target`` value,
and then all of them, train for a few epochs, and record every ``record_every`` updates each
hidden layer's speed ‖δʲ‖ and rms σ′(zʲ) over the probe images. The gap is then read against the
number of updates made: E3 makes one update per epoch, so its 500 epochs are 500 updates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from vanishing.mnist.data import load_split
from vanishing.engine.nets import make_net
from vanishing.pipeline.provenance import describe
from vanishing.engine.train import Monitor, train
from . import factors
from .depth_sweep import COST

SETTINGS = ("weights", "biases", "mini_batch_size", "lmbda", "eta")
COLUMNS = ["variant", "seed", "epoch", "updates", "layer", "speed", "fprime_rms"]


def variants(section):
    """[(name, settings)]: 'baseline', then one per setting that differs between ``baseline`` and
    ``target`` (named after the setting; only it switched to its target value), then 'all'."""
    base, target = section["baseline"], section["target"]
    missing = [s for s in SETTINGS if s not in base or s not in target]
    if missing:
        raise ValueError(f"regime baseline and target must both set {', '.join(missing)}")
    out = [("baseline", dict(base))]
    out += [(s, {**base, s: target[s]}) for s in SETTINGS if base[s] != target[s]]
    out.append(("all", dict(target)))
    return out


def make_regime_net(section, settings, seed, dtype=np.float64):
    """A fresh [784, width × k, 10] net from ``default_rng(seed)``: weights 'scaled' (N(0, 1/n_in))
    or 'glorot' (U(±√(6/(n_in + n_out)))), biases 'normal' (N(0, 1)) or 'zero'. Returns (net, rng)."""
    if settings["weights"] not in ("scaled", "glorot") or settings["biases"] not in ("normal", "zero"):
        raise ValueError(f"weights must be scaled or glorot and biases normal or zero, got {settings}")
    net, rng = make_net(section["hidden_layers"], section["width"], seed, activation=section["activation"],
                        init=settings["weights"], cost=COST, dtype=dtype)
    for b in net.biases:
        if settings["biases"] == "zero":
            b[...] = 0.0
        elif settings["weights"] == "glorot":  # glorot made them 0: draw N(0, 1) as 'scaled' does
            b[...] = rng.standard_normal(b.shape)
    return net, rng


@dataclass
class SigmaPrimeMonitor(Monitor):
    """The Monitor's readings plus rms σ′(zʲ) of every hidden layer over the probe images."""

    def measure(self, net, known=None):
        row = super().measure(net, known)
        row["fprime_rms"] = factors.fprime_rms(factors.hidden_fprime(net, self.probe_x))
        return row


def regime_run(section, name, settings, seed, splits, dtype=np.float64, log=None):
    """Train one variant for ``epochs`` epochs of mini-batch SGD; the speeds and rms σ′ after every
    ``record_every`` updates and every epoch, with the number of updates made so far."""
    x, labels = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    net, rng = make_regime_net(section, settings, seed, dtype)
    monitor = SigmaPrimeMonitor(x[: section["probe_size"]], labels[: section["probe_size"]], bias_neurons=0)
    history = train(net, x, labels, epochs=section["epochs"], mini_batch_size=settings["mini_batch_size"],
                    eta=settings["eta"], lmbda=settings["lmbda"], rng=rng, monitor=monitor, log=log,
                    label=f"regime {name} seed={seed}", record_every=section["record_every"])
    per_epoch = -(-len(x) // settings["mini_batch_size"])
    return {"variant": name, "settings": settings, "seed": seed, "epoch": history["epoch"],
            "updates": [int(round(e * per_epoch)) for e in history["epoch"]],
            "speed_b": history["speed_b"], "fprime_rms": history["fprime_rms"]}


def regime_runs(section, splits, dtype=np.float64, log=None):
    """Every variant × seed of ``section``, in one record."""
    runs = [regime_run(section, name, settings, seed, splits, dtype, log)
            for name, settings in variants(section) for seed in section["seeds"]]
    return {"experiment": "causes_regime", "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), "runs": runs}


def regime_table(records):
    """One row per variant, seed, epoch and hidden layer (columns COLUMNS)."""
    rows = [{"variant": r["variant"], "seed": r["seed"], "epoch": e, "updates": u, "layer": j + 1,
             "speed": speeds[j], "fprime_rms": rms[j]}
            for rec in records for r in rec["runs"]
            for e, u, speeds, rms in zip(r["epoch"], r["updates"], r["speed_b"], r["fprime_rms"])
            for j in range(len(rms))]
    return pd.DataFrame(rows, columns=COLUMNS)
