"""One learning rate per layer, and the rule that equalizes the layers' speeds of learning.

Training (``train.train``, ``replicas.train_stacked``) takes for ``eta`` a number (every layer), a
sequence of per-layer rates η² … ηᴸ (one per weight layer: layer l's weights and biases), or a rule:
a callable ``rule(net)`` that returns the per-layer rates for the net as it is, called at the start
of every epoch, before its first update. Layer l is then updated as network2 updates every layer,
with its own rate:

    wˡ ← (1 − ηˡλ/n) wˡ − (ηˡ/m) Σ ∂Cₓ/∂wˡ          bˡ ← bˡ − (ηˡ/m) Σ ∂Cₓ/∂bˡ

(and v ← μv − ηˡ gˡ for the momentum methods).

``EqualizedSpeeds`` is such a rule: it measures the speed of learning ‖δˡ‖ = ‖mean ∂C/∂bˡ‖ of every
layer on its probe images and gives every hidden layer j the rate at which its update has the size the
last hidden layer k's has (``equalized_rates``):

    ηʲ = η · ‖δᵏ‖ / ‖δʲ‖   for the hidden layers j = 2 … k = L − 1,   ηᴸ = η for the output layer.
"""

from __future__ import annotations

import numpy as np


def equalized_rates(speeds, eta, cap=None):
    """Per-layer rates [η², …, ηᴸ] from the speeds [‖δ²‖, …, ‖δᴸ‖] of a net's layers (input layer
    excluded, output last): ηʲ = η · ‖δᵏ‖/‖δʲ‖ for every hidden layer j, k = L − 1 the last hidden one
    (so ηᵏ = η), and η for the output layer. ``cap``, if given, bounds the factor ‖δᵏ‖/‖δʲ‖ to at
    most ``cap`` (a layer of speed 0 then gets the cap). A hidden layer whose speed is not finite, or
    0 without a cap, has no such rate: ValueError."""
    speeds = np.asarray(speeds, dtype=np.float64)
    if speeds.ndim != 1 or len(speeds) < 1:
        raise ValueError(f"need the speeds of a net's layers (at least the output's), got shape {speeds.shape}")
    if not eta > 0:
        raise ValueError(f"eta must be positive, got {eta}")
    if cap is not None and not cap >= 1:
        raise ValueError(f"cap bounds ‖δᵏ‖/‖δʲ‖, which is 1 for layer k: it must be at least 1, got {cap}")
    hidden = speeds[:-1]
    lowest = 0.0 if cap is not None else np.finfo(np.float64).tiny
    bad = [f"layer {i + 2} ({s})" for i, s in enumerate(hidden) if not (np.isfinite(s) and s >= lowest)]
    if cap is not None and len(hidden) and not hidden[-1] > 0:  # the reference speed itself
        bad.append(f"the last hidden layer {len(hidden) + 1} ({hidden[-1]})")
    if bad:
        needs = "a finite speed" if cap is not None else "a positive finite speed"
        raise ValueError(f"cannot equalize speeds: {', '.join(bad)} needs {needs} ‖δˡ‖")
    rates = np.full(len(speeds), float(eta))
    if len(hidden):
        with np.errstate(divide="ignore"):
            factor = hidden[-1] / hidden  # inf for a layer of speed 0, which only a cap admits
        if cap is not None:
            factor = np.minimum(factor, cap)
        rates[:-1] = eta * factor
    return rates


class EqualizedSpeeds:
    """The equalized-speed rule for ``eta``: at the start of every epoch, the speeds ‖mean ∂C/∂bˡ‖
    over ``probe_x`` (images, (p, n¹)) with integer ``probe_labels`` (p,), no regularization term,
    then ``equalized_rates(speeds, eta, cap)``."""

    def __init__(self, eta, probe_x, probe_labels, cap=None):
        self.eta, self.cap = float(eta), cap
        self.probe_x, self.probe_labels = probe_x, np.asarray(probe_labels)
        equalized_rates([1.0], self.eta, cap)  # the same errors for a bad eta or cap, before training
        if len(probe_x) != len(self.probe_labels) or len(probe_x) == 0:
            raise ValueError(f"need one label per probe image and at least one image: {len(probe_x)} images, "
                             f"{len(self.probe_labels)} labels")

    def speeds(self, net):
        """‖mean ∂C/∂bˡ‖ of layers l = 2..L over the probe images (``train.Monitor``'s speed_b)."""
        x = np.asarray(self.probe_x, dtype=net.dtype)
        y = np.zeros((len(x), net.sizes[-1]), dtype=net.dtype)
        y[np.arange(len(x)), self.probe_labels] = 1.0
        nabla_b, _ = net.backprop(x, y)
        return [float(np.linalg.norm(nb / len(x))) for nb in nabla_b]

    def __call__(self, net):
        return equalized_rates(self.speeds(net), self.eta, self.cap)


def per_layer(rates, layers):
    """Per-layer rates as a float64 array of shape (layers,), checked: one positive finite rate per
    weight layer."""
    rates = np.asarray(rates, dtype=np.float64)
    if rates.shape != (layers,) or not np.all(np.isfinite(rates) & (rates > 0)):
        raise ValueError(f"need one positive finite learning rate per weight layer ({layers}), got {rates.tolist()}")
    return rates


def sgd_step_layers(net, x, y, rates, lmbda, n):
    """``train.sgd_step`` with learning rate rates[i] for weight layer i (its weights and biases)."""
    nabla_b, nabla_w = layer_gradients(net.backprop(x, y, scale=1.0 / len(x)), rates, rates)
    for w, nw, eta in zip(net.weights, nabla_w, rates):
        decay = 1.0 - eta * (lmbda / n)
        if decay != 1.0:
            w *= decay
        w -= nw
    for b, nb in zip(net.biases, nabla_b):
        b -= nb


def layer_gradients(gradients, rates_w, rates_b):
    """(nabla_b, nabla_w) with layer i's times its rate, in place: rates_w[i] for the weights,
    rates_b[i] for the biases (numbers, or per replica arrays that broadcast over a stack's)."""
    nabla_b, nabla_w = gradients
    for nw, nb, rw, rb in zip(nabla_w, nabla_b, rates_w, rates_b):
        nw *= rw
        nb *= rb
    return nabla_b, nabla_w
