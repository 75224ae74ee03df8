"""The beyond decision rule on hand-made numbers: Student t quantiles, intervals over seeds, and
verdicts for intervals that lie beyond, against and across the minimal effect."""

import json
import math

import numpy as np
import pytest
from scipy import stats

from vanishing.beyond import verdicts as v
from vanishing.beyond.verdicts import CANNOT_TELL, CONTRADICTS, NOT_RUN, NOT_TESTED, SMALLER, SUPPORTS


# --- Student's t ---------------------------------------------------------------------------------


@pytest.mark.parametrize("df,expected", [(1, 12.706205), (2, 4.302653), (4, 2.776445), (10, 2.228139),
                                         (30, 2.042272), (1000, 1.962339)])
def test_t_quantile_matches_printed_tables(df, expected):
    assert v.t_quantile(0.975, df) == pytest.approx(expected, abs=2e-6)
    assert v.t_quantile(0.025, df) == pytest.approx(-expected, abs=2e-6)


def test_t_quantile_has_the_closed_forms_of_one_and_two_degrees_of_freedom():
    for p in (0.01, 0.2, 0.5, 0.7, 0.975):
        assert v.t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), abs=1e-9)  # Cauchy
        assert v.t_quantile(p, 2) == pytest.approx((2 * p - 1) / math.sqrt(2 * p * (1 - p)), abs=1e-9)
        assert v.t_quantile(p, 3.7) == pytest.approx(-v.t_quantile(1 - p, 3.7), abs=1e-12)
    with pytest.raises(ValueError, match="0 < p < 1"):
        v.t_quantile(1.0, 3)


# --- Intervals -------------------------------------------------------------------------------------


def test_mean_interval_by_hand():
    i = v.mean_interval([1.0, 2.0, 3.0])
    hw = 4.302653 * 1.0 / math.sqrt(3)  # t(0.975, 2) · s/√n with s = 1
    assert i["estimate"] == 2.0 and i["half_width"] == pytest.approx(hw, rel=1e-6)
    assert (i["lo"], i["hi"]) == pytest.approx((2 - hw, 2 + hw), rel=1e-6)
    assert i["n"] == [3] and i["df"] == 2
    # Non-finite values (diverged runs) are left out; one value gives an unbounded interval.
    assert v.mean_interval([1.0, 2.0, 3.0, float("nan"), float("inf")])["n"] == [3]
    one = v.mean_interval([5.0])
    assert one["lo"] == -math.inf and one["hi"] == math.inf
    assert v.mean_interval([]) is None


def test_welch_interval_and_degrees_of_freedom_by_hand():
    a, b = [1.0, 2.0, 3.0], [2.0, 4.0, 6.0, 8.0]
    va, vb = 1.0 / 3, (20.0 / 3) / 4
    df = (va + vb) ** 2 / (va**2 / 2 + vb**2 / 3)
    i = v.difference_interval(a, b)
    assert i["estimate"] == pytest.approx(2.0 - 5.0)
    assert i["df"] == pytest.approx(df, rel=1e-12)
    assert i["half_width"] == pytest.approx(v.t_quantile(0.975, df) * math.sqrt(va + vb), rel=1e-12)
    same = v.welch_from_stats(2.0, 1.0, 3, 5.0, math.sqrt(20 / 3), 4)
    assert same["lo"] == pytest.approx(i["lo"]) and same["hi"] == pytest.approx(i["hi"])


def test_intervals_agree_with_scipy_stats():
    rng = np.random.default_rng(3)
    a, b = rng.normal(1.0, 0.5, 5), rng.normal(0.2, 1.5, 7)
    welch = stats.ttest_ind(a, b, equal_var=False)
    i = v.difference_interval(a, b)
    assert i["df"] == pytest.approx(welch.df, rel=1e-12)
    assert (i["lo"], i["hi"]) == pytest.approx(tuple(welch.confidence_interval(0.95)), rel=1e-12)
    one = stats.ttest_1samp(a, 0.0).confidence_interval(0.95)
    assert (v.mean_interval(a)["lo"], v.mean_interval(a)["hi"]) == pytest.approx(tuple(one), rel=1e-12)


def test_ratio_intervals_work_on_logarithms():
    exact = v.ratio_interval([4.0, 4.0, 4.0], [2.0, 2.0, 2.0])
    assert exact["estimate"] == pytest.approx(2.0) and exact["lo"] == pytest.approx(2.0)
    assert exact["hi"] == pytest.approx(2.0)
    g = v.geometric_mean_interval([1.0, 4.0])  # logs 0 and ln 4: geometric mean 2
    assert g["estimate"] == pytest.approx(2.0)
    assert g["lo"] * g["hi"] == pytest.approx(4.0)  # symmetric on the log scale
    assert g["half_width_factor"] == pytest.approx(g["hi"] / g["estimate"])
    with pytest.raises(ValueError, match="positive"):
        v.geometric_mean_interval([1.0, -2.0])


# --- The decision rule -----------------------------------------------------------------------------


def interval(lo, hi, df=4):
    """A hand-made 95 % t interval [lo, hi] with ``df`` degrees of freedom (its se from the width)."""
    hw = (hi - lo) / 2
    return {"estimate": (lo + hi) / 2, "lo": lo, "hi": hi, "half_width": hw, "df": df, "level": 0.95,
            "se": hw / stats.t.ppf(0.975, df)}


@pytest.mark.parametrize("lo,hi,side,expected", [
    (1.3, 1.6, "above", SUPPORTS),      # wholly beyond the minimal effect on the claim's side
    (1.0, 1.2, "above", CONTRADICTS),   # a bound (no null): wholly on the other side
    (1.1, 1.4, "above", CANNOT_TELL),   # straddles it
    (1.0, 1.2, "below", SUPPORTS),
    (1.3, 1.6, "below", CONTRADICTS),
    (1.1, 1.4, "below", CANNOT_TELL),
])
def test_decide_a_bound_against_a_minimal_effect(lo, hi, side, expected):
    assert v.decide(interval(lo, hi), 1.25, side) == expected


@pytest.mark.parametrize("lo,hi,expected", [
    (0.30, 0.50, SUPPORTS),      # beyond the minimal effect 0.2
    (0.05, 0.15, SMALLER),       # a real effect, smaller than claimed
    (-0.05, 0.15, SMALLER),      # short of the claimed size, perhaps none
    (-0.40, -0.10, CONTRADICTS),  # on the other side of no effect
    (0.12, 0.56, CANNOT_TELL),   # contains the minimal effect (E1's 2 vs 1 of the published run)
    (-0.10, 0.30, CANNOT_TELL),
])
def test_the_four_outcomes_with_a_no_effect_value(lo, hi, expected):
    assert v.decide(interval(lo, hi), 0.2, "above", null=0.0) == expected
    # Mirrored: a claim "below −0.2", on the negated interval.
    assert v.decide(interval(-hi, -lo), -0.2, "below", null=0.0) == expected
    # A ratio claim "above 1.25" with no effect at 1.
    assert v.decide(interval(1 + lo, 1 + hi), 1.2, "above", null=1.0) == expected


def test_decide_edge_cases():
    assert v.decide(None, 1.0, "above") == NOT_RUN
    assert v.decide(interval(1.25, 2.0), 1.25, "above") == CANNOT_TELL  # touching is not beyond
    with pytest.raises(ValueError, match="side"):
        v.decide(interval(0, 1), 0.5, "left")
    with pytest.raises(ValueError, match="no effect"):
        v.decide(interval(0, 1), 0.5, "above", null=0.7)


@pytest.mark.parametrize("lo,hi,contradict_below,expected", [
    (0.8, 1.5, True, SUPPORTS),
    (0.4, 1.5, True, CANNOT_TELL),
    (2.5, 3.0, True, CONTRADICTS),
    (0.1, 0.3, True, CONTRADICTS),
    (0.1, 0.3, False, CANNOT_TELL),  # e.g. "no recovery seen yet" in a short run
])
def test_decide_band(lo, hi, contradict_below, expected):
    assert v.decide_band(interval(lo, hi), (0.5, 2.0), contradict_below) == expected


# --- Preconditions, p-values, Holm, power ----------------------------------------------------------


def test_preconditions_record_value_threshold_and_whether_met():
    c = v.precondition("fraction of updates at μ_max", 0.06, 0.75)
    assert c == {"name": "fraction of updates at μ_max", "value": 0.06, "threshold": 0.75, "comparison": ">=",
                 "met": False}
    assert v.precondition("stuck runs", 0, 0, "<=")["met"] is True
    assert v.precondition("stuck runs", 3, 0, "<=")["met"] is False
    assert v.precondition("x", float("nan"), 0.0)["met"] is False  # not finite: fails, written as None
    assert v.precondition("x", float("nan"), 0.0)["value"] is None
    assert v.precondition("chosen η inside the grid", True, True, "==")["met"] is True
    assert v.failed_text([c, v.precondition("seeds", 5, 3)]) == "fraction of updates at μ_max 0.06 (needs ≥ 0.75)"
    with pytest.raises(ValueError, match="comparison"):
        v.precondition("x", 1, 1, ">")


def test_a_failed_precondition_makes_a_supported_claim_not_tested():
    kw = dict(source="s", where="w", tested_as_stated="partly", deviations=[], measure="m",
              interval=interval(1.3, 1.6), minimal=1.25, side="above")
    ok = v.judge("c", preconditions=[v.precondition("seeds", 5, 3)], **kw)
    assert ok["verdict"] == SUPPORTS and ok["not_tested_because"] is None
    row = v.judge("c", preconditions=[v.precondition("seeds", 5, 3), v.precondition("updates at μ_max", 0.06, 0.75)],
                  **kw)
    assert row["verdict"] == NOT_TESTED and "updates at μ_max 0.06 (needs ≥ 0.75)" == row["not_tested_because"]
    assert [c["met"] for c in row["preconditions"]] == [True, False]
    assert row["interval"]["lo"] == 1.3  # the interval is still shown


def test_p_values_match_the_interval_rule():
    i = interval(0.30, 0.50)  # 95 % interval: lo = 0.30
    # The boundary at the interval's end has p = 5 % exactly; inside it, more; beyond, less.
    assert v.p_beyond(i, 0.30, "above") == pytest.approx(0.05, rel=1e-9)
    assert v.p_beyond(i, 0.50, "below") == pytest.approx(0.05, rel=1e-9)
    assert v.p_beyond(i, 0.2, "above") < 0.05 < v.p_beyond(i, 0.35, "above")
    # By hand: t = (0.4 − 0.2)/se, p = 2·P(T > t) with 4 df.
    t = (0.4 - 0.2) / i["se"]
    assert v.p_beyond(i, 0.2, "above") == pytest.approx(2 * stats.t.sf(t, 4), rel=1e-12)
    g = {**interval(math.log(1.3), math.log(1.6)), "estimate": math.sqrt(1.3 * 1.6), "lo": 1.3, "hi": 1.6}
    assert v.p_beyond(g, 1.3, "above", log=True) == pytest.approx(0.05, rel=1e-9)
    assert v.decisive_p(i, SUPPORTS, minimal=0.2, side="above", null=0.0) == v.p_beyond(i, 0.2, "above")
    j = interval(-0.40, -0.10)
    assert v.decisive_p(j, CONTRADICTS, minimal=0.2, side="above", null=0.0) == v.p_beyond(j, 0.0, "below")
    assert v.p_beyond({**i, "se": math.inf}, 0.2, "above") is None


def test_holm_on_hand_made_p_values():
    # Sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1: 0.02, 0.03, 0.06, 0.04 -> monotone 0.06.
    assert v.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert v.holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert v.holm([0.02]) == [0.02]


def test_the_family_correction_undecides_what_only_the_per_claim_level_decided():
    kw = dict(source="s", where="w", tested_as_stated="yes", deviations=[], measure="m", minimal=0.2, side="above",
              null=0.0)
    strong = v.judge("strong", interval=interval(0.5, 0.7), **kw)      # p tiny
    weak = v.judge("weak", interval=interval(0.21, 0.5), **kw)         # p just below 5 %
    vague = v.judge("vague", interval=interval(0.0, 0.5), **kw)        # cannot tell
    skipped = v.judge("skipped", interval=interval(0.5, 0.7), preconditions=[v.precondition("seeds", 1, 3)], **kw)
    assert weak["verdict"] == SUPPORTS and weak["p_value"] < 0.05
    family = v.apply_family([strong, weak, vague, skipped])
    assert family == {"rule": "Holm", "alpha": 0.05, "claims": 4, "tested": 3, "not_tested": 1,
                      "decided_per_claim": 2, "decided_after_correction": 1}
    assert strong["verdict"] == SUPPORTS
    assert weak["verdict"] == CANNOT_TELL and weak["verdict_per_claim"] == SUPPORTS
    assert weak["p_holm"] == pytest.approx(min(1.0, 2 * weak["p_value"]))  # second smallest of three
    assert "not after Holm's correction over 3 claims" in weak["family_note"]
    assert skipped["verdict"] == NOT_TESTED and "p_holm" not in skipped


def test_power_shift_is_the_non_central_t_solution():
    assert v.power_shift(10**6) == pytest.approx(stats.norm.ppf(0.975) + stats.norm.ppf(0.8), abs=1e-4)  # 2.80
    for df in (2, 4, 9.5):
        shift = v.power_shift(df)
        assert stats.nct.sf(stats.t.ppf(0.975, df), df, shift) == pytest.approx(0.8, abs=1e-9)
        assert shift > v.power_shift(10**6)  # fewer seeds: a larger effect needed


def test_effect_detectable_with_80_percent_power():
    i = interval(1.0, 1.4)  # se = 0.2 / t(0.975, 4)
    shift = v.power_shift(4) * i["se"]
    assert v.detectable(i, 1.25, "above") == pytest.approx(1.25 + shift)
    assert v.detectable(i, 1.25, "below") == pytest.approx(1.25 - shift)
    assert v.detectable(i, 2.0, "above", log=True) == pytest.approx(2.0 * math.exp(shift))
    assert v.detectable_band(i, (0.5, 2.0), log=True) == pytest.approx([0.5 * math.exp(shift), 2.0 / math.exp(shift)])
    # A simulation agrees: with the true effect there, 80 % of 5-seed intervals lie beyond 1.25.
    rng = np.random.default_rng(0)
    sd = 0.3
    one = {**v.mean_interval(np.arange(5.0)), "se": sd / math.sqrt(5)}
    target = v.detectable(one, 1.25, "above")
    hits = [v.mean_interval(target + sd * rng.standard_normal(5))["lo"] > 1.25 for _ in range(4000)]
    assert np.mean(hits) == pytest.approx(0.8, abs=0.1)  # sample sd varies: about 80 %
    assert v.detectable({**i, "se": math.inf}, 1.25, "above") is None


def test_seeds_to_decide_is_where_an_effect_of_twice_the_minimal_is_found_in_80_percent_of_runs():
    rng = np.random.default_rng(1)
    sd_a, sd_b, minimal = 0.4, 0.2, 0.2
    observed = v.welch_from_stats(0.0, sd_a, 5, 0.0, sd_b, 5)
    n = v.seeds_to_decide(observed, minimal)
    assert 5 < n < 200

    def found(seeds, reps=3000):
        """Share of simulated Welch intervals wholly above the minimal, the true difference 2 × minimal."""
        a = 2 * minimal + sd_a * rng.standard_normal((reps, seeds))
        b = sd_b * rng.standard_normal((reps, seeds))
        va, vb = a.var(axis=1, ddof=1) / seeds, b.var(axis=1, ddof=1) / seeds
        df = (va + vb) ** 2 / (va**2 / (seeds - 1) + vb**2 / (seeds - 1))
        lo = a.mean(axis=1) - b.mean(axis=1) - stats.t.ppf(0.975, df) * np.sqrt(va + vb)
        return float(np.mean(lo > minimal))

    assert found(n) == pytest.approx(0.8, abs=0.05)
    assert found(max(2, n // 2)) < 0.7  # half the seeds fall well short
    assert v.seeds_to_decide(observed, -minimal) == n  # the size of the minimal effect counts, not its sign
    assert v.seeds_to_decide(observed, 0.002) is None  # more than MAX_SEEDS_TO_DECIDE
    assert v.seeds_to_decide(v.welch_from_stats(0.0, 0.1, 1, 0.0, 0.1, 5), minimal) is None  # unbounded
    assert v.seeds_to_decide(None, minimal) is None


def test_judge_builds_a_verdict_row():
    row = v.judge("c", source="s", where="Table 1", tested_as_stated="partly", deviations=["width"],
                  measure="m", interval=interval(1.3, 1.6), minimal=1.25, side="above")
    assert row["verdict"] == SUPPORTS and row["detectable"] == pytest.approx(v.detectable(interval(1.3, 1.6), 1.25,
                                                                                           "above"))
    assert row["deviations"] == ["width"] and row["side"] == "above" and row["preconditions"] == []
    assert row["p_value"] == pytest.approx(v.p_beyond(interval(1.3, 1.6), 1.25, "above"))
    band = v.judge("c", source="s", where="w", tested_as_stated="yes", deviations=[], measure="m",
                   interval={**interval(math.log(0.9), math.log(1.1)), "estimate": 1.0, "lo": 0.9, "hi": 1.1},
                   minimal=None, band=(0.5, 2.0), log=True)
    assert band["verdict"] == SUPPORTS and band["minimal"] == [0.5, 2.0] and band["p_value"] < 0.05
    with pytest.raises(ValueError, match="exactly one"):
        v.judge("c", source="s", where="w", tested_as_stated="yes", deviations=[], measure="m",
                interval=None, minimal=1.0, side="above", band=(0, 1))


def test_all_of_and_kendall_tau():
    assert v.all_of([SUPPORTS, SUPPORTS]) == SUPPORTS
    assert v.all_of([SUPPORTS, CANNOT_TELL]) == CANNOT_TELL
    assert v.all_of([SUPPORTS, CANNOT_TELL, CONTRADICTS]) == CONTRADICTS
    assert v.all_of([NOT_RUN]) == NOT_RUN == v.all_of([])
    assert v.all_of([SUPPORTS, SMALLER]) == SMALLER and v.all_of([SUPPORTS, NOT_TESTED]) == NOT_TESTED
    assert v.kendall_tau([1, 2, 3, 4], [10, 20, 30, 40]) == 1.0
    assert v.kendall_tau([1, 2, 3, 4], [40, 30, 20, 10]) == -1.0
    # Ties (layers that never saturate: +inf): 3 concordant, 2 discordant, one tie in y.
    assert v.kendall_tau([1, 2, 3, 4], [5, math.inf, math.inf, 7]) == pytest.approx(1 / math.sqrt(30))
    assert math.isnan(v.kendall_tau([1, 2, 3], [math.inf] * 3))
    x, y = [1, 2, 3, 4, 5, 6], [2, 1, 2, 5, math.inf, 4]
    assert v.kendall_tau(x, y) == pytest.approx(stats.kendalltau(x, y).statistic, rel=1e-12)


def test_the_rule_decides_large_effects_with_five_seeds():
    """With five seeds, an effect of twice the minimal one and a seed spread of a tenth of it decides."""
    rng = np.random.default_rng(0)
    a = 3.0 + 0.1 * rng.standard_normal(5)
    b = 1.0 + 0.1 * rng.standard_normal(5)
    assert v.decide(v.difference_interval(a, b), 1.0, "above") == SUPPORTS
    assert v.decide(v.difference_interval(b, a), 1.0, "above") == CONTRADICTS


def test_e1_readings_use_the_same_rule():
    stats = {1: {"mean": 96.0, "std": 0.1, "n": 5}, 2: {"mean": 96.8, "std": 0.1, "n": 5},
             4: {"mean": 96.7, "std": 0.2, "n": 5}}
    r = v.e1_readings(stats)
    assert r["two_vs_one"]["verdict"] == SUPPORTS  # +0.8 ± about 0.15, beyond +0.2
    assert r["two_vs_one"]["interval"]["estimate"] == pytest.approx(0.8)
    assert r["four_vs_two"]["verdict"] == SUPPORTS  # −0.1 ± about 0.26: below +0.2, four is no better
    assert v.e1_readings({1: stats[1], 2: stats[2]}).keys() == {"two_vs_one"}
    worse = v.e1_readings({1: stats[2], 2: stats[1]})["two_vs_one"]
    assert worse["verdict"] == CONTRADICTS and worse["direction"] == "lower"
    # The published run's 2 vs 1: +0.34 [+0.12, +0.56]: cannot tell the size, but better.
    pub = v.e1_readings({1: {"mean": 96.0, "std": 0.1, "n": 5}, 2: {"mean": 96.34, "std": 0.17, "n": 5}})
    assert pub["two_vs_one"]["verdict"] == CANNOT_TELL and pub["two_vs_one"]["direction"] == "higher"
    three = v.e1_readings({2: stats[2], 3: {"mean": 96.5, "std": 0.1, "n": 5}})["three_vs_two"]
    assert three["interval"]["estimate"] == pytest.approx(-0.3) and three["direction"] == "lower"


def test_judge_without_an_effect_is_not_run_or_cannot_tell():
    kw = dict(source="s", where="w", tested_as_stated="partly", deviations=["d"], measure="m", interval=None,
              minimal=1.0, side="above")
    assert v.judge("c", **kw)["verdict"] == NOT_RUN
    assert v.judge("c", ran=True, **kw)["verdict"] == CANNOT_TELL  # ran, but e.g. every run diverged


# --- Strict JSON: unbounded intervals ---------------------------------------------------------------


def _strict_loads(text):
    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("one_seed", [
    lambda: v.mean_interval([2.0]), lambda: v.difference_interval([2.0], [1.0, 1.5]),
    lambda: v.geometric_mean_interval([2.0]), lambda: v.ratio_interval([2.0], [1.0, 1.5])])
def test_an_unbounded_interval_is_written_with_nulls_and_read_back(one_seed):
    interval_ = one_seed()
    assert math.isinf(interval_["hi"]) and math.isinf(interval_["half_width"])  # in memory: unbounded
    written = v.interval_json(interval_)
    assert written["bounded"] is False and written["hi"] is None and written["half_width"] is None
    assert written["estimate"] == interval_["estimate"] and written["n"] == interval_["n"]
    back = v.interval_from_json(_strict_loads(json.dumps(written, allow_nan=False)))
    assert back.pop("bounded") is False and back == interval_  # the same infinities (and 0 for a ratio's lo)


def test_a_bounded_interval_is_written_unchanged_with_bounded_true():
    i = v.mean_interval([1.0, 2.0, 3.0])
    assert v.interval_json(i) == {**i, "bounded": True}
    assert v.interval_from_json(v.interval_json(i)) == {**i, "bounded": True}
    assert v.interval_json(None) is None and v.interval_from_json(None) is None


@pytest.mark.parametrize("kw", [dict(minimal=1.25, side="above"), dict(minimal=None, band=(0.5, 2.0))])
@pytest.mark.parametrize("log", [False, True])
def test_judge_rows_of_one_seed_are_strict_json_and_cannot_tell(kw, log):
    i = v.geometric_mean_interval([1.3]) if log else v.mean_interval([1.3])
    row = v.judge("c", source="s", where="w", tested_as_stated="yes", deviations=[], measure="m", interval=i,
                  log=log, **kw)
    assert row["verdict"] == CANNOT_TELL and row["detectable"] is None and row["interval"]["bounded"] is False
    assert _strict_loads(json.dumps(row, allow_nan=False)) == row


def test_the_report_prints_an_unbounded_interval_as_infinite():
    from vanishing.beyond import report_values

    row = v.judge("c", source="s", where="w", tested_as_stated="yes", deviations=[], measure="m",
                  interval=v.mean_interval([1.3]), minimal=1.0, side="above")
    assert report_values.effect_text(row) == "1.3 [−∞, ∞]"
    assert report_values.detectable_text(row) == "– (too few seeds)"
