"""The study of why deeper is no better: Q1's reading of E1's training and validation accuracy on
hand-made tables, where the answer is known."""

import numpy as np
import pandas as pd
import pytest

from vanishing.study import fit


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
    assert claim["verdict"] == "not tested" and claim["reading"] == "not tested"
    assert "seeds with 2 hidden layers 2 (needs ≥ 5)" in claim["not_tested_because"]
    stuck = fit.summarize(e1_table({1: (97.0, 96.0), 2: (11.0, 10.0)}), 5000)["claims"]["2_vs_1"]
    assert stuck["verdict"] == "not tested" and "lowest final training accuracy" in stuck["not_tested_because"]
    assert set(few["claims"]) == {"2_vs_1"}  # only pairs whose depths ran


def test_wide_spread_cannot_tell_and_missing_column_is_an_error():
    noisy = fit.summarize(e1_table({2: (97.0, 96.0), 3: (97.1, 96.0)}, spread=0.5), 50000)["claims"]["3_vs_2"]
    assert noisy["verdict"] == "cannot tell" and noisy["reading"] == "cannot tell"
    assert noisy["deficit"] == "no deficit"
    with pytest.raises(ValueError, match="no training_accuracy column"):
        fit.summarize(e1_table({1: (97.0, 96.0)}).drop(columns="training_accuracy"), 50000)
