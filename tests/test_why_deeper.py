"""The study of why deeper is no better: Q1's reading of E1's training and validation accuracy on
hand-made tables, where the answer is known."""

import numpy as np
import pandas as pd
import pytest

from vanishing.why_deeper import fit


def e1_table(final, seeds=5, epochs=3, spread=0.05):
    """E1's table with the given final (training, validation) accuracy means per depth, a small
    seed spread, and earlier epochs lower."""
    rows = []
    for k, (train, valid) in final.items():
        for s in range(seeds):
            jitter = spread * (s - (seeds - 1) / 2)
            for e in range(epochs + 1):
                drop = 5.0 * (epochs - e)
                rows.append({"hidden_layers": k, "seed": s, "epoch": e, "validation_accuracy": valid + jitter - drop,
                             "training_cost": 1.0, "training_accuracy": train + jitter - drop})
    return pd.DataFrame(rows)


def test_deeper_nets_fitting_worse_put_the_deficit_in_training():
    s = fit.summarize(e1_table({1: (97.0, 96.0), 2: (97.5, 96.5), 3: (96.0, 95.5), 4: (97.52, 96.0)}), 50000)
    c = s["claims"]
    assert c["2_vs_1"]["reading"] == "better" and c["2_vs_1"]["deficit"] == "no deficit"
    assert c["3_vs_2"]["reading"] == "worse" and c["3_vs_2"]["deficit"] == "training"
    assert c["3_vs_2"]["interval"]["estimate"] == pytest.approx(-1.5)
    assert c["4_vs_2"]["reading"] == "the same" and c["4_vs_2"]["deficit"] == "generalization"
    assert c["4_vs_2"]["gap_direction"] == "higher"  # 4 layers: the same fit, a wider gap
    assert s["family"]["tested"] == 3
    depth4 = next(d for d in s["per_depth"] if d["hidden_layers"] == 4)
    assert depth4["gap"]["mean"] == pytest.approx(1.52) and depth4["training_accuracy"]["n"] == 5


def test_q1_is_not_tested_with_too_few_seeds_or_untrained_nets():
    few = fit.summarize(e1_table({1: (97.0, 96.0), 2: (97.5, 96.5)}, seeds=2), 5000)
    claim = few["claims"]["2_vs_1"]
    assert claim["verdict"] == "not tested" and claim["reading"] == "not tested" and claim["deficit"] == "not tested"
    assert "seeds with two hidden layers 2 (needs ≥ 5); seeds with one hidden layer 2" in claim["not_tested_because"]
    stuck = fit.summarize(e1_table({1: (97.0, 96.0), 2: (11.0, 10.0)}), 5000)["claims"]["2_vs_1"]
    assert stuck["verdict"] == "not tested" and "lowest final training accuracy" in stuck["not_tested_because"]
    assert set(few["claims"]) == {"2_vs_1"}  # only pairs whose depths ran


def test_wide_spread_cannot_tell_and_missing_column_is_an_error():
    noisy = fit.summarize(e1_table({2: (97.0, 96.0), 3: (97.1, 96.0)}, spread=0.5), 50000)["claims"]["3_vs_2"]
    assert noisy["verdict"] == "cannot tell" and noisy["reading"] == "cannot tell"
    assert noisy["deficit"] == "no deficit"
    with pytest.raises(ValueError, match="no training_accuracy column"):
        fit.summarize(e1_table({1: (97.0, 96.0)}).drop(columns="training_accuracy"), 50000)


def test_section_text_reads_the_summary_and_the_answer_rests_on_tested_claims_only():
    from vanishing.why_deeper import report_values as report

    s = {"fit": fit.summarize(e1_table({1: (97.0, 96.0), 2: (97.5, 96.5), 3: (96.0, 95.5), 4: (97.52, 96.0)}),
                              50000)}
    words = report.fit_variables(s["fit"])
    assert words["images"] == "all 50,000 training images"
    assert words["3_vs_2"]["sentence"].startswith("Three hidden layers fit the training set worse than two, by more "
                                                 "than 0.2 points: −1.50 points (95 % interval")
    assert "so the deficit lies in fitting the training set" in words["3_vs_2"]["sentence"]
    assert "so the deficit lies in generalizing from it" in words["4_vs_2"]["sentence"]
    assert report.fit_answer(s["fit"]).startswith("Deeper nets' validation deficit does not lie in one place for every depth: "
                                       "with four hidden layers against two the validation accuracy differs by "
                                       "−0.50 points")
    assert "| 3 against 2 | −1.50 points" in report.claims_table(s["fit"])
    few = {"fit": fit.summarize(e1_table({1: (97.0, 96.0), 2: (90.0, 89.5)}, seeds=2), 5000)}
    assert report.fit_answer(few["fit"]).startswith("This run does not place deeper nets' deficit: not tested (seeds with")
    assert report.fit_variables(few["fit"])["family"] == "no claim passed its preconditions in this run"


def test_quick_run_records_training_accuracy_and_renders_the_section(quick_run):
    """The quick DAG: E1's table has the training accuracy on its cost images; the summary reads it;
    the report shows the section with the summary's numbers."""
    import html
    import json
    import re

    from vanishing.why_deeper import report_values as report

    table = pd.read_csv(quick_run / "results" / "tables" / "depth_accuracy.csv")
    assert list(table.columns)[-1] == "training_accuracy"
    assert table["training_accuracy"].between(0, 100).all()
    first, last = (table[table["epoch"] == e]["training_accuracy"].mean() for e in (0, table["epoch"].max()))
    assert first < 20 < last  # from chance to trained
    s = json.loads((quick_run / "results" / "why_deeper_summary.json").read_text())
    final = table[table["epoch"] == table["epoch"].max()]
    for d in s["fit"]["per_depth"]:
        rows = final[final["hidden_layers"] == d["hidden_layers"]]
        assert d["training_accuracy"]["mean"] == pytest.approx(rows["training_accuracy"].mean(), abs=1e-12)
    text = (quick_run / "results" / "report" / "report.html").read_text()
    plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).replace("\u2019", "'")
    assert "Why deeper is no better here, and what makes depth help" in plain
    assert 'id="fig-why-remedies"' in text
    assert re.sub(r"\s+", " ", report.answer(s)).replace("~", "") in plain
    for d in s["fit"]["per_depth"]:
        assert f"{d['training_accuracy']['mean']:.2f}" in plain
    variables = report.report_variables(s)
    for qmd in ("why_deeper.qmd", "why_deeper_appendix.qmd", "report.qmd"):
        source = (quick_run / "report" / qmd).read_text()
        for name in re.findall(r"\{\{< var why_deeper\.([A-Za-z0-9_.]+) >\}\}", source):
            node = variables
            for part in name.split("."):
                node = node[part]  # every variable the section uses is defined
            assert isinstance(node, str) and node, name


# --- Q2 and Q4: the remedies and the equalized speeds ------------------------------------------------


def remedy_records(final, seeds=5, epochs=2, spread=0.1, diverged=(), equalized_flat=True, init_gap=True):
    """Hand-made remedies' records: per (remedy, depth) the final validation accuracy; speeds that
    shrink towards the input by 10× per layer at init (the same in every layer without
    ``init_gap``), 2× after training (the same in every layer after training with equalized speeds,
    unless not ``equalized_flat``)."""
    records = []
    for (remedy, k), valid in final.items():
        for s in range(seeds):
            acc = valid + spread * (s - (seeds - 1) / 2)
            gone = (remedy, k, s) in diverged
            h = {"epoch": list(range(epochs + 1)), "training_cost": [1.0] * epochs + [None if gone else 0.5],
                 "training_accuracy": [50.0] * epochs + [None if gone else acc + 1],
                 "validation_accuracy": [50.0] * epochs + [None if gone else acc],
                 "speed_b": [[10.0 ** -(k - j) if init_gap else 1.0 for j in range(1, k + 1)] + [1.0]]
                 + [[1.0 if remedy == "equalized" and equalized_flat else 2.0 ** -(k - j) for j in range(1, k + 1)]
                    + [1.0]] * epochs}
            records.append({"remedy": remedy, "hidden_layers": k, "seed": s, "diverged_at_epoch": epochs if gone else None,
                            "history": h})
    return records


def test_remedy_claims_read_deeper_against_two_and_leave_diverged_runs_out():
    from vanishing.why_deeper import remedies

    final = {("relu_he", 2): 95.0, ("relu_he", 4): 96.0, ("relu_he", 6): 95.1,
             ("book", 2): 95.0, ("book", 4): 93.0, ("book", 6): 95.0}
    records = remedy_records(final, diverged={("book", 6, 0)})
    table, speed = remedies.remedies_table(records), remedies.remedies_speed_table(records)
    assert table[(table["remedy"] == "book") & (table["hidden_layers"] == 6) & (table["seed"] == 0)]["diverged"].all()
    s = remedies.summarize_remedies(table, speed)
    c = s["claims"]
    assert c["relu_he_4_vs_2"]["verdict"] == "supports"
    assert c["relu_he_4_vs_2"]["interval"]["estimate"] == pytest.approx(1.0)
    assert c["relu_he_6_vs_2"]["verdict"] == "cannot tell"
    assert c["book_4_vs_2"]["verdict"] == "contradicts"
    book6 = next(d for d in s["per_depth"] if (d["remedy"], d["hidden_layers"]) == ("book", 6))
    assert book6["diverged"] == 1 and book6["validation_accuracy"]["n"] == 4
    assert c["book_6_vs_2"]["verdict"] == "not tested"  # four finite runs, five needed
    sp = next(r for r in s["speeds"] if (r["remedy"], r["hidden_layers"]) == ("relu_he", 4))
    assert sp["ratio_init"] == pytest.approx(1000.0) and sp["ratio_final"] == pytest.approx(8.0)
    assert sp["layers_at_init"] == pytest.approx([1e-3, 1e-2, 1e-1, 1.0])
    assert s["family"]["tested"] == 3  # four claims, one not tested


def test_a_depth_whose_nets_did_not_train_leaves_its_claim_not_tested():
    """Four hidden layers stuck near chance in some seeds: whether depth helps is not tested, with the
    count of untrained runs as the reason; the same depth off chance in every seed is judged."""
    from vanishing.why_deeper import remedies, report_values as report

    final = {("book", 2): 91.0, ("book", 4): 25.0, ("residual", 2): 92.0, ("residual", 4): 51.0}
    records = remedy_records(final, spread=10.0)  # book at 4: 5 % to 45 %; residual at 4: 31 % to 71 %
    s = remedies.summarize_remedies(remedies.remedies_table(records), remedies.remedies_speed_table(records))
    book, residual = s["claims"]["book_4_vs_2"], s["claims"]["residual_4_vs_2"]
    assert book["verdict"] == residual["verdict"] == "not tested"
    assert book["not_tested_because"] == "compared runs below 50 % validation accuracy (not trained) 5 (needs ≤ 0)"
    assert residual["not_tested_because"].endswith("(not trained) 2 (needs ≤ 0)")
    assert "four hidden layers against two: not tested (compared runs below 50 %" in report.remedy_reading("book", s["claims"])
    assert report.remedies_answer(s, {"train_size": 10000}) == (
        "None of the remedies makes four or six hidden layers surely better than two in 2 epochs on 10,000 "
        "training images, a shorter budget than E1's.")
    trained = remedies.summarize_remedies(*(f(remedy_records({("book", 2): 91.0, ("book", 4): 55.0}, spread=1.0))
                                            for f in (remedies.remedies_table, remedies.remedies_speed_table)))
    assert trained["claims"]["book_4_vs_2"]["verdict"] == "contradicts"  # 53 % to 57 %: trained, and worse


def test_remedy_nets_and_the_remedies_text():
    from vanishing.why_deeper import remedies, report_values as report

    section = {"width": 20, "cost": "cross_entropy"}
    net, _ = remedies.remedy_net(section, "residual", 3, 0, np.float64)
    assert net.residual and net.activation.name == "sigmoid"
    assert not remedies.remedy_net(section, "residual", 1, 0, np.float64)[0].residual  # no equal-width pair
    he, _ = remedies.remedy_net(section, "relu_he", 2, 0, np.float64)
    assert he.activation.name == "relu" and np.std(he.weights[0]) == pytest.approx(np.sqrt(2 / 784), rel=0.05)
    with pytest.raises(ValueError, match="unknown remedy 'batchnorm'"):
        remedies.remedy_net(section, "batchnorm", 2, 0, np.float64)
    final = {("relu_he", 2): 95.0, ("relu_he", 4): 96.0, ("equalized", 2): 95.0, ("equalized", 4): 95.05}
    records = remedy_records(final)
    q = remedies.summarize_remedies(remedies.remedies_table(records), remedies.remedies_speed_table(records))
    words = report.remedies_variables(q, {"epochs": 2, "train_size": 10000, "lmbda": 1.0, "eta": 0.1,
                                          "hidden_layers": [2, 4], "seeds": [0, 1, 2, 3, 4]})
    assert words["helped"] == "more layers are surely better with ReLU with He's init"
    assert words["equalized"].startswith("With the book's net with its layers' speeds equalized: four hidden layers "
                                         "are undecided against two, +0.05 points (95 % interval")
    assert "equalized" not in words["readings"]
    n = q["claims"]["equalized_4_vs_2"]["seeds_to_decide"]
    assert 5 < n < 50 and f"(about {n} seeds per depth would decide it with 80 % power at this seed spread)" in words["equalized"]
    assert report.remedies_answer(q).startswith("More layers help with ReLU with He's init: four hidden layers "
                                                "beat two by +1.00 points")
    assert "| ReLU with He's init | 95.00 ± 0.16 | 96.00 ± 0.16 | 1000 | 8.0 |" in report.remedies_table(q)


# --- Q5: the readings ---------------------------------------------------------------------------


def test_exploding_cases_are_those_whose_speed_grows_towards_the_input():
    from vanishing.why_deeper import readings, report_values as report

    rows = []
    for (act, init, grow) in (("relu", "large", 10.0), ("sigmoid", "scaled", 0.2), ("tanh", "glorot", 1.0)):
        for seed in range(6):
            jitter = 1.0 + 0.01 * (seed - 2.5)
            for layer in range(1, 5):  # delta of layer j = grow^(4 - j): grow > 1 -> larger near the input
                rows.append({"activation": act, "init": init, "width": 30, "seed": seed, "layer": layer,
                             "delta": grow ** (4 - layer) * (jitter if layer == 1 else 1.0)})
    e = readings.exploding(pd.DataFrame(rows))
    assert [(c["activation"], c["init"]) for c in e["exploding"]] == [("relu", "large")]
    relu = e["exploding"][0]
    assert relu["ratio"]["estimate"] == pytest.approx(1e-3, rel=0.05) and relu["hidden_layers"] == 4
    text = report.exploding_sentence(e)
    assert text.startswith("Real nets explode too: in 1 case of R1's 3 nets of four hidden layers")
    assert "wholly below 1 (95 % interval; geometric means: ReLU with the N(0, 1) init, 0.001 at width 30)" in text


def test_the_argument_factor_is_judged_on_the_per_layer_factor():
    from vanishing.why_deeper import readings, report_values as report

    def speeds(factor, seeds=5):
        return pd.DataFrame([{"hidden_layers": 4, "seed": s, "layer": j,
                              "speed": (factor * (1 + 0.02 * s)) ** -(4 - j)} for s in range(seeds)
                             for j in range(1, 5)])

    q = readings.large_init(speeds(1.5), speeds(5.0), 30)
    row = q["per_depth"][0]
    assert row["factor"]["estimate"] == pytest.approx(1.5 * 1.04, rel=0.01)
    assert row["factor_scaled"]["estimate"] == pytest.approx(5.2, rel=0.01)
    assert row["claim"]["verdict"] == "smaller than claimed"  # above 1, well below 4
    text = report.large_init_sentence(q)
    assert "less than the argument's factor" in text and "In a layer of 30 units" in text
    few = readings.large_init(speeds(1.5, seeds=3), speeds(5.0), 30)["per_depth"][0]["claim"]
    assert few["verdict"] == "not tested" and few["not_tested_because"] == "seeds 3 (needs ≥ 5)"


def test_gradient_descent_records_cost_and_accuracy_without_changing_the_run():
    from vanishing.engine.network import Network
    from vanishing.engine.train import accuracy, gradient_descent, one_hot

    data = np.random.default_rng(3)
    x, labels = data.random((40, 8)), data.integers(0, 3, 40)
    vx, vl = data.random((15, 8)), data.integers(0, 3, 15)
    plain, recorded = (Network([8, 6, 5, 3], np.random.default_rng(1)) for _ in range(2))
    h0 = gradient_descent(plain, x, labels, epochs=7, eta=0.5, lmbda=1.0)
    h = gradient_descent(recorded, x, labels, epochs=7, eta=0.5, lmbda=1.0, fit_every=3, valid_x=vx, valid_labels=vl)
    assert h["speed_b"] == h0["speed_b"] and "fit" not in h0  # the records do not touch the run
    assert h["fit"]["epoch"] == [0, 3, 6, 7]
    y = one_hot(labels, 3)
    cost = recorded.cost_sum(x, y) / 40 + recorded.l2_penalty(1.0, 40)  # the net after the last update
    assert h["fit"]["training_cost"][-1] == pytest.approx(cost, rel=1e-12)
    assert h["fit"]["training_accuracy"][-1] == accuracy(recorded, x, labels)
    assert h["fit"]["validation_accuracy"][-1] == accuracy(recorded, vx, vl)
    assert h["fit"]["training_cost"][0] > h["fit"]["training_cost"][-1]
    with pytest.raises(ValueError, match="fit_every must be a positive number"):
        gradient_descent(plain, x, labels, epochs=1, eta=0.5, lmbda=1.0, fit_every=0)


def test_the_answer_is_at_most_three_sentences_from_the_claims():
    from vanishing.why_deeper import remedies, report_values as report

    final = {(r, k): 95.0 + (1.0 if (r, k) == ("relu_he", 4) else 0.0) for r in ("equalized", "relu_he", "book")
             for k in (2, 4)}
    records = remedy_records(final)
    s = {"fit": fit.summarize(e1_table({2: (97.5, 96.5), 4: (97.5, 96.0)}), 50000),
         "remedies": remedies.summarize_remedies(remedies.remedies_table(records), remedies.remedies_speed_table(records))}
    text = report.answer(s)
    assert text.count(". ") + 1 <= 3 and text.endswith(".")
    assert "lies in generalization" in text
    assert ("Whether equalizing the layers' speeds at this budget lets depth help this run cannot tell (four hidden "
            "layers against two: +0.00") in text
    assert "More layers help with ReLU with He's init: four hidden layers beat two by +1.00 points" in text


def test_q2_in_e1s_protocol_answers_from_the_equalized_runs_and_reads_them_against_e1():
    from vanishing.why_deeper import remedies, report_values as report

    records = remedy_records({("equalized", 2): 96.0, ("equalized", 4): 95.0})  # four surely worse
    table = remedies.remedies_table(records)
    q = {**remedies.summarize_remedies(table, remedies.remedies_speed_table(records)),
         "against_book": remedies.against_book(table, e1_table({2: (97.5, 96.5), 4: (97.0, 96.5)}))}
    assert q["claims"]["equalized_4_vs_2"]["verdict"] == "contradicts"
    assert [r["hidden_layers"] for r in q["against_book"]] == [2, 4]
    assert q["against_book"][1]["difference"]["estimate"] == pytest.approx(95.0 - 96.5)
    assert q["against_book"][0]["equalized"]["n"] == q["against_book"][0]["book"]["n"] == 5
    remedy = remedies.summarize_remedies(remedies.remedies_table(remedy_records({("relu_he", 2): 95.0})),
                                         remedies.remedies_speed_table(remedy_records({("relu_he", 2): 95.0})))
    s = {"fit": fit.summarize(e1_table({2: (97.5, 96.5), 4: (97.5, 96.0)}), 50000), "remedies": remedy, "equalized": q,
         "config": {"remedies": {"train_size": 10000},
                    "equalized": {"epochs": 30, "train_size": 50000, "hidden_layers": [2, 4], "seeds": [0, 1, 2, 3, 4]}}}
    text = report.answer(s)
    assert ("With the layers' speeds equalized in E1's training, four hidden layers are still worse than two: "
            "−1.00 points (95 % interval") in text
    assert "so the slow learning of the first layers is not what holds them back." in text
    words = report.equalized_variables(q, s["config"]["equalized"])
    assert words["reading"].startswith("With the book's net with its layers' speeds equalized: four hidden layers "
                                       "are worse than two, −1.00 points")
    assert words["against_book"].startswith("Against E1's own nets of the same depth (no equalizing), read "
                                            "alongside without a claim: −0.50 points")
    assert words["epochs"] == "30 epochs" and words["train_size"] == "50,000" and words["depths"] == "2 and 4"
    assert words["regime"] == ("With four hidden layers the last over the first hidden layer's speed is 1000 at "
                               "initialization and 1.0 after the last epoch (geometric means over seeds).")
    assert words["text"] == f"{words['regime']} {words['reading']} {words['against_book']}"


def test_budget_claim_is_a_bound_on_the_deeper_nets_shortfall():
    from vanishing.why_deeper import budget, report_values as report

    t = e1_table({2: (97.0, 96.5), 4: (97.0, 96.45)}, epochs=6)
    q = budget.summarize_budget(t, e1_epochs=3)
    assert q["claim"]["verdict"] == "supports" and q["claim"]["interval"]["estimate"] == pytest.approx(-0.05)
    assert q["at_e1_epochs"]["estimate"] == pytest.approx(-0.05)
    assert report.budget_sentence(q).startswith("Trained for 6 epochs, four hidden layers catch up, ending at most "
                                                "0.2 points below, or above: −0.05 points")
    behind = budget.summarize_budget(e1_table({2: (97.0, 96.5), 4: (97.0, 95.5)}, epochs=6), e1_epochs=3)
    assert behind["claim"]["verdict"] == "contradicts"
    assert budget.summarize_budget(e1_table({2: (97.0, 96.5)}), 3)["claim"] is None


def test_budget_not_tested_with_too_few_seeds():
    from vanishing.why_deeper import budget, report_values as report

    q = budget.summarize_budget(e1_table({1: (97.0, 96.5), 2: (97.0, 96.0)}, seeds=2, epochs=4), e1_epochs=30)
    assert q["claim"]["verdict"] == "not tested"
    assert report.budget_sentence(q).startswith("Whether two hidden layers catch up with one in 4 epochs is not tested "
                                                "(seeds with two hidden layers 2 (needs ≥ 5)")


def test_undecided_after_holm_says_the_claims_own_verdict_and_no_answer_quotes_a_missing_interval():
    """A claim decided alone but not after Holm's correction says both; Q2's answer quotes a measured
    pair, never a pair without an interval; Q1's answer says plainly when it cannot place the deficit."""
    from vanishing.why_deeper import report_values as report

    interval = {"estimate": -9.29, "lo": -16.89, "hi": -1.69, "bounded": True}
    claims = {"equalized_4_vs_2": {"remedy": "equalized", "deeper": 4, "shallower": 2, "verdict": "cannot tell",
                                   "verdict_per_claim": "contradicts", "interval": interval},
              "equalized_6_vs_2": {"remedy": "equalized", "deeper": 6, "shallower": 2, "verdict": "not tested",
                                   "interval": None, "not_tested_because": "finite runs 0 (needs ≥ 5)"}}
    reading = report.remedy_reading("equalized", claims)
    assert "four hidden layers are undecided against two, −9.29 points" in reading.replace("-", "−")
    assert "(alone: worse; undecided after Holm's correction over the family)" in reading
    assert "six hidden layers against two: not tested (finite runs 0 (needs ≥ 5))" in reading
    answer = report.equalized_answer({"claims": claims})
    assert "four hidden layers against two" in answer and "–" not in answer
    fit = {"claims": {"4_vs_2": {"verdict": "cannot tell", "validation_direction": "lower", "deficit": "cannot tell",
                                 "deeper": 4, "shallower": 2, "validation_difference": interval,
                                 "interval": interval}}}
    assert report.fit_answer(fit).startswith("This run cannot yet say whether deeper nets' validation deficit lies "
                                             "in training or in generalization: with four hidden layers")


def test_q2_is_judged_only_where_the_rule_had_a_gap_to_close():
    """The equalized runs' claim needs the deeper nets' last/first speed ratio at initialization
    above 2 (outside R1's "roughly the same size"): with hand-made runs whose speeds are the same in
    every layer at init the claim is not tested, while the same accuracies with the book's net are
    judged; with a gap of 10^(k-1) = 1000 at init it is judged, whatever the ratio after training."""
    from vanishing.why_deeper import remedies

    final = {("equalized", 2): 96.0, ("equalized", 4): 95.0, ("book", 2): 96.0, ("book", 4): 95.0}
    records = remedy_records(final, init_gap=False)
    s = remedies.summarize_remedies(remedies.remedies_table(records), remedies.remedies_speed_table(records))
    eq, book = s["claims"]["equalized_4_vs_2"], s["claims"]["book_4_vs_2"]
    assert eq["where"] == "Q2" and book["where"] == "Q4"
    assert eq["verdict"] == "not tested" and book["verdict"] == "contradicts"
    assert eq["not_tested_because"] == ("last/first speed ratio at initialization (a gap for the rule to close) 1 "
                                        "(needs ≥ 2)")
    for flat_after_training in (True, False):
        gap = remedy_records(final, equalized_flat=flat_after_training)
        s = remedies.summarize_remedies(remedies.remedies_table(gap), remedies.remedies_speed_table(gap))
        assert s["claims"]["equalized_4_vs_2"]["verdict"] == "contradicts"  # a gap of 1000 at init: judged
