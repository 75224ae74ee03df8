"""The chapter's causes measured: the backward factors of eq. (124) against a direct
computation, the Jacobians' singular values, the slope fits and intervals, the regime variants,
training only some layers, and the rules on the quick config."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from conftest import copy_project, run_snakemake, write_config
from vanishing.chapter import experiments
from vanishing.beyond import training as beyond_runs
from vanishing.causes import depth_sweep, factors, layerwise, regime, summary
from vanishing.causes import report_values as causes_report
from vanishing.pipeline.iofiles import write_json
from vanishing.engine.network import Network
from vanishing.engine.train import Monitor, one_hot

# --- eq. (124)'s factor, per example ---------------------------------------------------------


def direct_deltas(net, x, y):
    """δˡ of one example x (n¹,) by eq. (124) written out with explicit matrices:
    δᴸ = aᴸ − y, δˡ = Σ′(zˡ) (wˡ⁺¹)ᵀ δˡ⁺¹ with Σ′ a diagonal matrix; z computed afresh."""
    zs, a = [], x
    for i, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = w @ a + b
        zs.append(z)
        a = net.layer_function(i).fn(z)
    deltas = [a - y]
    for i in range(len(net.weights) - 1, 0, -1):
        f = net.activation
        sigma_prime = np.diag(f.prime(f.fn(zs[i - 1])))
        deltas.append(sigma_prime @ net.weights[i].T @ deltas[-1])
    return deltas[::-1]


@pytest.mark.parametrize("activation,init", [("sigmoid", "scaled"), ("tanh", "glorot"), ("relu", "large")])
def test_per_layer_gain_equals_a_direct_computation(activation, init):
    rng = np.random.default_rng(3)
    net = Network([6, 5, 4, 4, 3], rng, activation=activation, init=init)
    x = rng.standard_normal((9, 6))
    y = one_hot(rng.integers(0, 3, size=9), 3)
    fprimes, deltas = factors.backward_pass(net, x, y)
    gains, dropped = factors.log_gains(deltas)
    per_example = [direct_deltas(net, xi, yi) for xi, yi in zip(x, y)]
    for j in range(3):  # hidden layers 1..3, each against the next layer
        ok = [np.linalg.norm(d[j]) / np.linalg.norm(d[j + 1]) for d in per_example if np.linalg.norm(d[j]) > 0]
        assert gains[j] == pytest.approx(np.mean(np.log(ok)), abs=1e-12)
        assert dropped[j] == pytest.approx(1 - len(ok) / len(per_example), abs=1e-12)
    # the speeds are the chapter's ‖δˡ‖, the same as the engine's back-propagation gives
    speeds = factors.speeds(deltas)
    reference = Monitor(x, y.argmax(axis=1), bias_neurons=0).measure(net)["speed_b"]
    np.testing.assert_allclose(speeds, reference, rtol=1e-12)
    # the simple estimate: √(nʲ · mean w²) · rms f′(zʲ), nʲ the columns of the next layer's weights
    for j, fp in enumerate(fprimes):
        w = net.weights[j + 1]
        expected = np.sqrt(w.shape[1] * (w ** 2).mean()) * np.sqrt((fp ** 2).mean())
        assert factors.simple_gains(net, fprimes)[j] == pytest.approx(expected, rel=1e-12)


def test_the_simple_estimate_uses_the_columns_of_the_next_weights():
    """A 30-unit layer below a 10-unit one: δ w has 30 entries, each a sum over 10 rows. Measured
    ratio ‖δ w‖/‖δ‖ about 1.01; √(columns · mean w²) = 1.018, √(rows · mean w²) = 0.588."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((10, 30)) / np.sqrt(30)
    d = rng.standard_normal((1000, 10))
    measured = np.mean(np.linalg.norm(d @ w, axis=1) / np.linalg.norm(d, axis=1))

    class Net:
        weights = [np.zeros((30, 5)), w]

    fprimes = [np.ones((4, 30))]  # f′ = 1: the estimate is the weights' stretch alone
    estimate = factors.simple_gains(Net(), fprimes)[0]
    assert estimate == pytest.approx(np.sqrt(30 * np.mean(w * w)), rel=1e-12)
    assert estimate == pytest.approx(measured, rel=0.05)
    assert np.sqrt(10 * np.mean(w * w)) < 0.7 * measured  # rows would be off by √3


def test_an_example_without_error_is_left_out_of_the_gain():
    deltas = [np.array([[3.0, 4.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [2.0, 0.0]])]
    gains, dropped = factors.log_gains(deltas)
    assert gains == [pytest.approx(np.log(5.0))] and dropped == [0.5]


def test_a_layer_where_every_example_is_left_out_has_no_gain_and_writes_strict_json(tmp_path):
    deltas = [np.array([[0.0, 0.0], [0.0, 0.0]]), np.array([[1.0, 0.0], [2.0, 0.0]])]
    gains, dropped = factors.log_gains(deltas)
    assert gains == [None] and dropped == [1.0]
    write_json(tmp_path / "run.json", {"log_gain": gains})  # refuses NaN; None is JSON's null
    assert json.loads((tmp_path / "run.json").read_text()) == {"log_gain": [None]}


# --- Jacobians ---------------------------------------------------------------------------------


def test_singular_values_of_a_linear_layer_with_known_weights():
    rng = np.random.default_rng(0)
    u, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    v, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    w = u[:, :3] @ np.diag([3.0, 2.0, 0.5]) @ v.T  # shape (4, 3), singular values 3, 2, 0.5
    linear = np.ones((2, 4))  # f′ = 1: a linear layer
    np.testing.assert_allclose(factors.singular_values(w, linear), [[3.0, 2.0, 0.5]] * 2, atol=1e-12)
    # a constant derivative c scales every singular value by |c|
    np.testing.assert_allclose(factors.singular_values(w, np.full((1, 4), 0.25)), [[0.75, 0.5, 0.125]], atol=1e-12)
    # the Jacobian itself is Σ′ w, row by row
    fp = rng.uniform(size=(2, 4))
    np.testing.assert_allclose(factors.jacobians(w, fp)[1], np.diag(fp[1]) @ w, atol=1e-15)


def test_jacobians_reject_a_derivative_of_the_wrong_shape():
    with pytest.raises(ValueError, match=r"fprime must have shape \(m, 4\)"):
        factors.jacobians(np.ones((4, 3)), np.ones((2, 3)))


def test_standard_init_is_glorot_and_bengios_uniform_with_zero_biases():
    net = depth_sweep.causes_net(3, 30, "tanh", "standard", 1, np.float64)
    for w, b in zip(net.weights, net.biases):
        assert np.abs(w).max() <= 1 / np.sqrt(w.shape[1]) and np.all(b == 0)
        assert np.abs(w).max() > 0.9 / np.sqrt(w.shape[1])  # fills the interval
    with pytest.raises(ValueError, match="unknown initializer 'lecun'"):
        depth_sweep.causes_net(3, 30, "tanh", "lecun", 1, np.float64)


@pytest.mark.parametrize("init", ["scaled", "large", "glorot", "standard"])
def test_one_seed_gives_one_net_in_the_causes_the_chapter_and_beyond(init):
    causes = depth_sweep.causes_net(3, 20, "tanh", init, 7, np.float64)
    chapter, _ = experiments.section_net({"width": 20, "activation": "tanh", "init": init, "cost": "cross_entropy"},
                                         3, 7, np.float64)
    r1, _ = beyond_runs.section_net({"hidden_layers": 3, "cost": "cross_entropy"}, "tanh", init, 20, 7, np.float64)
    for net in (chapter, r1):
        for a, b in zip(causes.params(), net.params(), strict=True):
            assert np.array_equal(a, b)


# --- slope fits and intervals ----------------------------------------------------------------


def geometric_sweep(gain, depths=(2, 3, 5), seeds=(0, 1, 2)):
    """A sweep table whose speeds fall by exactly ``gain`` per layer towards the input."""
    rows = [{"activation": "sigmoid", "init": "scaled", "hidden_layers": k, "seed": s, "layer": j,
             "speed": (1.0 + s) * gain ** (k - j), "log_gain": np.log(gain), "simple_gain": 0.3,
             "fprime_rms": 0.2, "dropped": 0.0}
            for k in depths for s in seeds for j in range(1, k + 1)]
    return pd.DataFrame(rows, columns=depth_sweep.SWEEP_COLUMNS)


def test_an_exactly_geometric_decay_gives_its_gain_with_a_zero_width_interval():
    table = depth_sweep.factor_table(geometric_sweep(0.2))
    assert list(table["hidden_layers"]) == [2, 3, 5]
    np.testing.assert_allclose(table["measured_gain"], 0.2, rtol=1e-10)
    np.testing.assert_allclose(table["measured_high"] - table["measured_low"], 0, atol=1e-10)
    np.testing.assert_allclose(table["predicted_gain"], 0.2, rtol=1e-12)
    np.testing.assert_allclose(table["simple_gain"], 0.3, rtol=1e-12)
    np.testing.assert_allclose(table["r2"], 1.0)


def test_slope_fit_and_the_t_interval():
    slope, r2 = depth_sweep.fit_slope([1, 2, 3], [1.0, 3.0, 2.0])
    assert slope == pytest.approx(np.polyfit([1, 2, 3], np.log([1, 3, 2]), 1)[0]) and 0 < r2 < 1
    # Printed tables (3 decimals), and scipy's quantile.
    for df, printed in ((1, 12.706), (4, 2.776), (19, 2.093), (27, 2.052), (500, 1.965)):
        assert depth_sweep.t975(df) == pytest.approx(printed, abs=5e-4)
        assert depth_sweep.t975(df) == pytest.approx(stats.t.ppf(0.975, df), rel=1e-12)
    with pytest.raises(ValueError, match="at least two seeds"):
        depth_sweep.t975(0)


def test_prediction_verdicts():
    assert summary.prediction_verdict(0.2, 0.19, 0.21, 0.205) == "holds"
    assert summary.prediction_verdict(0.2, 0.19, 0.21, 0.215) == "close"
    assert summary.prediction_verdict(0.2, 0.19, 0.21, 0.25) == "fails"


def _layerwise_table(all_final, frozen_final, all_cost_final, seeds=3, frozen_cost_final=2.9):
    """Final accuracies per seed; a final cost for all seeds, or one per seed."""
    per_seed = lambda cost: list(cost) if np.ndim(cost) else [cost] * seeds  # noqa: E731
    rows = []
    for seed in range(seeds):
        for name, acc, cost in (("all", all_final[seed], per_seed(all_cost_final)[seed]),
                                ("all_but_first", frozen_final[seed], per_seed(frozen_cost_final)[seed])):
            rows.append({"trained": name, "seed": seed, "epoch": 0, "training_cost": 3.3, "validation_accuracy": 10.0})
            rows.append({"trained": name, "seed": seed, "epoch": 12, "training_cost": cost, "validation_accuracy": acc})
    return pd.DataFrame(rows)


def test_updates_to_close_and_the_layerwise_verdict():
    gap = pd.Series([90.0, 10.0, 1.5, 3.0], index=[0, 100, 200, 300])
    assert summary.updates_to_close(gap) == 200 and summary.updates_to_close(gap, closed_gap=1.0) is None
    assert summary.PLATEAU == pytest.approx(3.2508, abs=1e-4)  # −ln 0.1 − 9 ln 0.9
    # Trained: the all-layers net left the plateau; freezing the first layer costs ~80 points.
    lw = summary.summarize_layerwise(_layerwise_table([91.0, 90.0, 92.0], [10.5, 11.0, 10.0], 0.4))
    assert lw["claim"]["verdict"] == "supports" and lw["claim"]["epoch_left_plateau"] == 12
    assert "was not near an optimum" in causes_report.layerwise_verdict(lw, 5.0)
    # A small gap: smaller than claimed.
    lw = summary.summarize_layerwise(_layerwise_table([91.0, 90.0, 92.0], [90.5, 89.8, 91.5], 0.4))
    assert lw["claim"]["verdict"] == "smaller than claimed"
    assert "matters little" in causes_report.layerwise_verdict(lw, 5.0)
    # Still on the plateau: not tested, whatever the gap.
    lw = summary.summarize_layerwise(_layerwise_table([19.0, 20.0, 21.0], [10.5, 11.0, 10.0], 3.2))
    assert lw["claim"]["verdict"] == "not tested"
    assert lw["claim"]["not_tested_because"] == \
        "all-layers net's final training cost, worst seed (left the plateau) 3.2 (needs ≤ 3)"
    # One seed of three still on the plateau: its mean (1.4) is below the plateau, the seed is not.
    lw = summary.summarize_layerwise(_layerwise_table([91.0, 90.0, 20.0], [10.5, 11.0, 10.0], [0.4, 0.5, 3.25]))
    assert lw["runs"][0]["cost_final"] < summary.PLATEAU - summary.PLATEAU_MARGIN
    assert lw["claim"]["verdict"] == "not tested" and "worst seed" in lw["claim"]["not_tested_because"]
    assert "not tested" in causes_report.layerwise_verdict(lw, 5.0)
    # The frozen net still on the plateau (3.252 = −ln 0.1 − 9 ln 0.9): the gap is its time there, not tested.
    lw = summary.summarize_layerwise(_layerwise_table([91.0, 90.0, 92.0], [10.5, 11.0, 10.0], 0.4,
                                                      frozen_cost_final=3.252))
    assert lw["claim"]["verdict"] == "not tested" and "all-but-first" in lw["claim"]["not_tested_because"]
    # Two seeds: not tested either.
    lw = summary.summarize_layerwise(_layerwise_table([91.0, 90.0], [10.5, 11.0], 0.4, seeds=2))
    assert lw["claim"]["not_tested_because"] == "seeds 2 (needs ≥ 3)"
    assert "cannot tell" in causes_report.layerwise_verdict({"runs": [], "claim": None}, 5.0)


def test_the_report_names_where_the_prediction_misses():
    row = {"activation": "relu", "init": "glorot", "verdict": "close", "measured_gain": 0.62, "predicted_gain": 0.68}
    assert "ReLU with the normalized init" in causes_report.failing_sentence([row])
    assert "predicts less decay" in causes_report.failing_sentence([row])
    assert "everywhere" in causes_report.failing_sentence([{**row, "verdict": "holds"}])
    assert causes_report.trend({"measured_low": 0.5, "measured_high": 0.9}) == "still vanishes"
    assert causes_report.trend({"measured_low": 0.9, "measured_high": 1.1}).startswith("neither")


# --- E1's speeds, the regime variants, training only some layers -----------------------------


def test_depth_speed_table_has_one_row_per_hidden_layer_and_epoch():
    record = {"hidden_layers": 2, "seed": 4,
              "history": {"epoch": [0, 1], "speed_b": [[0.1, 0.3, 0.9], [0.2, 0.25, 0.5]]}}
    table = experiments.depth_speed_table([record])
    assert list(table.columns) == ["hidden_layers", "seed", "epoch", "layer", "speed"]
    assert table["speed"].tolist() == [0.1, 0.3, 0.2, 0.25]  # the output layer's speed is left out
    assert table["layer"].tolist() == [1, 2, 1, 2]


def test_regime_switches_one_setting_at_a_time():
    base = {"weights": "scaled", "biases": "normal", "mini_batch_size": 10, "lmbda": 5.0, "eta": 0.1}
    target = {**base, "biases": "zero", "eta": 1.0}
    names = regime.variants({"baseline": base, "target": target})
    assert [n for n, _ in names] == ["baseline", "biases", "eta", "all"]
    assert dict(names)["eta"] == {**base, "eta": 1.0} and dict(names)["all"] == target
    with pytest.raises(ValueError, match="must both set eta"):
        regime.variants({"baseline": {k: v for k, v in base.items() if k != "eta"}, "target": target})
    section = {"width": 5, "hidden_layers": 2, "activation": "sigmoid"}
    net, _ = regime.make_regime_net(section, {**base, "weights": "glorot"}, seed=0)
    assert all(np.any(b != 0) for b in net.biases)  # glorot weights with N(0, 1) biases
    net, _ = regime.make_regime_net(section, {**base, "biases": "zero"}, seed=0)
    assert all(np.all(b == 0) for b in net.biases)


def test_training_some_layers_leaves_the_others_exactly_unchanged():
    rng = np.random.default_rng(0)
    net = Network([8, 5, 5, 5, 3], rng)
    before = [p.copy() for p in net.params()]
    x, y = rng.uniform(size=(40, 8)), one_hot(rng.integers(0, 3, 40), 3)
    epochs = []
    layers = layerwise.trained_layers("all_but_first", 3)
    layerwise.sgd_layers(net, x, y, layers, epochs=2, mini_batch_size=10, eta=0.5, lmbda=1.0,
                         rng=np.random.default_rng(1), on_epoch=epochs.append)
    assert epochs == [0, 1, 2] and layers == [1, 2, 3]
    assert np.array_equal(net.weights[0], before[0]) and np.array_equal(net.biases[0], before[4])
    assert all(not np.array_equal(net.weights[i], before[i]) for i in (1, 2, 3))
    assert layerwise.trained_layers("first", 4) == [0] and layerwise.trained_layers("last", 4) == [3]
    with pytest.raises(ValueError, match="unknown trained layer 'middle'"):
        layerwise.trained_layers("middle", 4)


# --- the rules on the quick config -----------------------------------------------------------


def test_causes_rules_run_on_the_quick_config(tmp_path, quick_config):
    workdir = copy_project(tmp_path / "project")
    config = write_config(workdir / "test.yaml", quick_config)
    run_snakemake(workdir, "results/causes_summary.json", "results/figures/causes_depth_sweep.png",
                  "--cores", "2", "--configfile", config)
    tables = workdir / "results" / "tables"
    sweep = pd.read_csv(tables / "causes_depth_sweep.csv")
    assert list(sweep.columns) == depth_sweep.SWEEP_COLUMNS
    cfg = quick_config["causes"]["depth_sweep"]
    combos = 3 * 2  # the default activations x inits
    assert len(sweep) == combos * len(cfg["seeds"]) * sum(cfg["hidden_layers"])
    factors_table = pd.read_csv(tables / "causes_factors.csv")
    assert list(factors_table.columns) == depth_sweep.FACTOR_COLUMNS
    sig = factors_table[(factors_table["activation"] == "sigmoid") & (factors_table["init"] == "scaled")]
    assert (sig["measured_gain"] < 0.5).all()  # sigmoid's σ′ ≤ 1/4: a vanishing gradient
    assert (sig["measured_low"] <= sig["measured_gain"]).all() and (sig["measured_gain"] <= sig["measured_high"]).all()
    result = json.loads((workdir / "results" / "causes_summary.json").read_text())
    assert {r["verdict"] for r in result["factors"]} <= {"holds", "close", "fails"}
    assert [r["variant"] for r in result["regime"]["variants"]][0] == "baseline"
    assert (workdir / "results" / "benchmarks" / "causes" / "depth_sweep.tsv").exists()
    assert (workdir / "results" / "figures" / "causes_depth_sweep.svg").exists()
    variables = causes_report.report_variables(result)  # every variable the report quotes is there
    assert variables["sigmoid_scaled"]["k"] == str(max(cfg["hidden_layers"]))
    assert {"e1_deep", "regime", "layerwise", "jac_tanh_glorot", "layerwise_verdict"} <= variables.keys()
    assert set(causes_report.report_tables(result)) == {f"_generated/causes_{n}.md" for n in
                                                        ("factors", "jacobian", "depth_speed", "regime", "layerwise")}
