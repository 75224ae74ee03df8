"""Finite-difference checks shared by the engine's tests."""

import numpy as np


def rel_err(a, b):
    return np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300)


def central_differences(net, x, y, h=1e-6):
    """∂C/∂w and ∂C/∂b of ``net.cost_sum(x, y)`` by central differences, as (nabla_w, nabla_b),
    each a list shaped like net.weights / net.biases. Parameters are restored afterwards."""
    out = []
    for params in (net.weights, net.biases):
        grads = []
        for p in params:
            numeric = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                keep = p[idx]
                p[idx] = keep + h
                up = net.cost_sum(x, y)
                p[idx] = keep - h
                down = net.cost_sum(x, y)
                p[idx] = keep
                numeric[idx] = (up - down) / (2 * h)
            grads.append(numeric)
        out.append(grads)
    return tuple(out)


def assert_backprop_matches_central_differences(net, x, y, label, tol=1e-6):
    """Every weight and bias gradient of ``net.backprop`` within ``tol`` (relative) of central differences."""
    nabla_b, nabla_w = net.backprop(x, y)
    numeric_w, numeric_b = central_differences(net, x, y)
    for analytic, numeric in ((nabla_w, numeric_w), (nabla_b, numeric_b)):
        for grad, num in zip(analytic, numeric, strict=True):
            assert rel_err(grad, num) < tol, (*label, num.shape)
