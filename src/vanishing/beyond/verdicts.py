"""The decision rule of the beyond experiments: 95 % intervals for an effect over seeds, judged
against a minimal effect declared per claim before the run. Pure functions of numbers, unit-tested
on hand-made values; nothing here reads files or knows about the experiments.

The rule (``decide``). A claim says an effect lies on one side of a minimal effect m ("above":
effect > m, "below": effect < m), or inside a band. With [lo, hi] the 95 % interval of the effect:

    SUPPORTS     the interval lies wholly beyond m on the claim's side (lo > m for "above")
    CONTRADICTS  it lies wholly on the other side (hi < m for "above")
    CANNOT_TELL  it contains m

The intervals are Student t intervals over seeds: for one quantity, mean ± t·s/√n; for two
groups, Welch's interval for the difference of means; for ratios, the same on the logarithms
(a ratio of geometric means). The smallest effect a run could have detected is m moved by the
interval's half-width towards the claim's side: an estimate beyond it would have decided.

In memory an interval with fewer than two values in a group is unbounded (lo −inf, hi +inf,
half-width +inf). The summaries are strict JSON: ``interval_json`` writes such an interval with
``"bounded": false`` and null for its infinite ends, ``interval_from_json`` reads it back, and
``judge`` stores its rows so (with ``detectable`` null when the interval is unbounded).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

SUPPORTS, CONTRADICTS, CANNOT_TELL, NOT_RUN = "supports", "contradicts", "cannot tell", "not run"
VERDICTS = (SUPPORTS, CONTRADICTS, CANNOT_TELL, NOT_RUN)
LEVEL = 0.95

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
        return {"estimate": estimate, "lo": -math.inf, "hi": math.inf, "half_width": math.inf,
                "n": n, "df": df, "method": method, "level": level}
    hw = t_quantile(0.5 + level / 2.0, df) * se
    return {"estimate": estimate, "lo": estimate - hw, "hi": estimate + hw, "half_width": hw,
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
                "n": [n_a, n_b], "df": n_a + n_b - 2, "method": "welch", "level": level}
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
UNBOUNDED = {"lo": -math.inf, "hi": math.inf, "half_width": math.inf, "half_width_factor": math.inf}


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
# The decision rule.


def decide(interval, minimal, side):
    """SUPPORTS / CONTRADICTS / CANNOT_TELL for a claim "effect > minimal" (side 'above') or
    "effect < minimal" (side 'below'), from the effect's interval (NOT_RUN without one)."""
    if side not in ("above", "below"):
        raise ValueError(f"side must be 'above' or 'below', got {side!r}")
    if interval is None:
        return NOT_RUN
    lo, hi = interval["lo"], interval["hi"]
    beyond, against = (lo > minimal, hi < minimal) if side == "above" else (hi < minimal, lo > minimal)
    return SUPPORTS if beyond else CONTRADICTS if against else CANNOT_TELL


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


def detectable(interval, minimal, side, log=False):
    """The smallest effect this run could have detected: the minimal effect moved by the
    interval's half-width towards the claim's side (by its factor, for intervals on logs). An
    estimate beyond it would have made the interval lie beyond the minimal effect."""
    if interval is None:
        return None
    sign = 1.0 if side == "above" else -1.0
    if log:
        return minimal * interval["half_width_factor"] ** sign
    return minimal + sign * interval["half_width"]


def all_of(verdicts):
    """A claim made of parts: CONTRADICTS if any part contradicts, SUPPORTS if every part
    supports, else CANNOT_TELL. Parts that were not run are ignored (NOT_RUN if all are)."""
    verdicts = [v for v in verdicts if v != NOT_RUN]
    if not verdicts:
        return NOT_RUN
    if CONTRADICTS in verdicts:
        return CONTRADICTS
    return SUPPORTS if all(v == SUPPORTS for v in verdicts) else CANNOT_TELL


def kendall_tau(x, y):
    """Kendall's τ-b between two sequences (ties allowed; +inf is a value like any other); NaN
    if either sequence is constant."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if np.all(x == x[0]) or np.all(y == y[0]):
        return float("nan")
    return float(stats.kendalltau(x, y).statistic)


def judge(claim, *, source, where, tested_as_stated, deviations, measure, interval, minimal, side=None,
          band=None, log=False, contradict_below=True, ran=False, **extra):
    """One row of the verdict table as a dict: the claim with its place in the paper, how it was
    tested, the effect with its interval, the minimal effect, the smallest detectable effect and
    the verdict by ``decide`` (``side``) or ``decide_band`` (``band``). ``ran``: the runs were made
    but left no effect to measure (e.g. all diverged or stuck): CANNOT_TELL rather than NOT_RUN. The row is
    strict JSON: the interval as ``interval_json`` writes it, ``detectable`` None when the interval
    is unbounded (too few seeds)."""
    if (side is None) == (band is None):
        raise ValueError("judge needs exactly one of side= or band=")
    if band is not None:
        verdict = decide_band(interval, band, contradict_below)
        hw = None if interval is None else (interval["half_width_factor"] if log else interval["half_width"])
        smallest = None if hw is None else ([band[0] * hw, band[1] / hw] if log else [band[0] + hw, band[1] - hw])
        rule = f"decide_band({list(band)})"
    else:
        verdict = decide(interval, minimal, side)
        smallest = detectable(interval, minimal, side, log)
        rule = f"decide(side={side!r}, minimal={minimal:g})"
    if verdict == NOT_RUN and ran:
        verdict = CANNOT_TELL
    if interval is not None and not math.isfinite(interval["half_width"]):
        smallest = None  # an unbounded interval: no effect could have been detected
    return {"claim": claim, "source": source, "where": where, "tested_as_stated": tested_as_stated,
            "deviations": list(deviations), "measure": measure, "interval": interval_json(interval),
            "minimal": list(band) if band is not None else minimal, "side": side or "inside", "log_scale": log,
            "detectable": smallest, "rule": rule, "verdict": verdict, **extra}


# The chapter's E1 reading, decided by the same rule: (deeper, shallower, minimal effect in
# accuracy points, side). The book: two hidden layers beat one (96.90 % against 96.48 %), four
# are no better than two (96.53 %).
E1_READINGS = {"two_vs_one": (2, 1, 0.2, "above"), "four_vs_two": (4, 2, 0.2, "below")}


def e1_readings(accuracy_stats):
    """E1: for each reading of E1_READINGS whose depths ran, Welch's interval of the difference of
    mean final accuracy (deeper − shallower) and its verdict. ``accuracy_stats`` maps hidden layers
    to {mean, std, n} of the final validation accuracy over seeds."""
    out = {}
    for name, (deep, shallow, minimal, side) in E1_READINGS.items():
        if deep in accuracy_stats and shallow in accuracy_stats:
            a, b = accuracy_stats[deep], accuracy_stats[shallow]
            i = welch_from_stats(a["mean"], a["std"], a["n"], b["mean"], b["std"], b["n"])
            out[name] = {"interval": i, "minimal": minimal, "side": side, "verdict": decide(i, minimal, side),
                         "detectable": detectable(i, minimal, side)}
    return out


RULES = {f.__name__: f.__doc__ for f in (decide, decide_band, detectable, all_of, mean_interval,
                                         difference_interval, geometric_mean_interval, ratio_interval, kendall_tau,
                                         e1_readings, interval_json)}
