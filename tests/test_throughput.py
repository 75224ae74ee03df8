"""Throughput changes that must not change a number: momentum steps without allocations, E3's
one back-propagation per epoch, and stacked training of given nets (SGD, momentum, Nesterov,
monitors, divergence) against single runs, to 1e-12."""

import copy

import numpy as np
import pytest

from vanishing.engine.network import Network
from vanishing.engine import stacked
from vanishing.engine.stacked import stack_params, stacked_output, train_stacked
from vanishing.engine.train import Monitor, Optimizer, TrainingDiverged, gradient_descent, momentum_step, one_hot, train


def data(n=70, inputs=12, classes=4, seed=11):
    rng = np.random.default_rng(seed)
    return rng.random((n, inputs)), rng.integers(0, classes, n)


def assert_params_close(a, b, atol=1e-12):
    for p, q in zip(a.weights + a.biases, b.weights + b.biases):
        np.testing.assert_allclose(p, q, rtol=0, atol=atol)


def flat(values):
    """Every number of a (possibly ragged) nest of lists, in order."""
    if isinstance(values, (list, tuple)):
        return [v for item in values for v in flat(item)]
    return [float(values)]


def assert_history_close(h, g, rtol=1e-12):
    """Every recorded history equal to ``rtol`` relative to its own scale (the largest |value| of the
    key): a mean that cancels to near zero (a tanh layer's mean activation, -0.02 from values up to 1)
    carries the rounding of its summands, not of its result, when the same sums run in another order."""
    assert h.keys() == g.keys()
    for key in h:
        a, b = flat(h[key]), flat(g[key])
        assert len(a) == len(b) > 0, key
        scale = float(np.nanmax(np.abs(b))) if np.isfinite(b).any() else 0.0
        np.testing.assert_allclose(a, b, rtol=rtol, atol=max(rtol * scale, 1e-14), err_msg=key)


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_step_follows_sutskever_equations(nesterov):
    """v ← μv − η g(θ [+ μv]), θ ← θ + v, with g the mean gradient plus (λ/n) w, written out."""
    x, labels = data()
    y = one_hot(labels, 4)
    net = Network([12, 7, 6, 4], np.random.default_rng(3))
    ref = copy.deepcopy(net)
    velocity = [np.zeros_like(p) for p in net.params()]
    ref_v = [np.zeros_like(p) for p in ref.params()]
    eta, lmbda, n, mu = 0.5, 2.0, 70, 0.9
    for k in range(4):
        xb, yb = x[10 * k: 10 * k + 10], y[10 * k: 10 * k + 10]
        momentum_step(net, xb, yb, eta, lmbda, n, velocity, mu, nesterov)
        look = copy.deepcopy(ref)
        if nesterov:
            look.weights = [w + mu * v for w, v in zip(ref.weights, ref_v[:3])]
            look.biases = [b + mu * v for b, v in zip(ref.biases, ref_v[3:])]
        nb, nw = look.backprop(xb, yb)
        grads = [g / 10 + (lmbda / n) * w for g, w in zip(nw, look.weights)] + [g / 10 for g in nb]
        ref_v = [mu * v - eta * g for v, g in zip(ref_v, grads)]
        ref.weights = [w + v for w, v in zip(ref.weights, ref_v[:3])]
        ref.biases = [b + v for b, v in zip(ref.biases, ref_v[3:])]
    assert_params_close(net, ref)
    assert not np.allclose(net.weights[0], Network([12, 7, 6, 4], np.random.default_rng(3)).weights[0])


def test_momentum_step_reuses_its_scratch_arrays():
    x, labels = data()
    net = Network([12, 7, 4], np.random.default_rng(3))
    velocity = [np.zeros_like(p) for p in net.params()]
    from vanishing.engine.train import momentum_scratch
    scratch = momentum_scratch(net.params())
    ids = [id(s) for s in scratch]
    momentum_step(net, x[:10], one_hot(labels[:10], 4), 0.1, 1.0, 70, velocity, 0.9, True, scratch)
    assert [id(s) for s in scratch] == ids and len(scratch) == 6


def test_gradient_descent_equals_train_with_full_batch_and_monitor():
    """E3: one back-propagation per epoch gives today's weights and speeds (train + Monitor)."""
    x, labels = data(n=60)
    sizes = [12, 8, 8, 8, 4]
    old = Network(sizes, np.random.default_rng(5))
    new = copy.deepcopy(old)
    monitor = Monitor(x, labels, bias_neurons=0)
    history = train(old, x, labels, epochs=40, mini_batch_size=60, eta=0.1, lmbda=5.0,
                    rng=np.random.default_rng(9), monitor=monitor)
    history.pop("bias_grad")
    lines = []
    fast = gradient_descent(new, x, labels, epochs=40, eta=0.1, lmbda=5.0, log=lines.append, label="E3")
    assert_params_close(old, new)
    assert_history_close(history, fast)
    assert fast["epoch"] == list(range(41)) and len(fast["speed_b"][0]) == 4
    assert len(lines) == 41 and lines[-1].startswith("E3 epoch 40/40")


def test_gradient_descent_names_the_epoch_of_a_divergence():
    x, labels = data(n=30)
    net = Network([12, 5, 4], np.random.default_rng(1))
    net.weights[0][0, 0] = np.nan
    with pytest.raises(TrainingDiverged, match=r"E3 k=1.*w2.*epoch 0"):
        gradient_descent(net, x, labels, epochs=3, eta=0.1, lmbda=0.0, label="E3 k=1")


def single_runs(sizes, seeds, x, labels, optimizer, monitor_kw, **kw):
    nets, histories = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng, **kw)
        monitor = Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, valid_x=x[:30], valid_y=labels[:30],
                          lmbda=2.0, n=len(x), **monitor_kw)
        histories.append(train(net, x, labels, epochs=3, mini_batch_size=9, eta=0.3, lmbda=2.0, rng=rng,
                               optimizer=optimizer, monitor=monitor, record_every=3, record_epochs=1))
        nets.append(net)
    return nets, histories


@pytest.mark.parametrize("kind,activation,cost", [("sgd", "sigmoid", "cross_entropy"),
                                                  ("momentum", "tanh", "quadratic"),
                                                  ("nesterov", "relu", "cross_entropy")])
def test_train_stacked_equals_single_runs(kind, activation, cost):
    x, labels = data()
    sizes, seeds = [12, 7, 6, 4], [3, 5, 8]
    optimizer = Optimizer(kind, mu_max=0.99, schedule=True)
    kw = dict(activation=activation, cost=cost)
    nets, histories = single_runs(sizes, seeds, x, labels, optimizer, {}, **kw)
    rngs = [np.random.default_rng(s) for s in seeds]
    members = [Network(sizes, rng, **kw) for rng in rngs]
    monitors = [Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, valid_x=x[:30], valid_y=labels[:30],
                        lmbda=2.0, n=len(x)) for _ in seeds]
    lines = []
    got = train_stacked(members, x, labels, rngs=rngs, epochs=3, mini_batch_size=9, eta=0.3, lmbda=2.0,
                        optimizer=optimizer, monitors=monitors, log=lines.append, label="E1",
                        record_every=3, record_epochs=1)
    for net, s, h, g in zip(nets, members, histories, got):
        assert_params_close(net, s)
        assert_history_close(h, g)
    assert len(got[0]["epoch"]) == 4 + 2  # epochs 0..3 and two records inside epoch 1 (8 updates)
    assert not np.allclose(members[0].weights[0], members[1].weights[0])
    assert len(lines) == 3 * 4 and "E1 [replica 2] epoch 3/3" in lines[-1]


@pytest.mark.parametrize("kind, lmbda", [("sgd", 2.0), ("sgd", 0.0), ("nesterov", 2.0)])
def test_train_stacked_with_one_eta_per_net_equals_single_runs_with_those_etas(kind, lmbda):
    """R3's selection stacks the η of its grid on one seed: replica r trains as ``train`` with eta[r]
    (SGD with λ > 0 goes through the first layer's lazy decay, FirstLayerDecay)."""
    x, labels = data()
    sizes, etas = [12, 7, 6, 4], [0.03, 0.3, 3.0]
    optimizer = Optimizer(kind, mu_max=0.9)
    single = []
    for eta in etas:
        rng = np.random.default_rng(4)
        net = Network(sizes, rng)
        monitor = Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, lmbda=lmbda, n=len(x))
        single.append((net, train(net, x, labels, epochs=3, mini_batch_size=9, eta=eta, lmbda=lmbda, rng=rng,
                                  optimizer=optimizer, monitor=monitor)))
    rngs = [np.random.default_rng(4) for _ in etas]
    nets = [Network(sizes, rng) for rng in rngs]
    monitors = [Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, lmbda=lmbda, n=len(x)) for _ in etas]
    got = train_stacked(nets, x, labels, rngs=rngs, epochs=3, mini_batch_size=9, eta=etas, lmbda=lmbda,
                        optimizer=optimizer, monitors=monitors)
    for (net, history), member, g in zip(single, nets, got):
        assert_params_close(net, member)
        assert_history_close(history, g)
    assert not np.allclose(nets[0].weights[0], nets[2].weights[0])  # the etas did differ
    with pytest.raises(ValueError, match="one learning rate or one per net"):
        train_stacked(nets, x, labels, rngs=rngs, epochs=1, mini_batch_size=9, eta=[0.1, 0.2], lmbda=0.0)


@pytest.mark.parametrize("lmbda", [2.0, 0.0])
def test_train_stacked_skips_pixels_dark_in_every_image_and_equals_single_runs(lmbda):
    """Columns of x that are 0 in every image (MNIST's border pixels) are left out of the stacked
    SGD step; their weights only decay, exactly as in single runs."""
    x, labels = data()
    x[:, [0, 5, 11]] = 0.0
    assert list(stacked.lit_columns(x)) == [1, 2, 3, 4, 6, 7, 8, 9, 10]
    sizes, seeds = [12, 7, 4], [3, 5]
    single = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng)
        monitor = Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, lmbda=lmbda, n=len(x))
        single.append((net, train(net, x, labels, epochs=2, mini_batch_size=9, eta=0.5, lmbda=lmbda, rng=rng,
                                  monitor=monitor, record_every=4, record_epochs=1)))
    rngs = [np.random.default_rng(s) for s in seeds]
    nets = [Network(sizes, rng) for rng in rngs]
    start = nets[0].weights[0].copy()
    monitors = [Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, lmbda=lmbda, n=len(x)) for _ in seeds]
    got = train_stacked(nets, x, labels, rngs=rngs, epochs=2, mini_batch_size=9, eta=0.5, lmbda=lmbda,
                        monitors=monitors, record_every=4, record_epochs=1)
    for (net, history), member, g in zip(single, nets, got):
        assert_params_close(net, member)
        assert_history_close(history, g)
    decayed = (1.0 - 0.5 * lmbda / len(x)) ** (2 * 8)  # 8 updates per epoch
    np.testing.assert_allclose(nets[0].weights[0][:, [0, 5, 11]], decayed * start[:, [0, 5, 11]], rtol=1e-12)
    assert stacked.lit_columns(np.ones((3, 4))) is None


def test_first_layer_decay_is_network2s_weight_decay():
    """c ← (1 − ηλ/n) c and W̃ ← W̃ − g / c keep c·W̃ equal to the eager w ← (1 − ηλ/n) w − g."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 3, 4))
    decay = np.array([0.9, 0.5]).reshape(2, 1, 1)
    eager, lazy = w.copy(), stacked.FirstLayer(w, decay)
    for _ in range(3):
        g = rng.normal(size=w.shape)
        eager = decay * eager - g
        forward, grad_scale = lazy.step()
        lazy.w -= g * grad_scale
        np.testing.assert_allclose(forward * decay * lazy.w, eager, rtol=1e-13)
    lazy.settle()
    np.testing.assert_allclose(w, eager, rtol=1e-13)
    assert np.all(lazy.c == 1.0)


def test_train_stacked_stops_a_diverging_replica_and_goes_on_with_the_others():
    x, labels = data()
    sizes, seeds = [12, 7, 4], [3, 5]
    rngs = [np.random.default_rng(s) for s in seeds]
    nets = [Network(sizes, rng) for rng in rngs]
    nets[1].biases[0][0] = np.inf  # replica 1 is broken from the start
    reference = copy.deepcopy(nets[0])
    monitors = [Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, lmbda=1.0, n=len(x)) for _ in seeds]
    with pytest.raises(TrainingDiverged, match="seed=5.*epoch 0"):
        train_stacked(copy.deepcopy(nets), x, labels, rngs=[np.random.default_rng(s) for s in seeds], epochs=2,
                      mini_batch_size=10, eta=0.1, lmbda=1.0, monitors=copy.deepcopy(monitors),
                      label=["seed=3", "seed=5"])
    stopped = {}
    got = train_stacked(nets, x, labels, rngs=rngs, epochs=2, mini_batch_size=10, eta=0.1, lmbda=1.0,
                        monitors=monitors, label=["seed=3", "seed=5"], on_diverge="stop", diverged=stopped)
    assert got[1]["epoch"] == [0] and got[0]["epoch"] == [0, 1, 2]
    assert list(stopped) == [1] and stopped[1][0] == 0 and "b2" in str(stopped[1][1])
    rng = np.random.default_rng(3)
    Network(sizes, rng)  # advance the Generator past the initialization, as for the stacked net
    train(reference, x, labels, epochs=2, mini_batch_size=10, eta=0.1, lmbda=1.0, rng=rng)
    assert_params_close(reference, nets[0])


def test_train_stacked_rejects_mixed_nets_and_missing_generators():
    x, labels = data()
    a = Network([12, 7, 4], np.random.default_rng(0))
    b = Network([12, 6, 4], np.random.default_rng(1))
    rngs = [np.random.default_rng(0), np.random.default_rng(1)]
    with pytest.raises(ValueError, match="must share sizes"):
        train_stacked([a, b], x, labels, rngs=rngs, epochs=1, mini_batch_size=10, eta=0.1, lmbda=0.0)
    with pytest.raises(ValueError, match="one Generator"):
        train_stacked([a], x, labels, rngs=rngs, epochs=1, mini_batch_size=10, eta=0.1, lmbda=0.0)


def test_stacked_output_equals_each_nets_output():
    x, _ = data(n=40)
    nets = [Network([12, 7, 6, 4], np.random.default_rng(s), activation="tanh") for s in (1, 2, 3)]
    singles = [net.output(x) for net in nets]
    weights, biases = stack_params(nets)
    z, a = stacked_output(nets[0], weights, biases, [0, 2], x)
    assert z.shape == a.shape == (2, 40, 4)
    for j, r in enumerate([0, 2]):
        np.testing.assert_allclose(z[j], singles[r][0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(a[j], singles[r][1], rtol=1e-13, atol=1e-15)


def test_stacked_monitors_on_shared_images_read_cost_and_accuracy_in_one_pass(monkeypatch):
    """E1's case: every monitor reads the same training and validation images; the stacked pass
    gives each net the cost and accuracy its own Monitor computes."""
    x, labels = data(n=90)
    vx, vy = x[:40], labels[:40]
    sizes, seeds = [12, 7, 6, 4], [3, 5, 8]
    calls = []
    monkeypatch.setattr(stacked, "stacked_output",
                        lambda *a: calls.append(len(a[3])) or stacked_output(*a))
    rngs = [np.random.default_rng(s) for s in seeds]
    nets = [Network(sizes, rng) for rng in rngs]
    monitors = [Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, valid_x=vx, valid_y=vy, lmbda=2.0, n=90)
                for _ in seeds]
    got = train_stacked(nets, x, labels, rngs=rngs, epochs=2, mini_batch_size=10, eta=0.3, lmbda=2.0,
                        monitors=monitors)
    assert calls == [3] * 6  # cost and accuracy, epochs 0, 1, 2, all three replicas at once
    for seed, history in zip(seeds, got):
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng)
        own = Monitor(x[:20], labels[:20], cost_x=x, cost_y=labels, valid_x=vx, valid_y=vy, lmbda=2.0, n=90)
        assert_history_close(train(net, x, labels, epochs=2, mini_batch_size=10, eta=0.3, lmbda=2.0, rng=rng,
                                   monitor=own), history)
