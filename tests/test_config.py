"""The config check (vanishing.config_check): integer fields refuse floats, nested --config strings
are read as YAML scalars, cross-field rules hold, and every error is short and names the key; the
end-to-end tests run Snakemake on a copy of the project and show that a bad config stops the run
before any job."""

from __future__ import annotations

import copy

import pytest
import yaml
from snakemake.utils import validate

from conftest import REPO, copy_project, run_snakemake, write_config
from vanishing.config_check import ConfigError, check_config, coerce_strings, float_integers, load_schema

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
QUICK = yaml.safe_load((REPO / "config" / "quick.yaml").read_text())


def checked(change) -> dict:
    config = copy.deepcopy(QUICK)
    change(config)
    return check_config(config, SCHEMA, validate)


def error_of(change) -> str:
    with pytest.raises(ConfigError) as caught:
        checked(change)
    return str(caught.value)


def test_the_shipped_configs_pass():
    for name in ("config.yaml", "quick.yaml"):
        config = yaml.safe_load((REPO / "config" / name).read_text())
        assert check_config(config, SCHEMA, validate)["depth_accuracy"]["mini_batch_size"] == 10


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda c: c["depth_accuracy"].update(epochs=2.0), "depth_accuracy.epochs"),
        (lambda c: c["depth_accuracy"].update(seeds=[0.0]), r"depth_accuracy.seeds[0]"),
        (lambda c: c["depth_accuracy"].update(width=30.0), "depth_accuracy.width"),  # via $ref
        (lambda c: c["beyond"]["init"].update(widths=[30, 100.0]), "beyond.init.widths[1]"),
        (lambda c: c.update(threads=1.0), "threads"),
        (lambda c: c["depth_accuracy"].update(epochs=2.5), "depth_accuracy.epochs"),  # reported once
    ],
)
def test_integer_fields_refuse_floats(change, key):
    message = error_of(change)
    assert f"config key {key}: " in message and "is a float" in message and "type integer" in message
    assert len(message.splitlines()) == 2  # heading + one line: no schema dump


def test_numbers_may_be_floats_or_integers():
    config = checked(lambda c: c["depth_accuracy"].update(eta=1, lmbda=0))
    assert config["depth_accuracy"]["eta"] == 1


@pytest.mark.parametrize(
    ("change", "key", "rule"),
    [
        (lambda c: c["depth_accuracy"].update(mini_batch_size=100000), "depth_accuracy.mini_batch_size",
         "larger than depth_accuracy.train_size = 5000"),
        (lambda c: c["beyond"]["optimizers"].update(probe_size=3000), "beyond.optimizers.probe_size",
         "larger than beyond.optimizers.train_size = 2000"),
        (lambda c: c["beyond"]["saturation"].update(record_epochs=5), "beyond.saturation.record_epochs",
         "larger than beyond.saturation.epochs = 2"),
        (lambda c: c["initial_speed"].update(bar_neurons=31), "initial_speed.bar_neurons",
         "larger than initial_speed.width = 30"),
    ],
)
def test_cross_field_rules(change, key, rule):
    message = error_of(change)
    assert f"config key {key}: " in message and rule in message
    assert len(message.splitlines()) == 2


def test_cross_field_rules_see_the_defaults():
    """beyond.table1 sets no mini_batch_size in quick.yaml: the schema default (10) is compared."""
    message = error_of(lambda c: c["beyond"]["table1"].update(train_size=5))
    assert "beyond.table1.mini_batch_size: 10 is larger than beyond.table1.train_size = 5" in message


def test_schema_errors_are_short_and_name_the_key():
    message = error_of(lambda c: c["depth_accuracy"].update(epochs=0, activation="softmax", epoch=3))
    lines = message.splitlines()
    assert lines[0] == "Error validating config file (3 problems):"
    assert any(line.startswith("  config key depth_accuracy.epochs: 0 is less than the minimum") for line in lines)
    assert any("depth_accuracy.activation: 'softmax' is not one of" in line for line in lines)
    assert any("depth_accuracy: Additional properties are not allowed ('epoch'" in line for line in lines)
    assert len(message) < 1000


def test_nested_strings_are_read_as_yaml_scalars():
    """What Snakemake leaves of --config 'depth_accuracy={epochs: 3, eta: 0.5}' and friends."""
    root = load_schema(SCHEMA)
    config = {"depth_accuracy": {"epochs": "3", "eta": "0.5", "seeds": ["0", "1"], "activation": "tanh"},
              "report": {"pdf": "false"}, "data": {"sources": ["123"]}}
    coerce_strings(config, root, root)
    assert config == {"depth_accuracy": {"epochs": 3, "eta": 0.5, "seeds": [0, 1], "activation": "tanh"},
                      "report": {"pdf": False}, "data": {"sources": ["123"]}}  # strings stay where strings go
    assert list(float_integers({"depth_accuracy": {"epochs": 2.0}}, root, root)) == [(("depth_accuracy", "epochs"), 2.0)]


def test_a_nested_string_that_is_no_number_gets_the_advice():
    message = error_of(lambda c: c["depth_accuracy"].update(epochs="three"))
    assert "config key depth_accuracy.epochs: 'three' is not of type 'integer'" in message
    assert "--configfile" in message and len(message.splitlines()) == 3


# --------------------------------------------------------------------------- through Snakemake


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project whose only MNIST source is a missing folder: no test here downloads."""
    work = copy_project(tmp_path_factory.mktemp("config-project"))
    config = copy.deepcopy(QUICK)
    config["data"]["sources"] = [f"file:{work / 'no-mnist-here'}"]
    write_config(work / "test.yaml", config)
    return work


def snakemake(work, *config):
    args = ["--cores", "1", "--configfile", "test.yaml"]
    if config:
        args += ["--config", *config]
    return run_snakemake(work, *args, check=False, timeout=180)


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("depth_accuracy={epochs: 2.0}", "depth_accuracy.epochs: 2.0 is a float"),
        ("depth_accuracy={seeds: [0.0]}", "depth_accuracy.seeds[0]: 0.0 is a float"),
        ("depth_accuracy={mini_batch_size: 100000}",
         "depth_accuracy.mini_batch_size: 100000 is larger than depth_accuracy.train_size = 5000"),
        ("depth_accuracy={epochs: three}", "depth_accuracy.epochs: 'three' is not of type 'integer'"),
    ],
)
def test_a_bad_config_stops_snakemake_before_any_job(project, override, key):
    proc = snakemake(project, override)
    assert proc.returncode != 0
    assert f"config key {key}" in proc.stdout, proc.stdout[-3000:]
    assert "Building DAG" not in proc.stdout and "localrule" not in proc.stdout  # no job started
    assert "$schema" not in proc.stdout and "additionalProperties" not in proc.stdout  # no schema dump
    assert len(proc.stdout.splitlines()) < 15


def test_a_nested_override_works(project):
    """--config 'section={key: value}' merges into the section: the other keys stay (the quick
    config's 2 depths x 2 seeds of E1), and the value is checked as the number it stands for
    (stack_seeds: 1 gives one job per depth and seed, which the count below checks)."""
    proc = run_snakemake(project, "-n", "--configfile", "test.yaml", "--config",
                         "depth_accuracy={epochs: 3, eta: 0.5, stack_seeds: 1}", "report={pdf: false}")
    jobs = dict(line.split()[:2] for line in proc.stdout.splitlines()
                if line.startswith(("train_depth_accuracy ", "report ")))
    assert jobs["train_depth_accuracy"] == "4" and jobs["report"] == "1"
