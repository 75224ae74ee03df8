"""Are the slow early layers already near an optimum? (the chapter's question)

A small gradient in the first hidden layer could mean that its weights are already nearly right.
If so, training that layer alone should barely lower the cost. We train a fresh net with the
book's protocol (mini-batch SGD, η, λ) updating only the parameters of one hidden layer — the
first, or the last — or of all layers, or of all but the first (is the first layer's learning
needed at all?), and record the training cost (cross-entropy, without the
L2 term, so that shrinking weights does not count as fitting) and the validation accuracy after
every epoch. Epoch 0 is the common starting point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.mnist.data import load_split
from vanishing.engine.nets import OUTPUTS
from vanishing.pipeline.provenance import describe
from vanishing.engine.train import accuracy, one_hot
from .depth_sweep import causes_net

COLUMNS = ["trained", "seed", "epoch", "training_cost", "validation_accuracy"]


def trained_layers(name, hidden_layers):
    """0-based weight-layer indices updated for ``name``: 'first' (hidden layer 1 only), 'last'
    (hidden layer k only), 'output' (the output layer only), 'all', or 'all_but_first' (every layer
    but hidden layer 1, which stays at its random initial values)."""
    table = {"first": [0], "last": [hidden_layers - 1], "output": [hidden_layers],
             "all": list(range(hidden_layers + 1)), "all_but_first": list(range(1, hidden_layers + 1))}
    if name not in table:
        raise ValueError(f"unknown trained layer {name!r}; choose one of {sorted(table)}")
    return table[name]


def sgd_layers(net, x, y, layers, *, epochs, mini_batch_size, eta, lmbda, rng, on_epoch):
    """network2's SGD, but only the weights and biases of ``layers`` are updated (the others stay
    at their initial values). ``on_epoch(epoch)`` is called before training and after every epoch."""
    n = len(x)
    decay = 1.0 - eta * lmbda / n
    on_epoch(0)
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n)
        for k in range(0, n, mini_batch_size):
            batch = order[k : k + mini_batch_size]
            nabla_b, nabla_w = net.backprop(x[batch], y[batch], scale=eta / len(batch))
            for i in layers:
                net.weights[i] *= decay
                net.weights[i] -= nabla_w[i]
                net.biases[i] -= nabla_b[i]
        on_epoch(epoch)


def layerwise_runs(section, splits, dtype=np.float64, log=None):
    """Every trained-layer choice × seed of ``section``."""
    x, labels = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vlabels = load_split(splits["validation"], dtype=dtype)
    y = one_hot(labels, OUTPUTS, dtype)
    runs = []
    for name in section["trained"]:
        for seed in section["seeds"]:
            net = causes_net(section["hidden_layers"], section["width"], "sigmoid", "scaled", seed, dtype)
            rng = np.random.default_rng([seed, 1])  # the shuffling stream, the same for every choice
            run = {"trained": name, "seed": seed, "epoch": [], "training_cost": [], "validation_accuracy": []}

            def on_epoch(epoch, net=net, run=run):
                run["epoch"].append(epoch)
                run["training_cost"].append(net.cost_sum(x, y) / len(x))
                run["validation_accuracy"].append(accuracy(net, vx, vlabels))
                if log:
                    log(f"layerwise {run['trained']} seed={run['seed']} epoch {epoch}: cost "
                        f"{run['training_cost'][-1]:.4f}, accuracy {run['validation_accuracy'][-1]:.2f}%")

            sgd_layers(net, x, y, trained_layers(name, section["hidden_layers"]), epochs=section["epochs"],
                       mini_batch_size=section["mini_batch_size"], eta=section["eta"], lmbda=section["lmbda"],
                       rng=rng, on_epoch=on_epoch)
            runs.append(run)
    return {"experiment": "causes_layerwise", "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), "runs": runs}


def layerwise_table(records):
    """One row per trained-layer choice, seed and epoch (columns COLUMNS)."""
    rows = [{"trained": r["trained"], "seed": r["seed"], "epoch": e, "training_cost": c, "validation_accuracy": a}
            for rec in records for r in rec["runs"]
            for e, c, a in zip(r["epoch"], r["training_cost"], r["validation_accuracy"])]
    return pd.DataFrame(rows, columns=COLUMNS)
