"""The decision rule of the beyond experiments: 95 % intervals for an effect over seeds, judged
against a minimal effect declared per claim before the run, after the claim's preconditions.
Pure functions of numbers, unit-tested on hand-made values; nothing here reads files or knows
about the experiments.

Preconditions (``precondition``). Each claim declares, before the run, the conditions under which
its test can bear a verdict (e.g. the runs trained, μ = μ_max for most updates, the chosen η is
inside its grid). Each is written ``{name, value, threshold, comparison, met}``; a claim with a
failed one is NOT_TESTED, whatever its interval says.

The rule (``decide``). A claim says an effect lies on one side of a minimal effect m ("above":
effect > m, "below": effect < m), with ``null`` the value of no effect (0 for a difference, 1 for
a ratio) on the other side of m. With [lo, hi] the 95 % interval of the effect ("above"):

    SUPPORTS      the interval lies wholly beyond m on the claim's side (lo > m)
    SMALLER       it lies wholly short of m, not wholly past no effect (hi < m, hi ≥ null):
                  the effect is smaller than claimed (perhaps none)
    CONTRADICTS   it lies wholly on the other side of no effect (hi < null)
    CANNOT_TELL   it contains m

(mirrored for "below"). A claim without a ``null`` is a bound ("no better than m"): SUPPORTS,
CONTRADICTS (wholly on the other side of m) or CANNOT_TELL. ``decide_band`` judges "inside a band".

The family (``holm``, ``apply_family``). Every decided verdict rests on one test: the interval
excludes a boundary (m, or no effect), i.e. a two-sided p-value below 5 % (``decisive_p``).
Over the claims tested together, Holm's step-down correction keeps the chance that any decided
verdict is wrong by chance at most 5 %; a verdict decided per claim but not after the
correction becomes CANNOT_TELL, with both p-values recorded.

Power (``detectable``). The effect this run would detect with 80 % power: the effect whose
interval would lie beyond m in 80 % of repeated runs with this n and this seed spread (taken as
the true one), from the non-central t distribution at the interval's degrees of freedom.

The intervals are Student t intervals over seeds: for one quantity, mean ± t·s/√n; for two
groups, Welch's interval for the difference of means; for ratios, the same on the logarithms
(a ratio of geometric means). Each carries its standard error ``se`` (of the logarithm, for
ratios).

In memory an interval with fewer than two values in a group is unbounded (lo −inf, hi +inf,
half-width +inf). The summaries are strict JSON: ``interval_json`` writes such an interval with
``"bounded": false`` and null for its infinite ends, ``interval_from_json`` reads it back, and
``judge`` stores its rows so (with ``detectable`` and the p-values null when the interval is
unbounded).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, stats

SUPPORTS, SMALLER, CONTRADICTS, CANNOT_TELL = "supports", "smaller than claimed", "contradicts", "cannot tell"
NOT_TESTED, NOT_RUN = "not tested", "not run"
VERDICTS = (SUPPORTS, SMALLER, CONTRADICTS, CANNOT_TELL, NOT_TESTED, NOT_RUN)
DECIDED = (SUPPORTS, SMALLER, CONTRADICTS)
LEVEL = 0.95
ALPHA = 0.05  # 1 − LEVEL: the per-claim and the family-wise level
POWER = 0.8

# ---------------------------------------------------------------------------------------------
# Student's t distribution, from scipy.stats.


def t_quantile(p, df):
    """The t with P(T ≤ t) = p (0 < p < 1) for Student's t with ``df`` (> 0, not necessarily
    whole) degrees of freedom (``scipy.stats.t.ppf``)."""
    if not 0.0 < p < 1.0 or not df > 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    return float(stats.t.ppf(p, df))


# ---------------------------------------------------------------------------------------------
# Intervals. Each is a dict: estimate, lo, hi, half_width, n (per group), df, method.


def _finite(values):
    v = np.asarray(values, dtype=float).ravel()
    return v[np.isfinite(v)]


def _interval(estimate, se, df, n, method, level=LEVEL):
    if df is None or not df > 0 or not math.isfinite(se):
        return {"estimate": estimate, "lo": -math.inf, "hi": math.inf, "half_width": math.inf, "se": math.inf,
                "n": n, "df": df, "method": method, "level": level}
    hw = t_quantile(0.5 + level / 2.0, df) * se
    return {"estimate": estimate, "lo": estimate - hw, "hi": estimate + hw, "half_width": hw, "se": se,
            "n": n, "df": df, "method": method, "level": level}


def mean_interval(values, level=LEVEL):
    """Student t interval for the mean of per-seed values (non-finite values are left out; with
    fewer than two the interval is unbounded)."""
    v = _finite(values)
    if not v.size:
        return None
    se = float(np.std(v, ddof=1) / math.sqrt(v.size)) if v.size > 1 else math.inf
    return _interval(float(v.mean()), se, v.size - 1 if v.size > 1 else None, [int(v.size)], "t", level)


def welch_from_stats(mean_a, sd_a, n_a, mean_b, sd_b, n_b, level=LEVEL):
    """Welch's interval for mean_a − mean_b from each group's mean, standard deviation (ddof 1)
    and size."""
    if n_a < 2 or n_b < 2:
        return _interval(mean_a - mean_b, math.inf, None, [n_a, n_b], "welch", level)
    va, vb = sd_a**2 / n_a, sd_b**2 / n_b
    se = math.sqrt(va + vb)
    if se == 0.0:
        return {"estimate": mean_a - mean_b, "lo": mean_a - mean_b, "hi": mean_a - mean_b, "half_width": 0.0,
                "se": 0.0, "n": [n_a, n_b], "df": n_a + n_b - 2, "method": "welch", "level": level}
    df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    return _interval(mean_a - mean_b, se, df, [n_a, n_b], "welch", level)


def difference_interval(a, b, level=LEVEL):
    """Welch's interval for mean(a) − mean(b) over per-seed values (non-finite left out)."""
    a, b = _finite(a), _finite(b)
    if not a.size or not b.size:
        return None
    sd = lambda v: float(np.std(v, ddof=1)) if v.size > 1 else 0.0  # noqa: E731
    return welch_from_stats(float(a.mean()), sd(a), a.size, float(b.mean()), sd(b), b.size, level)


def _exp(interval, method):
    if interval is None:
        return None
    out = dict(interval)
    out.update({"estimate": math.exp(interval["estimate"]), "lo": math.exp(interval["lo"]) if
                math.isfinite(interval["lo"]) else 0.0, "hi": math.exp(interval["hi"]) if
                math.isfinite(interval["hi"]) else math.inf,
                "half_width_factor": math.exp(interval["half_width"]) if math.isfinite(interval["half_width"])
                else math.inf, "method": method})
    return out


# The fields that are infinite in an unbounded interval, with their value.
UNBOUNDED = {"lo": -math.inf, "hi": math.inf, "half_width": math.inf, "half_width_factor": math.inf,
             "se": math.inf}


def interval_json(interval):
    """An interval as the summaries write it (strict JSON): the same dict plus ``bounded``; in an
    unbounded one the infinite fields of UNBOUNDED are null. None stays None."""
    if interval is None:
        return None
    bounded = math.isfinite(interval["half_width"])
    return {**{k: None if k in UNBOUNDED and not math.isfinite(v) else v for k, v in interval.items()},
            "bounded": bounded}


def interval_from_json(interval):
    """``interval_json`` reversed: the nulls of an unbounded interval back to their infinities."""
    if interval is None:
        return None
    return {k: UNBOUNDED[k] if v is None and k in UNBOUNDED else v for k, v in interval.items()}


def _log_positive(values):
    v = _finite(values)
    if np.any(v <= 0):
        raise ValueError("a ratio interval needs positive values")
    return np.log(v)


def geometric_mean_interval(values, level=LEVEL):
    """The t interval of mean ln(values), back-transformed: an interval for the geometric mean
    of positive per-seed values (e.g. a last/first ratio). ``half_width_factor`` = e^half-width."""
    return _exp(mean_interval(_log_positive(values), level), "t on logs")


def ratio_interval(a, b, level=LEVEL):
    """Welch's interval on the logarithms, back-transformed: an interval for the ratio of the
    geometric means of two groups of positive per-seed values."""
    return _exp(difference_interval(_log_positive(a), _log_positive(b), level), "welch on logs")


# ---------------------------------------------------------------------------------------------
# Preconditions.

COMPARISONS = {">=": lambda v, t: v >= t, "<=": lambda v, t: v <= t, "==": lambda v, t: v == t}


def precondition(name, value, threshold, comparison=">="):
    """One declared condition of a claim's test: ``value`` must be ``comparison`` ``threshold``
    (">=", "<=", "=="); a value that is None or not finite fails. Returns {name, value,
    threshold, comparison, met} (a non-finite value written as None)."""
    if comparison not in COMPARISONS:
        raise ValueError(f"comparison must be one of {sorted(COMPARISONS)}, got {comparison!r}")
    finite = value is not None and (isinstance(value, bool) or math.isfinite(float(value)))
    met = bool(finite and COMPARISONS[comparison](value, threshold))
    return {"name": name, "value": value if finite else None, "threshold": threshold, "comparison": comparison,
            "met": met}


def failed_text(conditions):
    """The failed preconditions in words: 'name 0.06 (needs ≥ 0.75); ...' ('' if none failed)."""
    sign = {">=": "≥", "<=": "≤", "==": "="}

    def num(x):
        return ("none" if x is None else ("yes" if x else "no") if isinstance(x, bool) else str(x)
                if isinstance(x, int) else f"{x:.3g}")

    return "; ".join(f"{c['name']} {num(c['value'])} (needs {sign[c['comparison']]} {num(c['threshold'])})"
                     for c in conditions if not c["met"])


# ---------------------------------------------------------------------------------------------
# The decision rule.


def _sides(side):
    if side not in ("above", "below"):
        raise ValueError(f"side must be 'above' or 'below', got {side!r}")
    return (lambda x, b: x > b) if side == "above" else (lambda x, b: x < b)


def decide(interval, minimal, side, null=None):
    """SUPPORTS / SMALLER / CONTRADICTS / CANNOT_TELL for a claim "effect > minimal" (side
    'above') or "effect < minimal" (side 'below'), from the effect's interval (NOT_RUN without
    one). ``null``: the value of no effect, on the other side of ``minimal`` (or equal to it);
    without it the claim is a bound and SMALLER does not arise."""
    beyond = _sides(side)
    if null is not None and beyond(null, minimal):
        raise ValueError(f"no effect ({null}) must not lie on the claim's side of the minimal effect ({minimal})")
    if interval is None:
        return NOT_RUN
    near, far = (interval["lo"], interval["hi"]) if side == "above" else (interval["hi"], interval["lo"])
    if beyond(near, minimal):
        return SUPPORTS
    if null is None:
        return CONTRADICTS if beyond(minimal, far) else CANNOT_TELL
    if beyond(null, far):
        return CONTRADICTS
    return SMALLER if beyond(minimal, far) else CANNOT_TELL


def decide_band(interval, band, contradict_below=True):
    """A claim "the effect lies inside band = (low, high)": SUPPORTS if the interval lies inside
    the band, CONTRADICTS if it lies wholly above it (or wholly below it, unless
    ``contradict_below`` is False: then below the band is CANNOT_TELL, e.g. "not seen yet"),
    else CANNOT_TELL."""
    if interval is None:
        return NOT_RUN
    low, high = band
    if interval["lo"] >= low and interval["hi"] <= high:
        return SUPPORTS
    if interval["lo"] > high or (contradict_below and interval["hi"] < low):
        return CONTRADICTS
    return CANNOT_TELL


def _scale(interval, value, log):
    """(estimate, value) on the interval's analysis scale (logarithms for a ratio interval)."""
    return (math.log(interval["estimate"]), math.log(value)) if log else (interval["estimate"], value)


def p_beyond(interval, boundary, side, log=False):
    """Two-sided-equivalent p-value of "the effect lies beyond ``boundary`` on ``side``": twice
    the one-sided t tail (capped at 1), so p < 5 % exactly when the 95 % interval lies wholly
    beyond the boundary. None for an unbounded interval; 0 or 1 for an interval of width 0."""
    beyond = _sides(side)
    se, df = interval.get("se"), interval.get("df")
    if se is None or not math.isfinite(se) or df is None:
        return None
    est, b = _scale(interval, boundary, log)
    if se == 0.0:
        return 0.0 if beyond(est, b) else 1.0
    t = (est - b) / se
    return float(min(1.0, 2.0 * (stats.t.sf(t, df) if side == "above" else stats.t.cdf(t, df))))


def decisive_p(interval, verdict, *, minimal=None, side=None, null=None, band=None, log=False):
    """The p-value of the test on which ``verdict`` rests: SUPPORTS, beyond the minimal effect on
    the claim's side; SMALLER, short of it; CONTRADICTS, past no effect (or past the minimal
    effect for a bound); for a band, inside both edges (the larger p) or outside one. CANNOT_TELL:
    the smallest of the candidates (never below 5 %). None without a bounded interval."""
    if interval is None or p_beyond(interval, 1.0 if log else 0.0, "above", log) is None:
        return None
    if band is not None:
        low, high = band
        inside = max(p_beyond(interval, low, "above", log), p_beyond(interval, high, "below", log))
        outside = min(p_beyond(interval, high, "above", log), p_beyond(interval, low, "below", log))
        return inside if verdict == SUPPORTS else outside if verdict == CONTRADICTS else min(inside, outside)
    other = "below" if side == "above" else "above"
    candidates = {SUPPORTS: p_beyond(interval, minimal, side, log),
                  SMALLER: p_beyond(interval, minimal, other, log) if null is not None else None,
                  CONTRADICTS: p_beyond(interval, minimal if null is None else null, other, log)}
    if verdict in candidates:
        return candidates[verdict]
    return min(p for p in candidates.values() if p is not None)


def holm(p_values):
    """Holm's step-down adjusted p-values, in the order given: the i-th smallest p times
    (m − i + 1), made non-decreasing in that order and capped at 1. Rejecting where the adjusted
    p is below α keeps the family-wise error rate at most α."""
    p = np.asarray(p_values, dtype=float)
    m = p.size
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = adjusted
    return out.tolist()


def apply_family(claims, alpha=ALPHA):
    """Holm's correction over the claims tested together (dicts from ``judge``; those NOT_TESTED
    or NOT_RUN are not in the family; a tested claim without a p-value counts as p = 1). Sets
    each tested claim's ``p_holm`` and ``verdict_per_claim``; a decided verdict whose adjusted p
    is not below ``alpha`` becomes CANNOT_TELL with a ``family_note``. Returns the family's
    account: how many claims, tested, decided per claim and after the correction."""
    claims = list(claims)
    tested = [c for c in claims if c["verdict"] not in (NOT_TESTED, NOT_RUN)]
    adjusted = holm([1.0 if c["p_value"] is None else c["p_value"] for c in tested]) if tested else []
    for c, p in zip(tested, adjusted):
        c["p_holm"], c["verdict_per_claim"] = p, c["verdict"]
        if c["verdict"] in DECIDED and not p < alpha:
            c["verdict"] = CANNOT_TELL
            c["family_note"] = (f"{c['verdict_per_claim']} at the per-claim {100 * LEVEL:.0f} % level "
                                f"(p = {c['p_value']:.3g}), "
                                f"not after Holm's correction over {len(tested)} claims (adjusted p = {p:.3g})")
    return {"rule": "Holm", "alpha": alpha, "claims": len(claims), "tested": len(tested),
            "not_tested": sum(c["verdict"] == NOT_TESTED for c in claims),
            "decided_per_claim": sum(c["verdict_per_claim"] in DECIDED for c in tested),
            "decided_after_correction": sum(c["verdict"] in DECIDED for c in tested)}


MAX_SEEDS_TO_DECIDE = 200  # seeds_to_decide looks no further


def power_shift(df, level=LEVEL, power=POWER):
    """How many standard errors beyond a boundary a true effect must lie for the level-``level``
    interval to lie beyond it with probability ``power``: the non-centrality δ with
    P(T′(df, δ) > t_(1+level)/2) = power (``scipy.stats.nct``). Large df: z₀.₉₇₅ + z₀.₈ ≈ 2.80."""
    crit = t_quantile(0.5 + level / 2.0, df)
    return float(optimize.brentq(lambda nc: stats.nct.sf(crit, df, nc) - power, 0.0, crit + 50.0))


def detectable(interval, minimal, side, log=False, power=POWER):
    """The effect this run would detect with ``power`` (80 %): the minimal effect moved towards
    the claim's side by ``power_shift`` standard errors (by the factor e^(shift·se) for intervals
    on logs), the observed seed spread taken as the true one. None for an unbounded interval."""
    if interval is None or not math.isfinite(interval.get("se", math.inf)) or interval["df"] is None:
        return None
    shift = power_shift(interval["df"], interval.get("level", LEVEL), power) * interval["se"]
    sign = 1.0 if side == "above" else -1.0
    return minimal * math.exp(sign * shift) if log else minimal + sign * shift


def detectable_band(interval, band, log=False, power=POWER):
    """For a band claim: the band narrowed at each edge by ``power_shift`` standard errors (an
    effect inside it is found inside the band with about ``power``), or None."""
    low = detectable(interval, band[0], "above", log, power)
    high = detectable(interval, band[1], "below", log, power)
    return None if low is None else [low, high]


def seeds_to_decide(interval, minimal, power=POWER, max_seeds=MAX_SEEDS_TO_DECIDE):
    """Seeds per group at which a difference of two groups' means would be decided with ``power``
    (80 %), the observed seed spread taken as the true one: the smallest n with power_shift(df(n))
    · se(n) ≤ |minimal|, se(n) = se·√(n₀/n) and df(n) = df·(n − 1)/(n₀ − 1) for the n₀ seeds per
    group of ``interval``. At that n an effect of twice the minimal is found beyond it, and for a
    band ±minimal a true difference of zero is found inside it, each in 80 % of runs. None for an
    unbounded interval or when more than ``max_seeds`` would be needed."""
    if interval is None or not math.isfinite(interval.get("se", math.inf)) or interval.get("df") is None:
        return None
    n0 = min(interval["n"])
    if n0 < 2:
        return None
    if interval["se"] == 0.0:
        return n0
    for n in range(2, max_seeds + 1):
        df = interval["df"] * (n - 1) / (n0 - 1)
        if power_shift(df, interval.get("level", LEVEL), power) * interval["se"] * math.sqrt(n0 / n) <= abs(minimal):
            return n
    return None


def all_of(verdicts):
    """A claim made of parts: NOT_TESTED if any part was not tested, CONTRADICTS if any part
    contradicts, SUPPORTS if every part supports, SMALLER if every part supports or is smaller,
    else CANNOT_TELL. Parts that were not run are ignored (NOT_RUN if all are)."""
    verdicts = [v for v in verdicts if v != NOT_RUN]
    if not verdicts:
        return NOT_RUN
    for v in (NOT_TESTED, CONTRADICTS):
        if v in verdicts:
            return v
    if all(v == SUPPORTS for v in verdicts):
        return SUPPORTS
    return SMALLER if all(v in (SUPPORTS, SMALLER) for v in verdicts) else CANNOT_TELL


def kendall_tau(x, y):
    """Kendall's τ-b between two sequences (ties allowed; +inf is a value like any other); NaN
    if either sequence is constant."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(stats.kendalltau(x, y).statistic)


def judge(claim, *, source, where, tested_as_stated, deviations, measure, interval, minimal, side=None,
          band=None, null=None, log=False, contradict_below=True, ran=False, preconditions=(), **extra):
    """One row of the verdict table as a dict: the claim with its place in the paper, how it was
    tested, its ``preconditions`` (from ``precondition``), the effect with its interval, the
    minimal effect, the effect detectable with 80 % power, the p-value of the decisive test and
    the verdict by ``decide`` (``side``, ``null``) or ``decide_band`` (``band``): NOT_TESTED, with
    ``not_tested_because``, when a precondition failed. ``ran``: the runs were made but left no
    effect to measure (e.g. all diverged or stuck): CANNOT_TELL rather than NOT_RUN. The row is
    strict JSON: the interval as ``interval_json`` writes it, ``detectable`` and ``p_value`` None
    when the interval is unbounded (too few seeds)."""
    if (side is None) == (band is None):
        raise ValueError("judge needs exactly one of side= or band=")
    if band is not None:
        verdict = decide_band(interval, band, contradict_below)
        smallest = detectable_band(interval, band, log)
        rule = f"decide_band({list(band)})"
    else:
        verdict = decide(interval, minimal, side, null)
        smallest = detectable(interval, minimal, side, log)
        rule = f"decide(side={side!r}, minimal={minimal:g}" + ("" if null is None else f", null={null:g}") + ")"
    if verdict == NOT_RUN and ran:
        verdict = CANNOT_TELL
    p = None if verdict == NOT_RUN else decisive_p(interval, verdict, minimal=minimal, side=side, null=null,
                                                  band=band, log=log)
    conditions = list(preconditions)
    failed = failed_text(conditions)
    if failed and verdict != NOT_RUN:
        verdict = NOT_TESTED
    return {"claim": claim, "source": source, "where": where, "tested_as_stated": tested_as_stated,
            "deviations": list(deviations), "measure": measure, "preconditions": conditions,
            "not_tested_because": failed or None, "interval": interval_json(interval),
            "minimal": list(band) if band is not None else minimal, "null": null, "side": side or "inside",
            "log_scale": log, "detectable": smallest, "p_value": p, "rule": rule, "verdict": verdict, **extra}


# The chapter's E1 reading, decided by the same rule: (deeper, shallower, minimal effect in
# accuracy points, side, no effect). The book: two hidden layers beat one (96.90 % against
# 96.48 %), four are no better than two (96.53 %): a bound, without a no-effect value.
E1_READINGS = {"two_vs_one": (2, 1, 0.2, "above", 0.0), "four_vs_two": (4, 2, 0.2, "below", None)}
# Differences read alongside, without a claim: (deeper, shallower).
E1_OTHER_DIFFERENCES = {"three_vs_two": (3, 2), "four_vs_one": (4, 1), "three_vs_one": (3, 1)}


def direction(interval, null=0.0):
    """'higher' or 'lower' if the interval lies wholly above or below ``null``, else None."""
    if interval is None:
        return None
    return "higher" if interval["lo"] > null else "lower" if interval["hi"] < null else None


def e1_readings(accuracy_stats):
    """E1: for each reading of E1_READINGS whose depths ran, Welch's interval of the difference of
    mean final accuracy (deeper − shallower), its verdict, the effect detectable with 80 % power
    and whether the interval excludes no difference (``direction``); and the same intervals for
    the pairs of E1_OTHER_DIFFERENCES (no verdict). ``accuracy_stats`` maps hidden layers to
    {mean, std, n} of the final validation accuracy over seeds."""
    def welch(deep, shallow):
        a, b = accuracy_stats[deep], accuracy_stats[shallow]
        return welch_from_stats(a["mean"], a["std"], a["n"], b["mean"], b["std"], b["n"])

    out = {}
    for name, (deep, shallow, minimal, side, null) in E1_READINGS.items():
        if deep in accuracy_stats and shallow in accuracy_stats:
            i = welch(deep, shallow)
            out[name] = {"interval": i, "minimal": minimal, "side": side, "verdict": decide(i, minimal, side, null),
                         "detectable": detectable(i, minimal, side), "direction": direction(i)}
    for name, (deep, shallow) in E1_OTHER_DIFFERENCES.items():
        if deep in accuracy_stats and shallow in accuracy_stats:
            i = welch(deep, shallow)
            out[name] = {"interval": i, "direction": direction(i), "deeper": deep, "shallower": shallow}
    return out


RULES = {f.__name__: f.__doc__ for f in (precondition, decide, decide_band, decisive_p, holm, apply_family,
                                         detectable, all_of, mean_interval, difference_interval,
                                         geometric_mean_interval, ratio_interval, kendall_tau, e1_readings,
                                         interval_json)}
