"""The chapter's experiments E1-E5 as functions of a config section. Each returns plain records
(dicts and lists) that the scripts write; nothing here knows about Snakemake or paths.

Hidden layers are numbered 1..k as in the book's figures ("hidden layer 1" is next to the input);
in the book's layer notation hidden layer j is layer l = j + 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import book, chain
from vanishing.mnist.data import load_split
from vanishing.engine.nets import make_net, sizes
from vanishing.pipeline.provenance import describe
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, gradient_descent, train

def section_net(section, hidden_layers, seed, dtype):
    """(net, rng) of one run of a chapter section: its width, activation, init and cost."""
    return make_net(hidden_layers, section["width"], seed, activation=section["activation"], init=section["init"],
                    cost=section["cost"], dtype=dtype)


def run_label(name, section, hidden_layers, seed):
    keys = ("width", "activation", "init", "eta", "lmbda", "mini_batch_size")
    detail = ", ".join(f"{k}={section[k]}" for k in keys if k in section)
    return f"{name} k={hidden_layers} seed={seed} ({detail})"


def record(name, section, hidden_layers, seed, dtype, **results):
    """A results file's content: what ran, with what, and what came out."""
    return {"experiment": name, "hidden_layers": hidden_layers, "seed": seed,
            "sizes": sizes(hidden_layers, section["width"]), "dtype": str(np.dtype(dtype)),
            "config": section, "provenance": describe(), **results}


# --- E1 -----------------------------------------------------------------------------------------


# E1's hidden-layer activation statistics are read over the first this many test images.
E1_ACTIVATION_IMAGES = 300


def depth_accuracy(section, hidden_layers, seed, splits, dtype=np.float64, log=None,
                   probe_size=book.SPEED_PROBE_IMAGES, activation_images=E1_ACTIVATION_IMAGES):
    """E1: mini-batch SGD on the first ``train_size`` training images; validation accuracy, the
    training cost (mean over the first ``cost_images`` images, plus the L2 term) and the per-layer
    speeds after every epoch (entry 0 before training)."""
    return depth_accuracy_seeds(section, hidden_layers, [seed], splits, dtype, log, probe_size,
                                activation_images)[0]


def cost_images(section):
    """How many of the training images (the first ones) the training cost is averaged over:
    ``cost_images``, at most ``train_size``; the L2 term always uses n = ``train_size``."""
    return min(section["cost_images"], section["train_size"])


def depth_accuracy_seeds(section, hidden_layers, seeds, splits, dtype=np.float64, log=None,
                         probe_size=book.SPEED_PROBE_IMAGES, activation_images=E1_ACTIVATION_IMAGES):
    """E1 for several seeds of one depth, trained as one stacked computation (one seed: a single
    run); one record per seed, each what the single run with that seed gives (to rounding)."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    tx, _ = load_split(splits["test"], n=activation_images, dtype=dtype)
    nc = cost_images(section)
    nets, rngs = zip(*(section_net(section, hidden_layers, seed, dtype) for seed in seeds))
    monitors = [Monitor(x[:probe_size], y[:probe_size], cost_x=x[:nc], cost_y=y[:nc], valid_x=vx, valid_y=vy,
                        act_x=tx, lmbda=section["lmbda"], n=len(x)) for _ in seeds]
    labels = [run_label("depth_accuracy", section, hidden_layers, seed) for seed in seeds]
    kw = dict(epochs=section["epochs"], mini_batch_size=section["mini_batch_size"], eta=section["eta"],
              lmbda=section["lmbda"], log=log)
    if len(seeds) == 1:
        histories = [train(nets[0], x, y, rng=rngs[0], monitor=monitors[0], label=labels[0], **kw)]
    else:
        histories = train_stacked(list(nets), x, y, rngs=list(rngs), monitors=monitors, label=labels, **kw)
    return [record("depth_accuracy", section, hidden_layers, seed, dtype, cost_images=nc,
                   history=history) for seed, history in zip(seeds, histories)]


def depth_accuracy_table(records):
    rows = [{"hidden_layers": r["hidden_layers"], "seed": r["seed"], "epoch": e,
             "validation_accuracy": acc, "training_cost": cost}
            for r in records
            for e, acc, cost in zip(r["history"]["epoch"], r["history"]["validation_accuracy"],
                                    r["history"]["training_cost"])]
    return pd.DataFrame(rows).sort_values(["hidden_layers", "seed", "epoch"], kind="stable")


# --- E2 -----------------------------------------------------------------------------------------


def initial_speed(section, hidden_layers, splits, dtype=np.float64):
    """E2: ‖δˡ‖ (and ‖∂C/∂wˡ‖, the first neurons' ∂C/∂b) at initialization for every seed."""
    x, y = load_split(splits["train"], n=section["probe_size"], dtype=dtype)
    runs = []
    for seed in section["seeds"]:
        net, _ = section_net(section, hidden_layers, seed, dtype)
        row = Monitor(x, y, bias_neurons=section["bar_neurons"]).measure(net)
        runs.append({"seed": seed, **row})
    return record("initial_speed", section, hidden_layers, None, dtype, runs=runs)


def initial_speed_table(records):
    """Rows for the hidden layers only (the output layer's speed stays in the JSON files)."""
    rows = [{"hidden_layers": r["hidden_layers"], "seed": run["seed"], "layer": j + 1, "speed": s}
            for r in records for run in r["runs"] for j, s in enumerate(run["speed_b"][:-1])]
    return pd.DataFrame(rows).sort_values(["hidden_layers", "seed", "layer"], kind="stable")


# --- E3 -----------------------------------------------------------------------------------------


def learning_speed(section, hidden_layers, seed, splits, dtype=np.float64, log=None):
    """E3: full-batch gradient descent on the first ``train_size`` images, which are also the
    probe set; the speed of every layer after every epoch, read off the gradient of the update
    (one back-propagation per epoch)."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    net, _ = section_net(section, hidden_layers, seed, dtype)
    label = run_label("learning_speed", section, hidden_layers, seed)
    history = gradient_descent(net, x, y, epochs=section["epochs"], eta=section["eta"],
                               lmbda=section["lmbda"], log=log, label=label)
    return record("learning_speed", section, hidden_layers, seed, dtype, history=history)


def learning_speed_table(records):
    rows = [{"hidden_layers": r["hidden_layers"], "seed": r["seed"], "epoch": e, "layer": j + 1, "speed": s}
            for r in records
            for e, speeds in zip(r["history"]["epoch"], r["history"]["speed_b"])
            for j, s in enumerate(speeds[:-1])]
    return pd.DataFrame(rows).sort_values(["hidden_layers", "seed", "epoch", "layer"], kind="stable")


# --- E4 -----------------------------------------------------------------------------------------


def chain_table(section, a0=1.0, y=0.0):
    """E4: ∂C/∂b_l of every neuron of a chain, by back-propagation and by eq. (122), in the
    vanishing regime (one row set per seed) and the exploding regime (w = exploding_weight, z = 0)."""
    depth = section["max_depth"]
    nets = [("vanishing", s, *chain.vanishing_chain(depth, np.random.default_rng(s))) for s in section["seeds"]]
    nets.append(("exploding", None, *chain.exploding_chain(depth, section["exploding_weight"], a0)))
    rows = []
    for regime, seed, w, b in nets:
        bp = chain.backprop_gradients(w, b, a0, y)
        product = chain.eq122_gradients(w, b, a0, y)
        z, _ = chain.chain_forward(w, b, a0)
        for l in range(depth):
            rows.append({"regime": regime, "seed": seed, "layer": l + 1, "w": w[l], "z": z[l],
                         "backprop": bp[l], "eq122": product[l],
                         "rel_diff": abs(bp[l] - product[l]) / max(abs(product[l]), 1e-300)})
    return pd.DataFrame(rows)


# --- E5 -----------------------------------------------------------------------------------------


def window_table(section):
    """E5: the window's width against |w| by the book's formula (eq. 123) and by a numeric scan."""
    ws = np.linspace(4.0, section["w_max"], section["w_points"])
    return pd.DataFrame({"w": ws, "width_formula": chain.window_width_formula(ws),
                         "width_scan": [chain.window_width_scan(w, points=section["scan_points"]) for w in ws]})


def sigma_prime_table(z_max=8.0, points=1601):
    z = np.linspace(-z_max, z_max, points)
    return pd.DataFrame({"z": z, "sigma_prime": chain.sigmoid_prime(z)})


# --- E1's speeds ------------------------------------------------------------------------------


def depth_speed_table(records):
    """E1's speed of learning ‖δʲ‖ of every hidden layer j (1 = next to the input) after every epoch
    (epoch 0 before training), over E1's probe images: one row per depth, seed, epoch and layer."""
    rows = [{"hidden_layers": r["hidden_layers"], "seed": r["seed"], "epoch": e, "layer": j + 1, "speed": s}
            for r in records
            for e, speeds in zip(r["history"]["epoch"], r["history"]["speed_b"])
            for j, s in enumerate(speeds[:-1])]
    return pd.DataFrame(rows, columns=["hidden_layers", "seed", "epoch", "layer", "speed"]).sort_values(
        ["hidden_layers", "seed", "epoch", "layer"], kind="stable")
