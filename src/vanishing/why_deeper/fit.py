"""Q1, optimization or generalization: do deeper nets fit the training set better, worse or the
same, and is their validation deficit one of fitting or of generalizing?

Read from E1's table (``depth_accuracy.csv``): after the last epoch, per seed, the training
accuracy (on the same ``cost_images`` training images as the training cost), the validation
accuracy and their difference, the generalization gap. For each declared pair of depths (deeper,
shallower) in FIT_PAIRS, the claim "the deeper net fits the training set as well as the
shallower one, within ±FIT_MINIMAL points" is judged by the interval rule on Welch's interval of
the difference of mean final training accuracies (a band claim: inside the band supports it,
wholly outside contradicts it), after its preconditions: at least MIN_SEEDS seeds per depth and
every run off chance (training accuracy ≥ TRAINED_ACCURACY). Holm's correction runs over the
pairs' claims. Each pair's reading in words (``fit_word``) is then "better", "worse", "the same"
or "cannot tell", and the deficit's place (``deficit_place``) follows from it and the validation
difference's direction."""

from __future__ import annotations

import pandas as pd

from vanishing.beyond import verdicts as v
from vanishing.beyond.training import TRAINED_ACCURACY
from vanishing.publication.wording import plural

# The pairs (deeper, shallower) decided, declared before the run: the book's two readings
# (two against one, four against two) and three against two.
FIT_PAIRS = ((2, 1), (3, 2), (4, 2))
FIT_MINIMAL = 0.2  # points of accuracy: the minimal effect of the chapter's E1 readings
MIN_SEEDS = 5


def final_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The last epoch's rows, one per depth and seed, with the generalization gap
    (training − validation accuracy, points)."""
    last = table[table["epoch"] == table["epoch"].max()].copy()
    last["gap"] = last["training_accuracy"] - last["validation_accuracy"]
    return last.sort_values(["hidden_layers", "seed"], kind="stable")


def _stats(values):
    s = pd.Series(values, dtype=float)
    return {"mean": float(s.mean()), "std": float(s.std(ddof=1)) if len(s) > 1 else 0.0, "n": int(len(s))}


def per_depth(last: pd.DataFrame):
    """Per depth: final training accuracy, validation accuracy and gap over seeds, and the epoch at
    which the mean training accuracy peaked."""
    return [{"hidden_layers": int(k), "training_accuracy": _stats(g["training_accuracy"]),
             "validation_accuracy": _stats(g["validation_accuracy"]), "gap": _stats(g["gap"])}
            for k, g in last.groupby("hidden_layers")]


def fit_word(claim):
    """The claim's reading: 'the same' (inside ±m), 'better' or 'worse' (wholly beyond ±m),
    'cannot tell', or 'not tested'."""
    if claim["verdict"] in (v.NOT_TESTED, v.NOT_RUN):
        return claim["verdict"]
    if claim["verdict"] == v.SUPPORTS:
        return "the same"
    if claim["verdict"] == v.CONTRADICTS:
        return "better" if claim["interval"]["estimate"] > 0 else "worse"
    return "cannot tell"


def deficit_place(word, validation_direction):
    """Where a deeper net's validation deficit lies, from its training reading (``fit_word``) and
    the direction of its validation difference (``verdicts.direction``): 'training' when it fits
    the training set worse, 'generalization' when it fits it as well or better, 'cannot tell'
    otherwise; 'no deficit' when its validation accuracy is not lower (the interval does not lie
    wholly below 0); 'not tested' when the training claim was not."""
    if word in (v.NOT_TESTED, v.NOT_RUN):
        return word
    if validation_direction != "lower":
        return "no deficit"
    return {"worse": "training", "the same": "generalization", "better": "generalization"}.get(word, "cannot tell")


def pair_claim(last: pd.DataFrame, deeper: int, shallower: int, images: int):
    """The judged claim of one pair, with the validation and gap differences beside it."""
    a, b = (last[last["hidden_layers"] == k] for k in (deeper, shallower))
    interval = v.difference_interval(a["training_accuracy"], b["training_accuracy"])
    conditions = [v.precondition(f"seeds with {plural(k, 'hidden layer')}", int(len(g)), MIN_SEEDS) for k, g in
                  ((deeper, a), (shallower, b))]
    conditions.append(v.precondition("lowest final training accuracy (%)",
                                     float(pd.concat([a, b])["training_accuracy"].min()), TRAINED_ACCURACY))
    claim = v.judge(f"{deeper} hidden layers fit the training set as well as {shallower}, within "
                    f"±{FIT_MINIMAL:g} points", source="this study", where="Q1",
                    tested_as_stated=True, deviations=[],
                    measure=f"final training accuracy on the first {images:,} training images, "
                            f"{deeper} − {shallower} hidden layers (points)",
                    interval=interval, minimal=FIT_MINIMAL, band=(-FIT_MINIMAL, FIT_MINIMAL),
                    preconditions=conditions, deeper=deeper, shallower=shallower)
    claim["seeds_to_decide"] = v.seeds_to_decide(interval, FIT_MINIMAL)
    validation = v.difference_interval(a["validation_accuracy"], b["validation_accuracy"])
    gap = v.difference_interval(a["gap"], b["gap"])
    claim["validation_difference"] = v.interval_json(validation)
    claim["validation_direction"] = v.direction(validation)
    claim["gap_difference"] = v.interval_json(gap)
    claim["gap_direction"] = v.direction(gap)
    return claim


def summarize(table: pd.DataFrame, images: int):
    """Q1's numbers: per depth, and per declared pair whose depths ran its claim (after Holm's
    correction over the pairs), its reading and where the deficit lies."""
    if "training_accuracy" not in table.columns:
        raise ValueError("depth_accuracy table has no training_accuracy column; rerun E1 to record it")
    last = final_rows(table)
    depths = set(last["hidden_layers"].astype(int))
    claims = {f"{d}_vs_{s}": pair_claim(last, d, s, images) for d, s in FIT_PAIRS if {d, s} <= depths}
    family = v.apply_family(claims.values())
    for claim in claims.values():
        claim["reading"] = fit_word(claim)
        claim["deficit"] = deficit_place(claim["reading"], claim["validation_direction"])
    return {"epochs": int(table["epoch"].max()), "cost_images": int(images), "minimal": FIT_MINIMAL,
            "min_seeds": MIN_SEEDS, "trained_accuracy": TRAINED_ACCURACY, "per_depth": per_depth(last),
            "claims": claims, "family": family}
