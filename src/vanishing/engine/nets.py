"""The study's nets: [784, width × k, 10] for MNIST, each made from one seed.

Every experiment (the chapter's E1–E6, the beyond experiments R1–R4, the causes) builds its nets
here, so one seed gives one net everywhere: ``make_net`` seeds a Generator, the network draws its
initial weights from it in layer order (``network.INITIALIZERS``), and the same Generator then
shuffles the training set, so a run depends on nothing but its config and seed.
"""

from __future__ import annotations

import numpy as np

from .network import Network

INPUTS, OUTPUTS = 784, 10  # MNIST's pixels and digits


def sizes(hidden_layers, width):
    """[784, width × hidden_layers, 10]."""
    return [INPUTS] + [width] * hidden_layers + [OUTPUTS]


def make_net(hidden_layers, width, seed, *, activation, init, cost, dtype, residual=False):
    """(net, rng): ``default_rng(seed)`` and the [784, width × hidden_layers, 10] net it initializes
    with ``init`` (``network.INITIALIZERS``), hidden ``activation`` and ``cost`` (whose output layer
    the net takes: sigmoid for cross_entropy and quadratic, softmax for log_likelihood); ``residual``
    adds a skip connection around every hidden-to-hidden layer (``Network``)."""
    rng = np.random.default_rng(seed)
    net = Network(sizes(hidden_layers, width), rng, activation=activation, cost=cost, init=init, dtype=dtype,
                  residual=residual)
    return net, rng
