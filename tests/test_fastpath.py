"""The compiled engine (vanishing.engine.fastpath) against the numpy engine and the book's per-example
algorithm: the same nets and instruments to 1e-12 relative, for every optimizer, activation and
cost, single and stacked; images with no lit pixel; divergence; where auto takes which engine."""

import copy
import itertools

import numpy as np
import pytest

from test_throughput import assert_history_close, flat

from vanishing.engine import per_example
from vanishing.engine.fastpath import steps as fastpath
from vanishing.engine.fastpath.kernels import csr_rows
from vanishing.engine.network import Network
from vanishing.engine.stacked import train_stacked
from vanishing.engine.train import Monitor, Optimizer, ReferenceSteps, TrainingDiverged, one_hot, train

OPTIMIZERS = {"sgd": Optimizer(), "momentum": Optimizer("momentum", 0.9),
              "nesterov": Optimizer("nesterov", 0.99, schedule=True)}
PAIRS = [("sigmoid", "cross_entropy"), ("sigmoid", "quadratic"), ("tanh", "cross_entropy"),
         ("tanh", "quadratic"), ("relu", "cross_entropy"), ("sigmoid", "log_likelihood"),
         ("tanh", "log_likelihood"), ("relu", "log_likelihood")]


def sparse_data(n=90, inputs=16, classes=4, seed=11, lit=0.3):
    """Images with about ``lit`` of their pixels non-zero, one of them blank."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, inputs))
    x[rng.random((n, inputs)) > lit] = 0.0
    x[3] = 0.0
    return x, rng.integers(0, classes, n)


def rel_diff(a, b):
    """Largest |a − b| over the largest |b|, of every parameter array of nets a and b."""
    return max(float(np.max(np.abs(p - q)) / np.max(np.abs(q))) for p, q in zip(a.params(), b.params()))


def monitor(x, labels, lmbda, n):
    return Monitor(x[:30], labels[:30], cost_x=x, cost_y=labels, valid_x=x[:40], valid_y=labels[:40], act_x=x[:20],
                   lmbda=lmbda, n=n)


def trained(engine, sizes, x, labels, kind="sgd", activation="sigmoid", cost="cross_entropy", lmbda=2.0, eta=0.3,
            mini_batch=7, epochs=3, **kw):
    net = Network(sizes, np.random.default_rng(3), activation=activation, cost=cost)
    mon = monitor(x, labels, lmbda, len(x))
    train(net, x, labels, epochs=epochs, mini_batch_size=mini_batch, eta=eta, lmbda=lmbda,
          rng=np.random.default_rng(5), optimizer=OPTIMIZERS[kind], monitor=mon, engine=engine, **kw)
    return net, mon.history


@pytest.mark.parametrize("kind,pair", list(itertools.product(OPTIMIZERS, PAIRS)))
def test_fast_engine_equals_the_numpy_engine(kind, pair):
    activation, cost = pair
    x, labels = sparse_data()
    fast, fast_h = trained("fast", [16, 9, 7, 4], x, labels, kind, activation, cost)
    ref, ref_h = trained("reference", [16, 9, 7, 4], x, labels, kind, activation, cost)
    start = Network([16, 9, 7, 4], np.random.default_rng(3), activation=activation, cost=cost)
    assert rel_diff(ref, start) > 1e-3  # the nets trained
    assert rel_diff(fast, ref) <= 1e-12
    assert_history_close(fast_h, ref_h)


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
@pytest.mark.parametrize("lmbda", [0.0, 5.0])
def test_fast_engine_without_hidden_layer_and_without_decay(kind, lmbda):
    x, labels = sparse_data()
    for sizes in ([16, 4], [16, 5, 4]):
        fast, fast_h = trained("fast", sizes, x, labels, kind, lmbda=lmbda, mini_batch=10)
        ref, ref_h = trained("reference", sizes, x, labels, kind, lmbda=lmbda, mini_batch=10)
        assert rel_diff(fast, ref) <= 1e-12, sizes
        assert_history_close(*({k: v for k, v in h.items() if flat(v)} for h in (fast_h, ref_h)))


def test_fast_sgd_equals_the_books_per_example_algorithm():
    x, labels = sparse_data(n=60)
    net = Network([16, 8, 4], np.random.default_rng(2))
    weights = [w.copy() for w in net.weights]
    biases = [b.reshape(-1, 1).copy() for b in net.biases]
    order = np.random.default_rng(9).permutation(len(x))
    steps = fastpath.fast_steps("fast", [net], x, labels, mini_batch_size=8, etas=[0.5], lmbda=5.0,
                                optimizer=Optimizer())[0]
    steps.start_epoch(order)
    steps.run(0, steps.batches)  # the last mini-batch is short: 60 = 7 × 8 + 4
    steps.end_epoch()
    weights, biases = per_example.sgd_epoch(weights, biases, x, one_hot(labels, 4), order, 8, 0.5, 5.0)
    for w, rw in zip(net.weights, weights):
        np.testing.assert_allclose(w, rw, rtol=1e-12, atol=1e-15)
    for b, rb in zip(net.biases, biases):
        np.testing.assert_allclose(b, rb.ravel(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_a_mini_batch_of_blank_images_only_decays_the_first_layer(kind):
    """Mini-batch 0 is five blank images: their first-layer gradient is 0; the same order through
    the numpy engine gives the same nets."""
    x, labels = sparse_data(n=40)
    x[:5] = 0.0
    order = np.arange(40)
    nets = {}
    for name in ("fast", "reference"):
        net = Network([16, 6, 4], np.random.default_rng(4))
        y = one_hot(labels, 4)
        kw = dict(mini_batch_size=5, lmbda=3.0, optimizer=OPTIMIZERS[kind])
        steps = (fastpath.fast_steps("fast", [net], x, labels, etas=[0.2], **kw)[0] if name == "fast"
                 else ReferenceSteps(net, x, y, eta=0.2, **kw))
        steps.start_epoch(order)
        steps.run(0, 1)
        steps.sync()
        nets[name, 1] = copy.deepcopy(net)
        steps.run(1, 8)
        steps.end_epoch()
        nets[name, 8] = net
    start = Network([16, 6, 4], np.random.default_rng(4))
    if kind == "sgd":
        np.testing.assert_allclose(nets["fast", 1].weights[0], (1 - 0.2 * 3.0 / 40) * start.weights[0], rtol=1e-15)
    for when in (1, 8):
        assert rel_diff(nets["fast", when], nets["reference", when]) <= 1e-12


def test_records_inside_an_epoch_do_not_change_the_fast_training():
    x, labels = sparse_data(n=120)
    fine, fine_h = trained("fast", [16, 9, 4], x, labels, record_every=4, record_epochs=2)
    coarse, _ = trained("fast", [16, 9, 4], x, labels)
    ref, ref_h = trained("reference", [16, 9, 4], x, labels, record_every=4, record_epochs=2)
    assert all(np.array_equal(p, q) for p, q in zip(fine.params(), coarse.params()))
    assert len(fine_h["epoch"]) == len(ref_h["epoch"]) > 4
    assert_history_close(fine_h, ref_h)


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_fast_stacked_equals_numpy_stacked_and_fast_single(kind):
    x, labels = sparse_data(n=80)
    results = {}
    for engine in ("fast", "reference"):
        rngs = [np.random.default_rng(s) for s in (1, 2, 3)]
        nets = [Network([16, 7, 5, 4], rng, activation="tanh") for rng in rngs]
        monitors = [monitor(x, labels, 1.0, len(x)) for _ in nets]
        histories = train_stacked(nets, x, labels, rngs=rngs, epochs=2, mini_batch_size=6, eta=[0.1, 0.3, 0.5],
                                  lmbda=1.0, optimizer=OPTIMIZERS[kind], monitors=monitors, record_every=5,
                                  record_epochs=1, engine=engine)
        results[engine] = nets, histories
    for r in range(3):
        assert rel_diff(results["fast"][0][r], results["reference"][0][r]) <= 1e-12
        assert_history_close(results["fast"][1][r], results["reference"][1][r])
    rng = np.random.default_rng(2)
    single = Network([16, 7, 5, 4], rng, activation="tanh")
    train(single, x, labels, epochs=2, mini_batch_size=6, eta=0.3, lmbda=1.0, rng=rng, optimizer=OPTIMIZERS[kind],
          engine="fast")
    assert all(np.array_equal(p, q) for p, q in zip(single.params(), results["fast"][0][1].params()))


def diverging(engine, kind, activation, stacked=False):
    """A run whose weight decay factor 1 − ηλ/n = −4 makes the weights grow until they overflow,
    many epochs in (stacked: beside a replica with η 0.1 that does not diverge)."""
    x, labels = sparse_data(n=60, lit=0.5)
    kw = dict(epochs=40, mini_batch_size=5, lmbda=300.0, optimizer=OPTIMIZERS[kind])
    nets = [Network([16, 8, 4], np.random.default_rng(s), activation=activation) for s in (0, 1)]
    try:
        if stacked:
            found = {}
            train_stacked(nets, x, labels, rngs=[np.random.default_rng(7), np.random.default_rng(8)], eta=[1.0, 0.1],
                          monitors=[monitor(x, labels, 300.0, 60) for _ in nets], label="run", on_diverge="stop",
                          diverged=found, engine=engine, **kw)
            return {r: (epoch, str(error)) for r, (epoch, error) in found.items()}, nets[1]
        train(nets[0], x, labels, eta=1.0, rng=np.random.default_rng(7), monitor=monitor(x, labels, 300.0, 60),
              label="run", engine=engine, **kw)
    except TrainingDiverged as error:
        return str(error)
    return None


@pytest.mark.parametrize("kind,activation", [("sgd", "relu"), ("momentum", "relu"), ("nesterov", "sigmoid")])
def test_divergence_is_detected_at_the_same_epoch_with_the_same_message(kind, activation):
    message = diverging("reference", kind, activation)
    assert message is not None and int(message.rsplit(" ", 1)[1]) >= 10
    assert diverging("fast", kind, activation) == message
    stopped, survivor = diverging("reference", kind, activation, stacked=True)
    fast_stopped, fast_survivor = diverging("fast", kind, activation, stacked=True)
    assert list(stopped) == [0] and fast_stopped == stopped
    assert rel_diff(fast_survivor, survivor) <= 1e-12


def test_float32_trains_on_numpy_whatever_the_engine():
    x, labels = sparse_data()
    nets = []
    for engine in ("fast", "auto", "reference"):
        net = Network([16, 6, 4], np.random.default_rng(3), dtype=np.float32)
        train(net, x, labels, epochs=2, mini_batch_size=7, eta=0.3, lmbda=2.0, rng=np.random.default_rng(5),
              engine=engine)
        assert all(p.dtype == np.float32 for p in net.params())
        nets.append(net)
    assert all(np.array_equal(p, q) for net in nets[:2] for p, q in zip(net.params(), nets[2].params()))
    assert not fastpath.applies("fast", np.float32, x)


def test_auto_takes_the_compiled_engine_for_sparse_images_only():
    sparse, _ = sparse_data(lit=0.3)
    dense = np.random.default_rng(0).random((50, 16)) + 0.01
    assert fastpath.applies("auto", np.float64, sparse)
    assert not fastpath.applies("auto", np.float64, dense)
    assert fastpath.applies("fast", np.float64, dense)
    assert not fastpath.applies("reference", np.float64, sparse)
    with pytest.raises(ValueError, match="unknown engine 'numba'"):
        train(Network([16, 4], np.random.default_rng(0)), sparse, np.zeros(len(sparse), int), epochs=1,
              mini_batch_size=5, eta=0.1, lmbda=0.0, rng=np.random.default_rng(0), engine="numba")


def test_csr_rows_are_each_images_lit_pixels():
    x = np.array([[0.0, 0.5, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.25]])
    indptr, indices, values = csr_rows(x)
    assert indptr.tolist() == [0, 1, 1, 3]
    assert indices.tolist() == [1, 0, 2]
    assert values.tolist() == [0.5, 1.0, 0.25]


@pytest.mark.parametrize("activation,cost", PAIRS)
def test_lit_outputs_equal_the_networks_outputs(activation, cost):
    """The monitors' outputs over lit pixels: Network.output to 1e-12 (blank image included);
    images it was not given, float32 nets and non-finite weights take Network.output itself."""
    x, labels = sparse_data(n=50)
    other = x[:20].copy()
    outputs = fastpath.LitOutputs([x, None, x])
    for sizes in ([16, 4], [16, 9, 7, 4]):
        net = Network(sizes, np.random.default_rng(8), activation=activation, cost=cost)
        z, a = outputs.of(net)(x)
        z0, a0 = net.output(x)
        np.testing.assert_allclose(z, z0, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(a, a0, rtol=1e-12, atol=1e-15)
        assert not np.array_equal(z, z0) or sizes == [16, 4]  # the sums run in another order
        for z, z0 in zip(outputs.of(net)(other), net.output(other)):
            assert np.array_equal(z, z0)
        net.weights[0][0, 0] = np.inf
        with np.errstate(invalid="ignore"):
            pairs = list(zip(outputs.of(net)(x), net.output(x)))
        for z, z0 in pairs:
            assert np.array_equal(z, z0, equal_nan=True)
            assert not np.isfinite(z0).all()
    net32 = Network([16, 4], np.random.default_rng(8), dtype=np.float32)
    assert outputs.of(net32) == net32.output


def test_lit_outputs_of_several_nets_are_each_nets_own():
    """One pass over the lit pixels for three nets gives each net's outputs exactly as alone; one
    net with an infinite weight takes Network.output, the others still the lit-pixel pass."""
    x, _ = sparse_data(n=40)
    outputs = fastpath.LitOutputs([x])
    nets = [Network([16, 9, 4], np.random.default_rng(s), activation="tanh") for s in (1, 2, 3)]
    for net, together in zip(nets, outputs.of_many(nets)):
        alone = outputs.of(net)(x)
        assert all(np.array_equal(p, q) for p, q in zip(together(x), alone))
        assert np.allclose(alone[1], net.output(x)[1], rtol=1e-12, atol=0)
    nets[1].biases[0][0] = np.inf
    together = outputs.of_many(nets)
    with np.errstate(invalid="ignore"):
        assert all(np.array_equal(p, q, equal_nan=True) for p, q in zip(together[1](x), nets[1].output(x)))
    assert all(np.array_equal(p, q) for p, q in zip(together[2](x), outputs.of(nets[2])(x)))


def test_monitor_readings_with_lit_outputs_equal_the_numpy_readings():
    x, labels = sparse_data(n=70)
    net = Network([16, 8, 4], np.random.default_rng(2))
    mon = monitor(x, labels, 2.0, len(x))
    mon._targets(net)
    fast = mon.measure(net, outputs=fastpath.LitOutputs([mon.cost_x, mon.valid_x]).of(net))
    ref = mon.measure(net)
    assert fast.keys() == ref.keys() and "training_cost" in fast and "validation_accuracy" in fast
    assert fast["training_cost"] == pytest.approx(ref["training_cost"], rel=1e-12)
    assert fast["validation_accuracy"] == ref["validation_accuracy"]


@pytest.mark.parametrize("kind", ["momentum", "nesterov"])
def test_the_final_phase_is_the_same_in_every_engine(kind):
    """Sutskever et al.'s final phase (μ 0.99, then 0.9 for the last 9 of 3 × 13 updates): the
    compiled engine, the numpy engine and the stacked engines give the same nets to 1e-12, and the
    phase changes them."""
    x, labels = sparse_data()
    opt = Optimizer(kind, 0.99, final_updates=9)

    def single(engine, optimizer, seed):
        net = Network([16, 9, 4], np.random.default_rng(seed))
        train(net, x, labels, epochs=3, mini_batch_size=7, eta=0.1, lmbda=2.0, rng=np.random.default_rng(seed + 10),
              optimizer=optimizer, engine=engine)
        return net

    def stacked(engine):
        nets = [Network([16, 9, 4], np.random.default_rng(seed)) for seed in (3, 4)]
        train_stacked(nets, x, labels, rngs=[np.random.default_rng(seed + 10) for seed in (3, 4)], epochs=3,
                      mini_batch_size=7, eta=0.1, lmbda=2.0, optimizer=opt, engine=engine)
        return nets

    ref = [single("reference", opt, seed) for seed in (3, 4)]
    for nets in ([single("fast", opt, seed) for seed in (3, 4)], stacked("reference"), stacked("fast")):
        assert max(rel_diff(a, b) for a, b in zip(nets, ref)) <= 1e-12
    assert rel_diff(single("reference", Optimizer(kind, 0.99), 3), ref[0]) > 1e-6
