"""A feedforward network in the book's notation, vectorized over the mini-batch.

Layers are numbered as in the book: layer 1 is the input, layer L the output. Layer l ≥ 2 has
a weight matrix wˡ of shape (nˡ, nˡ⁻¹) and a bias vector bˡ of shape (nˡ,); in code they are
``weights[l - 2]`` and ``biases[l - 2]``.

A mini-batch of m examples is one matrix whose rows are examples, so for layer l

    zˡ = aˡ⁻¹ (wˡ)ᵀ + bˡ        shape (m, nˡ)
    aˡ = f(zˡ)                  shape (m, nˡ)

with f the hidden activation (sigmoid, tanh, ReLU or softsign) for 2 ≤ l < L and the sigmoid (or softmax) at the output
layer L. Back-propagation (eqs. BP1–BP4) gives, per example,

    δᴸ = ∂C/∂zᴸ                 from the cost (the cost's ``delta``)
    δˡ = (δˡ⁺¹ wˡ⁺¹) ⊙ f′(zˡ)
    ∂C/∂bˡ = δˡ,   ∂C/∂wˡ = (δˡ)ᵀ aˡ⁻¹   (summed over the mini-batch's rows).

``Network.backward`` is the recursion for δˡ (one batch, or stacked replicas), ``Network.deltas``
every example's δˡ, and ``Network.backprop`` the gradients (BP3, BP4) from them.
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------------------------
# Activations: f(z), f applied in place, and f′(z) expressed through a = f(z).


class Sigmoid:
    name = "sigmoid"

    @staticmethod
    def fn(z):
        with np.errstate(over="ignore"):  # exp(-z) = inf for z << 0 gives exactly 0: saturation
            return 1.0 / (1.0 + np.exp(-z))

    @staticmethod
    def apply_(z):
        """σ(z), computed in place over z (the forward pass needs no zˡ afterwards)."""
        np.negative(z, out=z)
        with np.errstate(over="ignore"):
            np.exp(z, out=z)
        z += 1.0
        return np.reciprocal(z, out=z)

    @staticmethod
    def prime(a):
        """σ′(z) = σ(z)(1 − σ(z)) from a = σ(z); at most 1/4, at z = 0."""
        return a * (1.0 - a)


class Tanh:
    name = "tanh"

    @staticmethod
    def fn(z):
        return np.tanh(z)

    @staticmethod
    def apply_(z):
        return np.tanh(z, out=z)

    @staticmethod
    def prime(a):
        """tanh′(z) = 1 − tanh²(z) from a = tanh(z)."""
        return 1.0 - a * a


class ReLU:
    name = "relu"

    @staticmethod
    def fn(z):
        return np.maximum(z, 0.0)

    @staticmethod
    def apply_(z):
        return np.maximum(z, 0.0, out=z)

    @staticmethod
    def prime(a):
        """1 where z > 0 (equivalently a > 0), else 0."""
        return (a > 0).astype(a.dtype)


class Softsign:
    """Glorot & Bengio's softsign f(z) = z / (1 + |z|), which approaches ±1 polynomially."""

    name = "softsign"

    @staticmethod
    def fn(z):
        return z / (1.0 + np.abs(z))

    @staticmethod
    def apply_(z):
        """z / (1 + |z|), computed in place over z."""
        denominator = np.abs(z)
        denominator += 1.0
        return np.divide(z, denominator, out=z)

    @staticmethod
    def prime(a):
        """f′(z) = 1/(1 + |z|)² from a = f(z): 1 − |a| = 1/(1 + |z|), so f′ = (1 − |a|)²."""
        gap = 1.0 - np.abs(a)
        return gap * gap


ACTIVATIONS = {a.name: a for a in (Sigmoid, Tanh, ReLU, Softsign)}


class Softmax:
    """The softmax output layer of the book's ch. 3: aᴸⱼ = e^{zᴸⱼ} / Σₖ e^{zᴸₖ}, row by row.

    Only an output layer (it couples the units of a layer), paired with the log-likelihood cost,
    whose δᴸ needs no derivative of the activation; so there is no ``prime``."""

    name = "softmax"

    @staticmethod
    def fn(z):
        """Softmax of every row of z (shape (m, nᴸ), or (R, m, nᴸ) stacked: over the last axis); the
        row maximum is subtracted first."""
        e = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)

    @staticmethod
    def apply_(z):
        """Softmax of every row (over the last axis), computed in place over z."""
        z -= np.max(z, axis=-1, keepdims=True)
        np.exp(z, out=z)
        z /= np.sum(z, axis=-1, keepdims=True)
        return z


# Output layers, and the costs each one can be trained with.
OUTPUTS = {"sigmoid": Sigmoid, "softmax": Softmax}

# ---------------------------------------------------------------------------------------------
# Costs, as in network2: ``fn`` the cost of each example, ``delta`` the output error δᴸ.
# Cross-entropy and quadratic go with a sigmoid output layer, log-likelihood with softmax (COST_OUTPUT).


class CrossEntropyCost:
    name = "cross_entropy"

    @staticmethod
    def fn(z, a, y):
        """C = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)] per example, computed from zᴸ without overflow:
        −y ln σ(z) − (1 − y) ln(1 − σ(z)) = ln(1 + eᶻ) − y z.  Shape (m,)."""
        return np.sum(np.logaddexp(0.0, z) - y * z, axis=1)

    @staticmethod
    def delta(a, y):
        """δᴸ = aᴸ − y (the σ′ factor cancels)."""
        return a - y


class QuadraticCost:
    name = "quadratic"

    @staticmethod
    def fn(z, a, y):
        """C = ½‖a − y‖² per example. Shape (m,)."""
        return 0.5 * np.sum((a - y) ** 2, axis=1)

    @staticmethod
    def delta(a, y):
        """δᴸ = (aᴸ − y) ⊙ σ′(zᴸ)."""
        return (a - y) * Sigmoid.prime(a)


class LogLikelihoodCost:
    """The book's log-likelihood cost for a softmax output layer (ch. 3)."""

    name = "log_likelihood"

    @staticmethod
    def fn(z, a, y):
        """C = −Σⱼ yⱼ ln aᴸⱼ per example, from zᴸ without overflow: ln Σₖ e^{zₖ} − y·z for a
        one-hot (or any summing-to-1) y. Shape (m,), or (R, m) for stacked z (R, m, nᴸ)."""
        top = np.max(z, axis=-1, keepdims=True)
        lse = top[..., 0] + np.log(np.sum(np.exp(z - top), axis=-1))
        return lse * np.sum(y, axis=-1) - np.sum(y * z, axis=-1)

    @staticmethod
    def delta(a, y):
        """δᴸ = aᴸ − y (softmax with log-likelihood, the book's eq. (84))."""
        return a - y


COSTS = {c.name: c for c in (CrossEntropyCost, QuadraticCost, LogLikelihoodCost)}
# The output layer each cost is defined for.
COST_OUTPUT = {"cross_entropy": "sigmoid", "quadratic": "sigmoid", "log_likelihood": "softmax"}

# ---------------------------------------------------------------------------------------------
# Initializers: (n_out, n_in, rng) -> (w, b) in float64, biases drawn first as in network2; the
# Network casts them to its dtype.


def init_scaled(n_out, n_in, rng):
    """The book's default: biases N(0, 1), weights N(0, 1/n_in)."""
    b = rng.standard_normal(n_out)
    w = rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)
    return w, b


def init_large(n_out, n_in, rng):
    """The book's 'large' initializer: weights and biases N(0, 1)."""
    b = rng.standard_normal(n_out)
    w = rng.standard_normal((n_out, n_in))
    return w, b


def init_glorot(n_out, n_in, rng):
    """Glorot & Bengio's normalized initialization: w ~ U(±√6/√(n_in + n_out)), b = 0."""
    r = np.sqrt(6.0 / (n_in + n_out))
    w = rng.uniform(-r, r, size=(n_out, n_in))
    return w, np.zeros(n_out)


def init_standard(n_out, n_in, rng):
    """Glorot & Bengio's "standard" initialization (their eq. 1): w ~ U[−1/√n_in, 1/√n_in], b = 0."""
    r = 1.0 / np.sqrt(n_in)
    w = rng.uniform(-r, r, size=(n_out, n_in))
    return w, np.zeros(n_out)


def init_he(n_out, n_in, rng):
    """He et al.'s initialization for ReLU layers (2015): w ~ N(0, 2/n_in), b = 0."""
    w = rng.standard_normal((n_out, n_in)) * np.sqrt(2.0 / n_in)
    return w, np.zeros(n_out)


SPARSE_INPUTS = 15  # Sutskever et al.'s non-zero incoming weights per unit


def init_sparse(n_out, n_in, rng):
    """Sutskever et al.'s sparse initialization: each unit gets ``SPARSE_INPUTS`` non-zero incoming
    weights N(0, 1) (all n_in of them when n_in is smaller), the others 0, at inputs chosen uniformly
    without replacement; b = 0. The inputs are drawn first (one row of uniforms per unit, ranked),
    then the weights' values in unit order."""
    k = min(SPARSE_INPUTS, n_in)
    chosen = np.argsort(rng.random((n_out, n_in)), axis=1, kind="stable")[:, :k]
    w = np.zeros((n_out, n_in))
    np.put_along_axis(w, chosen, rng.standard_normal((n_out, k)), axis=1)
    return w, np.zeros(n_out)


INITIALIZERS = {"scaled": init_scaled, "large": init_large, "glorot": init_glorot, "standard": init_standard,
                "he": init_he, "sparse": init_sparse}


def _choose(table, key, what):
    try:
        return table[key]
    except KeyError:
        raise ValueError(f"unknown {what} {key!r}; choose one of {sorted(table)}") from None


# ---------------------------------------------------------------------------------------------


class Network:
    """A feedforward network with a sigmoid (default) or softmax output layer.

    sizes       neurons per layer, input first, e.g. [784, 30, 30, 10]
    activation  hidden activation: 'sigmoid' (default), 'tanh', 'relu' or 'softsign'
    cost        'cross_entropy' (default) or 'quadratic' (sigmoid output), or 'log_likelihood'
                (softmax output)
    output      output layer: 'sigmoid' or 'softmax'; None (default) takes the cost's
    init        'scaled' (default), 'large', 'glorot', 'standard', 'he' or 'sparse'
    rng         the run's numpy Generator (the only source of randomness)
    dtype       np.float64 (default) or np.float32
    residual    False (default), or True for a skip connection around every hidden-to-hidden layer:
                aˡ = aˡ⁻¹ + f(zˡ) for 3 ≤ l < L (the hidden widths must be equal; with one hidden
                layer there is no such layer and the net is the plain one)
    """

    def __init__(self, sizes, rng, activation="sigmoid", cost="cross_entropy", init="scaled", dtype=np.float64,
                 output=None, residual=False):
        if len(sizes) < 2 or any(int(n) < 1 for n in sizes):
            raise ValueError(f"sizes must list at least two positive layer sizes, got {sizes!r}")
        self.sizes = [int(n) for n in sizes]
        self.residual = bool(residual)
        if self.residual and len(set(self.sizes[1:-1])) > 1:
            raise ValueError(f"residual connections join equal-width hidden layers; the hidden widths "
                             f"{self.sizes[1:-1]} differ")
        self.activation = _choose(ACTIVATIONS, activation, "activation")
        self.cost = _choose(COSTS, cost, "cost")
        output = COST_OUTPUT[cost] if output is None else output
        self.output_layer = _choose(OUTPUTS, output, "output layer")
        if COST_OUTPUT[cost] != output:
            raise ValueError(f"cost {cost!r} needs a {COST_OUTPUT[cost]} output layer, not {output!r}")
        self.init = init
        self.dtype = np.dtype(dtype)
        make = _choose(INITIALIZERS, init, "initializer")
        params = [make(n_out, n_in, rng) for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]
        self.weights = [w.astype(self.dtype) for w, _ in params]
        self.biases = [b.astype(self.dtype) for _, b in params]

    def layer_function(self, i):
        """The activation of weight layer i (0-based, book layer l = i + 2): the hidden f, or the
        output layer's for the last one."""
        return self.output_layer if i == len(self.weights) - 1 else self.activation

    def skips(self, i):
        """Whether weight layer i (book layer l = i + 2) has a skip connection: aˡ = aˡ⁻¹ + f(zˡ)."""
        return self.residual and 0 < i < len(self.weights) - 1

    def forward(self, x):
        """Activations [a¹ = x, a², ..., aᴸ] of a batch x of shape (m, n¹); aˡ has shape (m, nˡ)."""
        return self.forward_branches(x)[0]

    def forward_branches(self, x):
        """(activations, branches) of a batch x: ``forward``'s [a¹, ..., aᴸ], and [a¹, f(z²), ...,
        f(zᴸ)], the activation function's outputs, from which ``backward`` reads f′(zˡ). They are the
        same arrays except after a skip connection (``residual``), where aˡ = aˡ⁻¹ + f(zˡ)."""
        activations = [x]
        branches = [x]
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = np.dot(activations[-1], w.T)
            z += b
            branches.append(self.layer_function(i).apply_(z))
            activations.append(activations[-1] + branches[-1] if self.skips(i) else branches[-1])
        return activations, branches

    def output(self, x):
        """(zᴸ, aᴸ) for a batch x of shape (m, n¹), keeping no intermediate layers."""
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = x @ w.T
            z += b
            x = x + self.layer_function(i).fn(z) if self.skips(i) else self.layer_function(i).fn(z)
        return z, x

    def feedforward(self, x):
        """Output aᴸ for a batch x of shape (m, n¹)."""
        return self.output(x)[1]

    def backprop(self, x, y, scale=1.0):
        """Gradients of the cost summed over the batch, times ``scale`` (no regularization term).

        x shape (m, n¹), y one-hot shape (m, nᴸ). Returns (nabla_b, nabla_w), nabla_b[i] of shape
        (nˡ,) = scale · Σₓ ∂Cₓ/∂bˡ and nabla_w[i] of shape (nˡ, nˡ⁻¹) = scale · Σₓ ∂Cₓ/∂wˡ,
        for l = i + 2. Scaling δᴸ first makes ``scale = η/m`` cost nothing in the SGD step.
        """
        activations, branches = self.forward_branches(x)
        delta = self.cost.delta(activations[-1], y)
        if scale != 1.0:
            delta *= scale
        L = len(self.weights)
        nabla_b, nabla_w = [None] * L, [None] * L
        for i, delta in self.backward(delta, activations, branches=branches):
            nabla_b[i] = delta.sum(axis=0)
            nabla_w[i] = np.dot(delta.T, activations[i])
        return nabla_b, nabla_w

    def backward(self, delta, activations, weights=None, branches=None):
        """The recursion BP2 from the output error down: yields (i, δˡ) for weight layers
        i = L − 2, ..., 0 (book layer l = i + 2), starting with δᴸ = ``delta``, then

            δˡ⁻¹ = (δˡ wˡ) ⊙ f′(zˡ⁻¹)     with f′(zˡ⁻¹) read from aˡ⁻¹ = ``activations[i]``.

        With skip connections (``residual``) the error reaches aˡ⁻¹ also through aˡ = aˡ⁻¹ + f(zˡ):
        with gˡ = ∂C/∂aˡ,

            gˡ⁻¹ = δˡ wˡ + gˡ (if layer l skips)      δˡ⁻¹ = gˡ⁻¹ ⊙ f′(zˡ⁻¹),

        f′(zˡ⁻¹) read from f(zˡ⁻¹) = ``branches[i]`` (``forward_branches``; required then).

        For a batch: delta (m, nᴸ), activations [a¹, ..., aᴸ] of shapes (m, nˡ) as ``forward``
        returns them, δˡ of shape (m, nˡ). Stacked replicas (``stacked``) pass their own
        ``weights`` (R, nˡ, nˡ⁻¹) with delta (R, m, nᴸ) and activations (R, m, nˡ). Each δˡ⁻¹ is
        computed when the loop asks for it, from the δˡ just yielded and ``weights`` as they are
        then: a caller that updates weights in the loop must do so after the recursion is done."""
        weights = self.weights if weights is None else weights
        product = np.dot if delta.ndim == 2 else np.matmul
        if self.residual:
            if branches is None:
                raise ValueError("a residual net's backward pass needs the branches f(z) of forward_branches")
            yield from self._backward_residual(delta, branches, weights, product)
            return
        for i in range(len(weights) - 1, -1, -1):
            yield i, delta
            if i:
                delta = product(delta, weights[i])
                delta *= self.layer_function(i - 1).prime(activations[i])

    def _backward_residual(self, delta, branches, weights, product):
        above = None  # gˡ = ∂C/∂aˡ of the layer just yielded
        for i in range(len(weights) - 1, -1, -1):
            yield i, delta
            if i:
                grad = product(delta, weights[i])
                if self.skips(i):
                    grad += above
                above = grad
                delta = grad * self.layer_function(i - 1).prime(branches[i])

    def deltas(self, x, y):
        """δˡ = ∂Cₓ/∂zˡ of every example for every layer l = 2..L: a list in layer order (index
        i = l − 2) of arrays of shape (m, nˡ), for a batch x (m, n¹) with one-hot y (m, nᴸ).
        Their sum over the rows is ``backprop``'s ∂C/∂bˡ."""
        activations, branches = self.forward_branches(x)
        out = [None] * len(self.weights)
        for i, delta in self.backward(self.cost.delta(activations[-1], y), activations, branches=branches):
            out[i] = delta
        return out

    def cost_sum(self, x, y):
        """Σ over the batch of the per-example cost (no regularization term)."""
        z, a = self.output(x)
        return float(np.sum(self.cost.fn(z, a, y)))

    def l2_penalty(self, lmbda, n):
        """The book's regularization term ½(λ/n) Σ_w w²."""
        return 0.5 * (lmbda / n) * sum(float(np.sum(w * w)) for w in self.weights)

    def params(self):
        """Weights then biases, in layer order (the arrays themselves, not copies)."""
        return self.weights + self.biases
