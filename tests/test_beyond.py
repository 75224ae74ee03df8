"""Beyond the chapter (R1-R4): the verdict rules on hand-made numbers, the engine pieces they rely
on, and the quick DAG's tables, summary, figures and report chapter."""

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from conftest import REPO
from vanishing import beyond
from vanishing.beyond import CANNOT_TELL, CONTRADICTS, NOT_RUN, SUPPORTS
from vanishing.network import Network
from vanishing.train import Monitor, one_hot, sgd_step, train

VERDICTS = {SUPPORTS, CONTRADICTS, CANNOT_TELL, NOT_RUN}

# --- Verdict rules ----------------------------------------------------------------------------


def test_all_of_and_seed_vote():
    assert beyond.all_of([SUPPORTS, SUPPORTS]) == SUPPORTS
    assert beyond.all_of([SUPPORTS, CANNOT_TELL]) == CANNOT_TELL
    assert beyond.all_of([SUPPORTS, CANNOT_TELL, CONTRADICTS]) == CONTRADICTS
    assert beyond.all_of([SUPPORTS, NOT_RUN]) == SUPPORTS
    assert beyond.all_of([NOT_RUN]) == NOT_RUN == beyond.all_of([])
    assert beyond.seed_vote([CONTRADICTS] * 3) == CONTRADICTS
    assert beyond.seed_vote([SUPPORTS, SUPPORTS, CONTRADICTS]) == CANNOT_TELL
    assert beyond.seed_vote([]) == NOT_RUN


@pytest.mark.parametrize("normalized,standard,expected", [
    ([1.2, 1.5, 1.8], [4.0, 5.0, 6.0], SUPPORTS),  # flat against steep, spreads apart
    ([1.0, 2.7, 1.6], [3.0, 7.0, 4.0], SUPPORTS),  # one seed above the band, the mean inside: still apart
    ([1.5, 2.5, 1.6], [2.2, 6.0, 5.0], CANNOT_TELL),  # means flat/steep but |ln r| spreads overlap
    ([3.0, 4.0, 5.0], [4.0, 5.0, 6.0], CONTRADICTS),  # the normalized init is not flat
    ([1.2, 1.3, 1.4], [1.5, 1.8, 1.9], CONTRADICTS),  # the standard init is flat too
    ([0.6, 0.7, 0.8], [0.05, 0.1, 0.2], SUPPORTS),  # shrinking (ratio < 1) counts as steep too
    ([], [1.0], NOT_RUN),
])
def test_flat_vs_steep_verdict(normalized, standard, expected):
    assert beyond.flat_vs_steep_verdict(normalized, standard) == expected


@pytest.mark.parametrize("ratios,expected", [
    ([0.9, 1.1, 1.9], SUPPORTS),
    ([1.5, 2.4, 2.2], CANNOT_TELL),  # mean 2.03 outside, one seed inside
    ([3.0, 10.0, 2.5], CONTRADICTS),
    ([0.1, 0.2, 0.3], CONTRADICTS),
])
def test_flat_verdict(ratios, expected):
    assert beyond.flat_verdict(ratios) == expected


@pytest.mark.parametrize("a,b,margin,expected", [
    ([3.0, 3.2, 3.1], [1.0, 1.2, 1.1], 1.25, SUPPORTS),
    ([1.3, 1.35, 1.32], [1.1, 1.2, 1.15], 1.25, CANNOT_TELL),  # apart but not "markedly"
    ([1.3, 1.35, 1.32], [1.1, 1.2, 1.15], 1.0, SUPPORTS),
    ([1.0, 1.2], [1.1, 1.5], 1.0, CANNOT_TELL),  # spreads overlap
    ([0.5, 0.6], [1.0, 2.0], 1.0, CONTRADICTS),
    ([float("nan"), 5.0], [1.0, 2.0], 1.25, SUPPORTS),  # a diverged run counts as +inf
    ([1.0, 2.0], [float("inf"), 4.0], 1.0, CONTRADICTS),
])
def test_larger_verdict(a, b, margin, expected):
    assert beyond.larger_verdict(a, b, margin) == expected


def test_saturation_rules():
    assert beyond.drop_verdict(0.5, 0.2, [0.5, 0.49, 0.45]) == SUPPORTS
    assert beyond.drop_verdict(0.5, 0.2, [0.5, 0.1]) == CANNOT_TELL  # a lower layer is lower still
    assert beyond.drop_verdict(0.5, 0.3, [0.5]) == CANNOT_TELL
    assert beyond.drop_verdict(0.5, 0.45, [0.5]) == CONTRADICTS
    assert beyond.recovery_fraction(0.5, 0.2, 0.35) == pytest.approx(0.5)
    assert beyond.recovery_verdict(0.5, 0.2, 0.35, minimum_is_last=False) == SUPPORTS
    assert beyond.recovery_verdict(0.5, 0.2, 0.55, minimum_is_last=False) == CONTRADICTS
    assert beyond.recovery_verdict(0.5, 0.2, 0.21, minimum_is_last=False) == CANNOT_TELL
    assert beyond.recovery_verdict(0.5, 0.2, 0.2, minimum_is_last=True) == CANNOT_TELL
    assert beyond.recovery_verdict(0.5, 0.5, 0.5, minimum_is_last=False) == CANNOT_TELL  # no drop
    assert beyond.less_saturation_verdict(0.9, 0.4) == SUPPORTS
    assert beyond.less_saturation_verdict(0.3, 0.4) == CONTRADICTS
    assert beyond.less_saturation_verdict(0.4, 0.4) == CANNOT_TELL


def test_table1_summary_verdicts_on_a_made_up_table():
    rows = []
    errors = {("sigmoid", "scaled"): [5.0, 5.2, 5.1], ("sigmoid", "glorot"): [4.0, 4.1, 4.3],
              ("tanh", "scaled"): [3.0, 3.1, 3.2], ("tanh", "glorot"): [3.05, 3.15, 2.9]}
    for (act, init), errs in errors.items():
        for seed, e in enumerate(errs):
            rows.append({"activation": act, "init": init, "seed": seed, "epochs": 1, "diverged": False,
                         "validation_accuracy": 100 - e, "test_accuracy": 100 - e, "test_error": e})
    s = beyond.summarize_table1(pd.DataFrame(rows))
    assert s["claims"]["sigmoid_worst"]["verdict"] == SUPPORTS
    assert s["claims"]["normalized_helps_tanh"]["verdict"] == CANNOT_TELL
    assert s["published"]["values"]["sigmoid"] == 2.21


def test_optimizer_names_round_trip():
    section = {"methods": ["sgd", "momentum", "nesterov"], "mu_max": [0.9, 0.99]}
    names = beyond.optimizer_names(section)
    assert names == ["sgd", "momentum-0.9", "momentum-0.99", "nesterov-0.9", "nesterov-0.99"]
    assert [beyond.parse_optimizer(n) for n in names][2] == ("momentum", 0.99)
    for bad in ("sgd-0.9", "nesterov", "adam-0.9"):
        with pytest.raises(ValueError):
            beyond.parse_optimizer(bad)


# --- Engine pieces ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_per_example_deltas_sum_to_backprop(activation):
    rng = np.random.default_rng(3)
    net = Network([6, 5, 5, 3], rng, activation=activation, init="glorot")
    x, y = rng.random((9, 6)), one_hot(rng.integers(0, 3, 9), 3)
    deltas = beyond.per_example_deltas(net, x, y)
    nabla_b, _ = net.backprop(x, y)
    for d, nb in zip(deltas, nabla_b):
        np.testing.assert_allclose(d.sum(axis=0), nb, rtol=1e-12, atol=1e-15)
    one = [net.backprop(x[i : i + 1], y[i : i + 1])[0] for i in range(len(x))]
    for l, d in enumerate(deltas):
        np.testing.assert_allclose(d, np.array([o[l] for o in one]), rtol=1e-12, atol=1e-15)


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
    assert r1["seeds"] == b["init"]["seeds"]
    assert list(t["beyond_saturation"].columns) == TABLES["beyond_saturation"]
    updates = -(-r2["train_size"] // r2["mini_batch_size"])
    fine = (updates - 1) // r2["record_every"] * min(r2["record_epochs"], r2["epochs"])
    records = 1 + r2["epochs"] + fine
    assert len(t["beyond_saturation"]) == len(r2["activations"]) * len(r2["seeds"]) * records * r2["hidden_layers"]
    assert t["beyond_saturation"]["update"].max() == updates * r2["epochs"]
    k = r3["hidden_layers"]
    cols = TABLES["beyond_optimizers"][:-1] + [f"speed_layer{j}" for j in range(1, k + 1)]
    assert list(t["beyond_optimizers"].columns) == cols
    n_opt = len(beyond.optimizer_names(r3))
    assert len(t["beyond_optimizers"]) == n_opt * len(r3["etas"]) * len(r3["seeds"]) * (r3["epochs"] + 1)
    assert list(t["beyond_table1"].columns) == TABLES["beyond_table1"]
    assert len(t["beyond_table1"]) == len(r4["activations"]) * len(r4["inits"]) * len(r4["seeds"])
    acc = t["beyond_table1"]["test_accuracy"]
    assert acc.between(0, 100).all()
    np.testing.assert_allclose(t["beyond_table1"]["test_error"], 100 - acc)


def test_tanh_glorot_keeps_the_backpropagated_gradient_flatter_than_scaled(quick_run):
    """R1's invariant at initialization: for tanh, glorot's last/first ratio of ‖δˡ‖ is closer to 1
    than scaled's, for every seed and width (paired by seed) and for the means over seeds."""
    t = beyond_tables(quick_run)["beyond_init"]
    ratios = beyond.layer_ratios(t, "delta").reset_index()
    tanh = ratios[ratios["activation"] == "tanh"]
    for width, g in tanh.groupby("width"):
        wide = g.pivot(index="seed", columns="init", values="delta_ratio")
        assert (np.abs(np.log(wide["glorot"])) < np.abs(np.log(wide["scaled"]))).all(), (width, wide)
        assert abs(math.log(wide["glorot"].mean())) < abs(math.log(wide["scaled"].mean()))
    # And the scaled init's ratio is the chapter's direction: the first hidden layer is slower.
    assert (tanh.loc[tanh["init"] == "scaled", "delta_ratio"] > 1).all()


def test_summary_holds_numbers_published_values_and_verdicts(quick_run):
    s = beyond_summary(quick_run)
    assert set(s["verdicts"].values()) <= VERDICTS
    assert {"r1.delta_flat", "r1.weights_flat", "r2.top_layer_to_zero", "r4.sigmoid_worst"} <= s["verdicts"].keys()
    for r in ("r1", "r2", "r3", "r4"):
        for claim in s[r]["claims"].values():
            assert claim["claim"] and claim["source"] and claim["rule"] and claim["verdict"] in VERDICTS
        assert s[r]["published"]["label"] and s[r]["published"]["source"]
    assert s["r4"]["published"]["values"]["tanh_normalized"] == 1.64
    # The numbers come from the tables.
    t = beyond_tables(quick_run)
    cell = next(c for c in s["r4"]["cells"] if c["activation"] == "tanh" and c["init"] == "glorot")
    g = t["beyond_table1"]
    assert cell["test_error"]["mean"] == pytest.approx(
        g[(g["activation"] == "tanh") & (g["init"] == "glorot")]["test_error"].mean(), rel=1e-12)
    combo = next(c for c in s["r1"]["combinations"] if c["activation"] == "tanh" and c["init"] == "glorot")
    r = beyond.layer_ratios(t["beyond_init"], "delta").xs(("tanh", "glorot", combo["width"]),
                                                          level=["activation", "init", "width"])
    assert combo["delta_ratio"]["mean"] == pytest.approx(r.mean(), rel=1e-12)
    # Recomputing the verdict from the table gives the summary's.
    scaled = beyond.layer_ratios(t["beyond_init"], "delta").xs(("tanh", "scaled", combo["width"]),
                                                               level=["activation", "init", "width"])
    assert s["r1"]["claims"]["delta_flat"]["by_width"]["tanh"][str(combo["width"])] == \
        beyond.flat_vs_steep_verdict(r.to_numpy(), scaled.to_numpy())


def test_figures_logs_and_benchmarks(quick_run, quick_config):
    figures = quick_run / "results" / "figures"
    for name in ("beyond_r1", "beyond_r2", "beyond_r3", "beyond_r3_speed", "beyond_r4"):
        png = figures / f"{name}.png"
        assert png.stat().st_size > 10_000 and png.with_suffix(".svg").stat().st_size > 10_000, name
        assert (REPO / "workflow" / "report" / f"{name}.rst").exists()
    r2 = quick_config["beyond"]["saturation"]
    log = (quick_run / "logs" / "beyond" / "r2" / "sigmoid" / f"seed{r2['seeds'][0]}.log").read_text()
    assert all(f" epoch {e}/{r2['epochs']}" in log for e in range(r2["epochs"] + 1))
    bench = quick_run / "results" / "benchmarks" / "beyond"
    assert (bench / "r1" / "tanh_glorot.tsv").exists() and (bench / "r2" / "sigmoid" / "seed0.tsv").exists()
    assert list((bench / "r3").rglob("*.tsv")) and list((bench / "r4").rglob("*.tsv"))


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
    for name, text in tables.items():
        assert name.startswith("_generated/beyond_") and name.endswith(".md")
        assert re.search(r"^: .+ \{#tbl-beyond-[a-z0-9-]+\}$", text, re.M), name
        assert text.splitlines()[1].startswith("|:---|")
    qmd = (REPO / "report" / "beyond.qmd").read_text()
    assert qmd.lstrip().startswith("# Beyond the chapter {#sec-beyond}")
    used = re.findall(r"\{\{< var beyond\.([A-Za-z0-9_.]+) >\}\}", qmd)
    assert used and not [k for k in used if k not in flat], [k for k in used if k not in flat]
    for include in re.findall(r"\{\{< include (\S+) >\}\}", qmd):
        assert include in tables, include
    for figure in re.findall(r"\]\(figures/([a-z0-9_]+)\.png\)", qmd):
        assert (quick_run / "results" / "figures" / f"{figure}.png").exists(), figure
    for ref in re.findall(r"@((?:fig|tbl)-beyond-[a-z0-9-]+)", qmd):
        assert f"{{#{ref}}}" in qmd or any(f"{{#{ref}}}" in t for t in tables.values()), ref
    assert "```{" not in qmd and "<div" not in qmd  # no code cells, no raw HTML
    # No number typed into the prose: digits only inside shortcodes, labels, citations and names.
    prose = re.sub(r"\{\{<.*?>\}\}|\{#[^}]+\}|\[@[^\]]+\]|@(?:fig|tbl|sec)-[a-z0-9-]+|\([^)]*\.png\)"
                   r"|R[1-4]|sec-[a-z0-9-]+|\$[^$]*\$|Table \d+|Fig\. \d+", "", qmd)
    assert not re.findall(r"\d", prose), re.findall(r".{20}\d.{20}", prose)
