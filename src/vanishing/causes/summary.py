"""The numbers the report's cause sections quote, and the explicit rules that read them.

Verdict rules (thresholds stored in the summary):
- eq. (124)'s prediction *holds* for an activation × init when the predicted per-layer gain lies
  inside the measured gain's 95 % interval, is *close* when it is off by less than CLOSE (10 %),
  and *fails* otherwise; the decay is *exponential* when the straight-line fits of ln ‖δʲ‖ against
  j explain at least EXPONENTIAL_R2 of its variance on average.
- a Jacobian mean singular value *agrees* with Glorot & Bengio's published value when within
  PUBLISHED_TOLERANCE of it.
- the gap between the last and the first hidden layer's speeds is *closed* when below CLOSED_GAP.
- the first hidden layer's learning *matters* when freezing it costs more than FROZEN_MARGIN
  points of validation accuracy: the Welch interval over seeds of the final accuracy, all layers
  trained minus all but the first, judged by the beyond chapter's rule (``verdicts.judge``).

Preconditions (each claim's ``preconditions``, as ``verdicts.precondition`` writes them; a failed
one makes a verdict "not tested"): at least MIN_SEEDS seeds; for the layerwise claim, both compared
nets have left the initial plateau in every seed (the worst seed's final training cost at least
PLATEAU_MARGIN below PLATEAU, the cost of a constant 0.1 output: a mean would let one seed still on
the plateau pass) — before that, the gap measures how long a net sits on the plateau,
not whether the first layer's learning is needed.
"""

from __future__ import annotations

import math

import numpy as np

from vanishing.beyond.verdicts import NOT_TESTED, difference_interval, judge, precondition
from vanishing.pipeline.table_digests import read_table
from .depth_sweep import t975
from .jacobian import PUBLISHED, PUBLISHED_ACTIVATION

CLOSE = 0.10
EXPONENTIAL_R2 = 0.95
PUBLISHED_TOLERANCE = 0.1
CLOSED_GAP = 2.0
FROZEN_MARGIN = 5.0
MIN_SEEDS = 3
PLATEAU = -math.log(0.1) - 9 * math.log(0.9)  # cross-entropy of a constant 0.1 output: 3.2508
PLATEAU_MARGIN = 0.25


def _not_tested(verdict, preconditions):
    """``verdict``, or NOT_TESTED when a precondition failed."""
    return verdict if all(c["met"] for c in preconditions) else NOT_TESTED


def _interval(values):
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    half = t975(v.size - 1) * float(v.std(ddof=1)) / np.sqrt(v.size) if v.size > 1 else float("nan")
    return {"mean": mean, "low": mean - half, "high": mean + half, "n": int(v.size)}


def prediction_verdict(measured, low, high, predicted, close=CLOSE):
    """holds (inside the interval), close (within ``close`` relative), or fails."""
    if low <= predicted <= high:
        return "holds"
    return "close" if abs(predicted / measured - 1.0) <= close else "fails"


def summarize_factors(factors):
    """Per activation × init at the deepest depth: measured and predicted gain with intervals, the
    simple estimate, the fit's R², and the spread of the measured gain over depths."""
    out = []
    for (act, init), g in factors.groupby(["activation", "init"], sort=False):
        deepest = g.loc[g["hidden_layers"].idxmax()]
        conditions = [precondition("seeds at the deepest depth", int(deepest["seeds"]), MIN_SEEDS)]
        simple_off = float(deepest["simple_gain"] / deepest["measured_gain"] - 1.0)
        out.append({
            "activation": act, "init": init, "hidden_layers": int(deepest["hidden_layers"]),
            "seeds": int(deepest["seeds"]),
            **{c: float(deepest[c]) for c in ("measured_gain", "measured_low", "measured_high", "predicted_gain",
                                              "predicted_low", "predicted_high", "simple_gain", "r2")},
            "gain_min_over_depths": float(g["measured_gain"].min()),
            "gain_max_over_depths": float(g["measured_gain"].max()),
            "by_depth": [{"hidden_layers": int(r["hidden_layers"]), "measured_gain": float(r["measured_gain"]),
                          "measured_low": float(r["measured_low"]), "measured_high": float(r["measured_high"]),
                          "predicted_gain": float(r["predicted_gain"])} for _, r in g.iterrows()],
            # The per-example ratio is the chain rule the measurement is made of: a check of the code.
            "verdict": _not_tested(prediction_verdict(deepest["measured_gain"], deepest["measured_low"],
                                                      deepest["measured_high"], deepest["predicted_gain"]),
                                   conditions),
            # The simple estimate is the independent prediction: within CLOSE of the measured gain?
            "simple_off": simple_off,
            "simple_verdict": _not_tested("holds" if abs(simple_off) <= CLOSE else "fails", conditions),
            "preconditions": conditions,
            "exponential": bool(g["r2"].mean() >= EXPONENTIAL_R2),
            "r2_mean_over_depths": float(g["r2"].mean()),
        })
    return out


def summarize_sweep(sweep):
    """Per activation × init, the deepest net's speed of every hidden layer (geometric mean over seeds,
    as the depth-sweep figure draws it and the per-layer gain is fitted, on logarithms) and rms σ′."""
    out = {}
    for (act, init), g in sweep.groupby(["activation", "init"], sort=False):
        k = int(g["hidden_layers"].max())
        deep = g[g["hidden_layers"] == k]
        out[f"{act}_{init}"] = {"hidden_layers": k,
                                "speed": np.exp(np.log(deep["speed"]).groupby(deep["layer"]).mean()).tolist(),
                                "fprime_rms": float(deep["fprime_rms"].mean()),
                                "dropped_max": float(g["dropped"].max())}
    return out


def summarize_jacobian(jac):
    out = []
    for (act, init), g in jac.groupby(["activation", "init"], sort=False):
        per_seed = g.groupby("seed")["mean_singular_value"].mean()
        published = PUBLISHED.get(init) if act == PUBLISHED_ACTIVATION else None  # the paper's analysis: tanh
        s = _interval(per_seed)
        conditions = [precondition("seeds", int(per_seed.size), MIN_SEEDS)]
        agrees = None if published is None else bool(abs(s["mean"] - published) <= PUBLISHED_TOLERANCE)
        out.append({"activation": act, "init": init, "mean_singular_value": s,
                    "top_singular_value": float(g["top_singular_value"].mean()), "published": published,
                    "agrees": agrees if all(c["met"] for c in conditions) else None, "preconditions": conditions})
    return out


def gaps(speeds, group):
    """Last over first hidden layer's speed per ``group`` row (speeds with columns layer, speed)."""
    wide = speeds.pivot_table(index=group, columns="layer", values="speed")
    return wide[wide.columns.max()] / wide[1]


def summarize_depth_speed(table):
    """E1: per depth ≥ 2 the last/first gap at initialization and after the first epoch (mean over
    seeds, as the chapter's E2 and E3 tables give it), and over the later epochs (median, min, max
    over epochs and seeds, as E3's)."""
    out = []
    for k, g in table[table["hidden_layers"] >= 2].groupby("hidden_layers"):
        gap = gaps(g, ["seed", "epoch"]).reset_index(name="gap")
        later = gap[gap["epoch"] >= 1]["gap"]
        out.append({"hidden_layers": int(k), "epochs": int(gap["epoch"].max()),
                    "at_init": float(gap[gap["epoch"] == 0]["gap"].mean()),
                    "epoch1": float(gap[gap["epoch"] == 1]["gap"].mean()),
                    "median": float(later.median()), "min": float(later.min()), "max": float(later.max())})
    return out


def updates_to_close(gap, closed_gap=CLOSED_GAP):
    """The first number of updates after which the gap (a Series indexed by updates) is below
    ``closed_gap``, or None if it never is."""
    below = gap[gap < closed_gap]
    return int(below.index[0]) if len(below) else None


def summarize_regime(table, section, e3_updates):
    """Per variant: the gap at initialization, after ``e3_updates`` updates (the whole of E3) and
    after the last epoch (median over seeds), the updates until the median gap first falls below
    CLOSED_GAP, and the rms σ′ of the hidden layers (all, at initialization; the first, at the end)."""
    gap = gaps(table, ["variant", "seed", "updates"]).reset_index(name="gap")
    median = gap.groupby(["variant", "updates"])["gap"].median()
    rms = table.groupby(["variant", "updates"])["fprime_rms"].mean()
    first_rms = table[table["layer"] == 1].groupby(["variant", "updates"])["fprime_rms"].mean()
    out = []
    for variant in dict.fromkeys(table["variant"]):  # the order of the runs: baseline, singles, all
        m = median.loc[variant]
        at_e3 = m[m.index <= e3_updates]
        out.append({"variant": variant, "gap_init": float(m.iloc[0]), "gap_at_e3_updates": float(at_e3.iloc[-1]),
                    "e3_updates_reached": int(at_e3.index[-1]), "gap_final": float(m.iloc[-1]),
                    "updates_final": int(m.index[-1]), "updates_to_close": updates_to_close(m),
                    "closed": bool(m.iloc[-1] < CLOSED_GAP),
                    "fprime_rms_init": float(rms.loc[variant].iloc[0]),
                    "fprime_rms_first_final": float(first_rms.loc[variant].iloc[-1])})
    epochs = int(round(table["epoch"].max()))
    return {"epochs": epochs, "variants": out, "e3_updates": int(e3_updates),
            "train_size": int(section["train_size"])}


def summarize_layerwise(table):
    """Per trained-layer choice: the training cost at the start and after the last epoch and the
    validation accuracy then (mean over seeds), and the cost drop; the claim "freezing the first
    hidden layer costs more than FROZEN_MARGIN points", judged among nets that left the plateau."""
    last = int(table["epoch"].max())
    out = []
    for name, g in table.groupby("trained", sort=False):
        start = g[g["epoch"] == 0]["training_cost"].mean()
        end = g[g["epoch"] == last]
        out.append({"trained": name, "cost_start": float(start), "cost_final": float(end["training_cost"].mean()),
                    "cost_drop": float(start - end["training_cost"].mean()),
                    "cost_final_worst": float(end["training_cost"].max()),
                    "accuracy_final": float(end["validation_accuracy"].mean()), "seeds": int(end["seed"].nunique())})
    runs = {r["trained"]: r for r in out}
    claim = None
    if "all" in runs and "all_but_first" in runs:
        final = table[table["epoch"] == last]

        def accuracy(name):
            return final[final["trained"] == name].sort_values("seed")["validation_accuracy"].to_numpy()

        left = table[(table["trained"] == "all") & (table["training_cost"] < PLATEAU - PLATEAU_MARGIN)]
        claim = judge(
            "Freezing the slow first hidden layer costs accuracy: its small updates are needed (not near an "
            "optimum).", source="Nielsen (2015), ch. 5", where="the chapter's question about the slow early layers",
            tested_as_stated="partly", deviations=[f"{last} epochs"],
            measure="final validation accuracy (points), all layers trained − all but the first",
            interval=difference_interval(accuracy("all"), accuracy("all_but_first")), minimal=FROZEN_MARGIN,
            side="above", null=0.0,
            preconditions=[precondition("seeds", min(runs["all"]["seeds"], runs["all_but_first"]["seeds"]), MIN_SEEDS),
                           precondition("all-layers net's final training cost, worst seed (left the plateau)",
                                        runs["all"]["cost_final_worst"], PLATEAU - PLATEAU_MARGIN, "<="),
                           precondition("all-but-first net's final training cost, worst seed (left the plateau)",
                                        runs["all_but_first"]["cost_final_worst"], PLATEAU - PLATEAU_MARGIN, "<=")],
            epoch_left_plateau=int(left["epoch"].min()) if len(left) else None)
    return {"epochs": last, "runs": out, "plateau": PLATEAU, "plateau_margin": PLATEAU_MARGIN, "claim": claim}


def summarize(tables, config, e3_updates):
    """Everything: ``tables`` maps the table names of rule causes_summary to DataFrames;
    ``e3_updates`` is the number of updates of E3's runs (one per epoch)."""
    return {
        "thresholds": {"close": CLOSE, "exponential_r2": EXPONENTIAL_R2,
                       "published_tolerance": PUBLISHED_TOLERANCE, "closed_gap": CLOSED_GAP,
                       "frozen_margin": FROZEN_MARGIN, "min_seeds": MIN_SEEDS, "plateau": PLATEAU,
                       "plateau_margin": PLATEAU_MARGIN},
        "factors": summarize_factors(tables["causes_factors"]),
        "sweep": summarize_sweep(tables["causes_depth_sweep"]),
        "jacobian": summarize_jacobian(tables["causes_jacobian"]),
        "published_singular_values": PUBLISHED,
        "depth_speed": summarize_depth_speed(tables["depth_speed"]),
        "regime": summarize_regime(tables["causes_regime"], config["regime"], e3_updates),
        "layerwise": summarize_layerwise(tables["causes_layerwise"]),
        "config": config,
    }


def read_tables(paths):
    """The tables at ``paths`` (name -> path), each checked against its digest first."""
    return {name: read_table(path) for name, path in paths.items()}
