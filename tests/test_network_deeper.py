"""The engine's pieces for deeper nets against independent references: He's and Sutskever et al.'s
sparse initializations against their stated distributions, the softsign activation, and skip
connections (residual nets) against central differences, the per-example reference
(``per_example.backprop_extended``), single against stacked training, and the compiled engine's
dispatch (it falls back to numpy for what its kernels do not implement)."""

import math

import numpy as np
import pytest

from gradcheck import assert_backprop_matches_central_differences, central_differences, rel_err

from vanishing.engine import per_example
from vanishing.engine.fastpath import steps as fastpath
from vanishing.engine.fastpath import kernels
from vanishing.engine.nets import make_net
from vanishing.engine.network import ACTIVATIONS, INITIALIZERS, Network, Softsign
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, Optimizer, one_hot, sgd_step, train


def batch(rng, m=8, n_in=6, classes=3):
    x = rng.random((m, n_in))
    labels = rng.integers(0, classes, m)
    return x, labels, one_hot(labels, classes)


# --- Initializers ------------------------------------------------------------------------------


def test_he_init_is_normal_with_variance_two_over_fan_in_and_zero_biases():
    n_out, n_in = 500, 200
    w, b = INITIALIZERS["he"](n_out, n_in, np.random.default_rng(1))
    sd = math.sqrt(2 / n_in)
    assert w.shape == (n_out, n_in) and np.all(b == 0) and b.shape == (n_out,)
    n = w.size
    assert abs(w.mean()) < 4 * sd / math.sqrt(n)
    assert w.std() == pytest.approx(sd, rel=4 * math.sqrt(0.5 / n))
    # Normal, not uniform: 68.3 % within one standard deviation, kurtosis 3.
    assert np.mean(np.abs(w) < sd) == pytest.approx(0.6827, abs=4 * math.sqrt(0.22 / n))
    assert np.mean((w / sd) ** 4) == pytest.approx(3.0, abs=0.1)
    net = Network([50, 20, 5], np.random.default_rng(2), activation="relu", init="he")
    assert net.weights[1].std() > net.weights[0].std() * 1.2  # each layer's own fan-in: √(50/20) = 1.58


def test_sparse_init_gives_each_unit_fifteen_standard_normal_incoming_weights():
    n_out, n_in = 400, 100
    w, b = INITIALIZERS["sparse"](n_out, n_in, np.random.default_rng(3))
    assert w.shape == (n_out, n_in) and np.all(b == 0)
    assert np.all(np.count_nonzero(w, axis=1) == 15)
    values = w[w != 0]
    k = len(values)  # 6,000
    assert abs(values.mean()) < 4 / math.sqrt(k)
    assert values.var() == pytest.approx(1.0, abs=4 * math.sqrt(2 / k))
    assert np.mean(np.abs(values) < 1) == pytest.approx(0.6827, abs=4 * math.sqrt(0.22 / k))
    # The inputs chosen uniformly: every input is picked by about 15/100 of the units (a binomial count
    # each, 400 · 0.15 = 60 on average), and the counts' spread is the binomial's.
    picked = np.count_nonzero(w, axis=0)
    assert picked.sum() == 15 * n_out
    assert np.all(np.abs(picked - 60) < 5 * math.sqrt(60 * 0.85))
    assert picked.var() == pytest.approx(60 * 0.85, rel=0.45)  # 3 standard errors of a variance of 100
    # Fewer than 15 inputs: all of them.
    w_small, _ = INITIALIZERS["sparse"](7, 9, np.random.default_rng(4))
    assert np.all(w_small != 0)
    # In a net, every layer (the output's too) is sparse; one seed, one net.
    a = Network([784, 30, 30, 10], np.random.default_rng(5), init="sparse")
    again = Network([784, 30, 30, 10], np.random.default_rng(5), init="sparse")
    assert [np.count_nonzero(w, axis=1).tolist() for w in a.weights] == [[15] * n for n in (30, 30, 10)]
    assert all(np.array_equal(p, q) for p, q in zip(a.params(), again.params()))
    assert not np.array_equal(a.weights[0], Network([784, 30, 30, 10], np.random.default_rng(6),
                                                    init="sparse").weights[0])


# --- softsign -----------------------------------------------------------------------------------


def test_softsign_values_derivative_and_in_place_form():
    z = np.array([-3.0, -1.0, 0.0, 0.5, 1.0, 9.0, 1e300])
    expected = np.array([-0.75, -0.5, 0.0, 1 / 3, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(Softsign.fn(z), expected, rtol=1e-15)
    inplace = z.copy()
    assert Softsign.apply_(inplace) is inplace
    np.testing.assert_allclose(inplace, expected, rtol=1e-15)
    h = 1e-6
    zs = z[:-1]
    numeric = (Softsign.fn(zs + h) - Softsign.fn(zs - h)) / (2 * h)
    numeric[2] = 1.0  # the kink-free point z = 0: f′(0) = 1 from both sides
    np.testing.assert_allclose(Softsign.prime(Softsign.fn(zs)), numeric, rtol=1e-7)
    assert "softsign" in ACTIVATIONS


# --- Residual nets ------------------------------------------------------------------------------


def test_residual_forward_adds_each_hidden_layers_input():
    rng = np.random.default_rng(7)
    net = Network([6, 5, 5, 5, 3], rng, activation="tanh", residual=True)
    x = rng.random((4, 6))
    a2 = np.tanh(x @ net.weights[0].T + net.biases[0])  # the first hidden layer has no skip (6 ≠ 5)
    a3 = a2 + np.tanh(a2 @ net.weights[1].T + net.biases[1])
    a4 = a3 + np.tanh(a3 @ net.weights[2].T + net.biases[2])
    out = 1 / (1 + np.exp(-(a4 @ net.weights[3].T + net.biases[3])))  # nor the output layer
    activations = net.forward(x)
    for got, want in zip(activations[1:], [a2, a3, a4, out]):
        np.testing.assert_allclose(got, want, rtol=1e-14)
    np.testing.assert_allclose(net.feedforward(x), out, rtol=1e-14)
    assert [net.skips(i) for i in range(4)] == [False, True, True, False]


def test_residual_needs_equal_hidden_widths_and_is_plain_with_one_hidden_layer():
    with pytest.raises(ValueError, match=r"equal-width hidden layers; the hidden widths \[5, 4\] differ"):
        Network([6, 5, 4, 3], np.random.default_rng(0), residual=True)
    one = Network([6, 5, 3], np.random.default_rng(0), residual=True)
    plain = Network([6, 5, 3], np.random.default_rng(0))
    x, _, y = batch(np.random.default_rng(1))
    for g, h in zip(sum(one.backprop(x, y), []), sum(plain.backprop(x, y), [])):
        np.testing.assert_array_equal(g, h)
    net, _ = make_net(3, 4, 0, activation="relu", init="he", cost="cross_entropy", dtype=np.float64, residual=True)
    assert net.residual and net.sizes == [784, 4, 4, 4, 10]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("cost", ["cross_entropy", "quadratic", "log_likelihood"])
def test_residual_backprop_matches_central_differences(activation, cost):
    rng = np.random.default_rng(8)
    net = Network([6, 4, 4, 4, 3], rng, activation=activation, cost=cost, init="glorot", residual=True)
    for b in net.biases:
        b += rng.normal(0, 0.3, b.shape)  # away from ReLU's kink and z = 0
    x, _, y = batch(rng)
    assert_backprop_matches_central_differences(net, x, y, (activation, cost))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_residual_backprop_and_deltas_equal_the_per_example_reference(activation):
    rng = np.random.default_rng(9)
    net = Network([7, 5, 5, 5, 5, 3], rng, activation=activation, residual=True)
    x, _, y = batch(rng, m=11, n_in=7)
    weights, biases = net.weights, [b.reshape(-1, 1) for b in net.biases]
    examples = [per_example.backprop_extended(weights, biases, xi.reshape(-1, 1), yi.reshape(-1, 1), activation,
                                               residual=True) for xi, yi in zip(x, y)]
    nabla_b, nabla_w = net.backprop(x, y)
    deltas = net.deltas(x, y)
    for i in range(len(net.weights)):
        np.testing.assert_allclose(nabla_w[i], sum(e[1][i] for e in examples), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(nabla_b[i], sum(e[0][i] for e in examples).ravel(), rtol=1e-12, atol=1e-14)
        # δˡ of every example is its ∂C/∂bˡ, so the speed ‖δˡ‖ stays ‖∂C/∂bˡ‖ with skips
        np.testing.assert_allclose(deltas[i], np.hstack([e[0][i] for e in examples]).T, rtol=1e-12, atol=1e-14)
    # the skip changes the gradients: the plain net with the same weights gives others
    plain = Network(net.sizes, rng, activation=activation)
    plain.weights, plain.biases = net.weights, net.biases
    assert rel_err(plain.backprop(x, y)[1][0], nabla_w[0]) > 1e-3


def test_residual_sgd_steps_equal_the_per_example_reference():
    rng = np.random.default_rng(10)
    net = Network([6, 4, 4, 4, 3], rng, activation="relu", init="he", residual=True)
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    x, _, y = batch(rng, m=17)
    n, m, eta, lmbda = len(x), 5, 0.2, 3.0
    for start in range(0, n, m):
        sgd_step(net, x[start : start + m], y[start : start + m], eta, lmbda, n)
        mini = [(xi.reshape(-1, 1), yi.reshape(-1, 1)) for xi, yi in zip(x[start : start + m], y[start : start + m])]
        weights, biases = per_example.update_mini_batch_layers(weights, biases, mini, [eta] * 4, lmbda, n, "relu", True)
    for w, rw in zip(net.weights, weights):
        np.testing.assert_allclose(w, rw, rtol=0, atol=1e-12)
    for b, rb in zip(net.biases, biases):
        np.testing.assert_allclose(b, rb.ravel(), rtol=0, atol=1e-12)


def residual_monitor(x, labels):
    return Monitor(x[:20], labels[:20], bias_neurons=2, cost_x=x, cost_y=labels, valid_x=x[:30], valid_y=labels[:30],
                   act_x=x[:10], lmbda=1.0, n=len(x))


@pytest.mark.parametrize("optimizer", [Optimizer(), Optimizer("nesterov", 0.9)], ids=["sgd", "nesterov"])
def test_stacked_residual_replicas_equal_single_runs(optimizer):
    data = np.random.default_rng(12)
    x, labels = data.random((50, 9)), data.integers(0, 3, 50)
    sizes, seeds = [9, 5, 5, 5, 3], [1, 2]
    rngs = [np.random.default_rng(s) for s in seeds]
    stacked = [Network(sizes, rng, activation="softsign", residual=True) for rng in rngs]
    monitors = [residual_monitor(x, labels) for _ in seeds]
    histories = train_stacked(stacked, x, labels, rngs=rngs, epochs=2, mini_batch_size=8, eta=0.3, lmbda=1.0,
                              optimizer=optimizer, monitors=monitors, engine="reference")
    for replica, seed, history in zip(stacked, seeds, histories):
        rng = np.random.default_rng(seed)
        net = Network(sizes, rng, activation="softsign", residual=True)
        single = train(net, x, labels, epochs=2, mini_batch_size=8, eta=0.3, lmbda=1.0, rng=rng, optimizer=optimizer,
                       monitor=residual_monitor(x, labels), engine="reference")
        for a, b in zip(net.params(), replica.params()):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
        for key in ("speed_b", "training_cost", "validation_accuracy", "activation_mean"):
            np.testing.assert_allclose(np.array(history[key], float), np.array(single[key], float), rtol=1e-10)
    with pytest.raises(ValueError, match="residual"):
        train_stacked([Network(sizes, np.random.default_rng(0), residual=True), Network(sizes, np.random.default_rng(0))],
                      x, labels, rngs=[np.random.default_rng(0)] * 2, epochs=1, mini_batch_size=8, eta=0.1, lmbda=0.0)


# --- The compiled engine's dispatch ------------------------------------------------------------


def lit_data(n=60, inputs=12, seed=13):
    """Images lighting about 30 % of their pixels: ``auto`` takes the compiled engine for them."""
    rng = np.random.default_rng(seed)
    return rng.random((n, inputs)) * (rng.random((n, inputs)) < 0.3), rng.integers(0, 3, n)


@pytest.mark.parametrize("engine", ["auto", "fast"])
@pytest.mark.parametrize("net_kind", ["residual", "softsign"])
def test_compiled_engine_leaves_what_its_kernels_lack_to_numpy(engine, net_kind):
    x, labels = lit_data()
    assert fastpath.applies(engine, np.float64, x)
    kw = {"residual": True} if net_kind == "residual" else {"activation": "softsign"}
    plain = Network([12, 5, 5, 3], np.random.default_rng(0))
    assert fastpath.compiles(plain) and fastpath.fast_steps(engine, [plain], x, labels, mini_batch_size=7,
                                                            etas=[0.1], lmbda=0.0, optimizer=Optimizer())
    net = Network([12, 5, 5, 3], np.random.default_rng(0), **kw)
    if net_kind == "residual" or "softsign" not in kernels.HIDDEN:
        assert not fastpath.compiles(net)
        assert fastpath.fast_steps(engine, [net], x, labels, mini_batch_size=7, etas=[0.1], lmbda=0.0,
                                   optimizer=Optimizer()) is None
    # Either way the run is the numpy engine's, to rounding (bit for bit when it falls back).
    ref = Network([12, 5, 5, 3], np.random.default_rng(0), **kw)
    train(net, x, labels, epochs=2, mini_batch_size=7, eta=0.5, lmbda=1.0, rng=np.random.default_rng(1), engine=engine)
    train(ref, x, labels, epochs=2, mini_batch_size=7, eta=0.5, lmbda=1.0, rng=np.random.default_rng(1),
          engine="reference")
    for a, b in zip(net.params(), ref.params()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    nets = [Network([12, 5, 5, 3], np.random.default_rng(s), **kw) for s in (0, 1)]
    refs = [Network([12, 5, 5, 3], np.random.default_rng(s), **kw) for s in (0, 1)]
    for group, eng in ((nets, engine), (refs, "reference")):
        train_stacked(group, x, labels, rngs=[np.random.default_rng(5), np.random.default_rng(6)], epochs=2,
                      mini_batch_size=7, eta=0.5, lmbda=1.0, optimizer=Optimizer("momentum", 0.9), engine=eng)
    for a, b in zip(sum((n.params() for n in nets), []), sum((n.params() for n in refs), [])):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", ["softsign", "relu"])
def test_stacked_backprop_of_residual_nets_is_each_nets_backprop(activation):
    from vanishing.engine.stacked import stack_params, stacked_backprop

    rng = np.random.default_rng(14)
    nets = [Network([6, 4, 4, 4, 3], np.random.default_rng(s), activation=activation, init="he", residual=True)
            for s in (1, 2, 3)]
    x = rng.random((3, 5, 6))
    y = np.stack([one_hot(rng.integers(0, 3, 5), 3) for _ in nets])
    singles = [net.backprop(x[r], y[r]) for r, net in enumerate(nets)]
    weights, biases = stack_params(nets)
    nabla_b, nabla_w = stacked_backprop(nets[0], weights, biases, x, y, scale=0.5)
    for r, (nb, nw) in enumerate(singles):
        for i in range(4):
            np.testing.assert_allclose(nabla_w[i][r], 0.5 * nw[i], rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(nabla_b[i][r], 0.5 * nb[i], rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="needs the branches"):
        activations = nets[0].forward(x[0])
        list(nets[0].backward(activations[-1] - y[0], activations))
