"""Beyond the chapter (R1-R4): the experiments' summaries on hand-made tables, the engine pieces
they rely on, and the quick DAG's tables, summary, figures and report chapter. The decision rule
itself is tested in test_beyond_verdicts.py."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from vanishing import beyond
from vanishing.beyond import CANNOT_TELL, CONTRADICTS, NOT_RUN, NOT_TESTED, SMALLER, SUPPORTS, r2_saturation, r3_optimizers, training
from vanishing.engine.network import Network
from vanishing.engine.train import Monitor, one_hot, sgd_step, train

VERDICTS = {SUPPORTS, SMALLER, CONTRADICTS, CANNOT_TELL, NOT_TESTED, NOT_RUN}
CLAIM_FIELDS = {"claim", "source", "where", "tested_as_stated", "deviations", "measure", "interval", "minimal",
                "side", "detectable", "rule", "verdict"}

# --- Summaries on hand-made tables -----------------------------------------------------------


def test_table1_summary_on_a_made_up_table_keeps_stuck_runs_and_leaves_out_diverged_ones():
    rows = []
    errors = {("sigmoid", "standard"): [5.0, 5.2, 5.1, 89.0], ("sigmoid", "glorot"): [4.0, 4.1, 4.3],
              ("tanh", "standard"): [3.0, 3.1, 3.2], ("tanh", "glorot"): [3.05, 3.15, 2.9]}
    for (act, init), errs in errors.items():
        for seed, e in enumerate(errs):
            rows.append({"activation": act, "init": init, "seed": seed, "epochs": 1,
                         "diverged": training.is_diverged(0.0, 100 - e, None), "stuck": training.is_stuck(0.0, 100 - e, None),
                         "validation_accuracy": 100 - e, "test_accuracy": 100 - e, "test_error": e})
    rows.append({"activation": "tanh", "init": "glorot", "seed": 9, "epochs": 1,  # stopped on NaN: no test
                 "diverged": training.is_diverged(0.0, float("nan"), 1), "stuck": training.is_stuck(0.0, float("nan"), 1),
                 "validation_accuracy": float("nan"), "test_accuracy": float("nan"), "test_error": float("nan")})
    section = {"hidden_layers": 4, "width": 100, "epochs": 5, "eta": 0.1, "lmbda": 5.0, "cost": "log_likelihood"}
    s = beyond.r4_table1.summarize_table1(pd.DataFrame(rows), section)
    cell = next(c for c in s["cells"] if c["activation"] == "sigmoid" and c["init"] == "standard")
    assert cell["stuck_seeds"] == 1 and cell["diverged_seeds"] == 0  # at chance, finite: stuck, not diverged
    assert cell["test_error"]["n"] == 4 and cell["test_error"]["mean"] == pytest.approx(26.075)  # and kept
    tanh = next(c for c in s["cells"] if c["activation"] == "tanh" and c["init"] == "glorot")
    assert (tanh["diverged_seeds"], tanh["stuck_seeds"], tanh["seeds"], tanh["test_error"]["n"]) == (1, 0, 4, 3)
    worst = s["claims"]["sigmoid_worst"]
    assert worst["interval"]["estimate"] == pytest.approx(26.075 - 3.1)
    # One compared run stuck at chance: the claim is not tested (the stuck run is a finding of its own).
    assert worst["verdict"] == NOT_TESTED and worst["interval"]["lo"] < 0
    assert worst["not_tested_because"] == ("compared runs stuck at chance 1 (needs ≤ 0); compared runs below 50 % "
                                           "test accuracy (not trained) 1 (needs ≤ 0)")
    assert s["stuck_findings"] == ["at width 100 and 5 epochs, 1 of 4 sigmoid nets with the standard init never "
                                   "left chance"]
    assert CLAIM_FIELDS <= worst.keys() and worst["tested_as_stated"] == "partly"
    assert s["claims"]["normalized_helps_tanh"]["verdict"] == CANNOT_TELL  # 0.067 ± a wide interval
    assert s["published"]["values"]["sigmoid"] == 2.21


def test_table1_claims_need_every_compared_run_trained_not_only_off_chance():
    """A sigmoid net at 28 % accuracy has left chance (not stuck) but not trained: the claim is not
    tested; with every compared net trained it is decided."""
    section = {"hidden_layers": 4, "width": 100, "epochs": 5, "eta": 0.1, "lmbda": 5.0, "cost": "log_likelihood"}

    def summary(sigmoid_errors):
        rows = [{"activation": act, "init": init, "seed": seed, "epochs": 5, "diverged": False,
                 "stuck": training.is_stuck(0.0, 100 - e, None), "validation_accuracy": 100 - e,
                 "test_accuracy": 100 - e, "test_error": e}
                for (act, init), errs in {("sigmoid", "standard"): sigmoid_errors, ("tanh", "standard"): [3.0, 3.1, 3.2],
                                          ("tanh", "glorot"): [2.9, 3.0, 3.1]}.items()
                for seed, e in enumerate(errs)]
        return beyond.r4_table1.summarize_table1(pd.DataFrame(rows), section)["claims"]

    worst = summary([5.0, 5.2, 72.0])["sigmoid_worst"]
    assert worst["verdict"] == NOT_TESTED
    assert worst["not_tested_because"] == "compared runs below 50 % test accuracy (not trained) 1 (needs ≤ 0)"
    assert summary([5.0, 5.2, 5.1])["sigmoid_worst"]["verdict"] == SUPPORTS  # about 2 points, well beyond 0.2


def test_diverged_means_non_finite_and_stuck_means_finite_at_chance():
    assert not training.is_diverged(0.3, 95.0, None) and not training.is_stuck(0.3, 95.0, None)
    assert training.is_diverged(0.3, 95.0, 4) and not training.is_stuck(0.3, 95.0, 4)  # stopped on non-finite numbers
    assert training.is_diverged(float("nan"), 95.0, None) and training.is_diverged(0.3, None, None)
    assert training.is_diverged(math.inf, 10.0, None) and not training.is_stuck(math.inf, 10.0, None)
    assert training.is_stuck(0.3, training.CHANCE_ACCURACY, None)  # finite but at chance: stuck...
    assert not training.is_diverged(0.3, training.CHANCE_ACCURACY, None)  # ...not diverged
    assert not training.is_stuck(0.3, training.CHANCE_ACCURACY + 0.01, None)


def _r3_record(stage, optimizer, eta, seed, vcost, acc, epochs=2, tcost=None):
    method, mu = beyond.parse_optimizer(optimizer)
    h = {"epoch": list(range(epochs + 1)), "training_cost": [1.0] * epochs + [vcost if tcost is None else tcost],
         "validation_cost": [1.0] * epochs + [vcost], "validation_accuracy": [10.0] * epochs + [acc],
         "speed_b": [[0.1, 0.2, 0.3]] * (epochs + 1)}
    return {"stage": stage, "optimizer": optimizer, "method": method, "mu_max": mu, "eta": eta, "seed": seed,
            "test_accuracy": None, "history": h}


def test_select_eta_on_training_cost_flags_edges_and_treats_stuck_and_diverged_as_infinite():
    section = {"epochs": 2}
    recs = [_r3_record("select", "sgd", eta, 100, c, a) for eta, c, a in
            [(0.1, 0.9, 80.0), (1.0, 0.5, 90.0), (3.0, 0.1, 11.0)]]  # eta 3: lowest cost but at chance
    recs += [_r3_record("select", "sgd", 10.0, 100, math.inf, 10.0)]  # eta 10: the cost overflowed
    recs += [_r3_record("select", "nesterov-0.99", eta, 100, c, 90.0) for eta, c in [(0.01, 0.4), (0.1, 0.6)]]
    sel = beyond.select_eta(recs, section)
    assert sel["sgd"]["eta"] == 1.0 and sel["sgd"]["edge"] is None
    # +inf is written as null (strict JSON) and read back as +inf; stuck and diverged are counted apart
    assert sel["sgd"]["selection_cost_by_eta"]["3"] is None and sel["sgd"]["selection_cost_by_eta"]["10"] is None
    assert r3_optimizers.selection_costs(sel["sgd"]) == {"0.1": 0.9, "1": 0.5, "3": math.inf, "10": math.inf}
    assert sel["sgd"]["stuck_by_eta"] == {"0.1": 0, "1": 0, "3": 1, "10": 0}
    assert sel["sgd"]["diverged_by_eta"] == {"0.1": 0, "1": 0, "3": 0, "10": 1}
    json.loads(json.dumps(sel, allow_nan=False))
    assert sel["nesterov-0.99"]["eta"] == 0.01 and sel["nesterov-0.99"]["edge"] == "low"
    # The paper's measure decides: the lowest training cost wins over the lowest validation cost.
    recs = [_r3_record("select", "momentum-0.9", eta, 100, v, 90.0, tcost=t) for eta, v, t in
            [(0.01, 0.30, 0.50), (0.1, 0.40, 0.20), (1.0, 0.60, 0.45)]]
    sel = beyond.select_eta(recs, section)["momentum-0.9"]
    assert sel["eta"] == 0.1 and sel["edge"] is None and sel["selection_measure"] == "training_cost"


def _r3_claim(final_updates=1000, best_eta_of_099=0.1, full=False):
    """R3's 'higher μ_max' claim on made-up runs: 60,000 updates; three selection and three
    comparison seeds per optimizer; μ_max 0.99 ends 1.7 times lower in cost than 0.9."""
    section = {"epochs": 2, "train_size": 300000, "mini_batch_size": 10, "schedule": True,
               "final_updates": final_updates, "select_seeds": [100, 101, 102], "hidden_layers": 4, "width": 30,
               "cost": "cross_entropy", "init": "glorot"}
    selection_cost = {"momentum-0.9": {0.01: 0.6, 0.1: 0.4, 1.0: 0.7},
                      "momentum-0.99": {0.01: 0.6, 0.1: 0.8, 1.0: 0.9} if best_eta_of_099 == 0.01 else
                      {0.01: 0.6, 0.1: 0.3, 1.0: 0.9}}
    select = [_r3_record("select", opt, eta, seed, c, 90.0) for opt, costs in selection_cost.items()
              for eta, c in costs.items() for seed in section["select_seeds"]]
    selection = beyond.select_eta(select, section)
    final = [_r3_record("final", opt, selection[opt]["eta"], seed, c, 90.0)
             for opt, costs in {"momentum-0.9": [0.5, 0.52, 0.51], "momentum-0.99": [0.3, 0.31, 0.29]}.items()
             for seed, c in enumerate(costs)]
    summary = r3_optimizers.summarize_optimizers(beyond.optimizers_table(select + final), section, selection)
    return summary["claims"]["higher_mu_momentum"] if not full else (summary, section)


def test_r3_claims_need_mu_max_in_force_and_an_interior_eta():
    """With μ = 0.99 for 78 % of 60,000 updates and both η inside their grid the claim is decided;
    a final phase of 5,000 updates leaves 0.99 in force for 71 %, and an η at the grid's edge: each
    alone makes it not tested, naming the condition."""
    claim = _r3_claim()
    assert claim["verdict"] == SUPPORTS and all(c["met"] for c in claim["preconditions"])
    mu = next(c for c in claim["preconditions"] if "μ = 0.99" in c["name"])
    assert mu["value"] == pytest.approx((60000 - 1000 - 12250) / 60000) and mu["threshold"] == 0.75
    longer_final = _r3_claim(final_updates=5000)
    assert longer_final["verdict"] == NOT_TESTED
    assert longer_final["not_tested_because"] == \
        "fraction of updates at the momentum cap μ = 0.99 (classical momentum) 0.713 (needs ≥ 0.75)"
    edge = _r3_claim(best_eta_of_099=0.01)
    assert edge["verdict"] == NOT_TESTED
    assert edge["not_tested_because"] == "chosen η inside the grid on training cost (classical momentum, cap 0.99) no (needs = yes)"


def test_r3_prose_says_what_the_final_phase_leaves_of_the_cap():
    """The report's R3 numbers: the final phase's length and μ, the highest μ reached to four digits
    (0.98958 is not the cap), and what the phase leaves of μ_max = 0.99."""
    from vanishing.beyond.report_values import r3_variables

    summary, section = _r3_claim(full=True)
    config = {**section, "activation": "sigmoid", "methods": ["momentum"], "mu_max": [0.9, 0.99], "seeds": [0, 1, 2],
              "etas": [0.01, 0.1, 1.0], "lmbda": 0.0}
    v = r3_variables({"r3": summary, "config": {"optimizers": config}})
    assert (v["final_updates"], v["final_mu"], v["mu_highest"]) == ("1,000", "0.9", "0.99")  # 60,000 updates
    assert v["final_phase_effect"] == "μ is at 0.99 for a fraction 0.779 of the updates before it"
    short_run = {**section, "train_size": 65000}  # 13,000 updates: the phase starts at 12,000, before the cap
    summary["fraction_at_mu_max"]["0.99"] = r3_optimizers.fraction_at_mu_max(0.99, 13000, True, 1000)
    summary["mu_highest"] = {"momentum-0.99": r3_optimizers.section_optimizer(short_run, "momentum", 0.99).mu(11999)}
    v = r3_variables({"r3": summary, "config": {"optimizers": {**config, "train_size": 65000}}})
    assert v["final_phase_effect"] == "in a run this short it begins before μ reaches 0.99"
    assert v["mu_highest"] == "0.9896"


def test_tanh_layer_order_and_sigmoid_top_layer_on_made_up_series():
    updates = [0, 100, 200, 300, 400]
    p98 = pd.DataFrame({1: [0.5, 0.995, 1, 1, 1], 2: [0.5, 0.9, 0.995, 1, 1], 3: [0.5, 0.5, 0.9, 0.999, 1],
                        4: [0.5, 0.5, 0.5, 0.5, 0.6]}, index=updates)
    mean = pd.DataFrame({1: [0.0] * 5, 2: [0.0] * 5, 3: [0.0] * 5, 4: [0.0, -0.2, -0.3, -0.1, 0.0]}, index=updates)
    derivative = pd.DataFrame({1: [0.8, 0.4, 0.3, 0.3, 0.2], 2: [0.8] * 5, 3: [0.8] * 5,
                               4: [0.8, 0.7, 0.6, 0.4, 0.5]}, index=updates)
    saturated = pd.DataFrame({1: [0.0, 0.3, 0.5, 0.5, 0.6], 2: [0.0] * 5, 3: [0.0] * 5,
                              4: [0.01, 0.02, 0.15, 0.11, 0.1]}, index=updates)
    series = pd.concat({"p98": p98, "mean": mean, "saturated": saturated, "derivative": derivative}, axis=1)
    order = r2_saturation.tanh_layer_order(series, 0.99)
    assert order["crossing_update"] == [100.0, 200.0, 300.0, math.inf]
    assert order["tau"] == 1.0 and order["top_max_abs_mean"] == pytest.approx(0.3)
    # Saturation: the top layer's lowest mean derivative over its start, and every layer's.
    assert order["top_derivative_ratio"] == pytest.approx(0.5) and order["top_p98_final"] == 0.6
    assert order["lowest_derivative_ratio_by_layer"] == pytest.approx([0.25, 1.0, 1.0, 0.5])
    # The flat part: the top layer's fraction from 0.01 at the start to 0.15 at its highest.
    assert order["top_saturated_initial"] == 0.01 and order["top_saturated_highest"] == 0.15
    assert order["top_saturated_rise"] == pytest.approx(0.14)
    assert order["highest_saturated_by_layer"] == [0.6, 0.0, 0.0, 0.15]
    sig_mean = pd.DataFrame({1: [0.5, 0.5, 0.5, 0.5, 0.5], 2: [0.5, 0.55, 0.6, 0.6, 0.6],
                             3: [0.5, 0.2, 0.1, 0.15, 0.3]}, index=updates)
    top = r2_saturation.sigmoid_top_layer(pd.concat({"mean": sig_mean}, axis=1), total=500)
    # Early = the first 20 % of 500 updates: records at 0 and 100 only.
    assert top["early_minimum"] == 0.2 and top["early_minimum_update"] == 100
    assert top["early_ratio"] == pytest.approx(0.4) and top["lower_layers_at_minimum"] == [0.5, 0.55]
    assert top["minimum"] == 0.1 and top["recovery_fraction"] == pytest.approx(0.5)
    assert top["minimum_is_last"] is False  # an interior minimum: the recovery can be measured


def test_optimizer_names_round_trip():
    section = {"methods": ["sgd", "momentum", "nesterov"], "mu_max": [0.9, 0.99]}
    names = beyond.optimizer_names(section)
    assert names == ["sgd", "momentum-0.9", "momentum-0.99", "nesterov-0.9", "nesterov-0.99"]
    assert [beyond.parse_optimizer(n) for n in names][2] == ("momentum", 0.99)
    for bad in ("sgd-0.9", "nesterov", "adam-0.9"):
        with pytest.raises(ValueError):
            beyond.parse_optimizer(bad)


def test_default_r3_reaches_mu_max_and_fits_the_schedule():
    """The default config trains long enough for Sutskever et al.'s schedule to hold μ at 0.9 for
    most updates; its final phase (the last 1,000 at 0.9) begins before 0.99 is reached, so 0.99 is
    never in force and its claims need a longer run."""
    import yaml

    cfg = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["beyond"]["optimizers"]
    updates = r3_optimizers.total_updates(cfg)
    assert cfg["final_updates"] == 1000 and updates >= r3_optimizers.MU_REACHED_AT
    from vanishing.engine.train import sutskever_mu

    assert sutskever_mu(r3_optimizers.MU_REACHED_AT, 0.99) == 0.99 > sutskever_mu(r3_optimizers.MU_REACHED_AT - 1, 0.99)
    assert r3_optimizers.fraction_at_mu_max(0.9, updates, True, cfg["final_updates"]) == 12000 / 13000
    assert r3_optimizers.fraction_at_mu_max(0.99, updates, True, cfg["final_updates"]) == 0.0
    assert r3_optimizers.updates_for_fraction(0.99, 0.75, cfg["final_updates"]) == 53000  # (12,250 + 1,000) / 0.25
    assert not set(cfg["select_seeds"]) & set(cfg["seeds"])  # eta is not chosen on the compared runs
    assert len(cfg["seeds"]) >= 5


@pytest.mark.parametrize("mu_max,updates,final,schedule", [(0.99, 13000, 1000, True), (0.99, 60000, 1000, True),
                                                             (0.9, 13000, 1000, True), (0.99, 13000, 0, True),
                                                             (0.99, 500, 100, False), (0.75, 2000, 300, True)])
def test_fraction_at_mu_max_counts_the_updates_of_the_optimizer(mu_max, updates, final, schedule):
    """R3's fraction of updates at μ_max against a count of the updates at which the optimizer that
    trains the runs has μ = μ_max; the fewest updates for 75 % against a search over run lengths."""
    from vanishing.engine.train import Optimizer

    opt = Optimizer("momentum", mu_max, schedule=schedule, final_updates=final)
    counted = np.mean([opt.for_run(updates).mu(t) == mu_max for t in range(updates)])
    assert r3_optimizers.fraction_at_mu_max(mu_max, updates, schedule, final) == pytest.approx(counted, abs=1e-12)
    needed = r3_optimizers.updates_for_fraction(mu_max, 0.75, final, schedule)
    assert r3_optimizers.fraction_at_mu_max(mu_max, needed, schedule, final) >= 0.75
    assert r3_optimizers.fraction_at_mu_max(mu_max, needed - 1, schedule, final) < 0.75


# --- Engine pieces ----------------------------------------------------------------------------


def test_saturated_fraction_counts_the_flat_part_of_each_activation():
    """tanh |a| > 0.9 and sigmoid |2a − 1| > 0.9 on hand-made values; both edges are where
    f′/max f′ = 0.19, the same place (tanh(z) = 2σ(2z) − 1); no flat part for ReLU."""
    from vanishing.beyond.training import saturated_fraction

    assert saturated_fraction("tanh", np.array([[0.95, -0.95], [0.5, -0.89]]), 0.9) == 0.5
    assert saturated_fraction("sigmoid", np.array([0.97, 0.03, 0.5, 0.9, 0.94]), 0.9) == 0.4
    assert saturated_fraction("relu", np.array([5.0, 0.0]), 0.9) is None
    assert math.isnan(saturated_fraction("tanh", np.array([0.95, np.nan]), 0.9))
    z = np.arctanh(0.9)  # the tanh edge; the sigmoid's is at 2z
    sig = 1 / (1 + np.exp(-2 * z))
    assert sig == pytest.approx(0.95) and (1 - 0.9**2) == pytest.approx(sig * (1 - sig) / 0.25)



@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_relative_derivative_is_exact_from_mean_and_std(activation):
    a = Network([4, 50, 3], np.random.default_rng(0), activation=activation).forward(
        np.random.default_rng(1).random((40, 4)))[1]
    prime = a * (1 - a) / 0.25 if activation == "sigmoid" else 1 - a * a
    assert beyond.relative_derivative(activation, a.mean(), a.std()) == pytest.approx(prime.mean(), rel=1e-12)
    assert math.isnan(beyond.relative_derivative("relu", 0.3, 0.2))


def _tiny(record_every=None, record_epochs=None):
    data = np.random.default_rng(100)
    x, labels = data.random((20, 8)), data.integers(0, 3, 20)
    rng = np.random.default_rng(5)
    net = Network([8, 6, 5, 3], rng)
    monitor = Monitor(x[:10], labels[:10], bias_neurons=0, act_x=x[:7])
    hist = train(net, x, labels, epochs=3, mini_batch_size=3, eta=0.5, lmbda=0.1, rng=rng, monitor=monitor,
                 record_every=record_every, record_epochs=record_epochs)
    return net, hist, x, labels


def test_train_records_every_n_updates_without_changing_training():
    """train(record_every=2, record_epochs=2): 20 images in mini-batches of 3 make 7 updates per
    epoch, so extra records after updates 2, 4, 6 of epochs 1 and 2 only."""
    plain_net, plain, x, labels = _tiny()
    net, hist, _, _ = _tiny(record_every=2, record_epochs=2)
    b = 7
    expected = [0, 2 / b, 4 / b, 6 / b, 1, 1 + 2 / b, 1 + 4 / b, 1 + 6 / b, 2, 3]
    assert hist["epoch"] == pytest.approx(expected, abs=1e-15)
    assert plain["epoch"] == [0, 1, 2, 3]
    for w, w0 in zip(net.params(), plain_net.params()):  # the records do not disturb training
        np.testing.assert_array_equal(w, w0)
    whole = [hist["epoch"].index(e) for e in (0, 1, 2, 3)]
    assert [hist["activation_mean"][i] for i in whole] == plain["activation_mean"]
    # The record after update 4 of epoch 1, replayed by hand with the same shuffle.
    rng = np.random.default_rng(5)
    replay = Network([8, 6, 5, 3], rng)
    order = rng.permutation(20)
    y = one_hot(labels, 3)
    for k in range(0, 12, 3):
        sgd_step(replay, x[order[k : k + 3]], y[order[k : k + 3]], 0.5, 0.1, 20)
    means = [float(a.mean()) for a in replay.forward(x[:7])[1:-1]]
    assert hist["activation_mean"][2] == pytest.approx(means, rel=1e-12)
    with pytest.raises(ValueError, match="record_every"):
        _tiny(record_every=0)


# --- The quick DAG ----------------------------------------------------------------------------

TABLES = {name: list(cols) for name, cols in beyond.TABLE_COLUMNS.items()}


def beyond_tables(workdir):
    return {name: pd.read_csv(workdir / "results" / "tables" / f"{name}.csv") for name in TABLES}


def beyond_summary(workdir):
    return json.loads((workdir / "results" / "beyond_summary.json").read_text())


def test_tables_have_the_documented_columns_and_counts(quick_run, quick_config):
    t = beyond_tables(quick_run)
    b = quick_config["beyond"]
    full = json.loads((quick_run / "results" / "beyond_summary.json").read_text())["config"]
    r1, r2, r3, r4 = (full[k] for k in ("init", "saturation", "optimizers", "table1"))
    assert list(t["beyond_init"].columns) == TABLES["beyond_init"]
    assert len(t["beyond_init"]) == (len(r1["activations"]) * len(r1["inits"]) * len(r1["widths"])
                                     * len(r1["seeds"]) * r1["hidden_layers"])
    assert r1["seeds"] == b["init"]["seeds"] and "standard" in r1["inits"]
    assert list(t["beyond_saturation"].columns) == TABLES["beyond_saturation"]
    updates = -(-r2["train_size"] // r2["mini_batch_size"])
    fine = (updates - 1) // r2["record_every"] * min(r2["record_epochs"], r2["epochs"])
    records = 1 + r2["epochs"] + fine
    assert len(t["beyond_saturation"]) == (len(r2["activations"]) * len(r2["inits"]) * len(r2["seeds"]) * records
                                           * r2["hidden_layers"])
    assert t["beyond_saturation"]["update"].max() == updates * r2["epochs"]
    assert t["beyond_saturation"]["p98"].between(0, 1).all()
    sat = t["beyond_saturation"]
    assert sat["saturated"].between(0, 1).all()
    # Two instruments, one fact: a tanh layer's 98th percentile of |a| lies above 0.9 exactly when
    # more than 2 % of its values do (to the percentile's interpolation between neighbouring values).
    tanh = sat[sat["activation"] == "tanh"]
    values = r2["activation_images"] * r2["width"]
    assert (tanh.loc[tanh["p98"] <= 0.9, "saturated"] <= 0.02 + 2 / values).all()
    assert (tanh.loc[tanh["p98"] > 0.9, "saturated"] >= 0.02 - 2 / values).all()
    k = r3["hidden_layers"]
    cols = TABLES["beyond_optimizers"][:-1] + [f"speed_layer{j}" for j in range(1, k + 1)]
    assert list(t["beyond_optimizers"].columns) == cols
    n_opt = len(beyond.optimizer_names(r3))
    opt = t["beyond_optimizers"]
    assert (opt["stage"] == "select").sum() == n_opt * len(r3["etas"]) * len(r3["select_seeds"]) * (r3["epochs"] + 1)
    final = opt[opt["stage"] == "final"]
    assert len(final) == n_opt * len(r3["seeds"]) * (r3["epochs"] + 1)
    chosen = json.loads((quick_run / "results" / "beyond" / "r3" / "selected_eta.json").read_text())
    for name, g in final.groupby("optimizer"):  # the comparison runs use the chosen eta
        assert set(g["eta"]) == {chosen[name]["eta"]}
    assert list(t["beyond_table1"].columns) == TABLES["beyond_table1"]
    assert len(t["beyond_table1"]) == len(r4["activations"]) * len(r4["inits"]) * len(r4["seeds"])
    acc = t["beyond_table1"]["test_accuracy"]
    assert acc.between(0, 100).all()
    np.testing.assert_allclose(t["beyond_table1"]["test_error"], 100 - acc)


def test_tanh_standard_init_shrinks_the_backpropagated_gradient_and_glorot_keeps_it_flatter(quick_run):
    """R1's invariant at initialization: for tanh, the per-example δˡ's last/first ratio is closer to 1
    with glorot than with the paper's standard init, for every seed and width, and standard's is
    above 1 (the gradient shrinks towards the input)."""
    t = beyond_tables(quick_run)["beyond_init"]
    ratios = beyond.layer_ratios(t, "delta_rms").reset_index()
    tanh = ratios[ratios["activation"] == "tanh"]
    for width, g in tanh.groupby("width"):
        wide = g.pivot(index="seed", columns="init", values="delta_rms_ratio")
        assert (np.abs(np.log(wide["glorot"])) < np.abs(np.log(wide["standard"]))).all(), (width, wide)
        assert (wide["standard"] > 1).all()


def test_a_failed_precondition_is_not_tested_in_the_summary_and_the_rendered_table(quick_run):
    """The quick config's R3 runs 400 updates: μ never reaches 0.99 for most of them, so the claim
    about μ_max 0.99 is "not tested", naming that condition, in the summary and in the report."""
    s = json.loads((quick_run / "results" / "beyond_summary.json").read_text())
    claim = s["r3"]["claims"]["higher_mu_momentum"]
    mu = next(c for c in claim["preconditions"] if c["name"] == "fraction of updates at the momentum cap μ = 0.99 (classical momentum)")
    assert mu["threshold"] == 0.75 and mu["value"] < 0.75 and mu["met"] is False
    assert claim["verdict"] == NOT_TESTED == s["verdicts"]["r3.higher_mu_momentum"]
    assert f"fraction of updates at the momentum cap μ = 0.99 (classical momentum) {mu['value']:.3g} (needs ≥ 0.75)" in \
        claim["not_tested_because"]
    # Every claim of both summaries declares its preconditions; none with a failed one is decided.
    causes = json.loads((quick_run / "results" / "causes_summary.json").read_text())
    claims = [c for r in ("r1", "r2", "r3", "r4") for c in s[r]["claims"].values()] + [causes["layerwise"]["claim"]]
    for c in claims + causes["factors"] + causes["jacobian"]:
        assert isinstance(c["preconditions"], list) and c["preconditions"], c
        for p in c["preconditions"]:
            assert {"name", "value", "threshold", "comparison", "met"} <= p.keys()
    for c in claims:
        if not all(p["met"] for p in c["preconditions"]):
            assert c["verdict"] == NOT_TESTED and c["not_tested_because"], c["claim"]
    # The causes' readings without an interval rule: none decided with a failed precondition.
    for row in causes["factors"]:
        if not all(p["met"] for p in row["preconditions"]):
            assert row["verdict"] == row["simple_verdict"] == NOT_TESTED, row
    for row in causes["jacobian"]:
        if not all(p["met"] for p in row["preconditions"]):
            assert row["agrees"] is None, row
    assert any(not all(p["met"] for p in row["preconditions"]) for row in causes["jacobian"])  # quick: 2 seeds
    assert s["family"]["claims"] == len(claims) - 1 and s["family"]["not_tested"] >= 1
    # The rendered verdict table shows the first failed condition in words, the appendix's table every one.
    html = (quick_run / "results" / "report" / "report.html").read_text()
    verdicts, details = (html[html.index(f'id="{label}"'):] for label in ("tbl-beyond-verdicts", "tbl-beyond-claims"))
    row = next(r for r in verdicts.split("<tr")[1:] if "With classical momentum" in r and "μ<sub>max</sub> = 0.99 trains" in r)
    reasons = claim["not_tested_because"].split("; ")
    assert f"not tested</strong>: {reasons[0]}" in row
    assert len(reasons) == 1 or f"and {len(reasons) - 1} more" in row
    row = next(r for r in details.split("<tr")[1:] if "With classical momentum" in r and "μ<sub>max</sub> = 0.99 trains" in r)
    assert f"fraction of updates at the momentum cap μ = 0.99 (classical momentum) {mu['value']:.3g} (needs ≥ 0.75)" in row


def test_summary_holds_intervals_published_values_and_verdicts(quick_run):
    s = beyond_summary(quick_run)
    assert set(s["verdicts"].values()) <= VERDICTS
    expected = {"r1.normalized_flat", "r1.standard_shrinks", "r1.weights_flat_standard", "r1.weights_flat_normalized",
                "r2.sigmoid_top_to_zero", "r2.sigmoid_slow_recovery", "r2.tanh_layer_order", "r2.tanh_saturates",
                "r3.sgd_worse", "r3.higher_mu_momentum", "r3.higher_mu_nesterov", "r3.nesterov_better",
                "r4.sigmoid_worst", "r4.normalized_helps_tanh"}
    assert expected == s["verdicts"].keys()
    for r in ("r1", "r2", "r3", "r4"):
        for claim in s[r]["claims"].values():
            assert CLAIM_FIELDS <= claim.keys() and claim["verdict"] in VERDICTS
            assert claim["claim"] and claim["where"] and claim["tested_as_stated"] in ("yes", "partly")
            assert claim["tested_as_stated"] == "yes" or claim["deviations"]
        assert s[r]["published"]["label"] and s[r]["published"]["source"]
    assert s["r4"]["published"]["values"]["tanh_normalized"] == 1.64
    assert s["rules"]["level"] == 0.95 and s["rules"]["minimal_effects"]["r3"]["markedly"] == 1.25
    # The numbers come from the tables: R1's interval recomputed from the table is the summary's.
    t = beyond_tables(quick_run)
    claim = s["r1"]["claims"]["standard_shrinks"]
    r = beyond.layer_ratios(t["beyond_init"], "delta_rms").xs(("tanh", "standard", claim["width"]),
                                                              level=["activation", "init", "width"])
    again = beyond.verdicts.geometric_mean_interval(r.to_numpy())
    assert claim["interval"]["lo"] == pytest.approx(again["lo"], rel=1e-12)
    assert claim["interval"]["hi"] == pytest.approx(again["hi"], rel=1e-12)
    assert claim["verdict"] == beyond.verdicts.decide(again, claim["minimal"], "above")
    g = t["beyond_table1"]
    cell = next(c for c in s["r4"]["cells"] if c["activation"] == "tanh" and c["init"] == "glorot")
    ok = g[(g["activation"] == "tanh") & (g["init"] == "glorot") & ~g["diverged"]]  # stuck runs are kept
    if len(ok):
        assert cell["test_error"]["mean"] == pytest.approx(ok["test_error"].mean(), rel=1e-12)
    assert cell["diverged_seeds"] == int(g[(g["activation"] == "tanh") & (g["init"] == "glorot")]["diverged"].sum())
    assert cell["stuck_seeds"] == int(g[(g["activation"] == "tanh") & (g["init"] == "glorot")]["stuck"].sum())


def test_figures_logs_and_benchmarks(quick_run, quick_config):
    figures = quick_run / "results" / "figures"
    for name in ("beyond_r1", "beyond_r2", "beyond_r3", "beyond_r3_speed", "beyond_r4"):
        png = figures / f"{name}.png"
        assert png.stat().st_size > 10_000 and png.with_suffix(".svg").stat().st_size > 10_000, name
        assert (REPO / "workflow" / "report" / f"{name}.rst").exists()
    r2 = quick_config["beyond"]["saturation"]
    # one job per chunk of beyond.stack_seeds seeds, named seeds{first}-{last}, or seed{first} for a chunk of one
    first = r2["seeds"][: quick_config["beyond"]["stack_seeds"]["saturation"]]
    job = f"seed{first[0]}" if len(first) == 1 else f"seeds{first[0]}-{first[-1]}"
    log = (quick_run / "logs" / "beyond" / "r2" / "sigmoid_standard" / f"{job}.log").read_text()
    assert all(f" epoch {e}/{r2['epochs']}" in log for e in range(r2["epochs"] + 1))
    bench = quick_run / "results" / "benchmarks" / "beyond"
    assert (bench / "r1" / "tanh_standard.tsv").exists() and (bench / "r2" / "sigmoid_standard" / f"{job}.tsv").exists()
    assert list((bench / "r3" / "select").rglob("*.tsv")) and list((bench / "r3" / "final").rglob("*.tsv"))
    assert list((bench / "r4").rglob("*.tsv"))


# --- The report chapter -----------------------------------------------------------------------


def test_report_variables_and_tables_cover_the_chapter(quick_run):
    s = beyond_summary(quick_run)
    variables = beyond.report_variables(s)
    tables = beyond.report_tables(s)

    def leaves(d, prefix=""):
        for k, v in d.items():
            assert re.fullmatch(r"[A-Za-z0-9_]+", k), k  # safe in a shortcode's dotted key
            if isinstance(v, dict):
                yield from leaves(v, f"{prefix}{k}.")
            else:
                yield f"{prefix}{k}", v

    flat = dict(leaves(variables))
    assert all(isinstance(v, str) and v for v in flat.values())
    header = tables["_generated/beyond_verdicts.md"].splitlines()[0]
    for column in ("claim", "95 % interval", "verdict"):
        assert column in header, column
    detail = tables["_generated/beyond_claims.md"].splitlines()[0]
    for column in ("where in the paper", "tested as stated", "minimal effect", "detectable (80 % power)"):
        assert column in detail, column
    claims = [c for r in ("r1", "r2", "r3", "r4") for c in s[r]["claims"].values()]
    assert len(markdown_body(tables["_generated/beyond_verdicts.md"])) == len(claims)  # one row per claim
    deviations = tables["_generated/beyond_deviations.md"]
    for c in claims:  # every deviation said, each once per experiment
        for d in c["deviations"]:
            assert d in deviations, d
    for line in deviations.splitlines():
        items = line.split(": ", 1)[1].rstrip(".").split("; ")
        assert len(items) == len(set(items)), line
    for name, text in tables.items():
        assert name.startswith("_generated/beyond_") and name.endswith(".md")
        if name == "_generated/beyond_deviations.md":  # a list, not a table
            continue
        assert re.search(r'^: .+ \{#tbl-beyond-[a-z0-9-]+( [a-z-]+="[^"]*")*\}$', text, re.M), name
        assert text.splitlines()[1].startswith("|:---|")
    qmd = (REPO / "report" / "beyond.qmd").read_text()
    assert qmd.lstrip().startswith("# Beyond the chapter {#sec-beyond}")
    used = re.findall(r"\{\{< var beyond\.([A-Za-z0-9_.]+) >\}\}", qmd)
    assert used and not [k for k in used if k not in flat], [k for k in used if k not in flat]
    appendix = (REPO / "report" / "beyond_appendix.qmd").read_text()  # its protocols, tables and figures
    for include in re.findall(r"\{\{< include (\S+) >\}\}", qmd + appendix):
        assert include in tables, include
    for figure in re.findall(r"\]\(figures/([a-z0-9_]+)\.png\)", qmd + appendix):
        assert (quick_run / "results" / "figures" / f"{figure}.png").exists(), figure
    for ref in re.findall(r"@((?:fig|tbl)-beyond-[a-z0-9-]+)", qmd + appendix):
        label = re.compile(r"\{#" + re.escape(ref) + r"[ }]")  # the label, maybe with attributes after it
        assert label.search(qmd + appendix) or any(label.search(t) for t in tables.values()), ref
    assert "```{" not in qmd and "<div" not in qmd  # no code cells, no raw HTML
    # No number typed into the prose: digits only inside shortcodes, labels, citations and names.
    prose = re.sub(r"\{\{<.*?>\}\}|\{#[^}]+\}|\[@[^\]]+\]|@(?:fig|tbl|sec)-[a-z0-9-]+|\([^)]*\.png\)"
                   r"|\[[a-z0-9_]+\.csv\]\(tables/[a-z0-9_]+\.csv\)"  # a caption's link to its data table
                   r"|R[1-4]|sec-[a-z0-9-]+|\$[^$]*\$|Table \d+|Fig\. \d+", "", qmd)
    assert not re.findall(r"\d", prose), re.findall(r".{20}\d.{20}", prose)


def test_report_tables_keep_every_row_in_its_columns(quick_run):
    """A bar in a cell's text (the 98th percentile of |a|) is escaped, so every row of every
    generated pipe table has as many cells as its header."""
    summary = json.loads((quick_run / "results" / "beyond_summary.json").read_text())
    tables = beyond.report_tables(summary)
    assert "_generated/beyond_verdicts.md" in tables
    assert any(r"\|" in text for text in tables.values())  # there is a bar to escape
    for name, text in tables.items():
        rows = [line for line in text.splitlines() if line.startswith("|")]
        cells = [len(re.split(r"(?<!\\)\|", line)) for line in rows]
        assert len(set(cells)) == (name != "_generated/beyond_deviations.md"), (name, cells)  # a list has none


def markdown_body(table_md):
    """The body rows of a generated pipe table (header and rule left out)."""
    rows = [line for line in table_md.splitlines() if line.startswith("|")]
    return rows[2:]
