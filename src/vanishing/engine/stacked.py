"""Several seeds of one configuration trained as one stacked computation.

Every array gets a leading replica axis r: the weights wˡ of all replicas form one array of shape
(R, nˡ, nˡ⁻¹), the biases (R, nˡ), a mini-batch (R, m, n¹). Replica r is initialized and shuffled
by its own seeded Generator exactly as a single run (``Network`` then ``train``) with that seed,
so it follows the same trajectory; one Python step now drives R replicas, which amortizes the
per-operation overhead that dominates small networks.

``train_stacked`` trains given ``Network`` objects (any activation and cost, SGD, classical
momentum or Nesterov) with their own Generators and Monitors and returns the histories that
``train`` would return for each. Stacked and single runs agree to rounding (the batched products
may sum in another order), not bit for bit.
"""

from __future__ import annotations

import time

import numpy as np

from vanishing.engine.fastpath.steps import LitOutputs, fast_steps, resolve
from .layer_rates import layer_gradients, per_layer
from .train import (Optimizer, TrainingDiverged, _log, check_finite, momentum_scratch, momentum_update,
                    one_hot, record_points, shift)


def stack_params(nets):
    """Stack the nets' parameters along a new leading axis and make every net's ``weights`` and
    ``biases`` views into the stack, so that updating the stack updates the nets (and a Monitor
    reads a net exactly as after single training). Returns (weights, biases), arrays (R, ...)."""
    first = nets[0]
    for net in nets[1:]:
        same = (net.sizes, net.activation, net.cost, net.dtype, net.residual) == (
            first.sizes, first.activation, first.cost, first.dtype, first.residual)
        if not same:
            raise ValueError("stacked nets must share sizes, activation, cost, dtype and residual; got "
                             f"{first.sizes} {first.activation.name} {first.cost.name} {first.dtype} "
                             f"residual={first.residual} and {net.sizes} {net.activation.name} {net.cost.name} "
                             f"{net.dtype} residual={net.residual}")
    weights = [np.stack([net.weights[i] for net in nets]) for i in range(len(first.weights))]
    biases = [np.stack([net.biases[i] for net in nets]) for i in range(len(first.biases))]
    for r, net in enumerate(nets):
        net.weights = [w[r] for w in weights]
        net.biases = [b[r] for b in biases]
    return weights, biases


def stacked_backprop(net, weights, biases, x, y, scale=1.0, first_scale=None, first_grad_scale=None):
    """``Network.backprop`` for R replicas at once: x (R, m, n¹), one-hot y (R, m, nᴸ), weights
    (R, nˡ, nˡ⁻¹) and biases (R, nˡ) of each layer; ``net`` gives the activation and cost. Returns
    (nabla_b, nabla_w) with shapes (R, nˡ) and (R, nˡ, nˡ⁻¹), each replica's scale · Σₓ ∂Cₓ/∂θ.

    ``scale`` is a number or one per replica (shape (R, 1, 1)). ``first_scale`` (shape (R, 1, 1)),
    if given, says that the first layer's true weights are first_scale · ``weights[0]`` (see
    ``FirstLayer``); its gradient is then returned times ``first_grad_scale`` (R, 1, 1). The δ
    recursion is ``Network.backward`` on the stacked weights."""
    activations = [x]
    branches = [x]
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = np.matmul(activations[-1], w.transpose(0, 2, 1))
        if i == 0 and first_scale is not None:
            z *= first_scale
        z += b[:, None, :]
        branches.append(net.layer_function(i).apply_(z))
        activations.append(activations[-1] + branches[-1] if net.skips(i) else branches[-1])
    delta = net.cost.delta(activations[-1], y)
    if not (np.isscalar(scale) and scale == 1.0):
        delta *= scale
    L = len(weights)
    nabla_b, nabla_w = [None] * L, [None] * L
    for i, delta in net.backward(delta, activations, weights, branches=branches):
        nabla_b[i] = delta.sum(axis=1)
        if i == 0 and first_grad_scale is not None:
            delta *= first_grad_scale  # δ² is the recursion's last: nothing is computed from it
        nabla_w[i] = np.matmul(delta.transpose(0, 2, 1), activations[i])
    return nabla_b, nabla_w


class FirstLayer:
    """The first layer's weights w² as stacked SGD trains them, on the work that counts.

    At mini-batch 10 the first layer's (R, n², n¹) weights are the largest array of a step, and a
    stack of them no longer fits in the core's cache. Two things are left out of the step:

    - the input pixels that are 0 in every training image (67 of MNIST's 784 in the first
      50,000): they add nothing to z² and get no gradient, so their columns of w² only decay; the
      step trains ``w`` (R, n², len(active)), the columns ``active`` of w²;
    - the decay w² ← (1 − ηλ/n) w² as a pass over the weights: ``w`` holds W̃ with w² = c · W̃, a
      scale c per replica (R, 1, 1), and a step is c ← (1 − ηλ/n) c, W̃ ← W̃ − (η/m) Σ ∂C/∂w² / c.

    Both leave network2's update as it is, up to rounding. ``settle`` writes c · W̃ back into the nets'
    weights ``full`` (and decays the left-out columns by c) before anything reads them."""

    def __init__(self, full, decay, active=None):
        self.full = full
        self.active = active
        self.inactive = None if active is None else np.setdiff1d(np.arange(full.shape[2]), active)
        self.w = full if active is None else np.ascontiguousarray(full[:, :, active])
        self.decay = decay  # (R, 1, 1)
        self.lazy = bool(np.any(decay != 1.0))
        self.c = np.ones_like(decay)
        self._forward, self._inverse = np.empty_like(decay), np.empty_like(decay)

    def step(self):
        """Multiply c by the decay; returns (c for the forward pass, 1/c for the gradient), or
        (None, None) when there is no decay."""
        if not self.lazy:
            return None, None
        np.copyto(self._forward, self.c)
        self.c *= self.decay
        np.divide(1.0, self.c, out=self._inverse)
        return self._forward, self._inverse

    def set_decay(self, decay):
        """A new decay factor per replica (R, 1, 1) for the steps to come; only once settled (c = 1)."""
        if np.any(self.c != 1.0):
            raise RuntimeError("the first layer's scale must be settled before its decay changes")
        self.decay = decay
        self.lazy = bool(np.any(decay != 1.0))

    def settle(self):
        scaled = bool(np.any(self.c != 1.0))
        if scaled:
            self.w *= self.c
        if self.active is not None:
            if scaled:
                self.full[:, :, self.inactive] *= self.c
            self.full[:, :, self.active] = self.w
        self.c[...] = 1.0


def lit_columns(x):
    """Indices of the input columns (pixels) that are not 0 in every row of x, or None if all are."""
    active = np.flatnonzero(np.any(x != 0, axis=0))
    return None if len(active) == x.shape[1] else active


def stacked_output(net, weights, biases, rows, x):
    """(zᴸ, aᴸ), each of shape (len(rows), n, nᴸ), of replicas ``rows`` on the same images x (n, n¹).
    The first layer, where the work is, is one product of x with the replicas' w² side by side
    (n¹ × R·n², about twice as fast as R products of n¹ × n²); ``net`` gives the activations."""
    w = weights[0][rows]  # (k, n², n¹)
    k, width = w.shape[:2]
    z = np.dot(x, w.reshape(k * width, -1).T).reshape(len(x), k, width).transpose(1, 0, 2)
    z += biases[0][rows][:, None, :]
    last = len(weights) - 1
    a = net.layer_function(0).apply_(z) if last else net.layer_function(0).fn(z)  # hidden layers in place: only zᴸ is returned
    for i in range(1, len(weights)):
        z = np.matmul(a, weights[i][rows].transpose(0, 2, 1))
        z += biases[i][rows][:, None, :]
        if net.skips(i):  # a residual hidden layer: aˡ = aˡ⁻¹ + f(zˡ) (zˡ is needed no more)
            a = a + net.layer_function(i).apply_(z)
        else:
            a = net.layer_function(i).apply_(z) if i < last else net.layer_function(i).fn(z)
    return z, a


def _same(a, b):
    """Whether arrays a and b are the same images (the same memory, shape, strides and dtype)."""
    if a is None or b is None:
        return a is b
    return (a.__array_interface__["data"][0], a.shape, a.strides, a.dtype) == \
        (b.__array_interface__["data"][0], b.shape, b.strides, b.dtype)


def shared_readings(nets, monitors, weights, biases, rows):
    """Training cost (and accuracy, where a monitor asks for it) and validation accuracy of replicas
    ``rows`` in one stacked pass each, as ``known`` dicts for ``Monitor.record``, when their
    monitors read the same images (else {})."""
    known = {r: {} for r in rows}
    first = monitors[rows[0]]
    for r in rows:
        monitors[r]._targets(nets[r])
    if len(rows) > 1 and first.cost_x is not None and all(
            _same(monitors[r].cost_x, first.cost_x) and np.array_equal(monitors[r].cost_y, first.cost_y)
            and (monitors[r].lmbda, monitors[r].n) == (first.lmbda, first.n)
            for r in rows):
        z, a = stacked_output(nets[0], weights, biases, rows, first.cost_x)
        for j, r in enumerate(rows):
            mean_cost = float(np.sum(nets[r].cost.fn(z[j], a[j], first._cost_onehot))) / len(first.cost_x)
            known[r]["training_cost"] = mean_cost + nets[r].l2_penalty(first.lmbda, first.n)
            if monitors[r].training_accuracy:
                known[r]["training_accuracy"] = 100.0 * float(np.mean(np.argmax(a[j], axis=1) == first.cost_y))
    if len(rows) > 1 and first.valid_x is not None and all(
            _same(monitors[r].valid_x, first.valid_x) and np.array_equal(monitors[r].valid_y, first.valid_y)
            for r in rows):
        _, a = stacked_output(nets[0], weights, biases, rows, first.valid_x)
        for j, r in enumerate(rows):
            known[r]["validation_accuracy"] = 100.0 * float(np.mean(np.argmax(a[j], axis=1) == first.valid_y))
    return known


def _labels(label, count):
    if label is None:
        label = "run"
    if isinstance(label, str):
        return [f"{label} [replica {r}]" for r in range(count)]
    if len(label) != count:
        raise ValueError(f"{len(label)} labels for {count} nets")
    return list(label)


def train_stacked(nets, x, labels, *, rngs, epochs, mini_batch_size, eta, lmbda, optimizer=None,
                  monitors=None, log=None, label=None, record_every=None, record_epochs=None,
                  on_diverge="raise", diverged=None, engine=None):
    """Train same-shaped ``nets`` (one per seed) as one stacked computation; each net ends as
    ``train(net, x, labels, rng=rngs[r], monitor=monitors[r], ...)`` would leave it, and the list of
    histories returned is what those calls return (to rounding: 1e-12 in the tests).

    x (n, n¹), labels (n,) are shared; replica r shuffles with its own ``rngs[r]`` every epoch.
    ``eta``: one learning rate, or one per net (replica r then trains as ``train`` with eta[r]); or
    per-layer rates (``layer_rates``): an array (R, L − 1), row r replica r's, or a rule ``eta(net)``
    called for every replica at the start of every epoch; these train on numpy, and the monitors'
    histories get "layer_eta" as ``train``'s do.
    ``optimizer`` (train.Optimizer: sgd, momentum or nesterov, constant μ or Sutskever's schedule, and
    their final phase over the last updates of the epochs × batches of this call),
    ``monitors`` (one Monitor per net, or None), ``record_every``/``record_epochs`` as in ``train``.
    ``label``: a list of run names, or one name that gets "[replica r]" appended.
    ``on_diverge``: "raise" raises TrainingDiverged (as ``train``) when any replica's weights, cost or
    speeds stop being finite; "stop" stops that replica alone: its history ends with the epoch at
    which it diverged, exactly the monitor's history after ``train`` raised, and the others go on;
    ``diverged`` (a dict, if given) then receives {replica index: (epoch, TrainingDiverged)}.
    ``engine``: "reference" (numpy, the replicas as one stacked computation), "fast" or "auto" (the
    compiled engine where it applies, one replica after the other; see ``fastpath.engine``); None:
    the process's (``fastpath.engine.use``, else "reference").
    """
    if on_diverge not in ("raise", "stop"):
        raise ValueError(f"on_diverge must be 'raise' or 'stop', got {on_diverge!r}")
    R = len(nets)
    if R == 0 or len(rngs) != R or (monitors is not None and len(monitors) != R):
        raise ValueError(f"need one Generator (and one Monitor, if any) per net: {R} nets, {len(rngs)} rngs, "
                         f"{None if monitors is None else len(monitors)} monitors")
    if record_every is not None and int(record_every) < 1:
        raise ValueError(f"record_every must be a positive number of updates, got {record_every}")
    rule = eta if callable(eta) else None
    layered = None
    if rule is not None or np.ndim(eta) == 2:
        layered = StackedRates(nets, rule, None if rule else eta, lmbda / len(x))
    etas = per_replica(1.0 if layered else eta, R, nets[0].dtype)
    n = len(x)
    batches = -(-n // mini_batch_size)
    optimizer = (optimizer or Optimizer()).for_run(epochs * batches)
    labels_r = _labels(label, R)
    weights, biases = stack_params(nets)
    net = nets[0]
    params = weights + biases
    velocity = [np.zeros_like(p) for p in params] if optimizer.kind != "sgd" else None
    scratch = momentum_scratch(params) if velocity is not None else None
    y = one_hot(labels, classes=net.sizes[-1], dtype=net.dtype)
    x = np.asarray(x, dtype=net.dtype)
    alive = list(range(R))
    weight_decay = etas * (lmbda / n) if lmbda else None  # ηλ/n per replica, (R, 1, 1)
    decay = 1.0 - etas * (lmbda / n)  # network2's weight decay factor per replica
    nesterov = optimizer.kind == "nesterov"
    fast = None
    if resolve(engine) != "reference" and layered is None:
        fast = fast_steps(engine, nets, x, labels, mini_batch_size=mini_batch_size, etas=etas.ravel(), lmbda=lmbda,
                          optimizer=optimizer)
    outputs = None  # replica r's monitor outputs: outputs(r), or the numpy engine's (shared_readings)
    if fast and monitors:
        for r in range(R):
            monitors[r]._targets(nets[r])
        images = [x for m in monitors for x in (m.cost_x, m.valid_x)]
        lit_outputs = LitOutputs(images, reuse=[fast[0].lit])

        def outputs(rows):
            """The monitor outputs of replicas ``rows``: {r: outputs}."""
            return dict(zip(rows, lit_outputs.of_many([nets[r] for r in rows])))
    # SGD: the first layer on lit pixels only, its decay lazily (FirstLayer)
    first = FirstLayer(weights[0], decay, lit_columns(x)) if velocity is None and fast is None else None
    train_w = weights if first is None else [first.w] + weights[1:]
    train_x = x if first is None or first.active is None else np.take(x, first.active, axis=1)
    etas_m = etas / mini_batch_size

    def finish_epoch(epoch, seconds):
        known = shared_readings(nets, monitors, weights, biases, alive) if monitors and alive and not outputs else {}
        out = outputs(alive) if outputs and alive else {}
        for r in list(alive):
            row = monitors[r].record(nets[r], epoch, known.get(r), out.get(r)) if monitors else {}
            try:
                check_finite(nets[r], row, epoch, labels_r[r])
            except TrainingDiverged as error:
                if on_diverge == "raise":
                    raise
                alive.remove(r)
                if diverged is not None:
                    diverged[r] = (epoch, error)
                for p in params + train_w[:1] + (velocity or []):
                    p[r] = 0.0  # keep the stack's arithmetic finite; the replica is no longer read
                if log:
                    log(f"{labels_r[r]}: {error}; stopped")
                continue
            _log(log, labels_r[r], epoch, epochs, row, seconds)

    finish_epoch(0, 0.0)
    t = 0
    for epoch in range(1, epochs + 1):
        if not alive:
            break
        start = time.perf_counter()
        if layered:
            layered.start_epoch(nets, alive, monitors, first)
        orders = np.stack([rng.permutation(n) if r in alive else np.arange(n) for r, rng in enumerate(rngs)])
        fine = monitors is not None and record_every is not None and (record_epochs is None or epoch <= record_epochs)
        with np.errstate(over="ignore", invalid="ignore"):
            if fast:
                marks = record_points(batches, record_every, fine)
                fast_epoch(fast, alive, orders, monitors, nets, epoch, batches, marks, outputs)
            for j, k in enumerate(range(0, n, mini_batch_size) if not fast else [], start=1):
                idx = orders[:, k : k + mini_batch_size]
                xb, yb = train_x[idx], y[idx]
                scale = etas_m if idx.shape[1] == mini_batch_size else etas / idx.shape[1]  # η/m
                if layered:
                    layered.update(net, params, train_w, xb, yb, velocity, optimizer.mu(t), nesterov, scratch, first)
                elif velocity is None:
                    sgd_update(net, train_w, biases, xb, yb, scale, decay, first)
                else:
                    mu = optimizer.mu(t)
                    if nesterov:
                        shift(params, velocity, mu, scratch)
                    nabla_b, nabla_w = stacked_backprop(net, weights, biases, xb, yb, scale=scale)
                    momentum_update(params, velocity, nabla_w + nabla_b, mu, weight_decay, scratch,
                                    unshift=nesterov)
                t += 1
                if fine and j % record_every == 0 and j < batches:
                    if first:
                        first.settle()
                    for r in alive:
                        monitors[r].record(nets[r], epoch - 1 + j / batches)
            if first:
                first.settle()
            finish_epoch(epoch, time.perf_counter() - start)
    return [monitor.history for monitor in monitors] if monitors else [{} for _ in nets]


def fast_epoch(steps, alive, orders, monitors, nets, epoch, batches, marks, outputs=None):
    """One epoch of the replicas ``alive`` with the compiled engine (``fastpath.engine.FastSteps``, one
    per net): each replica's updates up to a record, then the records, as the stacked loop does;
    ``outputs(rows)`` gives the monitor outputs of replicas ``rows`` ({r: outputs}, from
    ``fastpath.engine.LitOutputs``)."""
    for r in alive:
        steps[r].start_epoch(orders[r])
    done = 0
    for j in marks + [batches]:
        for r in alive:
            steps[r].run(done, j)
        done = j
        for r in alive:
            (steps[r].sync if j < batches else steps[r].end_epoch)()
        if j < batches:
            out = outputs(alive) if outputs else {}
            for r in alive:
                monitors[r].record(nets[r], epoch - 1 + j / batches, outputs=out.get(r))


def per_replica(value, R, dtype):
    """A number, or one number per replica, as an array of shape (R, 1, 1) (to scale stacked arrays)."""
    values = np.full(R, float(value)) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)
    if values.shape != (R,):
        raise ValueError(f"need one learning rate or one per net: {np.shape(value)} for {R} nets")
    return values.astype(dtype).reshape(R, 1, 1)


def sgd_update(net, weights, biases, x, y, scale, decay, first=None):
    """network2's step for every replica: w ← decay · w − scale · Σ ∂Cₓ/∂w, b ← b − scale · Σ ∂Cₓ/∂b,
    with scale = η/m and decay = 1 − ηλ/n per replica (R, 1, 1); the first layer through ``first``
    (a FirstLayer, whose ``w`` is ``weights[0]``) when given."""
    first_scale, first_grad = first.step() if first else (None, None)
    nabla_b, nabla_w = stacked_backprop(net, weights, biases, x, y, scale, first_scale, first_grad)
    eager = first.lazy if first else bool(np.any(decay != 1.0))  # is there a decay at all
    for i, (w, nw) in enumerate(zip(weights, nabla_w)):
        if eager and (i or first is None or not first.lazy):
            w *= decay
        w -= nw
    for b, nb in zip(biases, nabla_b):
        b -= nb


class StackedRates:
    """Per-layer learning rates of a stack (``layer_rates``): ``rates`` (R, L − 1), fixed, or from
    ``rule(net)`` for every replica alive at the start of every epoch; ``decay_per_example`` = λ/n."""

    def __init__(self, nets, rule, rates, decay_per_example):
        self.rule, self.lmbda_n = rule, decay_per_example
        self.dtype, layers = nets[0].dtype, len(nets[0].weights)
        rows = [rule(net) for net in nets] if rule else np.asarray(rates, dtype=np.float64)
        if len(rows) != len(nets):
            raise ValueError(f"need one row of per-layer learning rates per net: {len(rows)} rows for {len(nets)} nets")
        self.rates = np.stack([per_layer(row, layers) for row in rows])
        self.fresh = True  # the rule's rates for epoch 1 are the ones just computed

    def start_epoch(self, nets, alive, monitors, first=None):
        """The rates of this epoch (the rule's, for the replicas alive), recorded in their monitors;
        ``first`` (a settled FirstLayer, SGD) takes the first layer's decay factor."""
        if self.rule is not None and not self.fresh:
            for r in alive:
                self.rates[r] = per_layer(self.rule(nets[r]), self.rates.shape[1])
        self.fresh = False
        R = len(self.rates)
        self.w = [self.rates[:, i].astype(self.dtype).reshape(R, 1, 1) for i in range(self.rates.shape[1])]
        self.b = [rw.reshape(R, 1) for rw in self.w]
        self.decay = [1.0 - rw * self.lmbda_n for rw in self.w]  # SGD's weight decay factors
        self.weight_decay = [rw * self.lmbda_n for rw in self.w] if self.lmbda_n else None  # momentum's ηˡλ/n
        if first is not None:
            first.set_decay(self.decay[0])
        for r in alive if monitors else []:
            monitors[r].history.setdefault("layer_eta", []).append(self.rates[r].tolist())

    def update(self, net, params, train_w, x, y, velocity, mu, nesterov, scratch, first=None):
        """One step of every replica on its mini-batch x (R, m, ·), one-hot y: layer i with rate
        ``rates[:, i]``, SGD (``layer_rates.sgd_step_layers``; the first layer ``train_w[0]`` through
        ``first``, a FirstLayer, when given) or momentum (``train.momentum_step``)."""
        L = len(self.w)
        weights, biases = params[:L], params[L:]
        if velocity is not None:
            if nesterov:
                shift(params, velocity, mu, scratch)
            grads = stacked_backprop(net, weights, biases, x, y, scale=1.0 / x.shape[1])
            nabla_b, nabla_w = layer_gradients(grads, self.w, self.b)
            momentum_update(params, velocity, nabla_w + nabla_b, mu, self.weight_decay, scratch, unshift=nesterov)
            return
        first_scale, first_grad = first.step() if first else (None, None)
        grads = stacked_backprop(net, train_w, biases, x, y, 1.0 / x.shape[1], first_scale, first_grad)
        nabla_b, nabla_w = layer_gradients(grads, self.w, self.b)
        for i, (w, nw, d) in enumerate(zip(train_w, nabla_w, self.decay)):
            if (i or first is None) and np.any(d != 1.0):  # the first layer's decay is first's scale
                w *= d
            w -= nw
        for b, nb in zip(biases, nabla_b):
            b -= nb
