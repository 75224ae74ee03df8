"""The backward factors of eq. (124) on one network, measured per example.

Back-propagation multiplies the error of layer l + 1 by one factor per layer,

    δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ δˡ⁺¹,      (rows as examples: δˡ = (δˡ⁺¹ wˡ⁺¹) ⊙ f′(zˡ))

so the chapter's explanation of the vanishing gradient predicts the decay of ‖δˡ‖ across layers
from the size of that factor. Three readings of it, all for hidden layers l = 2..L−1:

- the *gain* of the factor on the actual error, ‖δˡₓ‖ / ‖δˡ⁺¹ₓ‖ for each probe image x (its
  logarithm is averaged over images: the prediction of eq. 124 for the geometric decay);
- the *simple estimate* from the weight scale and the root mean square of f′(zˡ): the error
  passed down is the row δˡ⁺¹ wˡ⁺¹, whose entries each sum nˡ⁺¹ products, so a matrix with
  i.i.d. entries of mean square s² leaves ‖δˡ⁺¹ wˡ⁺¹‖/‖δˡ⁺¹‖ ≈ √(nˡ s²) (nˡ: the columns, this
  layer's units), and the diagonal Σ′(zˡ) multiplies by about rms f′(zˡ), so gain ≈
  √(nˡ · mean (wˡ⁺¹)²) · rms f′(zˡ);
- the singular values of the layer Jacobian ∂aˡ⁺¹/∂aˡ = Σ′(zˡ⁺¹) wˡ⁺¹ (Glorot & Bengio 2010).

Layer indices below are 0-based over the weight layers, as in ``Network.weights``: hidden layer
j (1 = next to the input, book layer l = j + 1) has index i = j − 1.
"""

from __future__ import annotations

import numpy as np

def backward_pass(net, x, y):
    """f′(zʲ) of every hidden layer and δˡ of every example for every layer over a batch x (m, n¹)
    with one-hot y (m, nᴸ): (fprimes, deltas), k arrays of shape (m, nʲ) and L − 1 arrays of shape
    (m, nˡ) for l = 2..L (``Network.deltas``, the recursion of eq. (124) in rows)."""
    x = np.asarray(x, dtype=net.dtype)
    return hidden_fprime(net, x), net.deltas(x, y)


def hidden_fprime(net, x):
    """f′(zʲ) of every hidden layer for a batch x (m, n¹): a list of k arrays of shape (m, nʲ)."""
    activations = net.forward(np.asarray(x, dtype=net.dtype))
    return [net.activation.prime(a) for a in activations[1:-1]]


def log_gains(deltas):
    """Per hidden layer j = 1..k, from the per-example errors of ``backward_pass``: the mean over
    the examples of ln(‖δʲₓ‖ / ‖δʲ⁺¹ₓ‖), where δʲ⁺¹ is the next layer's error (the output layer's
    for j = k). Examples whose error norm is 0 at either layer (a ReLU net with every unit of a
    layer off) have no gain and are left out.

    Returns (gains, dropped): two lists of k numbers, the mean log-gains (None where every
    example is left out: no gain, null in the results file) and the fraction of examples left out
    at each layer."""
    norms = [np.linalg.norm(d, axis=1) for d in deltas]  # each shape (m,)
    gains, dropped = [], []
    for i in range(len(deltas) - 1):
        ok = (norms[i] > 0) & (norms[i + 1] > 0)
        gains.append(float(np.mean(np.log(norms[i][ok] / norms[i + 1][ok]))) if ok.any() else None)
        dropped.append(float(1.0 - ok.mean()))
    return gains, dropped


def simple_gains(net, fprimes):
    """Per hidden layer j = 1..k: √(nʲ · mean w²) · rms f′(zʲ), with w the next layer's weight
    matrix of shape (n, nʲ): the error passed down, δ w, has nʲ entries (the columns), each a sum
    over the n rows, so its size is about √(nʲ · mean w²) ‖δ‖. The root mean square of f′ is over
    the batch's examples and the layer's units."""
    out = []
    for i, fp in enumerate(fprimes):
        w_next = net.weights[i + 1]
        scale = np.sqrt(w_next.shape[1] * np.mean(w_next * w_next))
        out.append(float(scale * np.sqrt(np.mean(fp * fp))))
    return out


def fprime_rms(fprimes):
    """rms f′(zʲ) over the batch and the units, per hidden layer j = 1..k."""
    return [float(np.sqrt(np.mean(fp * fp))) for fp in fprimes]


def speeds(deltas):
    """‖δˡ‖ = ‖mean over the examples of ∂C/∂bˡ‖ of every layer l = 2..L (the chapter's speed)."""
    return [float(np.linalg.norm(d.mean(axis=0))) for d in deltas]


def jacobians(w, fprime):
    """The Jacobians ∂aˡ⁺¹/∂aˡ = Σ′(zˡ⁺¹) wˡ⁺¹ of a batch: w of shape (n_out, n_in), fprime = f′(zˡ⁺¹)
    of shape (m, n_out); returns shape (m, n_out, n_in)."""
    w, fprime = np.asarray(w), np.asarray(fprime)
    if fprime.ndim != 2 or fprime.shape[1] != w.shape[0]:
        raise ValueError(f"fprime must have shape (m, {w.shape[0]}) for weights of shape {w.shape}, "
                         f"got {fprime.shape}")
    return fprime[:, :, None] * w[None, :, :]


def singular_values(w, fprime):
    """Singular values of every example's Jacobian Σ′(zˡ⁺¹) wˡ⁺¹, shape (m, min(n_out, n_in)),
    each row in decreasing order."""
    return np.linalg.svd(jacobians(w, fprime), compute_uv=False)
