"""Per-layer learning rates and the equalized-speed rule: the rule on hand-made cases, the per-layer
step against central differences and the per-example reference, the rule inside training epoch by
epoch, stacked against single, and the compiled engine left out."""

import numpy as np
import pytest

from gradcheck import central_differences

from vanishing.engine import per_example
from vanishing.engine.layer_rates import EqualizedSpeeds, equalized_rates, sgd_step_layers
from vanishing.engine.network import Network
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, Optimizer, momentum_step, one_hot, train


def data(n=48, inputs=7, classes=3, seed=21, lit=None):
    rng = np.random.default_rng(seed)
    x = rng.random((n, inputs))
    if lit is not None:
        x *= rng.random((n, inputs)) < lit
    return x, rng.integers(0, classes, n)


# --- The rule ------------------------------------------------------------------------------------


def test_equalized_rates_by_hand():
    # three hidden layers (speeds 0.001, 0.01, 0.04) and the output (0.5), eta = 0.1:
    # eta^j = 0.1 * 0.04 / speed_j -> 4.0, 0.4, 0.1; the output layer keeps 0.1
    np.testing.assert_allclose(equalized_rates([0.001, 0.01, 0.04, 0.5], 0.1), [4.0, 0.4, 0.1, 0.1], rtol=1e-15)
    np.testing.assert_allclose(equalized_rates([0.001, 0.01, 0.04, 0.5], 0.1, cap=10), [1.0, 0.4, 0.1, 0.1],
                               rtol=1e-15)
    # a gradient that grows towards the input lowers the early rates
    np.testing.assert_allclose(equalized_rates([0.2, 0.05, 1.0], 0.5), [0.125, 0.5, 0.5], rtol=1e-15)
    assert equalized_rates([0.3, 7.0], 0.2).tolist() == [0.2, 0.2]  # one hidden layer: nothing to equalize
    assert equalized_rates([7.0], 0.2).tolist() == [0.2]  # no hidden layer


def test_equalized_rates_refuse_what_has_no_rate():
    with pytest.raises(ValueError, match=r"layer 3 \(0.0\) needs a positive finite speed"):
        equalized_rates([0.1, 0.0, 0.2, 1.0], 0.1)
    # with a cap, a layer that does not learn at all gets the capped rate
    np.testing.assert_allclose(equalized_rates([0.1, 0.0, 0.2, 1.0], 0.1, cap=30), [0.2, 3.0, 0.1, 0.1], rtol=1e-15)
    with pytest.raises(ValueError, match=r"the last hidden layer 4 \(0.0\)"):
        equalized_rates([0.1, 0.3, 0.0, 1.0], 0.1, cap=30)
    with pytest.raises(ValueError, match=r"layer 2 \(nan\) needs a finite speed"):
        equalized_rates([np.nan, 0.2, 1.0], 0.1, cap=5)
    with pytest.raises(ValueError, match="eta must be positive"):
        equalized_rates([0.1, 1.0], 0.0)
    with pytest.raises(ValueError, match="at least 1"):
        equalized_rates([0.1, 1.0], 0.1, cap=0.5)
    with pytest.raises(ValueError, match="one label per probe image"):
        EqualizedSpeeds(0.1, np.zeros((3, 2)), [0, 1])


def chain_net(w3):
    """[1, 1, 1, 1] sigmoid chain: with input x = 0 and b² = 0, z² = 0, so σ′(z²) = 1/4 exactly and
    ‖δ³‖/‖δ²‖ = 1/|w³ σ′(z²)| = 1/(|w³|/4), whatever the other weights, the output and the label."""
    net = Network([1, 1, 1, 1], np.random.default_rng(0))
    net.weights[0][...] = 0.7
    net.biases[0][...] = 0.0
    net.weights[1][...] = w3
    return net


@pytest.mark.parametrize("w3,factor", [(2.0, 2.0), (0.5, 8.0), (-8.0, 0.5)])
def test_equalized_speeds_on_a_chain_computed_by_hand(w3, factor):
    net = chain_net(w3)
    rule = EqualizedSpeeds(0.3, np.zeros((1, 1)), [0])
    speeds = rule.speeds(net)
    assert speeds[0] == pytest.approx(speeds[1] * abs(w3) / 4, rel=1e-14)  # BP2 by hand: δ² = δ³ w³ σ′(0)
    np.testing.assert_allclose(rule(net), [0.3 * factor, 0.3, 0.3], rtol=1e-14)
    # the rule's speeds are the monitor's on the same probe
    monitor = Monitor(np.zeros((1, 1)), np.array([0]))
    np.testing.assert_allclose(monitor.measure(net)["speed_b"], speeds, rtol=1e-15)


# --- The per-layer step ----------------------------------------------------------------------------


def test_per_layer_step_moves_each_layer_by_its_rate_times_the_numeric_gradient():
    rng = np.random.default_rng(22)
    net = Network([5, 4, 4, 3], rng, activation="tanh")
    x, labels = data(n=6, inputs=5)
    y = one_hot(labels, 3)
    numeric_w, numeric_b = central_differences(net, x, y)
    before = [p.copy() for p in net.params()]
    rates = [0.9, 0.2, 0.05]
    sgd_step_layers(net, x, y, rates, 0.0, 100)
    expected = [p - r / len(x) * g for p, r, g in zip(before, rates * 2, numeric_w + numeric_b)]
    for got, want, p in zip(net.params(), expected, before):
        assert np.abs(got - want).max() < 1e-8 * max(1.0, np.abs(p - want).max())


@pytest.mark.parametrize("residual", [False, True])
def test_per_layer_sgd_equals_the_per_example_reference(residual):
    rng = np.random.default_rng(23)
    net = Network([7, 4, 4, 4, 3], rng, activation="relu", init="he", residual=residual)
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    x, labels = data(n=19)
    y = one_hot(labels, 3)
    rates, lmbda, n, m = [0.8, 0.4, 0.2, 0.1], 4.0, len(x), 5
    for k in range(0, n, m):
        sgd_step_layers(net, x[k : k + m], y[k : k + m], rates, lmbda, n)
        mini = [(a.reshape(-1, 1), b.reshape(-1, 1)) for a, b in zip(x[k : k + m], y[k : k + m])]
        weights, biases = per_example.update_mini_batch_layers(weights, biases, mini, rates, lmbda, n, "relu", residual)
    for w, rw in zip(net.weights, weights):
        np.testing.assert_allclose(w, rw, rtol=0, atol=1e-12)
    for b, rb in zip(net.biases, biases):
        np.testing.assert_allclose(b, rb.ravel(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("nesterov", [False, True])
def test_per_layer_momentum_follows_sutskevers_equations_layer_by_layer(nesterov):
    net, ref = (Network([5, 4, 4, 3], np.random.default_rng(24)) for _ in range(2))
    x, labels = data(n=7, inputs=5)
    y = one_hot(labels, 3)
    rates, lmbda, n, mu = [0.6, 0.3, 0.1], 2.0, 40, 0.9
    velocity = [np.zeros_like(p) for p in net.params()]
    ref_v = [np.zeros_like(p) for p in ref.params()]
    for _ in range(4):
        momentum_step(net, x, y, np.array(rates), lmbda, n, velocity, mu, nesterov)
        theta = [p.copy() for p in ref.params()]
        if nesterov:
            for p, v in zip(ref.params(), ref_v):
                p += mu * v
        nb, nw = ref.backprop(x, y)
        g = [gw / len(x) + (lmbda / n) * w for gw, w in zip(nw, ref.weights)] + [gb / len(x) for gb in nb]
        for p, th in zip(ref.params(), theta):
            p[...] = th
        ref_v = [mu * v - eta * gi for v, gi, eta in zip(ref_v, g, rates * 2)]
        for p, v in zip(ref.params(), ref_v):
            p += v
    for p, q in zip(net.params(), ref.params()):
        np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)


# --- Training with per-layer rates -------------------------------------------------------------


def test_equal_per_layer_rates_train_as_one_rate():
    x, labels = data()
    a, b = (Network([7, 5, 5, 3], np.random.default_rng(25)) for _ in range(2))
    for opt in (Optimizer(), Optimizer("nesterov", 0.9)):
        train(a, x, labels, epochs=2, mini_batch_size=10, eta=0.4, lmbda=1.5, rng=np.random.default_rng(1), optimizer=opt)
        train(b, x, labels, epochs=2, mini_batch_size=10, eta=[0.4] * 3, lmbda=1.5, rng=np.random.default_rng(1),
              optimizer=opt)
        for p, q in zip(a.params(), b.params()):
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match=r"one positive finite learning rate per weight layer \(3\)"):
        train(a, x, labels, epochs=1, mini_batch_size=10, eta=[0.4, 0.4], lmbda=0.0, rng=np.random.default_rng(1))


def test_the_rule_sets_every_epochs_rates_from_the_speeds_at_its_start():
    x, labels = data()
    rule = EqualizedSpeeds(0.5, x[:20], labels[:20])
    net = Network([7, 5, 5, 5, 3], np.random.default_rng(26))
    monitor = Monitor(x[:20], labels[:20])
    history = train(net, x, labels, epochs=3, mini_batch_size=8, eta=rule, lmbda=1.0, rng=np.random.default_rng(2),
                    monitor=monitor)
    # the same epochs one at a time, each with the rates computed from the net at its start
    by_hand = Network([7, 5, 5, 5, 3], np.random.default_rng(26))
    shuffles, rates = np.random.default_rng(2), []
    for _ in range(3):
        rates.append(equalized_rates(rule.speeds(by_hand), 0.5))
        train(by_hand, x, labels, epochs=1, mini_batch_size=8, eta=rates[-1], lmbda=1.0, rng=shuffles)
    np.testing.assert_allclose(history["layer_eta"], rates, rtol=1e-13)
    for p, q in zip(net.params(), by_hand.params()):
        np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-15)
    # the speeds at each epoch's start are the monitor's records of the epoch before; the rates equalize them
    for e in range(3):
        speeds = history["speed_b"][e]
        np.testing.assert_allclose(history["layer_eta"][e][:3], 0.5 * speeds[2] / np.array(speeds[:3]), rtol=1e-12)
    assert history["layer_eta"][0][0] > 1.0  # sigmoid: the first layer starts slow, so it gets the largest rate


@pytest.mark.parametrize("optimizer", [Optimizer(), Optimizer("momentum", 0.9), Optimizer("nesterov", 0.99, True)],
                         ids=["sgd", "momentum", "nesterov"])
def test_stacked_per_layer_rates_equal_single_runs(optimizer):
    x, labels = data(n=45)
    seeds, sizes = [4, 5, 6], [7, 5, 5, 3]
    rule = EqualizedSpeeds(0.3, x[:15], labels[:15], cap=50)
    fixed = np.array([[0.9, 0.3, 0.1], [0.5, 0.5, 0.5], [0.2, 0.4, 0.8]])
    for eta in (rule, fixed):
        rngs = [np.random.default_rng(s) for s in seeds]
        nets = [Network(sizes, rng, activation="sigmoid") for rng in rngs]
        monitors = [Monitor(x[:15], labels[:15], cost_x=x, cost_y=labels, lmbda=1.0, n=len(x)) for _ in seeds]
        histories = train_stacked(nets, x, labels, rngs=rngs, epochs=3, mini_batch_size=8, eta=eta, lmbda=1.0,
                                  optimizer=optimizer, monitors=monitors)
        for r, seed in enumerate(seeds):
            rng = np.random.default_rng(seed)
            single = Network(sizes, rng)
            h = train(single, x, labels, epochs=3, mini_batch_size=8, eta=eta if eta is rule else fixed[r], lmbda=1.0,
                      rng=rng, optimizer=optimizer, monitor=Monitor(x[:15], labels[:15], cost_x=x, cost_y=labels,
                                                                    lmbda=1.0, n=len(x)))
            for p, q in zip(single.params(), nets[r].params()):
                np.testing.assert_allclose(p, q, rtol=0, atol=1e-12)
            np.testing.assert_allclose(histories[r]["layer_eta"], h["layer_eta"], rtol=1e-10)
            np.testing.assert_allclose(histories[r]["training_cost"], h["training_cost"], rtol=1e-10)
    with pytest.raises(ValueError, match="one row of per-layer learning rates per net: 2 rows for 3 nets"):
        train_stacked([Network(sizes, np.random.default_rng(s)) for s in seeds], x, labels,
                      rngs=[np.random.default_rng(s) for s in seeds], epochs=1, mini_batch_size=8, eta=fixed[:2],
                      lmbda=0.0)


@pytest.mark.parametrize("engine", ["auto", "fast"])
def test_per_layer_rates_never_reach_the_compiled_engine(engine, monkeypatch):
    import vanishing.engine.stacked
    import vanishing.engine.train

    x, labels = data(lit=0.3)
    rates = [0.9, 0.3, 0.1]
    expected = Network([7, 5, 5, 3], np.random.default_rng(27))
    train(expected, x, labels, epochs=2, mini_batch_size=8, eta=rates, lmbda=1.0, rng=np.random.default_rng(3),
          engine="reference")

    def refuse(*args, **kwargs):
        raise AssertionError("the compiled engine was asked to train per-layer rates")

    for module in (vanishing.engine.train, vanishing.engine.stacked):
        monkeypatch.setattr(module, "fast_steps", refuse)
    net = Network([7, 5, 5, 3], np.random.default_rng(27))
    train(net, x, labels, epochs=2, mini_batch_size=8, eta=rates, lmbda=1.0, rng=np.random.default_rng(3), engine=engine)
    stacked = [Network([7, 5, 5, 3], np.random.default_rng(27))]
    train_stacked(stacked, x, labels, rngs=[np.random.default_rng(3)], epochs=2, mini_batch_size=8, eta=[rates],
                  lmbda=1.0, engine=engine)
    for p, q, s in zip(net.params(), expected.params(), stacked[0].params()):
        np.testing.assert_array_equal(p, q)
        np.testing.assert_allclose(s, q, rtol=0, atol=1e-12)
    with pytest.raises(AssertionError, match="compiled engine was asked"):  # a scalar eta still goes there
        train(net, x, labels, epochs=1, mini_batch_size=8, eta=0.1, lmbda=1.0, rng=np.random.default_rng(3),
              engine=engine)


def test_the_stacked_first_layer_takes_a_new_decay_only_when_settled():
    from vanishing.engine.stacked import FirstLayer

    full = np.ones((2, 3, 4))
    first = FirstLayer(full, np.full((2, 1, 1), 0.9))
    first.step()
    with pytest.raises(RuntimeError, match="settled before its decay changes"):
        first.set_decay(np.full((2, 1, 1), 0.5))
    first.settle()
    np.testing.assert_allclose(full, 0.9)
    first.set_decay(np.full((2, 1, 1), 0.5))
    first.step()
    first.settle()
    np.testing.assert_allclose(full, 0.45)


def test_per_layer_rates_keep_float32_nets_float32():
    x, labels = data()
    net = Network([7, 5, 5, 3], np.random.default_rng(28), dtype=np.float32, residual=True)
    stack = [Network([7, 5, 5, 3], np.random.default_rng(s), dtype=np.float32, residual=True) for s in (1, 2)]
    train(net, x, labels, epochs=1, mini_batch_size=8, eta=[0.5, 0.2, 0.1], lmbda=1.0, rng=np.random.default_rng(4))
    train_stacked(stack, x, labels, rngs=[np.random.default_rng(1), np.random.default_rng(2)], epochs=1,
                  mini_batch_size=8, eta=EqualizedSpeeds(0.2, x[:10], labels[:10]), lmbda=1.0)
    assert all(p.dtype == np.float32 and np.isfinite(p).all() for n in [net] + stack for p in n.params())
