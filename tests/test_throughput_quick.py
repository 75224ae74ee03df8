"""The quick run's E1 table (seeds stacked, config stack_seeds) and E3 table (one back-propagation
per epoch) equal the single-seed, two-pass implementation's to 1e-9 relative."""

import json

import numpy as np
import pandas as pd

from vanishing.chapter import experiments
from vanishing.mnist.data import load_split
from vanishing.engine.train import Monitor, train


def splits(workdir):
    return {s: workdir / "data" / "mnist" / f"{s}.npz" for s in ("train", "validation", "test")}


def test_quick_e1_table_equals_single_seed_runs(quick_run, quick_config):
    section = json.loads((quick_run / "results/depth_accuracy/depth1/seed0.json").read_text())["config"]
    assert section["stack_seeds"] == quick_config["depth_accuracy"]["stack_seeds"] > 1
    records = [experiments.depth_accuracy(section, k, s, splits(quick_run))
               for k in section["hidden_layers"] for s in section["seeds"]]
    single = experiments.depth_accuracy_table(records).reset_index(drop=True)
    stacked = pd.read_csv(quick_run / "results/tables/depth_accuracy.csv")
    assert list(stacked.columns) == list(single.columns) and len(stacked) == len(single) > 0
    pd.testing.assert_frame_equal(stacked, single, check_exact=False, rtol=1e-9, atol=0, check_dtype=False)
    run = json.loads((quick_run / "results/depth_accuracy/depth2/seed1.json").read_text())
    assert run["cost_images"] == min(section["cost_images"], section["train_size"])
    assert len(run["history"]["speed_b"][0]) == 3  # per epoch, per layer (2 hidden + output)


def e3_two_passes(section, k, seed, split):
    """E3 as before: train() with a full-batch mini-batch and a Monitor back-propagating again."""
    x, y = load_split(split, n=section["train_size"])
    net, rng = experiments.section_net(section, k, seed, np.float64)
    history = train(net, x, y, epochs=section["epochs"], mini_batch_size=len(x), eta=section["eta"],
                    lmbda=section["lmbda"], rng=rng, monitor=Monitor(x, y, bias_neurons=0))
    return {"hidden_layers": k, "seed": seed, "history": history}


def test_quick_e3_table_equals_the_two_pass_implementation(quick_run):
    section = json.loads((quick_run / "results/learning_speed/depth2/seed0.json").read_text())["config"]
    records = [e3_two_passes(section, k, s, splits(quick_run)["train"])
               for k in section["hidden_layers"] for s in section["seeds"]]
    before = experiments.learning_speed_table(records).reset_index(drop=True)
    now = pd.read_csv(quick_run / "results/tables/learning_speed.csv")
    rows = sum((section["epochs"] + 1) * k for k in section["hidden_layers"]) * len(section["seeds"])
    assert len(now) == len(before) == rows
    pd.testing.assert_frame_equal(now, before, check_exact=False, rtol=1e-9, atol=0, check_dtype=False)
