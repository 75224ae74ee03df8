"""Stacked replicas follow exactly the trajectories of single runs with the same seeds."""

import numpy as np

from vanishing.network import Network
from vanishing.replicas import StackedSGD
from vanishing.train import train


def test_stacked_replicas_equal_single_runs():
    data = np.random.default_rng(11)
    x, labels = data.random((70, 12)), data.integers(0, 4, 70)
    sizes, seeds = [12, 7, 6, 4], [3, 5, 8]
    stacked = StackedSGD(sizes, seeds)
    stacked.train(x, labels, epochs=3, mini_batch_size=9, eta=0.5, lmbda=2.0)
    for r, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng)
        train(net, x, labels, epochs=3, mini_batch_size=9, eta=0.5, lmbda=2.0, rng=rng)
        weights, biases = stacked.replica(r)
        for a, b in zip(net.weights + net.biases, weights + biases):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(stacked.weights[0][0], stacked.weights[0][1])
