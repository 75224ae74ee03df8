"""Stacked replicas follow exactly the trajectories of single runs with the same seeds."""

import numpy as np

from vanishing.engine.network import Network
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import train


def test_stacked_replicas_equal_single_runs():
    data = np.random.default_rng(11)
    x, labels = data.random((70, 12)), data.integers(0, 4, 70)
    sizes, seeds = [12, 7, 6, 4], [3, 5, 8]
    rngs = [np.random.default_rng(s) for s in seeds]
    stacked = [Network(sizes, rng) for rng in rngs]
    histories = train_stacked(stacked, x, labels, rngs=rngs, epochs=3, mini_batch_size=9, eta=0.5, lmbda=2.0)
    assert histories == [{}, {}, {}]  # no monitors, as train() without one
    for replica, seed in zip(stacked, seeds):
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng)
        train(net, x, labels, epochs=3, mini_batch_size=9, eta=0.5, lmbda=2.0, rng=rng)
        for a, b in zip(net.weights + net.biases, replica.weights + replica.biases):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not np.allclose(stacked[0].weights[0], stacked[1].weights[0])
