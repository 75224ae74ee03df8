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
