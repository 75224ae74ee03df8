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


def test_training_accuracy_is_the_accuracy_on_the_cost_images_stacked_or_single():
    from vanishing.engine.train import Monitor, accuracy
    import pytest

    data = np.random.default_rng(4)
    x, labels = data.random((60, 10)), data.integers(0, 3, 60)
    sizes, seeds = [10, 8, 3], [1, 2]

    def monitor():
        return Monitor(x[:20], labels[:20], cost_x=x[:50], cost_y=labels[:50], training_accuracy=True, lmbda=1.0,
                       n=len(x))

    rngs = [np.random.default_rng(s) for s in seeds]
    stacked = [Network(sizes, rng) for rng in rngs]
    monitors = [monitor() for _ in seeds]
    histories = train_stacked(stacked, x, labels, rngs=rngs, monitors=monitors, epochs=3, mini_batch_size=7,
                              eta=2.0, lmbda=1.0)
    for replica, history, seed in zip(stacked, histories, seeds):
        assert len(history["training_accuracy"]) == 4  # epoch 0 and 3 epochs
        assert history["training_accuracy"][-1] == accuracy(replica, x[:50], labels[:50])
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng)
        single = train(net, x, labels, epochs=3, mini_batch_size=7, eta=2.0, lmbda=1.0, rng=rng, monitor=monitor())
        assert single["training_accuracy"] == pytest.approx(history["training_accuracy"], abs=1e-9)
    assert len(set(histories[0]["training_accuracy"])) > 1  # it moves with training
    assert "training_accuracy" not in train(Network(sizes, np.random.default_rng(0)), x, labels, epochs=1,
                                            mini_batch_size=7, eta=1.0, lmbda=0.0, rng=np.random.default_rng(0),
                                            monitor=Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels))
    with pytest.raises(ValueError, match="needs the training images"):
        Monitor(x[:20], labels[:20], training_accuracy=True)
