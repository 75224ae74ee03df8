"""The config check (vanishing.pipeline.config_check): integer fields refuse floats, nested --config strings
are read as YAML scalars, cross-field rules hold, and every error is short and names the key; the
end-to-end tests run Snakemake on a copy of the project and show that a bad config stops the run
before any job."""

from __future__ import annotations

import copy
import textwrap

import pytest
import yaml
from snakemake.utils import validate

from conftest import REPO, copy_project, run_snakemake, write_config
from vanishing.pipeline.config_check import ConfigError, check_config, coerce_strings, float_integers, load_schema

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
    (stack_seeds: 1 gives chunks of one seed: a rule per seed, a job per depth, which the counts below check)."""
    proc = run_snakemake(project, "-n", "--configfile", "test.yaml", "--config",
                         "depth_accuracy={epochs: 3, eta: 0.5, stack_seeds: 1}", "report={pdf: false}")
    jobs = dict(line.split()[:2] for line in proc.stdout.splitlines()
                if line.startswith(("train_depth_accuracy_", "report ")))
    assert jobs == {"train_depth_accuracy_seeds0_0": "2", "train_depth_accuracy_seeds1_1": "2", "report": "1"}


# --------------------------------------------------------------------------- numbers users mean


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda c: c["depth_accuracy"].update(eta=float("nan")), "depth_accuracy.eta"),
        (lambda c: c["depth_accuracy"].update(lmbda=float("nan")), "depth_accuracy.lmbda"),
        (lambda c: c["data"].update(timeout=float("inf")), "data.timeout"),
        (lambda c: c["window"].update(w_max=float("nan")), "window.w_max"),
        (lambda c: c["chain"].update(exploding_weight=float("inf")), "chain.exploding_weight"),
        (lambda c: c["beyond"]["optimizers"].update(etas=[0.1, float("nan")]), "beyond.optimizers.etas[1]"),
        (lambda c: c["beyond"]["optimizers"].update(mu_max=[float("-inf")]), "beyond.optimizers.mu_max[0]"),
        (lambda c: c["causes"]["regime"].update(target={"eta": float("inf")}), "causes.regime.target.eta"),
        (lambda c: c["depth_accuracy"].update(epochs=float("nan")), "depth_accuracy.epochs"),  # integer field
    ],
)
def test_nan_and_infinity_are_refused_naming_the_key(change, key):
    message = error_of(change)
    assert f"config key {key}: " in message and "is not a finite number" in message, message
    assert len(message.splitlines()) == 2  # one line, not also the schema's minimum


def test_yaml_nan_and_inf_in_a_config_file_are_refused(tmp_path):
    """What PyYAML makes of `.nan` and `.inf` in a file, and a nested --config string '.nan'."""
    config = copy.deepcopy(QUICK)
    config.update(yaml.safe_load("depth_accuracy: {eta: .nan, train_size: 5000}\ndata: {timeout: .inf}"))
    config["learning_speed"]["eta"] = ".nan"
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA, validate)
    message = str(caught.value)
    for key in ("depth_accuracy.eta", "data.timeout", "learning_speed.eta"):
        assert f"config key {key}: nan is not a finite number" in message or \
            f"config key {key}: inf is not a finite number" in message, message


def test_a_number_in_exponent_form_is_the_number_users_mean():
    """PyYAML (YAML 1.1) reads `eta: 1e-1` as the string '1e-1'; it is read as 0.1."""
    loaded = yaml.safe_load("eta: 1e-1\nlmbda: 5E0\nw_max: 2e1")
    assert loaded["eta"] == "1e-1"  # the premise
    config = checked(lambda c: (c["depth_accuracy"].update(eta=loaded["eta"], lmbda=loaded["lmbda"]),
                                c["window"].update(w_max=loaded["w_max"])))
    assert config["depth_accuracy"]["eta"] == 0.1 and config["depth_accuracy"]["lmbda"] == 5.0
    assert config["window"]["w_max"] == 20.0
    message = error_of(lambda c: c["depth_accuracy"].update(epochs="1e3"))
    assert "config key depth_accuracy.epochs: 1000.0 is a float" in message and "(write 1000)" in message


GIB = 2**30


@pytest.mark.parametrize(
    ("change", "section", "memory"),
    [
        # Q3's runs are E1's nets trained longer: E1's width is theirs too
        (lambda c: c["depth_accuracy"].update(width=10**6), ["depth_accuracy", "why_deeper.budget"], None),
        (lambda c: c["beyond"]["init"].update(widths=[30, 10**6]), "beyond.init", None),
        (lambda c: c["causes"]["jacobian"].update(width=10**6), "causes.jacobian", None),
        (lambda c: c["why_deeper"]["equalized"].update(width=10**6), "why_deeper.equalized", None),
        (lambda c: c["window"].update(scan_points=10**8), "window", 2 * GIB),  # on a 2 GiB machine
        (lambda c: c["window"].update(scan_points=10**12), "window", None),
    ],
)
def test_sizes_the_machine_cannot_hold_are_refused_with_the_estimate(change, section, memory):
    config = copy.deepcopy(QUICK)
    change(config)
    with pytest.raises(ConfigError) as caught:
        check_config(config, SCHEMA, validate, memory=memory)
    message = str(caught.value)
    sections = section if isinstance(section, list) else [section]
    for name in sections:
        assert f"config section {name}: one job needs at least " in message, message
    assert "GiB of memory" in message and "more than the" in message
    assert len(message.splitlines()) == 1 + len(sections), message


def test_the_memory_estimate_is_a_lower_bound_of_what_a_job_uses():
    """E5's estimate against the scan's traced allocations, and the shipped configs fit in 1 GiB."""
    import tracemalloc

    from vanishing.chapter import chain
    from vanishing.pipeline.config_memory import SCAN_BYTES_PER_POINT, job_estimates

    tracemalloc.start()
    chain.window_width_scan(10.0, points=10**6)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert SCAN_BYTES_PER_POINT * 10**6 <= peak
    # a net's weights, one back-propagation's gradients and activations (E2's probe pass)
    import numpy as np

    from vanishing.pipeline.config_memory import net_bytes
    from vanishing.engine.network import Network
    from vanishing.engine.train import one_hot

    rng = np.random.default_rng(0)
    x, y = rng.random((2000, 784)), one_hot(rng.integers(0, 10, 2000))
    tracemalloc.start()
    net = Network([784, 300, 300, 10], np.random.default_rng(0))
    net.backprop(x, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert net_bytes(300, 2, 1, 2000, 8) <= peak
    for name in ("config.yaml", "quick.yaml"):
        config = check_config(yaml.safe_load((REPO / "config" / name).read_text()), SCHEMA, validate, memory=GIB)
        assert max(need for _, need, _ in job_estimates(config)) < GIB
        # every section whose jobs train nets has its bound, the why-deeper runs' too
        assert {"why_deeper.budget", "why_deeper.remedies", "why_deeper.equalized", "beyond.optimizers"} <= \
            {section for section, _, _ in job_estimates(config)}


# --------------------------------------------------------------------------- bounded parsing


def alias_bomb(levels=8, width=9) -> str:
    """A config file of about 500 bytes whose data.sources stands for width**levels strings."""
    text = "data:\n  sources:\n    - &a0 [" + ", ".join(["x"] * width) + "]\n"
    for i in range(1, levels):
        text += f"    - &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]\n"
    return text


def test_a_config_file_with_yaml_aliases_is_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(alias_bomb())
    config = yaml.load(path.read_text(), Loader=yaml.FullLoader)  # as Snakemake loads it
    with pytest.raises(ConfigError, match=rf"config file {path}, line 3: YAML anchor &a0: anchors and aliases are not"):
        check_config(config, SCHEMA, validate, files=[path])
    with pytest.raises(ConfigError, match="more than 20,000 values"):  # --config values have no file to read
        check_config(config, SCHEMA, validate)


BOMB_CHECK = textwrap.dedent(
    """
    import sys, time, yaml
    from snakemake.utils import validate
    from vanishing.pipeline.config_check import ConfigError, check_config
    # Linux keeps the parent's peak RSS across fork and exec: reset this process's high-water mark first
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    config = yaml.load(open(sys.argv[1]), Loader=yaml.FullLoader)  # as Snakemake's configfile loader does
    start = time.monotonic()
    try:
        check_config(config, sys.argv[2], validate, files=sys.argv[3:])
    except ConfigError as error:
        message = str(error)
    seconds = time.monotonic() - start
    peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
    print(seconds, peak_kb / 1024, len(message))
    """
)


@pytest.mark.parametrize("files", ["file", "structure"])
def test_an_alias_bomb_is_refused_in_bounded_time_and_memory(tmp_path, files):
    """9**8 aliased strings (and one level more): refused in under 2 s and 200 MB, with or without
    the config file to read (the structure's size is capped too)."""
    import subprocess
    import sys

    for levels in (8, 9):
        path = tmp_path / f"bomb{levels}.yaml"
        path.write_text(alias_bomb(levels))
        args = [sys.executable, "-c", BOMB_CHECK, path, SCHEMA] + ([path] if files == "file" else [])
        proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr[-2000:]
        seconds, megabytes, length = map(float, proc.stdout.split())
        assert seconds < 2 and megabytes < 200 and length < 1000, proc.stdout


def test_a_long_value_is_quoted_by_a_short_prefix():
    message = error_of(lambda c: c["data"].update(sources=[["x" * 100] * 50] * 5, timeout="y" * 10**5))
    lines = message.splitlines()
    assert max(map(len, lines)) <= 400 and len(lines) <= 22, message
    assert "config key data.timeout" in message and "config key data.sources[0]" in message


def test_at_most_twenty_problems_are_listed():
    message = error_of(lambda c: c["depth_accuracy"].update(seeds=[float(i) + 0.5 for i in range(500)]))
    lines = message.splitlines()
    assert lines[0] == "Error validating config file (500 problems):" and lines[-1] == "  ... and 480 more"
    assert len(lines) == 22


def test_an_alias_bomb_stops_snakemake_naming_the_file(project):
    (project / "bomb.yaml").write_text(alias_bomb())
    proc = run_snakemake(project, "-n", "--configfile", "test.yaml", "bomb.yaml", check=False, timeout=120)
    assert proc.returncode != 0
    assert "bomb.yaml, line 3: YAML anchor &a0: anchors and aliases are not allowed" in proc.stdout, proc.stdout[-3000:]
    assert len(proc.stdout) < 3000


def test_a_config_file_that_turns_on_yte_code_is_refused(tmp_path):
    path = tmp_path / "yte.yaml"
    path.write_text("__use_yte__: true\ndata:\n  timeout: ?1 + 1\n")
    with pytest.raises(ConfigError, match=rf"config file {path}, line 1: __use_yte__ makes Snakemake evaluate"):
        check_config({"data": {"timeout": 2}}, SCHEMA, validate, files=[path])
