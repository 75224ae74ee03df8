"""The softmax output layer with the log-likelihood cost (the book's ch. 3) and Glorot & Bengio's
standard initialization, against independent references: central differences, a per-example
softmax network written with column vectors, and the uniform distribution's moments."""

import math

import numpy as np
import pytest

from gradcheck import central_differences, rel_err

from vanishing.engine.network import ACTIVATIONS, INITIALIZERS, LogLikelihoodCost, Network, Softmax
from vanishing.engine.train import one_hot, sgd_step


def batch(rng, m=9, n_in=6, classes=4):
    x = rng.random((m, n_in))
    labels = rng.integers(0, classes, m)
    return x, labels, one_hot(labels, classes)


# --- A per-example reference, written independently of network.py ---------------------------


def ref_forward(weights, biases, x, hidden):
    """One example x of shape (n¹, 1): the list of activations; softmax at the output."""
    f = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
         "softsign": lambda z: z / (1 + np.abs(z))}[hidden]
    acts = [x]
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = np.dot(w, acts[-1]) + b
        if i == len(weights) - 1:
            e = np.exp(z - z.max())
            acts.append(e / e.sum())
        else:
            acts.append(f(z))
    return acts


def ref_backprop(weights, biases, x, y, hidden):
    """(nabla_b, nabla_w) of C = −ln aᴸ_y for one example: δᴸ = aᴸ − y, then BP2 with f′."""
    fprime = {"sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a**2, "relu": lambda a: (a > 0) * 1.0,
              "softsign": lambda a: (1 - np.abs(a)) ** 2}[hidden]
    acts = ref_forward(weights, biases, x, hidden)
    delta = acts[-1] - y
    nb, nw = [None] * len(weights), [None] * len(weights)
    for i in range(len(weights) - 1, -1, -1):
        nb[i] = delta
        nw[i] = np.dot(delta, acts[i].T)
        if i:
            delta = np.dot(weights[i].T, delta) * fprime(acts[i])
    return nb, nw


# --- Tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_softmax_log_likelihood_gradients_match_central_differences(activation):
    rng = np.random.default_rng(11)
    net = Network([6, 5, 5, 4], rng, activation=activation, cost="log_likelihood")
    x, _, y = batch(rng)
    nabla_b, nabla_w = net.backprop(x, y)
    numeric_w, numeric_b = central_differences(net, x, y)
    for analytic, numeric in ((nabla_w, numeric_w), (nabla_b, numeric_b)):
        for grad, num in zip(analytic, numeric, strict=True):
            assert rel_err(grad, num) < 1e-6, (activation, num.shape)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_vectorized_softmax_backprop_and_step_equal_the_per_example_reference(activation):
    rng = np.random.default_rng(12)
    net = Network([6, 5, 4, 4], rng, activation=activation, cost="log_likelihood", init="standard")
    x, _, y = batch(rng, m=13)
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    nabla_b, nabla_w = net.backprop(x, y)
    ref_b = [np.zeros_like(b) for b in biases]
    ref_w = [np.zeros_like(w) for w in weights]
    for xi, yi in zip(x, y):
        db, dw = ref_backprop(weights, biases, xi.reshape(-1, 1), yi.reshape(-1, 1), activation)
        ref_b = [a + d for a, d in zip(ref_b, db)]
        ref_w = [a + d for a, d in zip(ref_w, dw)]
    for a, r in zip(nabla_b, ref_b):
        np.testing.assert_allclose(a, r.ravel(), rtol=1e-12, atol=1e-14)
    for a, r in zip(nabla_w, ref_w):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-14)
    # One SGD step with L2 decay against the same update done by hand from the reference.
    eta, lmbda, n = 0.3, 2.0, 100
    sgd_step(net, x, y, eta, lmbda, n)
    for w, w0, g in zip(net.weights, weights, ref_w):
        np.testing.assert_allclose(w, (1 - eta * lmbda / n) * w0 - eta / len(x) * g, rtol=1e-12, atol=1e-14)
    # The outputs are probabilities that match the reference's forward pass.
    out = net.feedforward(x)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-13)
    ref_out = ref_forward(net.weights, [b.reshape(-1, 1) for b in net.biases], x[0].reshape(-1, 1), activation)[-1]
    np.testing.assert_allclose(out[0], ref_out.ravel(), rtol=1e-12)


def test_log_likelihood_is_minus_log_of_the_labelled_output_and_stable_for_large_z():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, -1000.0, 0.0]])
    y = one_hot(np.array([2, 0]), 3)
    a = Softmax.fn(z)
    np.testing.assert_allclose(LogLikelihoodCost.fn(z, a, y)[0], -math.log(a[0, 2]), rtol=1e-14)
    assert LogLikelihoodCost.fn(z, a, y)[1] == pytest.approx(0.0, abs=1e-12)  # no overflow to inf/nan
    inplace = z.copy()
    np.testing.assert_allclose(Softmax.apply_(inplace), a, rtol=1e-15)
    assert np.isfinite(a).all()


def test_cost_and_output_layer_must_match():
    rng = np.random.default_rng(0)
    assert Network([3, 2, 2], rng, cost="log_likelihood").output_layer is Softmax
    assert Network([3, 2, 2], rng).output_layer.name == "sigmoid"
    with pytest.raises(ValueError, match="log_likelihood.*softmax"):
        Network([3, 2, 2], rng, cost="log_likelihood", output="sigmoid")
    with pytest.raises(ValueError, match="cross_entropy.*sigmoid"):
        Network([3, 2, 2], rng, cost="cross_entropy", output="softmax")
    with pytest.raises(ValueError, match="unknown output layer"):
        Network([3, 2, 2], rng, output="linear")


def test_standard_init_is_uniform_within_one_over_sqrt_fan_in_with_zero_biases():
    """W ~ U[−1/√n_in, 1/√n_in]: bounded by r, mean 0, variance r²/3; b = 0 (Glorot & Bengio eq. 1)."""
    n_out, n_in = 400, 250
    w, b = INITIALIZERS["standard"](n_out, n_in, np.random.default_rng(3))
    r = 1 / math.sqrt(n_in)
    assert w.shape == (n_out, n_in) and b.shape == (n_out,)
    assert np.all(b == 0)
    assert np.abs(w).max() <= r and np.abs(w).max() > 0.999 * r
    n = w.size
    assert abs(w.mean()) < 4 * r / math.sqrt(3 * n)  # 4 standard errors of the mean
    assert w.var() == pytest.approx(r * r / 3, rel=0.02)
    # Uniform, not normal: each tenth of [−r, r] holds a tenth of the weights (within 4 standard errors).
    counts, _ = np.histogram(w, bins=10, range=(-r, r))
    assert np.all(np.abs(counts / n - 0.1) < 4 * math.sqrt(0.09 / n))
    # A network built with it uses the fan-in of each layer.
    net = Network([50, 20, 5], np.random.default_rng(4), init="standard")
    assert np.abs(net.weights[0]).max() <= 1 / math.sqrt(50) and np.abs(net.weights[1]).max() <= 1 / math.sqrt(20)
    assert np.abs(net.weights[1]).max() > 1 / math.sqrt(50)
    assert all(np.all(b == 0) for b in net.biases)
