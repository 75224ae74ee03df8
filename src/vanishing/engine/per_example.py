"""The book's network2 algorithm one example at a time (column vectors), written independently of
``network.py``: the reference the vectorized engine is tested and benchmarked against.

This follows the book's ``src/network2.py`` statement by statement (sigmoid neurons, the
cross-entropy cost's delta, L2 regularization, ``np.dot`` on column vectors), so that the
benchmark's ratio is against the book's own code, not a tuned rewrite of it.
"""

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """network2's sigmoid_prime, which evaluates the sigmoid twice."""
    return sigmoid(z) * (1 - sigmoid(z))


def backprop(weights, biases, x, y):
    """(nabla_b, nabla_w) for one example x of shape (n¹, 1) with one-hot y of shape (nᴸ, 1)."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    activation = x
    activations = [x]
    zs = []
    for b, w in zip(biases, weights):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = activations[-1] - y  # CrossEntropyCost.delta
    nabla_b[-1] = delta
    nabla_w[-1] = np.dot(delta, activations[-2].transpose())
    for l in range(2, len(weights) + 1):
        z = zs[-l]
        sp = sigmoid_prime(z)
        delta = np.dot(weights[-l + 1].transpose(), delta) * sp
        nabla_b[-l] = delta
        nabla_w[-l] = np.dot(delta, activations[-l - 1].transpose())
    return nabla_b, nabla_w


def update_mini_batch(weights, biases, batch, eta, lmbda, n):
    """network2.update_mini_batch: returns the new (weights, biases); batch is [(x, y), ...]."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in batch:
        delta_nabla_b, delta_nabla_w = backprop(weights, biases, x, y)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    weights = [(1 - eta * (lmbda / n)) * w - (eta / len(batch)) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / len(batch)) * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


def sgd_epoch(weights, biases, x, y, order, mini_batch_size, eta, lmbda):
    """One epoch over examples ``order`` (x rows, one-hot y rows); returns (weights, biases)."""
    n = len(x)
    examples = [(x[i].reshape(-1, 1), y[i].reshape(-1, 1)) for i in order]
    for k in range(0, n, mini_batch_size):
        weights, biases = update_mini_batch(weights, biases, examples[k : k + mini_batch_size], eta, lmbda, n)
    return weights, biases


# ---------------------------------------------------------------------------------------------
# network2 extended, still one example at a time and with f′ computed from z: the hidden activations
# of the study, skip connections between equal-width hidden layers and one learning rate per layer.

HIDDEN = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0) * 1.0),
    "softsign": (lambda z: z / (1.0 + np.abs(z)), lambda z: 1.0 / (1.0 + np.abs(z)) ** 2),
}


def backprop_extended(weights, biases, x, y, activation="sigmoid", residual=False):
    """(nabla_b, nabla_w) of the cross-entropy cost for one example x (n¹, 1), one-hot y (nᴸ, 1), with
    hidden ``activation`` and a sigmoid output; ``residual``: aˡ = aˡ⁻¹ + f(zˡ) for every layer
    between two hidden layers. The error reaches aˡ⁻¹ through zˡ and, for such a layer, through
    the identity: ∂C/∂aˡ⁻¹ = (wˡ)ᵀ δˡ + ∂C/∂aˡ."""
    f, f_prime = HIDDEN[activation]
    L = len(weights)
    skips = [residual and 0 < i < L - 1 for i in range(L)]
    activations, zs = [x], []
    for i, (b, w) in enumerate(zip(biases, weights)):
        z = np.dot(w, activations[-1]) + b
        zs.append(z)
        if i == L - 1:
            activations.append(sigmoid(z))
        elif skips[i]:
            activations.append(activations[-1] + f(z))
        else:
            activations.append(f(z))
    nabla_b, nabla_w = [None] * L, [None] * L
    delta = activations[-1] - y
    grad_a = None  # ∂C/∂a of the layer whose δ is ``delta``
    for i in range(L - 1, -1, -1):
        nabla_b[i] = delta
        nabla_w[i] = np.dot(delta, activations[i].transpose())
        if i:
            below = np.dot(weights[i].transpose(), delta)
            if skips[i]:
                below = below + grad_a
            grad_a = below
            delta = below * f_prime(zs[i - 1])
    return nabla_b, nabla_w


def update_mini_batch_layers(weights, biases, batch, etas, lmbda, n, activation="sigmoid", residual=False):
    """``update_mini_batch`` with learning rate etas[i] for weight layer i (its weights and biases):
    wˡ ← (1 − ηˡλ/n) wˡ − (ηˡ/m) Σ ∂Cₓ/∂wˡ,  bˡ ← bˡ − (ηˡ/m) Σ ∂Cₓ/∂bˡ."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in batch:
        delta_nabla_b, delta_nabla_w = backprop_extended(weights, biases, x, y, activation, residual)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
    m = len(batch)
    weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * nw for w, nw, eta in zip(weights, nabla_w, etas)]
    biases = [b - (eta / m) * nb for b, nb, eta in zip(biases, nabla_b, etas)]
    return weights, biases
