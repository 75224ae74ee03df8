"""Training: the book's mini-batch SGD with L2 regularization, classical momentum and Nesterov's
accelerated gradient (Sutskever et al. 2013), and the per-epoch instruments of the study.

The SGD update is network2's exactly, for a mini-batch of m examples out of n training images:

    w ← (1 − ηλ/n) w − (η/m) Σ ∂Cₓ/∂w          b ← b − (η/m) Σ ∂Cₓ/∂b

Momentum methods follow Sutskever et al.'s eqs. 1–4 on the regularized cost f, whose gradient is
g = (1/m) Σ ∂Cₓ/∂θ (+ (λ/n) w for weights):

    classical  v ← μ v − η g(θ)             θ ← θ + v
    Nesterov   v ← μ v − η g(θ + μ v)       θ ← θ + v

with μ constant or their schedule μₜ = min(1 − 2^(−1 − log₂(⌊t/250⌋ + 1)), μ_max), t the update count,
and optionally their final phase: μ lowered to min(μ, 0.9) for the last ``final_updates`` updates.
With one learning rate per layer (``layer_rates``), layer l's weights and biases take ηˡ for η.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace

import numpy as np

from vanishing.engine.fastpath.steps import LitOutputs, fast_steps, resolve
from .layer_rates import layer_gradients, per_layer, sgd_step_layers


class TrainingDiverged(RuntimeError):
    """Raised when the weights or the cost stop being finite numbers."""


def one_hot(labels, classes=10, dtype=np.float64):
    """Labels of shape (n,) to one-hot rows of shape (n, classes)."""
    y = np.zeros((len(labels), classes), dtype=dtype)
    y[np.arange(len(labels)), labels] = 1.0
    return y


def sutskever_mu(t, mu_max):
    """Sutskever et al.'s momentum schedule at update t: 0.5, 0.75, 0.833, ... capped at mu_max."""
    return min(1.0 - 2.0 ** (-1.0 - math.log2(t // 250 + 1)), mu_max)


@dataclass
class Optimizer:
    """kind: 'sgd' (network2), 'momentum' (classical) or 'nesterov'; μ = mu_max, or the schedule.

    final_updates   Sutskever et al.'s final phase: for the last ``final_updates`` updates of the
                    run, μ = min(μ, final_mu) (0: no final phase). The run's length is set by
                    ``for_run`` (``train`` and ``train_stacked`` call it); before that, no final phase.
    final_mu        μ in the final phase (Sutskever et al.: 0.9).
    total_updates   the updates of the run (``for_run``); None: not known yet.
    """

    kind: str = "sgd"
    mu_max: float = 0.9
    schedule: bool = False
    final_updates: int = 0
    final_mu: float = 0.9
    total_updates: int | None = None

    def __post_init__(self):
        if self.kind not in ("sgd", "momentum", "nesterov"):
            raise ValueError(f"unknown optimizer {self.kind!r}; choose sgd, momentum or nesterov")
        if not 0.0 <= self.mu_max < 1.0:
            raise ValueError(f"mu_max must be in [0, 1), got {self.mu_max}")
        if not 0.0 <= self.final_mu < 1.0:
            raise ValueError(f"final_mu must be in [0, 1), got {self.final_mu}")
        if int(self.final_updates) != self.final_updates or self.final_updates < 0:
            raise ValueError(f"final_updates must be a whole number of updates >= 0, got {self.final_updates}")

    def for_run(self, total_updates):
        """This optimizer for a run of ``total_updates`` updates (its final phase is the last
        ``final_updates`` of them)."""
        return replace(self, total_updates=int(total_updates))

    def in_final_phase(self, t):
        """Whether update t (0-based) is one of the run's last ``final_updates``."""
        return bool(self.final_updates) and self.total_updates is not None and \
            t >= self.total_updates - self.final_updates

    def mu(self, t):
        mu = sutskever_mu(t, self.mu_max) if self.schedule else self.mu_max
        return min(mu, self.final_mu) if self.in_final_phase(t) else mu


# ---------------------------------------------------------------------------------------------
# Update steps on one mini-batch (x shape (m, n¹), y one-hot shape (m, nᴸ)).


def sgd_step(net, x, y, eta, lmbda, n):
    """network2's update_mini_batch, vectorized over the mini-batch."""
    nabla_b, nabla_w = net.backprop(x, y, scale=eta / len(x))
    decay = 1.0 - eta * (lmbda / n)
    for w, nw in zip(net.weights, nabla_w):
        if decay != 1.0:
            w *= decay
        w -= nw
    for b, nb in zip(net.biases, nabla_b):
        b -= nb


def momentum_step(net, x, y, eta, lmbda, n, velocity, mu, nesterov, scratch=None):
    """One step of classical momentum or Nesterov's accelerated gradient; ``velocity`` is updated
    in place (one array per parameter, in ``net.params()`` order). ``eta`` is one rate, or one per
    weight layer. ``scratch`` (from ``momentum_scratch``) holds μv and ηλ/n·w, so that the step
    allocates nothing beyond back-propagation's own arrays; made here when not given."""
    params = net.params()
    if scratch is None:
        scratch = momentum_scratch(params)
    if nesterov:
        shift(params, velocity, mu, scratch)  # evaluate the gradient at θ + μv
    if np.ndim(eta) == 0:
        nabla_b, nabla_w = net.backprop(x, y, scale=eta / len(x))
        decay = eta * (lmbda / n) if lmbda else None
    else:
        nabla_b, nabla_w = layer_gradients(net.backprop(x, y, scale=1.0 / len(x)), eta, eta)
        decay = [rate * (lmbda / n) for rate in eta] if lmbda else None
    momentum_update(params, velocity, nabla_w + nabla_b, mu, decay, scratch, unshift=nesterov)


def momentum_scratch(params):
    """Work arrays for ``momentum_update``: one per parameter (μv), one more per weight (ηλ/n·w)."""
    return [np.empty_like(p) for p in params] + [np.empty_like(w) for w in params[: len(params) // 2]]


def shift(params, velocity, mu, scratch):
    """θ ← θ + μv, keeping μv in ``scratch`` for ``momentum_update(..., unshift=True)``."""
    for p, v, s in zip(params, velocity, scratch):
        np.multiply(v, mu, out=s)
        p += s


def momentum_update(params, velocity, grads, mu, decay, scratch, unshift=False):
    """v ← μv − g − decay·w, θ ← θ + v, in place, for parameters θ listed weights first.

    ``grads`` are η/m Σ ∂Cₓ/∂θ in ``params`` order (modified in place); ``decay`` = ηλ/n (a number,
    or one per replica of shape (R, 1, 1), or a list of those, one per weight layer; None without
    regularization) applies to the weights, the first ``len(grads) // 2`` entries, taken as they are
    now (at θ + μv for Nesterov). ``unshift`` first undoes ``shift``: θ ← θ − μv with the μv kept in ``scratch``.
    Works for any leading axes (one network or a stack of replicas)."""
    weights = len(grads) // 2
    if decay is not None:
        decays = decay if isinstance(decay, list) else [decay] * weights
        for g, w, s, d in zip(grads[:weights], params[:weights], scratch[len(params):], decays):
            np.multiply(w, d, out=s)
            g += s
    if unshift:
        for p, s in zip(params, scratch):
            p -= s
    for p, v, g in zip(params, velocity, grads):
        v *= mu
        v -= g
        p += v


# ---------------------------------------------------------------------------------------------
# Instruments.


@dataclass
class Monitor:
    """What is measured before training (epoch 0) and after every epoch.

    probe_x, probe_y    images/labels over which the mean gradient is taken (the book: the first
                        1000 training images); gives the speed of learning ‖mean ∂C/∂bˡ‖ and
                        ‖mean ∂C/∂wˡ‖_F of every layer l = 2..L (no regularization term), and
                        the mean ∂C/∂bˡⱼ of the first ``bias_neurons`` neurons of each layer
    cost_x, cost_y      the training set, for the total cost (mean cost + ½(λ/n)Σw²); optional
    training_accuracy   also record the accuracy in percent on cost_x, cost_y
                        (``training_accuracy``); needs cost_x
    valid_x, valid_y    validation set for the accuracy in percent; optional
    act_x               fixed images for the mean and standard deviation of each hidden layer's
                        activations (Glorot & Bengio's Fig. 2); optional
    """

    probe_x: np.ndarray
    probe_y: np.ndarray
    bias_neurons: int = 6
    cost_x: np.ndarray | None = None
    cost_y: np.ndarray | None = None
    valid_x: np.ndarray | None = None
    valid_y: np.ndarray | None = None
    act_x: np.ndarray | None = None
    training_accuracy: bool = False
    lmbda: float = 0.0
    n: int = 1
    history: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.training_accuracy and (self.cost_x is None or self.cost_y is None):
            raise ValueError("Monitor(training_accuracy=True) needs the training images and labels cost_x, cost_y")

    def _targets(self, net):
        """One-hot targets (and inputs in the net's dtype), made once for the net's output size."""
        if getattr(self, "_cache_key", None) != (net.sizes[-1], net.dtype):
            cast = lambda a: None if a is None else np.asarray(a, dtype=net.dtype)  # noqa: E731
            self.probe_x, self.cost_x, self.valid_x, self.act_x = map(
                cast, (self.probe_x, self.cost_x, self.valid_x, self.act_x))
            self._probe_onehot = one_hot(self.probe_y, net.sizes[-1], net.dtype)
            self._cost_onehot = None if self.cost_y is None else one_hot(self.cost_y, net.sizes[-1], net.dtype)
            self._cache_key = (net.sizes[-1], net.dtype)

    def measure(self, net, known=None, outputs=None):
        """The instruments' readings for the network as it is now, as a dict of plain values.
        ``known`` may hold "training_cost" and "validation_accuracy" computed elsewhere for this
        net (train_stacked computes them for all replicas in one pass); they are not recomputed.
        ``outputs`` (x → (zᴸ, aᴸ), ``net.output`` by default) gives the net's outputs on the
        training-cost and validation images (the compiled engine's ``fastpath.engine.LitOutputs``)."""
        known = known or {}
        outputs = outputs or net.output
        self._targets(net)
        nabla_b, nabla_w = net.backprop(self.probe_x, self._probe_onehot)
        m = len(self.probe_x)
        row = {
            "speed_b": [float(np.linalg.norm(nb / m)) for nb in nabla_b],
            "speed_w": [float(np.linalg.norm(nw / m)) for nw in nabla_w],
            "bias_grad": [(nb[: self.bias_neurons] / m).tolist() for nb in nabla_b],
        }
        cost_outputs = None  # (zᴸ, aᴸ) on the training-cost images, one pass for the cost and the accuracy
        if "training_cost" in known:
            row["training_cost"] = known["training_cost"]
        elif self.cost_x is not None:
            cost_outputs = z, a = outputs(self.cost_x)
            mean_cost = float(np.sum(net.cost.fn(z, a, self._cost_onehot))) / len(self.cost_x)
            row["training_cost"] = mean_cost + net.l2_penalty(self.lmbda, self.n)
        if self.training_accuracy:
            if "training_accuracy" in known:
                row["training_accuracy"] = known["training_accuracy"]
            else:
                row["training_accuracy"] = percent_correct((cost_outputs or outputs(self.cost_x))[1], self.cost_y)
        if "validation_accuracy" in known:
            row["validation_accuracy"] = known["validation_accuracy"]
        elif self.valid_x is not None:
            row["validation_accuracy"] = percent_correct(outputs(self.valid_x)[1], self.valid_y)
        if self.act_x is not None:
            hidden = net.forward(self.act_x)[1:-1]
            row["activation_mean"] = [float(a.mean()) for a in hidden]
            row["activation_std"] = [float(a.std()) for a in hidden]
        return row

    def record(self, net, epoch, known=None, outputs=None):
        row = self.measure(net, known, outputs)
        self.history.setdefault("epoch", []).append(epoch)
        for key, value in row.items():
            self.history.setdefault(key, []).append(value)
        return row


def accuracy(net, x, labels):
    """Percentage of images whose most active output neuron is the label."""
    return percent_correct(net.feedforward(x), labels)


def percent_correct(a, labels):
    """Percentage of the rows of outputs a whose largest entry is at the label."""
    return 100.0 * float(np.mean(np.argmax(a, axis=1) == labels))


def check_finite(net, row, epoch, label):
    """Stop with an error naming the run and the epoch once anything is NaN or infinite."""
    bad = [f"w{l + 2}" for l, w in enumerate(net.weights) if not np.isfinite(w).all()]
    bad += [f"b{l + 2}" for l, b in enumerate(net.biases) if not np.isfinite(b).all()]
    bad += [k for k in ("training_cost",) if k in row and not math.isfinite(row[k])]
    bad += [f"speed_b[{l + 2}]" for l, s in enumerate(row.get("speed_b", [])) if not math.isfinite(s)]
    if bad:
        raise TrainingDiverged(f"{label}: non-finite values ({', '.join(bad)}) at epoch {epoch}")


# ---------------------------------------------------------------------------------------------


class ReferenceSteps:
    """The numpy engine's updates of one epoch, one mini-batch at a time (``sgd_step`` or
    ``momentum_step``); ``fastpath.engine.FastSteps`` is the compiled engine with the same methods.
    ``eta`` is one rate or an array of one per weight layer (``sgd_step_layers``); ``set_rates``
    changes the per-layer rates between updates."""

    def __init__(self, net, x, y, *, mini_batch_size, eta, lmbda, optimizer):
        self.net, self.x, self.y = net, x, y
        self.mb, self.eta, self.lmbda, self.optimizer = mini_batch_size, eta, lmbda, optimizer
        self.step = sgd_step if np.ndim(eta) == 0 else sgd_step_layers
        self.velocity = [np.zeros_like(p) for p in net.params()] if optimizer.kind != "sgd" else None
        self.scratch = momentum_scratch(net.params()) if self.velocity is not None else None
        self.t = 0  # updates so far (μ's schedule)

    def start_epoch(self, order):
        self.order, self.y_shuffled = order, self.y[order]

    def run(self, first, stop):
        """Updates ``first`` .. ``stop`` − 1 (0-based) of the epoch started last."""
        n = len(self.x)
        for j in range(first, stop):
            k = j * self.mb
            xb = self.x.take(self.order[k : k + self.mb], axis=0)
            yb = self.y_shuffled[k : k + self.mb]
            if self.velocity is None:
                self.step(self.net, xb, yb, self.eta, self.lmbda, n)
            else:
                momentum_step(self.net, xb, yb, self.eta, self.lmbda, n, self.velocity, self.optimizer.mu(self.t),
                              self.optimizer.kind == "nesterov", self.scratch)
            self.t += 1

    def set_rates(self, rates):
        self.eta, self.step = rates, sgd_step_layers

    def sync(self):
        """The net is the state: nothing to write back."""

    end_epoch = sync


def record_points(batches, record_every, fine):
    """The updates of an epoch after which a fine-grained record is taken: every ``record_every``-th,
    except the epoch's last (none unless ``fine``)."""
    return list(range(int(record_every), batches, int(record_every))) if fine else []


def train(net, x, labels, *, epochs, mini_batch_size, eta, lmbda, rng, optimizer=None, monitor=None,
          log=None, label="run", record_every=None, record_epochs=None, engine=None):
    """Train ``net`` on images x (n, n¹) with integer labels (n,), shuffling with ``rng`` each epoch.

    ``monitor`` (a Monitor) records epoch 0 before any update and then every epoch; its history
    is returned (without a monitor, an empty dict). ``log(str)`` receives a progress line per epoch. ``label`` names the run (its
    configuration) in the progress lines and in a TrainingDiverged error.

    ``record_every`` (mini-batch updates) makes the monitor also record inside the first
    ``record_epochs`` epochs (every epoch if None): after every ``record_every``-th update of an
    epoch of B updates, except the epoch's last, at the fractional epoch (epoch − 1) + j/B after
    its j-th update. The records do not touch the net or ``rng``: training is the same with or
    without them.

    ``optimizer`` (an Optimizer; None: network2's SGD) runs for the epochs × B updates of this call
    (``Optimizer.for_run``): its final phase, if any, is their last ``final_updates``.

    ``eta``: one learning rate; a sequence of one per weight layer; or a rule ``eta(net)`` giving
    those, called at the start of every epoch (``layer_rates``). Per-layer rates train on numpy, and
    the monitor's history gets "layer_eta": the rates of epochs 1, 2, ....

    ``engine``: "reference" (the numpy engine), "fast" or "auto" (the compiled engine where it
    applies; see ``fastpath.engine``); None: the process's (``fastpath.engine.use``, else
    "reference"). Both give the same net to rounding.
    """
    rule = eta if callable(eta) else None
    rates = None if rule is not None or np.ndim(eta) == 0 else per_layer(eta, len(net.weights))
    n = len(x)
    batches = -(-n // mini_batch_size)  # updates per epoch
    optimizer = (optimizer or Optimizer()).for_run(epochs * batches)
    y = one_hot(labels, classes=net.sizes[-1], dtype=net.dtype)
    x = np.asarray(x, dtype=net.dtype)
    if record_every is not None and int(record_every) < 1:
        raise ValueError(f"record_every must be a positive number of updates, got {record_every}")
    steps = None
    if resolve(engine) != "reference" and rule is None and rates is None:
        steps = fast_steps(engine, [net], x, labels, mini_batch_size=mini_batch_size, etas=[eta], lmbda=lmbda,
                           optimizer=optimizer)
    lit_outputs = None  # the compiled engine's monitor outputs; None: the monitor's own net.output
    if steps and monitor:
        monitor._targets(net)
        lit_outputs = LitOutputs([monitor.cost_x, monitor.valid_x], reuse=[steps[0].lit])

    def outputs():
        return lit_outputs.of(net) if lit_outputs else None

    first_rates = rates if rule is None else per_layer(rule(net), len(net.weights))
    steps = steps[0] if steps else ReferenceSteps(net, x, y, mini_batch_size=mini_batch_size,
                                                  eta=eta if first_rates is None else first_rates, lmbda=lmbda,
                                                  optimizer=optimizer)
    batches = -(-n // mini_batch_size)  # updates per epoch
    row = monitor.record(net, 0, outputs=outputs()) if monitor else {}
    check_finite(net, row, 0, label)
    _log(log, label, 0, epochs, row, 0.0)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        if rule is not None and epoch > 1:
            steps.set_rates(per_layer(rule(net), len(net.weights)))
        if monitor is not None and first_rates is not None:
            monitor.history.setdefault("layer_eta", []).append(np.asarray(steps.eta).tolist())
        steps.start_epoch(rng.permutation(n))
        fine = monitor is not None and record_every is not None and (record_epochs is None or epoch <= record_epochs)
        done = 0
        with np.errstate(over="ignore", invalid="ignore"):
            for j in record_points(batches, record_every, fine):
                steps.run(done, j)
                done = j
                steps.sync()
                monitor.record(net, epoch - 1 + j / batches, outputs=outputs())
            steps.run(done, batches)
            steps.end_epoch()
            row = monitor.record(net, epoch, outputs=outputs()) if monitor else {}
        check_finite(net, row, epoch, label)
        _log(log, label, epoch, epochs, row, time.perf_counter() - start)
    return monitor.history if monitor else {}


def gradient_descent(net, x, labels, *, epochs, eta, lmbda, log=None, label="run", fit_every=None, valid_x=None,
                     valid_labels=None):
    """Full-batch gradient descent on images x (n, n¹) with integer labels (n,), instrumented.

    Each epoch is network2's update with one mini-batch of all n images,
    w ← (1 − ηλ/n) w − (η/n) Σₓ ∂Cₓ/∂w,  b ← b − (η/n) Σₓ ∂Cₓ/∂b,
    and the speed of learning ‖(1/n) Σₓ ∂Cₓ/∂bˡ‖ (and ‖·‖_F for wˡ) is read off the same gradient
    before the update is applied: one back-propagation per epoch serves both the record of epoch
    e and the update to epoch e + 1 (one more gives the record after the last epoch). The result
    equals ``train`` with ``mini_batch_size = n`` and a ``Monitor`` on the same images (to rounding;
    no shuffle is needed, the sum over all images does not depend on their order).

    Returns the history {"epoch": [0..epochs], "speed_b": [...], "speed_w": [...]} per epoch.
    ``fit_every`` (epochs) adds ``history["fit"]``: at epoch 0, every ``fit_every``-th epoch and
    after the last, before that epoch's update, the training cost (mean over x plus ½(λ/n)Σw²), the
    training accuracy on x and, with ``valid_x``/``valid_labels``, the validation accuracy (%).
    """
    if fit_every is not None and int(fit_every) < 1:
        raise ValueError(f"fit_every must be a positive number of epochs, got {fit_every}")
    n = len(x)
    y = one_hot(labels, classes=net.sizes[-1], dtype=net.dtype)
    x = np.asarray(x, dtype=net.dtype)
    decay = 1.0 - eta * (lmbda / n)
    history = {"epoch": [], "speed_b": [], "speed_w": []}
    if fit_every is not None:
        history["fit"] = {"epoch": [], "training_cost": [], "training_accuracy": [], "validation_accuracy": []}
    start = time.perf_counter()
    for epoch in range(epochs + 1):
        if fit_every is not None and (epoch % int(fit_every) == 0 or epoch == epochs):
            fit = history["fit"]
            fit["epoch"].append(epoch)
            fit["training_cost"].append(net.cost_sum(x, y) / n + net.l2_penalty(lmbda, n))
            fit["training_accuracy"].append(accuracy(net, x, labels))
            fit["validation_accuracy"].append(None if valid_x is None else accuracy(net, valid_x, valid_labels))
        with np.errstate(over="ignore", invalid="ignore"):
            nabla_b, nabla_w = net.backprop(x, y)
        row = {"speed_b": [float(np.linalg.norm(nb / n)) for nb in nabla_b],
               "speed_w": [float(np.linalg.norm(nw / n)) for nw in nabla_w]}
        history["epoch"].append(epoch)
        for key, value in row.items():
            history[key].append(value)
        check_finite(net, row, epoch, label)
        now = time.perf_counter()
        _log(log, label, epoch, epochs, row, now - start if epoch else 0.0)
        start = now
        if epoch == epochs:
            break
        for w, nw in zip(net.weights, nabla_w):
            nw *= eta / n
            if decay != 1.0:
                w *= decay
            w -= nw
        for b, nb in zip(net.biases, nabla_b):
            nb *= eta / n
            b -= nb
    return history


def _log(log, label, epoch, epochs, row, seconds):
    if log is None:
        return
    parts = [f"{label} epoch {epoch}/{epochs}"]
    if "validation_accuracy" in row:
        parts.append(f"accuracy {row['validation_accuracy']:.2f}%")
    if "training_cost" in row:
        parts.append(f"cost {row['training_cost']:.4f}")
    if "speed_b" in row:
        parts.append("speed " + " ".join(f"{s:.3g}" for s in row["speed_b"][:-1]))
    parts.append(f"{seconds:.2f}s")
    log(", ".join(parts))
