"""The report's generated prose on synthetic tables (fast): number agreement, comparisons only
where the run has something to compare, by-construction values stated as such."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from test_report_configs import BAD_AGREEMENT
from vanishing.chapter import book, summary
from vanishing.publication import report_top, report_values


def tables(depths, seeds, epochs=3):
    """Depth-accuracy, initial-speed and learning-speed tables like the pipeline's (made-up values)."""
    rng = np.random.default_rng(0)
    acc = [(k, s, e, 90 + k * 0.3 + e * 0.1 + rng.normal(0, 0.2), 0.5)
           for k, s, e in itertools.product(depths, seeds, range(epochs + 1))]
    init = [(k, s, j, 0.3 * 4.0 ** (j - k) * (1 + 0.1 * rng.random()))
            for k in depths for s in seeds for j in range(1, k + 1)]
    learn = [(k, s, e, j, 0.3 * 4.0 ** (j - k) * (1 + 0.01 * e))
             for k in depths for s in seeds for e in range(epochs + 1) for j in range(1, k + 1)]
    return (pd.DataFrame(acc, columns=["hidden_layers", "seed", "epoch", "validation_accuracy", "training_cost"]),
            pd.DataFrame(init, columns=["hidden_layers", "seed", "layer", "speed"]),
            pd.DataFrame(learn, columns=["hidden_layers", "seed", "epoch", "layer", "speed"]))


def prose(depths, seeds):
    acc, init, learn = tables(depths, seeds)
    s = {"depth_accuracy": summary.depth_accuracy(acc), "initial_speed": summary.initial_speed(init),
         "learning_speed": summary.learning_speed(learn)}
    e1, e2, e3 = (report_values.e1_variables(s["depth_accuracy"], 30), report_values.e2_variables(s["initial_speed"], 30),
                  report_values.e3_variables(s["learning_speed"]))
    text = " ".join([e1["findings"], e1["nets"], e1["seeds_text"], e2["findings"], e2["depth_phrase"],
                     e3["findings"], report_values.e1_table(s["depth_accuracy"]), report_values.e2_table(s["initial_speed"], 1000),
                     report_values.e3_table(s["learning_speed"], s["initial_speed"]),
                     report_top._e1_line(s["depth_accuracy"]),
                     report_top._vanishing_line(s["initial_speed"], None),
                     report_top._protocol_line(s["learning_speed"], None)])
    return text.replace("\u00a0", " ")


@pytest.mark.parametrize("depths, seeds", [([1, 2, 3, 4, 5, 6], [0, 1]), ([1, 2, 3], [0]), ([3], [0, 1]),
                                           ([1], [0]), ([2, 4], [0, 1, 2])])
def test_agreement_in_every_shape(depths, seeds):
    text = prose(depths, seeds)
    assert BAD_AGREEMENT.findall(text) == []
    assert "at most 0.00 points" not in text


def test_one_seed_has_no_spread():
    text = prose([1, 2, 3], [0])
    assert "±" not in text and "no seed-to-seed spread" in text and "with one seed" in text


def test_one_depth_says_what_was_not_run():
    text = prose([3], [0, 1])
    assert "Only one depth ran (three hidden layers)" in text
    assert "cannot repeat the book's first comparison" in text
    assert "only for four hidden layers, which this run did not train" in text


def test_single_layer_ratio_is_by_construction():
    text = prose([1], [0, 1])
    assert "1 by construction" in text and "times more slowly" not in text


def test_sweep_names_its_range_and_deepest_net():
    text = prose([1, 2, 3, 4, 5, 6], [0, 1])
    assert "one to six hidden layers" in text
    assert "The first hidden layer of a net with six hidden layers learns about" in text
    assert "(With one hidden layer the ratio is 1 by construction" in text


def test_words_and_plurals():
    assert report_values.plural(1, "hidden layer") == "one hidden layer"
    assert report_values.plural(4, "hidden layer") == "four hidden layers"
    assert report_values.plural(12, "seed") == "12 seeds"
    assert report_values.depth_phrase([2, 3, 4]) == "two to four hidden layers"
    assert report_values.depth_phrase([1, 2]) == "one and two hidden layers"
    assert report_values.depth_phrase([1, 3, 6]) == "one, three and six hidden layers"
    assert report_values.net(2, 30) == "`[784, 30, 30, 10]`"
    assert report_values.spread({"mean": 1.0, "std": 0.5, "n": 1}, report_values.pct) == "1.00"


def test_setup_comes_from_the_config():
    book_setup = dict(book.DEPTH_ACCURACY_SETUP)
    assert report_values.e1_setup(book_setup)["book_setup"] == "the book's setup"
    relu = report_values.e1_setup({**book_setup, "activation": "relu", "train_size": 5000, "width": 100})
    assert relu["setup"].startswith("rectified linear units") and relu["width"] == "100"
    assert relu["images"] == "the first 5,000 training images"
    assert relu["book_setup"].startswith("the book: sigmoid neurons")


def test_window_book_values_are_the_books_precision():
    e5 = report_values.e5_variables({"max_abs_diff": 1e-8, "points": 10, "widest_w": 6.894151, "widest_width": 0.447743,
                              "sigma_prime_max": 0.25, "sigma_prime_argmax": 0.0,
                              "book": {"widest_w": 6.894, "widest_width": 0.4477, "sigma_prime_max": 0.25}})
    assert (e5["book_widest_w"], e5["book_widest_width"]) == ("6.9", "0.45")
    assert e5["widest_w"] == "6.894"


def full_summary():
    acc, init, learn = tables([1, 2], [0, 1])
    stats = {"mean": 25.0, "std": 0.0, "min": 25.0, "max": 25.0, "n": 3, "median": 25.0}
    return {"depth_accuracy": summary.depth_accuracy(acc), "initial_speed": summary.initial_speed(init),
            "learning_speed": summary.learning_speed(learn),
            "chain": {"max_rel_diff": 0.0, "depth": 8, "exploding_factor_per_layer": stats,
                      "book_exploding_factor": 25.0, "vanishing_first_over_last": {**stats, "median": 1e-6}},
            "window": {"max_abs_diff": 1e-8, "points": 10, "widest_w": 6.89, "widest_width": 0.448,
                       "sigma_prime_max": 0.25, "sigma_prime_argmax": 0.0,
                       "book": {"widest_w": 6.894, "widest_width": 0.4477, "sigma_prime_max": 0.25}},
            "data": {"source": "npm:x"},
            "config": {"depth_accuracy": dict(book.DEPTH_ACCURACY_SETUP), "initial_speed": {"width": 30, "probe_size": 1000},
                       "learning_speed": {"train_size": 1000, "eta": 0.1, "lmbda": 5.0}},
            "provenance": {"code_version": "abc", "machine": {"platform": "p", "cpus": 2, "processor": "x",
                                                               "python": "3.11"}}}


def test_report_variables_merge_hook():
    s = full_summary()
    merged = report_values.report_variables(s, {"beyond": {"x": "1"}}, {"causes": {"y": "2"}}, run={"command": "`c`"})
    assert merged["beyond"] == {"x": "1"} and merged["causes"] == {"y": "2"}
    assert merged["run"]["command"] == "`c`" and merged["run"]["code_version"] == "`abc`"
    assert merged["e4"]["max_rel_diff_check"] == "identical in every layer and seed"
    with pytest.raises(ValueError, match="'e1' is defined twice"):
        report_values.report_variables(s, {"e1": {}})


def test_run_times_and_digest(tmp_path):
    import os

    paths = []
    for i, (seconds, end) in enumerate([(10.0, 1000.0), (5.0, 1030.0)]):
        p = tmp_path / f"b{i}.tsv"
        p.write_text(f"s\th:m:s\tmax_rss\n{seconds}\t0:00:10\t1\n")
        os.utime(p, (end, end))
        paths.append(p)
    assert report_top.run_times(paths) == (40.0, 15.0)  # from 990 to 1030
    assert report_top.duration(125) == "2 min 5 s" and report_top.duration(25) == "25 s"
    assert report_top.config_digest({"a": 1, "b": [1]}) == report_top.config_digest({"b": [1], "a": 1})
    assert report_top.config_digest({"a": 1}) != report_top.config_digest({"a": 2})


def test_book_readings_of_e1_are_decided_by_the_interval_rule():
    """With 1, 2 and 4 hidden layers and several seeds both readings get a verdict of the beyond
    chapter's rule; without depth 4 only the first; with one seed none."""
    text = prose([1, 2, 4], [0, 1, 2])
    verdicts = [v for v in ("supports", "contradicts", "cannot tell") for _ in range(text.count(f"verdict *{v}*"))]
    assert len(verdicts) == 2 and "95 % interval" in text and "second hidden layer" in text
    assert "four hidden layers do no better than two" in text
    assert prose([1, 2], [0, 1]).count("verdict *") == 1
    assert prose([1, 2, 4], [0]).count("verdict *") == 0


@pytest.mark.parametrize("text, kinds", [
    ("with cross_entropy cost", ["code name"]), ("μ_max = 0.9 trains better", ["code name"]),
    ("1 seed(s) of its own", ["(s) plural"]), ("to lie within inside 0.1–1", ["doubled word"]),
    ("the the end", ["doubled word"]), ("Data: depth_accuracy.csv, on x86_64, one seed", []),
])
def test_template_leftovers_are_found(text, kinds):
    from prose_leftovers import leftovers

    assert [found.split(":")[0] for found in leftovers(text)] == kinds


def test_prose_leaves_out_code_tables_and_math():
    from prose_leftovers import prose

    page = ("<p>Words</p><pre>snake_case cmd</pre><table><tr><td>mu_max</td></tr></table>"
            "<math><mi>a_b</mi></math><p>more &amp; words</p>")
    assert prose(page).split() == ["Words", "more", "&", "words"]


def test_prose_leaves_out_the_reproduce_box():
    from prose_leftovers import prose

    page = ('<p>Before</p><div class="callout callout-note"><div class="callout-title"><p>Reproduce this report'
            '</p></div><div class="callout-body"><code>depth_accuracy</code></div></div><p>After</p>')
    assert prose(page).split() == ["Before", "After"]


def test_e1_readings_say_plainly_what_the_intervals_say():
    """The published run's E1 (5 seeds): 2 vs 1 better but its size undetermined; 4 vs 2 and 3 vs 2
    worse, with their intervals."""
    from vanishing.publication.report_values import e1_reading_sentences

    def acc(mean, std):
        return {"final_accuracy": {"mean": mean, "std": std, "n": 5}}

    depths = {1: acc(96.518, 0.1767), 2: acc(96.86, 0.10), 3: acc(96.58, 0.14), 4: acc(96.37, 0.38)}
    text = " ".join(e1_reading_sentences(depths, 5))
    assert "verdict *cannot tell* by the rule of @sec-beyond: the deeper nets are better, by an " \
           "amount the interval leaves undetermined" in text
    assert "four hidden layers do no better than two" in text and "the deeper nets are worse (80 % power" in text
    assert "3 hidden layers against 2: −0.28 points" in text and "worse; the book reads nothing" in text
    assert text.count("80 % power detects") == 2


def test_key_findings_keep_the_why_deeper_slot_second_and_leave_out_missing_parts():
    """The slot for "why is deeper no better?" follows the depth finding; without the causes and
    beyond summaries their findings are left out, not printed empty."""
    acc, init, learn = tables([1, 2, 3, 4], [0, 1, 2])
    s = {"depth_accuracy": summary.depth_accuracy(acc), "initial_speed": summary.initial_speed(init),
         "learning_speed": summary.learning_speed(learn)}
    lines = report_top.key_findings(s, why_deeper="**Why deeper is no better.** Because.").splitlines()
    assert lines[0].startswith("- **Depth** (E1") and "95 % interval" in lines[0]
    assert lines[1] == "- **Why deeper is no better.** Because."
    assert len(lines) == 4 and all(line.startswith("- **") for line in lines)
    assert report_top.key_findings(s).count("\n- ") == 2  # no slot line without an answer


def test_deviations_are_said_once_and_a_verdict_cell_names_the_first_failed_precondition():
    from vanishing.beyond import report_values

    claims = [{"deviations": ["narrower nets", "fewer epochs"]}, {"deviations": ["fewer epochs", "MNIST only"]}, {}]
    assert report_values.deviations(claims) == ["narrower nets", "fewer epochs", "MNIST only"]
    assert report_values._first_reason({"not_tested_because": "seeds 1 (needs ≥ 3); runs 0 (needs ≥ 2)"}) == \
        ": seeds 1 (needs ≥ 3) and 1 more"
    assert report_values._first_reason({"not_tested_because": "seeds 1 (needs ≥ 3)"}) == ": seeds 1 (needs ≥ 3)"
    assert report_values._first_reason({"family_note": "undecided after Holm"}) == " (undecided after Holm)"
    assert report_values._first_reason({}) == ""


def test_key_findings_quote_only_a_claim_whose_test_bears_a_verdict_and_name_stuck_nets():
    """R4's sigmoid claim is not tested when its nets are stuck: the findings quote the next tested
    claim's effect, never the untested one's, and say how many nets never left chance."""
    def claim(text, verdict, estimate):
        return {"claim": text, "verdict": verdict,
                "interval": {"estimate": estimate, "lo": estimate - 1, "hi": estimate + 1, "half_width": 1.0}}
    beyond = {"r4": {"claims": {"sigmoid_worst": claim("Sigmoid is worst.", "not tested", 81.3),
                                "normalized_helps_tanh": claim("Normalized helps tanh.", "cannot tell", -0.16)},
                     "stuck_findings": ["at width 100 and 5 epochs, 3 of 5 sigmoid nets never left chance"]}}
    line = report_top._claims_line(beyond)
    assert "Sigmoid is worst" not in line and "81.3" not in line
    assert "Normalized helps tanh: −0.16 points (95 % interval −1.16 to +0.84), *cannot tell*." in line
    assert line.endswith("In R4, at width 100 and 5 epochs, 3 of 5 sigmoid nets never left chance.")
    beyond["r4"]["claims"]["normalized_helps_tanh"]["verdict"] = "not tested"
    assert "points (95 % interval" not in report_top._claims_line(beyond)
