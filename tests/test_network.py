"""The engine against independent references: finite differences, the book's per-example
algorithm, eq. (122), and Sutskever et al.'s update rules written out by hand."""

import itertools

import numpy as np
import pytest

from gradcheck import assert_backprop_matches_central_differences, central_differences, rel_err

from vanishing.chapter.chain import backprop_gradients, eq122_gradients, exploding_chain, vanishing_chain
from vanishing.engine import per_example
from vanishing.engine.network import ACTIVATIONS, COSTS, Network
from vanishing.engine.train import (
    Monitor,
    Optimizer,
    TrainingDiverged,
    momentum_step,
    one_hot,
    sgd_step,
    sutskever_mu,
    train,
)


def small_batch(rng, m=7, n_in=5, classes=3):
    x = rng.random((m, n_in))
    labels = rng.integers(0, classes, m)
    return x, labels, one_hot(labels, classes)


@pytest.mark.parametrize("activation,cost", list(itertools.product(ACTIVATIONS, COSTS)))
def test_backprop_matches_central_differences(activation, cost):
    rng = np.random.default_rng(1)
    net = Network([5, 4, 4, 3], rng, activation=activation, cost=cost)
    x, _, y = small_batch(rng)
    assert_backprop_matches_central_differences(net, x, y, (activation, cost))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_deltas_of_every_example_sum_to_backprop(activation):
    rng = np.random.default_rng(3)
    net = Network([6, 5, 5, 3], rng, activation=activation, init="glorot")
    x, y = rng.random((9, 6)), one_hot(rng.integers(0, 3, 9), 3)
    deltas = net.deltas(x, y)
    nabla_b, _ = net.backprop(x, y)
    for d, nb in zip(deltas, nabla_b):
        np.testing.assert_allclose(d.sum(axis=0), nb, rtol=1e-12, atol=1e-15)
    one = [net.backprop(x[i : i + 1], y[i : i + 1])[0] for i in range(len(x))]
    for l, d in enumerate(deltas):
        np.testing.assert_allclose(d, np.array([o[l] for o in one]), rtol=1e-12, atol=1e-15)


def test_vectorized_sgd_equals_per_example_reference():
    rng = np.random.default_rng(2)
    net = Network([6, 5, 4, 3], rng)
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    x, _, y = small_batch(rng, m=23, n_in=6)
    n, m, eta, lmbda = len(x), 4, 0.5, 5.0
    for start in range(0, n, m):  # several mini-batches, the last one short
        sgd_step(net, x[start : start + m], y[start : start + m], eta, lmbda, n)
        batch = [(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(x[start : start + m], y[start : start + m])]
        weights, biases = per_example.update_mini_batch(weights, biases, batch, eta, lmbda, n)
    for w, rw in zip(net.weights, weights):
        np.testing.assert_allclose(w, rw, rtol=0, atol=1e-12)
    for b, rb in zip(net.biases, biases):
        np.testing.assert_allclose(b, rb.ravel(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("regime", ["vanishing", "exploding"])
def test_chain_backprop_equals_eq122_product(regime):
    rng = np.random.default_rng(3)
    w, b = vanishing_chain(8, rng) if regime == "vanishing" else exploding_chain(8, 100.0, 1.0)
    product = eq122_gradients(w, b, 1.0, 0.0)
    backprop = backprop_gradients(w, b, 1.0, 0.0)
    np.testing.assert_allclose(backprop, product, rtol=1e-12, atol=0)
    if regime == "exploding":
        np.testing.assert_allclose(product[:-1] / product[1:], 25.0, rtol=1e-12)


# --- Momentum and Nesterov against Sutskever et al.'s equations, written out. ---------------


def loss_grad(net, x, y, lmbda, n):
    """∇f for the regularized mini-batch cost, via finite-difference-checked backprop."""
    nb, nw = net.backprop(x, y)
    m = len(x)
    return [g / m + (lmbda / n) * w for g, w in zip(nw, net.weights)] + [g / m for g in nb]


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_steps_follow_sutskever_equations(nesterov):
    rng = np.random.default_rng(4)
    net = Network([5, 4, 3], rng)
    ref = Network([5, 4, 3], np.random.default_rng(4))
    x, _, y = small_batch(rng)
    eta, lmbda, n = 0.3, 1.0, 50
    velocity = [np.zeros_like(p) for p in net.params()]
    ref_v = [np.zeros_like(p) for p in ref.params()]
    for t in range(5):
        mu = sutskever_mu(t * 200, 0.99)
        momentum_step(net, x, y, eta, lmbda, n, velocity, mu, nesterov)
        theta = [p.copy() for p in ref.params()]
        if nesterov:  # g(θ + μv)
            for p, v in zip(ref.params(), ref_v):
                p += mu * v
        g = loss_grad(ref, x, y, lmbda, n)
        for p, th in zip(ref.params(), theta):
            p[...] = th
        ref_v = [mu * v - eta * gi for v, gi in zip(ref_v, g)]
        for p, v in zip(ref.params(), ref_v):
            p += v
    for p, q in zip(net.params(), ref.params()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_momentum_with_zero_mu_is_sgd():
    rng = np.random.default_rng(5)
    a, b = Network([5, 4, 3], np.random.default_rng(5)), Network([5, 4, 3], np.random.default_rng(5))
    x, _, y = small_batch(rng)
    vel = [np.zeros_like(p) for p in b.params()]
    for _ in range(3):
        sgd_step(a, x, y, 0.2, 3.0, 40)
        momentum_step(b, x, y, 0.2, 3.0, 40, vel, 0.0, True)
    for p, q in zip(a.params(), b.params()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


def test_sutskever_schedule_values():
    got = [sutskever_mu(t, 0.999) for t in (0, 249, 250, 500, 750, 1000)]
    np.testing.assert_allclose(got, [0.5, 0.5, 0.75, 1 - 1 / 6, 0.875, 0.9])
    assert sutskever_mu(10**6, 0.9) == 0.9
    assert Optimizer("nesterov", 0.9, schedule=False).mu(10) == 0.9
    with pytest.raises(ValueError, match="optimizer"):
        Optimizer("adam")


def test_final_phase_lowers_mu_for_the_last_updates_of_the_run():
    """Sutskever et al.'s final phase on a hand-made schedule: 13,000 updates, the last 1,000 at
    min(μ, 0.9); before ``for_run`` knows the run's length there is no final phase."""
    opt = Optimizer("momentum", 0.99, schedule=True, final_updates=1000)
    assert opt.mu(12500) == 0.99  # the run's length unknown: the schedule alone
    run = opt.for_run(13000)
    expected = {0: 0.5, 250: 0.75, 11999: 1 - 1 / 96, 12000: 0.9, 12250: 0.9, 12999: 0.9}
    np.testing.assert_allclose([run.mu(t) for t in expected], list(expected.values()), rtol=0, atol=1e-15)
    assert opt.total_updates is None and run.total_updates == 13000  # for_run leaves the original as it was
    early = Optimizer("nesterov", 0.99, schedule=True, final_updates=100).for_run(400)
    assert [early.mu(t) for t in (299, 300, 399)] == [0.75, 0.75, 0.75]  # below 0.9: left as it is
    constant = Optimizer("momentum", 0.99, final_updates=3).for_run(10)
    assert [constant.mu(t) for t in range(10)] == [0.99] * 7 + [0.9] * 3
    assert [Optimizer("momentum", 0.99).for_run(10).mu(t) for t in (0, 9)] == [0.99, 0.99]  # 0: no final phase
    assert [Optimizer("momentum", 0.99, final_updates=50).for_run(10).mu(t) for t in (0, 9)] == [0.9, 0.9]
    for bad in (-1, 2.5):
        with pytest.raises(ValueError, match="final_updates"):
            Optimizer("momentum", 0.99, final_updates=bad)
    with pytest.raises(ValueError, match="final_mu"):
        Optimizer("momentum", 0.99, final_updates=3, final_mu=1.0)


@pytest.mark.parametrize("kind", ["momentum", "nesterov"])
def test_train_runs_the_final_phase_on_its_last_updates(kind):
    """``train`` with a final phase equals momentum_step by hand with μ = 0.99 and then 0.9 for the
    last 4 of 2 epochs × 5 updates (the same shuffles), and differs from a run without it."""
    rng = np.random.default_rng(8)
    x, labels = rng.random((23, 5)), rng.integers(0, 3, 23)
    y = one_hot(labels, 3)
    nets = {}
    for final in (0, 4):
        net = Network([5, 4, 3], np.random.default_rng(2))
        train(net, x, labels, epochs=2, mini_batch_size=5, eta=0.2, lmbda=1.0, rng=np.random.default_rng(6),
              optimizer=Optimizer(kind, 0.99, final_updates=final), engine="reference")
        nets[final] = net
    by_hand = Network([5, 4, 3], np.random.default_rng(2))
    velocity = [np.zeros_like(p) for p in by_hand.params()]
    shuffle, mus = np.random.default_rng(6), iter([0.99] * 6 + [0.9] * 4)
    for _ in range(2):
        order = shuffle.permutation(23)
        for k in range(0, 23, 5):
            idx = order[k : k + 5]
            momentum_step(by_hand, x[idx], y[idx], 0.2, 1.0, 23, velocity, next(mus), kind == "nesterov")
    assert next(mus, None) is None  # 10 updates, 10 μ
    for p, q in zip(nets[4].params(), by_hand.params()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
    assert max(float(np.max(np.abs(p - q))) for p, q in zip(nets[4].params(), nets[0].params())) > 1e-6


# --- Initializers. ---------------------------------------------------------------------------


def test_initializers_have_the_stated_distributions():
    rng = np.random.default_rng(6)
    scaled = Network([400, 300, 10], rng, init="scaled")
    assert abs(scaled.weights[0].std() - 1 / np.sqrt(400)) < 0.002
    assert abs(scaled.biases[0].std() - 1.0) < 0.15
    large = Network([400, 300, 10], rng, init="large")
    assert abs(large.weights[0].std() - 1.0) < 0.01
    glorot = Network([400, 300, 10], rng, init="glorot")
    bound = np.sqrt(6 / 700)
    assert np.abs(glorot.weights[0]).max() <= bound
    assert np.abs(glorot.weights[0]).max() > 0.99 * bound
    assert not np.any(glorot.biases[0])
    with pytest.raises(ValueError, match="initializer 'xavier'"):
        Network([3, 2], rng, init="xavier")


# --- Training runs: determinism, instruments, divergence. -----------------------------------


def tiny_run(seed, epochs=2, **kw):
    data_rng = np.random.default_rng(100)
    x = data_rng.random((60, 8))
    labels = data_rng.integers(0, 3, 60)
    rng = np.random.default_rng(seed)
    net = Network([8, 6, 6, 3], rng)
    mon = Monitor(x[:20], labels[:20], bias_neurons=2, cost_x=x, cost_y=labels, valid_x=x[:30],
                  valid_y=labels[:30], act_x=x[:10], lmbda=kw.get("lmbda", 1.0), n=60)
    hist = train(net, x, labels, epochs=epochs, mini_batch_size=7, eta=kw.get("eta", 0.5),
                 lmbda=kw.get("lmbda", 1.0), rng=rng, monitor=mon, label=f"tiny seed={seed}")
    return net, hist


def test_same_seed_is_bit_identical_and_seeds_differ():
    a, ha = tiny_run(0)
    b, hb = tiny_run(0)
    c, _ = tiny_run(1)
    assert ha == hb
    assert all(np.array_equal(p, q) for p, q in zip(a.params(), b.params()))
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_monitor_records_epoch_zero_and_the_books_quantities():
    net, hist = tiny_run(0, epochs=3)
    assert hist["epoch"] == [0, 1, 2, 3]
    assert len(hist["speed_b"][0]) == 3 and len(hist["bias_grad"][0][0]) == 2
    assert len(hist["activation_mean"][0]) == 2
    # The last entry re-measured independently: speed = norm of the mean per-example gradient.
    data_rng = np.random.default_rng(100)
    x = data_rng.random((60, 8))
    labels = data_rng.integers(0, 3, 60)
    example_grads = [net.backprop(x[i : i + 1], one_hot(labels[i : i + 1], 3))[0] for i in range(20)]
    mean_b = [np.mean([g[l] for g in example_grads], axis=0) for l in range(3)]
    np.testing.assert_allclose(hist["speed_b"][-1], [np.linalg.norm(g) for g in mean_b], rtol=1e-12)
    total = net.cost_sum(x, one_hot(labels, 3)) / 60 + 0.5 * (1.0 / 60) * sum((w**2).sum() for w in net.weights)
    assert hist["training_cost"][-1] == pytest.approx(total, rel=1e-12)
    acc = 100 * np.mean(np.argmax(net.feedforward(x[:30]), 1) == labels[:30])
    assert hist["validation_accuracy"][-1] == pytest.approx(acc)


def test_divergence_stops_with_the_run_and_epoch_named():
    with pytest.raises(TrainingDiverged, match=r"tiny seed=0: non-finite .* at epoch 1"):
        tiny_run(0, eta=1e308)


def test_float32_option_keeps_float32():
    rng = np.random.default_rng(7)
    net = Network([5, 4, 3], rng, dtype=np.float32)
    x, labels, _ = small_batch(rng)
    train(net, x, labels, epochs=1, mini_batch_size=3, eta=0.1, lmbda=0.0, rng=rng)
    assert all(p.dtype == np.float32 for p in net.params())


def test_train_epochs_equal_the_books_algorithm_with_the_same_shuffles():
    data = np.random.default_rng(8)
    x, labels = data.random((45, 6)), data.integers(0, 3, 45)
    net = Network([6, 5, 3], np.random.default_rng(9))
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    train(net, x, labels, epochs=3, mini_batch_size=10, eta=0.5, lmbda=2.0, rng=np.random.default_rng(10))
    shuffles = np.random.default_rng(10)
    for _ in range(3):
        weights, biases = per_example.sgd_epoch(weights, biases, x, one_hot(labels, 3), shuffles.permutation(45), 10, 0.5, 2.0)
    for w, rw in zip(net.weights, weights):
        np.testing.assert_allclose(w, rw, rtol=0, atol=1e-12)
    for b, rb in zip(net.biases, biases):
        np.testing.assert_allclose(b, rb.ravel(), rtol=0, atol=1e-12)
