"""vanishing.pipeline.paths: the chunks a stacked job trains, the files its members write and the name of
its log and benchmark record, which the rules and the report's timings both take from here."""

import pytest

from vanishing.pipeline import paths


def test_chunks_cut_the_members_in_order_the_last_one_shorter():
    got = paths.chunks("seed", [0, 1, 2, 3, 4, 5, 6], 3)
    assert [c.members for c in got] == [(0, 1, 2), (3, 4, 5), (6,)]
    assert [c.index for c in got] == [0, 1, 2]
    assert [c.members for c in paths.chunks("seed", [4, 7], 1)] == [(4,), (7,)]  # stack_seeds: 1
    with pytest.raises(ValueError, match="at least 1"):
        paths.chunks("seed", [0, 1], 0)


def test_a_chunk_names_its_span_and_its_rule():
    seeds = paths.chunks("seed", [0, 1, 2, 3, 4, 5], 5)
    assert [c.span for c in seeds] == ["seeds0-4", "seed5"]
    assert [c.rule_suffix for c in seeds] == ["seeds0_4", "seeds5_5"]
    etas = paths.chunks("eta", [0.01, 0.1, 1.0], 2)
    assert [c.span for c in etas] == ["etas0.01-0.1", "eta1.0"]
    assert [c.rule_suffix for c in etas] == ["etas0", "etas1"]  # no dots in a rule name


def test_member_files_and_the_job_stem_of_a_seed_chunk():
    run = paths.RUNS["depth_accuracy"]
    chunk = paths.chunks("seed", [0, 1, 2, 3, 4], 5)[0]
    assert paths.member_file(run, "seed", 3) == "results/depth_accuracy/depth{depth}/seed3.json"
    assert paths.job_stem(run, chunk) == "depth_accuracy/depth{depth}/seeds0-4"
    assert paths.benchmark(paths.job_stem(run, chunk)) == "results/benchmarks/depth_accuracy/depth{depth}/seeds0-4.tsv"
    assert paths.log(paths.job_stem(run, chunk)) == "logs/depth_accuracy/depth{depth}/seeds0-4.log"


def test_a_chunk_of_one_is_named_as_its_run():
    run = paths.RUNS["beyond_table1"]
    one = paths.chunks("seed", [7], 1)[0]
    assert paths.job_stem(run, one) == paths.stem(paths.member_file(run, "seed", 7)) == "beyond/r4/{activation}_{init}/seed7"


def test_an_eta_chunk_replaces_the_eta_folder_and_keeps_the_seed():
    run = paths.RUNS["beyond_select"]
    chunk = paths.chunks("eta", [0.1, 0.3, 1.0], 3)[0]
    assert paths.job_stem(run, chunk) == "beyond/r3/select/{optimizer}/etas0.1-1.0/seed{seed}"
    assert paths.member_file(run, "eta", 0.3) == "results/beyond/r3/select/{optimizer}/eta0.3/seed{seed}.json"


def test_bad_patterns_are_refused_naming_them():
    with pytest.raises(ValueError, match="not a results file"):
        paths.stem("logs/x.log")
    with pytest.raises(ValueError, match=r"has no \{seed\}"):
        paths.member_file(paths.RUNS["initial_speed"], "seed", 0)
    with pytest.raises(ValueError, match="exactly one part"):
        paths.job_stem("results/seed{seed}/seed{seed}.json", paths.chunks("seed", [0], 1)[0])


def test_every_run_pattern_is_a_results_file():
    for name, run in paths.RUNS.items():
        assert paths.stem(run), name
    assert paths.stem(paths.BEYOND_SUMMARY) == "beyond_summary"
