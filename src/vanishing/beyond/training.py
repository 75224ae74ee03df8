"""What every beyond experiment shares: building a net from a config section, the instruments,
the results record, and ``train_seeds`` — the ONE function through which every beyond training
run goes (one seed: ``train.train``; several seeds of one configuration: one stacked computation,
``stacked.train_stacked``, which agrees with the single-seed runs to rounding, not bit for bit).

Every net is [784, width x k, 10]; the output layer and cost come from the section's ``cost``
(``cross_entropy``: sigmoid output, the chapter's; ``log_likelihood``: softmax output, Glorot &
Bengio's). Hidden layers are numbered 1..k as in the chapter's figures (hidden layer j is layer
l = j + 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from vanishing.engine.nets import make_net
from vanishing.pipeline.provenance import describe
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, TrainingDiverged, one_hot, train

# A run that ends with finite numbers but an accuracy at or below this (%) is stuck at chance (ten
# classes give 10 % by chance); one whose weights or cost stopped being finite has diverged.
CHANCE_ACCURACY = 15.0
# A net is "trained" when its accuracy (%) is at least this: the precondition of every claim that
# compares trained nets (a net below it has not left chance, 10 %, by far).
TRAINED_ACCURACY = 50.0


def section_net(section, activation, init, width, seed, dtype):
    """(net, rng) of one seed of a beyond section: its depth and cost, the given activation, init
    and width (``nets.make_net``)."""
    return make_net(section["hidden_layers"], width, seed, activation=activation, init=init, cost=section["cost"],
                    dtype=dtype)


def seed_nets(section, activation, init, seeds, dtype):
    """([net], [rng]) of the seeds of one activation x init, at the section's width."""
    nets, rngs = zip(*(section_net(section, activation, init, section["width"], seed, dtype) for seed in seeds))
    return list(nets), list(rngs)


def seed_labels(prefix, section, seeds):
    """The progress-log label of each seed's run: ``prefix seed=S (width=W, eta=E)``."""
    return [f"{prefix} seed={seed} (width={section['width']}, eta={section['eta']})" for seed in seeds]


def record(experiment, section, dtype, **results):
    """A results file's content: the resolved config section, dtype, provenance and the results."""
    return {"experiment": experiment, "config": section, "dtype": str(np.dtype(dtype)),
            "provenance": describe(), **results}


@dataclass
class BeyondMonitor(Monitor):
    """The chapter's Monitor plus what the beyond experiments read:

    percentile   each hidden layer's ``percentile``-th percentile of |a| over the units and the
                 ``act_x`` images (Glorot & Bengio's Fig. 3 plots the 98th); None: not recorded
    saturated_above
                 each hidden layer's fraction of values (units × ``act_x`` images) in the flat part
                 of its activation (``saturated_fraction``); None: not recorded
    valid_cost   also the mean cost (no regularization term) over the validation images
    """

    percentile: float | None = None
    saturated_above: float | None = None
    valid_cost: bool = False

    def measure(self, net, known=None, outputs=None):
        row = super().measure(net, known, outputs)
        if self.act_x is not None and (self.percentile is not None or self.saturated_above is not None):
            hidden = net.forward(self.act_x)[1:-1]
            if self.percentile is not None:
                row["activation_percentile"] = [float(np.percentile(np.abs(a), self.percentile)) for a in hidden]
            if self.saturated_above is not None:
                row["activation_saturated"] = [saturated_fraction(net.activation.name, a, self.saturated_above)
                                               for a in hidden]
        if self.valid_cost and self.valid_x is not None:
            if getattr(self, "_valid_onehot", None) is None:
                self._valid_onehot = one_hot(self.valid_y, net.sizes[-1], net.dtype)
            with np.errstate(over="ignore", invalid="ignore"):
                z, a = (outputs or net.output)(self.valid_x)
                row["validation_cost"] = float(np.sum(net.cost.fn(z, a, self._valid_onehot))) / len(self.valid_x)
        return row


def saturated_fraction(activation, a, level):
    """The fraction of the values ``a`` of a layer of ``activation`` units in its flat part: tanh
    |a| > level; sigmoid |2a − 1| > level, the same place (tanh(z) = 2σ(2z) − 1), where f′/max f′
    = 1 − level² too; None for an activation without a flat part on both sides (ReLU); NaN when
    the values are not all finite (a diverged run)."""
    if activation not in ("tanh", "sigmoid"):
        return None
    if not np.isfinite(a).all():
        return float("nan")
    if activation == "tanh":
        return float(np.mean(np.abs(a) > level))
    return float(np.mean(np.abs(2.0 * a - 1.0) > level))


def train_seeds(nets, rngs, x, labels, monitors, *, labels_of_runs, log=None, **train_kwargs):
    """Train one net per seed (lists of equal length: nets, their Generators, their monitors);
    several nets are trained as one stacked computation (``stacked.train_stacked``).

    Returns one (history, diverged_at_epoch) per seed: the monitor's history, and the epoch at
    which the weights or the cost stopped being finite (None if they never did; the history
    then ends there instead of failing the job, and a stacked run goes on with the other seeds;
    its non-finite readings are None, JSON's null, see ``finite_history``).
    ``train_kwargs`` are ``train.train``'s (epochs, mini_batch_size, eta, lmbda, optimizer,
    record_every, record_epochs); with several nets ``eta`` may give one learning rate per net."""
    if len(nets) > 1:
        stopped = {}
        histories = train_stacked(nets, x, labels, rngs=rngs, monitors=monitors, log=log, label=list(labels_of_runs),
                                  on_diverge="stop", diverged=stopped, **train_kwargs)
        out = [(history, stopped[r][0] if r in stopped else None) for r, history in enumerate(histories)]
    else:
        out = [_train_one(nets[0], rngs[0], x, labels, monitors[0], labels_of_runs[0], log, train_kwargs)]
    for history, _ in out:
        history.pop("bias_grad", None)
    return [(finite_history(history) if stopped is not None else history, stopped) for history, stopped in out]


def finite_history(history):
    """A diverged run's history with every NaN or infinite reading replaced by None (null in the
    results file): the record at ``diverged_at_epoch`` keeps its place, its non-finite numbers
    read as "not finite"."""
    def clean(v):
        if isinstance(v, (list, tuple)):
            return [clean(x) for x in v]
        if isinstance(v, (float, np.floating)) and not math.isfinite(v):
            return None
        return v

    return {key: clean(values) for key, values in history.items()}


def _train_one(net, rng, x, labels, monitor, label, log, train_kwargs):
    """One seed with ``train.train``: (history, diverged_at_epoch)."""
    try:
        return train(net, x, labels, rng=rng, monitor=monitor, log=log, label=label, **train_kwargs), None
    except TrainingDiverged as error:
        if log:
            log(f"{label}: {error}; recorded as diverged")
        return monitor.history, int(math.ceil(monitor.history["epoch"][-1]))


def _finite(x):
    return x is not None and math.isfinite(x)


def is_diverged(final_cost, final_accuracy, stopped_at):
    """Whether a run diverged: it stopped on non-finite weights or cost (``stopped_at`` is the
    epoch), or its final cost or accuracy is missing or not finite."""
    return stopped_at is not None or not _finite(final_cost) or not _finite(final_accuracy)


def is_stuck(final_cost, final_accuracy, stopped_at):
    """Whether a run is stuck at chance: it did not diverge (its numbers are finite) but its final
    accuracy is at or below CHANCE_ACCURACY (%): the net learned nothing (e.g. saturated sigmoid
    units, Glorot & Bengio's Sect. 3, or a step too large to settle)."""
    return not is_diverged(final_cost, final_accuracy, stopped_at) and final_accuracy <= CHANCE_ACCURACY


def stats(values):
    """Mean, standard deviation (ddof 1), min, max and count of the finite values (None if none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    return {"mean": float(np.mean(v)), "std": float(np.std(v, ddof=1)) if v.size > 1 else 0.0,
            "min": float(np.min(v)), "max": float(np.max(v)), "n": int(v.size)}
