"""Every JSON file the pipeline writes is strict JSON (RFC 8259: no NaN, no Infinity), so that
JavaScript's JSON.parse, jq and other strict readers accept it; ``write_json`` refuses a NaN or
an infinity and names where it sits."""

import copy
import json
import math

import numpy as np
import pytest

from vanishing.beyond import training
from vanishing.pipeline.iofiles import NonFiniteJSON, nonfinite_path, read_json, write_json
from vanishing.engine.network import Network
from vanishing.engine.train import Monitor


def strict_loads(text):
    """json.loads that refuses NaN, Infinity and -Infinity, as RFC 8259 (and JSON.parse) do."""
    def refuse(constant):
        raise ValueError(f"not JSON (RFC 8259): {constant}")
    return json.loads(text, parse_constant=refuse)


def test_strict_loads_refuses_what_python_would_accept():
    with pytest.raises(ValueError, match="Infinity"):
        strict_loads('{"a": Infinity}')
    with pytest.raises(ValueError, match="NaN"):
        strict_loads("[NaN]")
    assert strict_loads('{"a": null, "b": 1e308}') == {"a": None, "b": 1e308}


@pytest.mark.parametrize("bad,where", [
    ({"r3": {"selection": {"sgd": {"validation_cost_by_eta": {"3": math.inf}}}}},
     '$.r3.selection.sgd.validation_cost_by_eta["3"]'),
    ({"runs": [{"history": {"cost": [0.5, float("nan")]}}]}, "$.runs[0].history.cost[1]"),
    ({"momentum-0.9": {"x": -math.inf}}, '$["momentum-0.9"].x'),
    ({"a": np.array([[1.0, 2.0], [np.inf, 3.0]])}, "$.a[1][0]"),
    ({"a": [np.float32("nan")]}, "$.a[0]"),
    ((1.0, {"b": np.float64("-inf")}), "$[1].b"),
])
def test_write_json_refuses_nan_and_infinity_naming_the_key_path(tmp_path, bad, where):
    path = tmp_path / "out.json"
    with pytest.raises(NonFiniteJSON) as error:
        write_json(path, bad)
    message = str(error.value)
    assert where in message and "out.json" in message and "null" in message, message
    assert not path.exists() and not list(tmp_path.iterdir())  # nothing written, no temporary left
    assert nonfinite_path(bad)[0] == where


def test_write_json_writes_finite_numbers_and_null_strictly(tmp_path):
    obj = {"a": 1.5, "b": None, "c": [np.float32(0.25), np.int64(3)], "d": np.array([1e-300, -2.0]),
           "e": {"nested": [1, 2.0, True]}}
    write_json(tmp_path / "ok.json", obj)
    text = (tmp_path / "ok.json").read_text()
    assert strict_loads(text) == {"a": 1.5, "b": None, "c": [0.25, 3], "d": [1e-300, -2.0],
                                  "e": {"nested": [1, 2.0, True]}}
    assert read_json(tmp_path / "ok.json") == strict_loads(text)
    assert nonfinite_path(obj) is None


def test_a_diverged_beyond_run_is_recorded_with_null_readings_and_written_strictly(tmp_path):
    """A run whose weights overflow stops at that epoch; its last record's non-finite readings
    become null, so its results file is strict JSON and reads as diverged."""
    data = np.random.default_rng(0)
    x, labels = data.random((30, 6)), data.integers(0, 3, 30)
    for seeds in ([1], [1, 2]):  # train.train for one seed, the stacked computation for two
        nets = [Network([6, 5, 3], np.random.default_rng(s)) for s in seeds]
        monitors = [Monitor(x[:10], labels[:10], bias_neurons=0, cost_x=x, cost_y=labels, valid_x=x, valid_y=labels)
                    for _ in seeds]
        out = training.train_seeds(nets, [np.random.default_rng(s) for s in seeds], x, labels, monitors,
                               labels_of_runs=[f"seed {s}" for s in seeds], epochs=3, mini_batch_size=10,
                               eta=1e308, lmbda=0.0)
        assert len(out) == len(seeds)
        for history, stopped in out:
            assert stopped is not None  # the step overflowed
            last = [history[k][-1] for k in ("training_cost", "speed_b")]
            assert last[0] is None or None in last[1], last  # the non-finite readings are null
            assert all(v is None or math.isfinite(v) for v in history["training_cost"] + sum(history["speed_b"], []))
            write_json(tmp_path / "run.json", {"diverged_at_epoch": stopped, "history": history})
            back = strict_loads((tmp_path / "run.json").read_text())
            assert back["history"]["epoch"][-1] == stopped
            assert training.is_diverged(back["history"]["training_cost"][-1], 50.0, back["diverged_at_epoch"])


def test_every_json_file_of_the_quick_run_is_strict(quick_run):
    files = [p for p in quick_run.rglob("*.json") if ".snakemake" not in p.parts]
    names = {p.relative_to(quick_run).as_posix() for p in files}
    for expected in ("results/beyond_summary.json", "results/beyond/r3/selected_eta.json",
                     "results/summary.json", "results/causes_summary.json"):
        assert expected in names, expected
    for path in files:
        try:
            strict_loads(path.read_text())
        except ValueError as error:
            raise AssertionError(f"{path.relative_to(quick_run)} is not strict JSON: {error}") from None
    # the selection's +inf costs (if any) are null beside counts that explain them
    for opt, entry in read_json(quick_run / "results" / "beyond" / "r3" / "selected_eta.json").items():
        for eta, cost in entry["selection_cost_by_eta"].items():
            if cost is None:
                assert entry["diverged_by_eta"][eta] + entry["stuck_by_eta"][eta] >= 1, (opt, eta)


def test_the_beyond_tables_read_a_diverged_run_with_nulls_as_diverged_not_stuck():
    """R2's, R3's and R4's tables read a diverged run's null readings as NaN and count it as
    diverged; a finite run at chance counts as stuck."""
    from vanishing.beyond import r2_saturation, r3_optimizers, r4_table1

    section = {"epochs": 2}
    h = {"epoch": [0, 1, 2], "training_cost": [1.0, 0.8, None], "validation_cost": [1.0, 0.8, None],
         "validation_accuracy": [10.0, 50.0, 10.0], "speed_b": [[0.1, 0.2]] * 2 + [[None, None]]}
    r3 = [{"stage": "final", "optimizer": "sgd", "method": "sgd", "mu_max": 0.0, "eta": 3.0, "seed": s,
           "test_accuracy": None, "history": copy.deepcopy(h)} for s in (0, 1)]
    r3[1]["history"]["training_cost"][-1] = 2.3  # finite, at chance: stuck
    r3[1]["history"]["speed_b"][-1] = [0.1, 0.1]
    last = r3_optimizers._last(r3_optimizers.optimizers_table(r3), section)
    assert last["diverged"].tolist() == [True, False] and last["stuck"].tolist() == [False, True]
    assert math.isnan(last["training_cost"].iloc[0])

    def r4(seed, test, stopped):
        return {"activation": "sigmoid", "init": "standard", "seed": seed, "config": {"epochs": 1},
                "diverged_at_epoch": stopped, "test_accuracy": test, "history": {"validation_accuracy": [10.0]}}
    table = r4_table1.table1_table([r4(0, None, 1), r4(1, 11.35, None), r4(2, 97.0, None)])
    assert table["diverged"].tolist() == [True, False, False] and table["stuck"].tolist() == [False, True, False]
    assert math.isnan(table["test_error"].iloc[0]) and table["test_error"].iloc[1] == pytest.approx(88.65)

    r2 = {"activation": "tanh", "init": "standard", "seed": 0, "updates_per_epoch": 10,
          "history": {"epoch": [0, 1], "activation_mean": [[0.0, 0.1], [None, None]],
                      "activation_std": [[0.5, 0.5], [None, None]], "activation_percentile": [[0.9, 0.9], [None, None]],
                      "activation_saturated": [[0.2, 0.3], [None, None]]}}
    sat = r2_saturation.saturation_table([r2])
    assert len(sat) == 4 and sat[sat["epoch"] == 1][["mean", "std", "p98", "saturated", "derivative"]].isna().all().all()
    assert sat[sat["epoch"] == 0]["saturated"].tolist() == [0.2, 0.3]
