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
    from vanishing.why_deeper import report

    s = {"fit": fit.summarize(e1_table({1: (97.0, 96.0), 2: (97.5, 96.5), 3: (96.0, 95.5), 4: (97.52, 96.0)}),
                              50000)}
    words = report.report_variables(s)["fit"]
    assert words["images"] == "all 50,000 training images"
    assert words["3_vs_2"]["sentence"].startswith("Three hidden layers fit the training set worse than two, by more "
                                                 "than 0.2 points: −1.50 points (95 % interval")
    assert "so the deficit lies in fitting the training set" in words["3_vs_2"]["sentence"]
    assert "so the deficit lies in generalizing from it" in words["4_vs_2"]["sentence"]
    assert report.answer(s).startswith("Deeper nets' validation deficit lies not in one place for every depth: "
                                       "with four hidden layers against two the validation accuracy differs by "
                                       "−0.50 points")
    assert "| 3 against 2 | −1.50 points" in report.report_tables(s)["_generated/why_deeper_fit.md"]
    few = {"fit": fit.summarize(e1_table({1: (97.0, 96.0), 2: (90.0, 89.5)}, seeds=2), 5000)}
    assert report.answer(few).startswith("This run does not place deeper nets' deficit: not tested (seeds with")
    assert report.report_variables(few)["fit"]["family"] == "no claim passed its preconditions in this run"


def test_quick_run_records_training_accuracy_and_renders_the_section(quick_run):
    """The quick DAG: E1's table has the training accuracy on its cost images; the summary reads it;
    the report shows the section with the summary's numbers."""
    import html
    import json
    import re

    from vanishing.why_deeper import report

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
    plain = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))
    assert "Why deeper is no better here, and what makes depth help" in plain
    assert re.sub(r"\s+", " ", report.answer(s)) in plain
    for d in s["fit"]["per_depth"]:
        assert f"{d['training_accuracy']['mean']:.2f}" in plain
