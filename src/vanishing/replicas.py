"""Several seeds of one configuration trained as one stacked computation.

Every array gets a leading replica axis r: the weights wˡ of all replicas form one array of shape
(R, nˡ, nˡ⁻¹), the biases (R, nˡ), a mini-batch (R, m, n¹). Replica r is initialized and shuffled
by its own seeded Generator exactly as a single run (``Network`` then ``train``) with that seed,
so it follows the same trajectory; one Python step now drives R replicas, which amortizes the
per-operation overhead that dominates small networks. Sigmoid neurons, the cross-entropy cost
and network2's SGD update, as in the chapter's E1.
"""

from __future__ import annotations

import numpy as np

from .network import Network, Sigmoid
from .train import one_hot


class StackedSGD:
    """R copies of ``Network(sizes, default_rng(seed))``, one per seed, trained together."""

    def __init__(self, sizes, seeds, dtype=np.float64):
        self.rngs = [np.random.default_rng(s) for s in seeds]
        nets = [Network(sizes, rng, dtype=dtype) for rng in self.rngs]
        self.sizes = list(sizes)
        self.weights = [np.stack([net.weights[i] for net in nets]) for i in range(len(sizes) - 1)]
        self.biases = [np.stack([net.biases[i] for net in nets]) for i in range(len(sizes) - 1)]

    def replica(self, r):
        """Replica r's weights and biases, as lists of arrays like ``Network``'s."""
        return [w[r] for w in self.weights], [b[r] for b in self.biases]

    def step(self, x, y, eta, lmbda, n):
        """network2's update on mini-batches x (R, m, n¹), one-hot y (R, m, nᴸ), all replicas."""
        activations = [x]
        for w, b in zip(self.weights, self.biases):
            z = np.matmul(activations[-1], w.transpose(0, 2, 1))
            z += b[:, None, :]
            activations.append(Sigmoid.apply_(z))
        delta = activations[-1] - y  # cross-entropy: δᴸ = aᴸ − y
        delta *= eta / x.shape[1]
        decay = 1.0 - eta * (lmbda / n)
        for i in range(len(self.weights) - 1, -1, -1):
            nabla_b = delta.sum(axis=1)
            nabla_w = np.matmul(delta.transpose(0, 2, 1), activations[i])
            if i:
                a = activations[i]
                delta = np.matmul(delta, self.weights[i])
                delta *= a * (1.0 - a)
            if decay != 1.0:
                self.weights[i] *= decay
            self.weights[i] -= nabla_w
            self.biases[i] -= nabla_b

    def train(self, x, labels, *, epochs, mini_batch_size, eta, lmbda):
        """Train every replica on images x (n, n¹), each shuffled by its own Generator per epoch."""
        n = len(x)
        y = one_hot(labels, self.sizes[-1], x.dtype)
        for _ in range(epochs):
            orders = np.stack([rng.permutation(n) for rng in self.rngs])  # (R, n)
            with np.errstate(over="ignore"):
                for k in range(0, n, mini_batch_size):
                    idx = orders[:, k : k + mini_batch_size]
                    self.step(x[idx], y[idx], eta, lmbda, n)
