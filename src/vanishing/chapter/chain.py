"""Nets of one neuron per layer (the book's eq. 122) and the window of eq. (123).

A chain of D sigmoid neurons takes one input a₀ and computes, for l = 1..D,

    z_l = w_l a_{l−1} + b_l,     a_l = σ(z_l),

with the quadratic cost C = ½(a_D − y)². Eq. (122), for any depth:

    ∂C/∂b_l = σ′(z_l) · Π_{j=l+1..D} (w_j σ′(z_j)) · ∂C/∂a_D.

Since σ′ ≤ 1/4, the product shrinks when |w_j| < 4 (vanishing) and grows when |w_j σ′(z_j)| > 1,
e.g. w = 100 with every z = 0, a factor 25 per layer (exploding).
"""

from __future__ import annotations

import numpy as np

from vanishing.engine.network import Network, Sigmoid


def sigmoid_prime(z):
    s = Sigmoid.fn(z)
    return s * (1.0 - s)


def chain_forward(w, b, a0):
    """z_l and a_l (arrays of length D) of a chain with weights w and biases b (length D)."""
    z, a = np.empty(len(w)), np.empty(len(w))
    prev = a0
    for l in range(len(w)):
        z[l] = w[l] * prev + b[l]
        a[l] = Sigmoid.fn(z[l])
        prev = a[l]
    return z, a


def eq122_gradients(w, b, a0, y):
    """∂C/∂b_l for l = 1..D as the book's product (eq. 122), with C = ½(a_D − y)²."""
    z, a = chain_forward(w, b, a0)
    sp = sigmoid_prime(z)
    grads = np.empty(len(w))
    factor = a[-1] - y  # ∂C/∂a_D
    for l in range(len(w) - 1, -1, -1):
        grads[l] = sp[l] * factor
        factor = factor * sp[l] * w[l]  # after this, factor = Π_{j ≥ l} w_j σ′(z_j) · ∂C/∂a_D
    return grads


def chain_network(w, b):
    """The same chain as a Network of sizes [1]*(D+1) with the quadratic cost."""
    net = Network([1] * (len(w) + 1), np.random.default_rng(0), cost="quadratic")
    net.weights = [np.array([[wl]], dtype=float) for wl in w]
    net.biases = [np.array([bl], dtype=float) for bl in b]
    return net


def backprop_gradients(w, b, a0, y):
    """∂C/∂b_l for l = 1..D from the general back-propagation code."""
    nabla_b, _ = chain_network(w, b).backprop(np.array([[a0]], dtype=float), np.array([[y]], dtype=float))
    return np.array([nb[0] for nb in nabla_b])


def vanishing_chain(depth, rng):
    """Weights and biases N(0, 1), the regime of the book's argument."""
    w = rng.standard_normal(depth)
    b = rng.standard_normal(depth)
    return w, b


def exploding_chain(depth, weight, a0):
    """Every w = weight and biases chosen so that every z = 0 (so every a = 1/2)."""
    w = np.full(depth, float(weight))
    b = np.empty(depth)
    b[0] = -weight * a0
    b[1:] = -weight * 0.5
    return w, b


# ---------------------------------------------------------------------------------------------
# Eq. (123): the inputs a for which |w σ′(w a + b)| ≥ 1.


def window_width_formula(w):
    """The book's width (2/|w|) ln(|w|(1 + √(1 − 4/|w|))/2 − 1); 0 where |w| < 4 (empty set)."""
    w = np.abs(np.asarray(w, dtype=float))
    out = np.zeros_like(w)
    ok = w >= 4.0
    wo = w[ok]
    out[ok] = (2.0 / wo) * np.log(wo * (1.0 + np.sqrt(1.0 - 4.0 / wo)) / 2.0 - 1.0)
    return out


def _inside(a, w, b):
    return np.abs(w * sigmoid_prime(w * a + b)) >= 1.0


def _bisect_edge(w, b, inside, outside, steps=80):
    """Shrink [inside, outside] around the window's edge until the two meet."""
    for _ in range(steps):
        mid = 0.5 * (inside + outside)
        if _inside(mid, w, b):
            inside = mid
        else:
            outside = mid
    return 0.5 * (inside + outside)


def window_width_scan(w, b=0.0, points=200001, span=None):
    """The width found numerically: a grid scan over a brackets the window's two edges, which
    bisection then locates. Independent of the formula; 0 where no grid point is inside."""
    w = float(abs(w))
    span = span or 4.0 / max(w, 1e-12) + abs(b) / max(w, 1e-12)
    grid = np.linspace(-b / w - span, -b / w + span, points) if w > 0 else np.zeros(1)
    inside = np.flatnonzero(_inside(grid, w, b))
    if inside.size == 0:
        return 0.0
    lo, hi = inside[0], inside[-1]
    if lo == 0 or hi == points - 1:
        raise ValueError(f"scan span {span} too small for |w| = {w}")
    left = _bisect_edge(w, b, grid[lo], grid[lo - 1])
    right = _bisect_edge(w, b, grid[hi], grid[hi + 1])
    return right - left


def widest_window(lo=4.0, hi=20.0, iters=200):
    """(|w|, width) where the formula's width is largest, by golden-section search."""
    g = (np.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    for _ in range(iters):
        c, d = b - g * (b - a), a + g * (b - a)
        if window_width_formula(c) > window_width_formula(d):
            b = d
        else:
            a = c
    w = 0.5 * (a + b)
    return float(w), float(window_width_formula(w))
