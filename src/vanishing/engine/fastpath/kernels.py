"""The compiled training steps: a run of mini-batch updates of one float64 network in one call.

The arithmetic is the numpy engine's (``network.Network.backprop``, ``train.sgd_step`` and
``train.momentum_step``), element by element; only the order of the terms inside each sum differs
(the BLAS products sum in their own order). The state is float64 arrays:

    w1    the first layer's weights transposed, (w²)ᵀ of shape (n¹, n²)
    w     the other weight matrices wˡ transposed, (nˡ⁻¹, nˡ) row-major, layer i at
          w[woff[i]:woff[i+1]] (woff[0] = woff[1] = 0)
    b     every bias vector, layer i at b[boff[i]:boff[i+1]]
    v1 vw vb  the velocities (momentum and Nesterov), laid out as w1, w and b
    g1 gw gb  gradient work arrays, laid out as w1, w and b; g1 is kept at 0 between steps
    c     c[0] scales the first layer for SGD with weight decay: w² = c · W̃ (see below)

The training images are a CSR matrix (indptr, indices, values): each image's lit (non-zero) pixels.
The first layer's product z² = x (w²)ᵀ and its gradient (δ²)ᵀ x then cost in proportion to the lit
pixels: z² is the sum of the rows of (w²)ᵀ at the lit pixels, scaled by their values, and the
gradient touches only those rows. With SGD and a weight decay d = 1 − ηλ/n ≠ 1 the decay would
still be a pass over all of w²; instead w² = c · W̃ with one number c, and a step is
c ← d c, W̃ ← W̃ − (η/m) Σ ∂C/∂w² / c (the stacked trainer's ``stacked.FirstLayer`` does the same).
``settle`` folds c back into W̃.

Codes: kind 0 SGD, 1 classical momentum, 2 Nesterov; hidden activation 0 sigmoid, 1 tanh, 2 ReLU;
output 0 sigmoid, 1 softmax; cost 0 cross-entropy, 1 quadratic, 2 log-likelihood.

``fastmath={"reassoc"}`` lets the compiler sum a dot product in vector lanes (another order of the
same terms), nothing else: no fused multiply-add, and NaN and infinity keep their meaning, so a
diverging run stops where the numpy engine's does.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

SGD, MOMENTUM, NESTEROV = 0, 1, 2
HIDDEN = {"sigmoid": 0, "tanh": 1, "relu": 2}
OUTPUT = {"sigmoid": 0, "softmax": 1}
COST = {"cross_entropy": 0, "quadratic": 1, "log_likelihood": 2}

_FLAGS = {"reassoc"}


@njit(cache=True, fastmath=_FLAGS)
def _hidden(z, code):
    """f(z) as ``network.Sigmoid/Tanh/ReLU.apply_`` computes it (ReLU keeps NaN, as np.maximum)."""
    if code == 0:
        return 1.0 / (1.0 + math.exp(-z))
    if code == 1:
        return math.tanh(z)
    return z if (z > 0.0 or z != z) else 0.0


@njit(cache=True, fastmath=_FLAGS)
def _prime(a, code):
    """f′(z) from a = f(z), as the activations' ``prime``."""
    if code == 0:
        return a * (1.0 - a)
    if code == 1:
        return 1.0 - a * a
    return 1.0 if a > 0.0 else 0.0


@njit(cache=True, fastmath=_FLAGS)
def _first_forward(z, e, lo, hi, indices, values, w1, b, scale):
    """z[e] = scale · Σ_p x_p (w²)ᵀ[p] + b² over one image's lit pixels p = indices[lo:hi]."""
    width = w1.shape[1]
    for j in range(width):
        z[e, j] = 0.0
    for q in range(lo, hi):
        p = indices[q]
        xv = values[q]
        for j in range(width):
            z[e, j] += xv * w1[p, j]
    for j in range(width):
        z[e, j] = z[e, j] * scale + b[j] if scale != 1.0 else z[e, j] + b[j]


@njit(cache=True, fastmath=_FLAGS)
def _first_scatter(w1, d, e, lo, hi, indices, values, sign):
    """(w²)ᵀ[p] += sign · x_p · d[e] at one image's lit pixels p = indices[lo:hi]."""
    width = w1.shape[1]
    for q in range(lo, hi):
        p = indices[q]
        xv = values[q] * sign
        for j in range(width):
            w1[p, j] += xv * d[e, j]


@njit(cache=True, fastmath=_FLAGS)
def _dense_forward(z, a, m, n_in, width, w, b):
    """z = a wᵀ + b for m rows (w: this layer's weights stored transposed, b its biases)."""
    for e in range(m):
        ze = z[e * width: (e + 1) * width]
        ze[:] = 0.0
        for k in range(n_in):
            av = a[e * n_in + k]
            row = w[k * width: (k + 1) * width]
            for j in range(width):
                ze[j] += av * row[j]
        for j in range(width):
            ze[j] += b[j]


@njit(cache=True, fastmath=_FLAGS)
def _activate(z, m, width, code, output):
    """Apply the layer's activation in place: hidden ``code``, or the output layer ``output``
    (0 sigmoid, 1 softmax over each row) when output >= 0."""
    if output == 1:
        for e in range(m):
            base = e * width
            top = z[base]
            for j in range(1, width):
                v = z[base + j]
                if v > top or v != v:
                    top = v
            total = 0.0
            for j in range(width):
                z[base + j] = math.exp(z[base + j] - top)
                total += z[base + j]
            for j in range(width):
                z[base + j] /= total
        return
    kind = 0 if output == 0 else code
    for i in range(m * width):
        z[i] = _hidden(z[i], kind)


@njit(cache=True, fastmath=_FLAGS)
def _update(p, v, g, start, stop, kind, mu, wdecay, decay):
    """Parameters p[start:stop] with gradient g (η/m Σ ∂C/∂θ) as ``train.sgd_step`` (decay ≠ 1:
    p ← decay·p first) or ``train.momentum_update`` (wdecay ≠ 0: g += wdecay·p, at θ + μv for
    Nesterov, whose shift is undone first)."""
    if kind == SGD:
        if decay != 1.0:
            for i in range(start, stop):
                p[i] = p[i] * decay - g[i]
        else:
            for i in range(start, stop):
                p[i] -= g[i]
        return
    for i in range(start, stop):
        gi = g[i] + p[i] * wdecay if wdecay != 0.0 else g[i]
        if kind == NESTEROV:
            p[i] -= v[i] * mu
        v[i] = v[i] * mu - gi
        p[i] += v[i]


@njit(cache=True, fastmath=_FLAGS)
def _delta_below(dcur, w, below, m, n_in, width, hidden, out):
    """δ of the layer below: out[e, k] = (Σⱼ δ[e, j] wᵀ[k, j]) · f′(a[e, k])."""
    for e in range(m):
        de = dcur[e * width: (e + 1) * width]
        for k in range(n_in):
            row = w[k * width: (k + 1) * width]
            s = 0.0
            for j in range(width):
                s += de[j] * row[j]
            out[e * n_in + k] = s * _prime(below[e * n_in + k], hidden)


@njit(cache=True, fastmath=_FLAGS)
def _outer_sum(g, dcur, below, m, n_in, width):
    """g = Σₑ a[e]ᵀ δ[e], the transposed weight gradient (n_in, width)."""
    g[:] = 0.0
    for e in range(m):
        de = dcur[e * width: (e + 1) * width]
        for k in range(n_in):
            av = below[e * n_in + k]
            row = g[k * width: (k + 1) * width]
            for j in range(width):
                row[j] += av * de[j]


@njit(cache=True, fastmath=_FLAGS)
def run_steps(sizes, w1, v1, g1, woff, w, vw, gw, boff, b, vb, gb, c, indptr, indices, values, labels, order,
              mb, first, stop, eta, decay, wdecay, mus, kind, hidden, output, cost, a1, act, dcur, dprev, d1,
              scaled):
    """Updates ``first`` .. ``stop`` − 1 of an epoch (0-based), mini-batch j on images
    order[j·mb : (j + 1)·mb]; ``mus[j − first]`` is μ of update j (momentum and Nesterov).

    ``decay`` = 1 − ηλ/n (SGD), ``wdecay`` = ηλ/n (momentum and Nesterov, 0 without decay).
    Work arrays: ``a1`` (mb, n²) the first layer's activations, ``act`` those of the layers above
    (mb rows each, layer after layer), ``dcur`` and ``dprev`` their deltas (mb × widest layer),
    ``d1`` (mb, n²) δ² (times 1/c), ``gb`` the bias gradient (laid out as b); ``scaled`` says that
    the first layer is c · W̃ (SGD with decay)."""
    layers = len(sizes) - 1
    n = len(order)
    width1 = sizes[1]
    aoff = np.zeros(layers + 1, dtype=np.int64)  # act holds the output of weight layer i ≥ 1 at aoff[i]
    for i in range(1, layers):
        aoff[i + 1] = aoff[i] + mb * sizes[i + 1]
    flat1 = a1.reshape(-1)
    w1f, v1f, g1f = w1.reshape(-1), v1.reshape(-1), g1.reshape(-1)
    for step in range(first, stop):
        k0 = step * mb
        m = min(mb, n - k0)
        scale = eta / m
        mu = mus[step - first] if kind != SGD else 0.0
        if kind == NESTEROV:  # evaluate the gradient at θ + μv
            for i in range(len(w1f)):
                w1f[i] += v1f[i] * mu
            for i in range(len(w)):
                w[i] += vw[i] * mu
            for i in range(len(b)):
                b[i] += vb[i] * mu
        # forward
        cf = c[0] if scaled else 1.0
        for e in range(m):
            r = order[k0 + e]
            _first_forward(a1, e, indptr[r], indptr[r + 1], indices, values, w1, b[:width1], cf)
        _activate(flat1, m, width1, hidden, output if layers == 1 else -1)
        for i in range(1, layers):
            n_in, width = sizes[i], sizes[i + 1]
            z = act[aoff[i]:]
            below = flat1 if i == 1 else act[aoff[i - 1]:]
            _dense_forward(z, below, m, n_in, width, w[woff[i]: woff[i + 1]], b[boff[i]: boff[i + 1]])
            _activate(z, m, width, hidden, output if i == layers - 1 else -1)
        # δᴸ, times η/m
        width = sizes[layers]
        out = flat1 if layers == 1 else act[aoff[layers - 1]:]
        for e in range(m):
            label = labels[order[k0 + e]]
            for j in range(width):
                a = out[e * width + j]
                y = 1.0 if j == label else 0.0
                d = (a - y) * (a * (1.0 - a)) if cost == 1 else a - y
                dcur[e * width + j] = d * scale
        # backward: layer i's gradient, δ of the layer below (with wˡ before its update), update
        for i in range(layers - 1, -1, -1):
            n_in, width = sizes[i], sizes[i + 1]
            bo = boff[i]
            for j in range(width):
                s = 0.0
                for e in range(m):
                    s += dcur[e * width + j]
                gb[bo + j] = s
            if i:
                below = flat1 if i == 1 else act[aoff[i - 1]:]
                wl = w[woff[i]: woff[i + 1]]
                _delta_below(dcur, wl, below, m, n_in, width, hidden, dprev)
                _outer_sum(gw[woff[i]: woff[i + 1]], dcur, below, m, n_in, width)
                _update(w, vw, gw, woff[i], woff[i + 1], kind, mu, wdecay, decay)
            else:  # the first layer: the gradient has rows at the lit pixels only
                inverse = 1.0
                if scaled:
                    c[0] *= decay
                    inverse = 1.0 / c[0]
                for e in range(m):
                    for j in range(width):
                        d1[e, j] = dcur[e * width + j] * inverse if scaled else dcur[e * width + j]
                target = w1 if kind == SGD else g1
                for e in range(m):
                    r = order[k0 + e]
                    _first_scatter(target, d1, e, indptr[r], indptr[r + 1], indices, values,
                                   -1.0 if kind == SGD else 1.0)
                if kind != SGD:  # the velocity update is dense
                    _update(w1f, v1f, g1f, 0, len(w1f), kind, mu, wdecay, decay)
                    g1f[:] = 0.0
            _update(b, vb, gb, bo, bo + width, kind, mu, 0.0, 1.0)
            if i:
                dcur, dprev = dprev, dcur


@njit(cache=True)
def settle(w1, c):
    """Fold the first layer's scale into its weights: W̃ ← c · W̃, c ← 1."""
    if c[0] != 1.0:
        w1 *= c[0]
        c[0] = 1.0


@njit(cache=True)
def _csr_fill(x, indptr, indices, values):
    q = 0
    for r in range(x.shape[0]):
        for p in range(x.shape[1]):
            if x[r, p] != 0.0:
                indices[q] = p
                values[q] = x[r, p]
                q += 1
        indptr[r + 1] = q


def csr_rows(x):
    """Each row's non-zero entries of a float64 array x (n, d): (indptr int64 (n + 1,), indices
    int32, values float64), in column order within a row."""
    x = np.ascontiguousarray(x, dtype=np.float64)
    nnz = int(np.count_nonzero(x))
    indptr = np.zeros(len(x) + 1, dtype=np.int64)
    indices, values = np.empty(nnz, dtype=np.int32), np.empty(nnz, dtype=np.float64)
    _csr_fill(x, indptr, indices, values)
    return indptr, indices, values
