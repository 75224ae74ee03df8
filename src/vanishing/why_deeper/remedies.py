"""Q4, the remedies since 2010, measured: the book's protocol (mini-batch SGD, cross-entropy, its η
and λ/n) on nets of the config's depths, with each remedy in place of the book's sigmoid and
N(0, 1/n_in) init: tanh with the normalized init (Glorot & Bengio 2010), ReLU with He's init
N(0, 2/n_in) (He et al. 2015), and residual connections aˡ⁺¹ = aˡ + σ(zˡ⁺¹) between the
equal-width hidden layers of the book's sigmoid net (He et al. 2016); the book's net itself is the
baseline; and Q2, the book's net with the layers' speeds equalized (``equalized``: at the start of
every epoch each hidden layer j gets ηʲ = η · ‖δᵏ‖/‖δʲ‖ from the speeds on the probe images, k the
last hidden layer, ``layer_rates.EqualizedSpeeds``). Per epoch (epoch 0 before training): ‖δˡ‖ of every layer over the probe images, the
training cost and accuracy over the first ``cost_images`` training images, the validation
accuracy. A run whose weights or cost stop being finite stops there (``diverged_at_epoch``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vanishing.chapter import book
from vanishing.beyond import verdicts as v
from vanishing.beyond.r1_init import FLAT_BAND
from vanishing.beyond.training import CHANCE_ACCURACY, TRAINED_ACCURACY, is_diverged, train_seeds
from vanishing.mnist.data import load_split
from vanishing.engine.layer_rates import EqualizedSpeeds
from vanishing.engine.nets import make_net, sizes
from vanishing.publication.wording import plural
from vanishing.pipeline.provenance import describe
from vanishing.engine.train import Monitor

# remedy -> (hidden activation, init, residual, equalized speeds)
REMEDIES = {"book": ("sigmoid", "scaled", False, False), "equalized": ("sigmoid", "scaled", False, True),
            "tanh_normalized": ("tanh", "glorot", False, False), "relu_he": ("relu", "he", False, False),
            "residual": ("sigmoid", "scaled", True, False)}
COLUMNS = ["remedy", "hidden_layers", "seed", "epoch", "diverged", "training_cost", "training_accuracy",
           "validation_accuracy"]
SPEED_COLUMNS = ["remedy", "hidden_layers", "seed", "epoch", "layer", "speed"]


def is_equalized(remedy):
    """Whether ``remedy`` trains with the layers' speeds equalized (Q2's rule)."""
    return remedy in REMEDIES and REMEDIES[remedy][3]


def final_rows(table: pd.DataFrame, runs=("remedy", "hidden_layers", "seed")) -> pd.DataFrame:
    """The last epoch's row of every run (a run: one value of the ``runs`` columns)."""
    return table[table["epoch"] == table.groupby(list(runs))["epoch"].transform("max")]


def diverged_rows(rows: pd.DataFrame) -> pd.Series:
    """Which rows belong to a run that diverged (the ``diverged`` column, read back from CSV as text)."""
    return rows["diverged"].astype(str).str.lower().isin(["true", "1"])


def remedy_net(section, remedy, hidden_layers, seed, dtype):
    """(net, rng) of one run: the remedy's activation, init and skip connections."""
    if remedy not in REMEDIES:
        raise ValueError(f"unknown remedy {remedy!r}; choose one of {', '.join(REMEDIES)}")
    activation, init, residual, _ = REMEDIES[remedy]
    return make_net(hidden_layers, section["width"], seed, activation=activation, init=init, cost=section["cost"],
                    dtype=dtype, residual=residual and hidden_layers > 1)


def remedy_runs(section, remedy, hidden_layers, seeds, splits, dtype=np.float64, log=None):
    """One record per seed of one remedy and depth, the seeds trained as one stacked computation."""
    x, y = load_split(splits["train"], n=section["train_size"], dtype=dtype)
    vx, vy = load_split(splits["validation"], dtype=dtype)
    nc = min(section["cost_images"], len(x))
    probe = book.SPEED_PROBE_IMAGES
    nets, rngs = zip(*(remedy_net(section, remedy, hidden_layers, seed, dtype) for seed in seeds))
    monitors = [Monitor(x[:probe], y[:probe], bias_neurons=0, cost_x=x[:nc], cost_y=y[:nc], valid_x=vx, valid_y=vy,
                        training_accuracy=True, lmbda=section["lmbda"], n=len(x)) for _ in seeds]
    labels = [f"remedy {remedy} k={hidden_layers} seed={seed} (eta={section['eta']}, lmbda={section['lmbda']})"
              for seed in seeds]
    activation, init, residual, equalized = REMEDIES[remedy]
    eta = EqualizedSpeeds(section["eta"], x[:probe], y[:probe]) if equalized else section["eta"]
    runs = train_seeds(list(nets), list(rngs), x, y, monitors, labels_of_runs=labels, log=log,
                       epochs=section["epochs"], mini_batch_size=section["mini_batch_size"], eta=eta,
                       lmbda=section["lmbda"])
    return [{"experiment": "why_deeper_remedies", "remedy": remedy, "activation": activation, "init": init,
             "residual": residual and hidden_layers > 1, "equalized_speeds": equalized, "hidden_layers": hidden_layers, "seed": seed,
             "sizes": sizes(hidden_layers, section["width"]), "dtype": str(np.dtype(dtype)), "cost_images": nc,
             "diverged_at_epoch": stopped, "config": section, "provenance": describe(), "history": history}
            for seed, (history, stopped) in zip(seeds, runs)]


def _nan(v):
    return float("nan") if v is None else v


def remedies_table(records):
    """One row per remedy, depth, seed and epoch; ``diverged`` marks every row of a run that stopped."""
    rows = []
    for r in records:
        h = r["history"]
        gone = is_diverged(0.0, 0.0, r["diverged_at_epoch"])
        for e, cost, fit, valid in zip(h["epoch"], h["training_cost"], h["training_accuracy"],
                                       h["validation_accuracy"]):
            rows.append({"remedy": r["remedy"], "hidden_layers": r["hidden_layers"], "seed": r["seed"], "epoch": e,
                         "diverged": gone, "training_cost": _nan(cost), "training_accuracy": _nan(fit),
                         "validation_accuracy": _nan(valid)})
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["remedy", "hidden_layers", "seed", "epoch"], kind="stable")


def remedies_speed_table(records):
    """‖δʲ‖ of every hidden layer j (1 = next to the input) per remedy, depth, seed and epoch."""
    rows = [{"remedy": r["remedy"], "hidden_layers": r["hidden_layers"], "seed": r["seed"], "epoch": e, "layer": j + 1,
             "speed": _nan(s)}
            for r in records for e, speeds in zip(r["history"]["epoch"], r["history"]["speed_b"])
            for j, s in enumerate(speeds[:-1])]
    return pd.DataFrame(rows, columns=SPEED_COLUMNS).sort_values(["remedy", "hidden_layers", "seed", "epoch", "layer"],
                                                                 kind="stable")


# --- the claims -----------------------------------------------------------------------------------

# The pairs (deeper, shallower) decided per remedy, declared before the run: "more layers are
# better" read as four, and six, hidden layers against two (the book's best depth).
DEPTH_PAIRS = ((4, 2), (6, 2))
DEPTH_MINIMAL = 0.2  # points of validation accuracy, as in the chapter's E1 readings
MIN_SEEDS = 5


def _stats(values):
    s = pd.Series(values, dtype=float).dropna()
    if s.empty:
        return None
    return {"mean": float(s.mean()), "std": float(s.std(ddof=1)) if len(s) > 1 else 0.0, "n": int(len(s))}


def _geomean(values):
    v = pd.Series(values, dtype=float).dropna()
    v = v[v > 0]
    return float(np.exp(np.log(v).mean())) if len(v) else None


def speed_readings(speed):
    """Per remedy and depth (≥ 2): the geometric mean over seeds of every hidden layer's ‖δʲ‖ at
    initialization and of the last over the first hidden layer's speed at initialization and after
    the last epoch. Diverged runs' non-finite speeds are left out."""
    out = []
    last_epoch = int(speed["epoch"].max())
    for (remedy, k), g in speed.groupby(["remedy", "hidden_layers"], sort=False):
        if k < 2:
            continue
        wide = g.pivot_table(index=["seed", "epoch"], columns="layer", values="speed")
        ratio = wide[wide.columns.max()] / wide[1]
        epoch = ratio.index.get_level_values("epoch")
        out.append({"remedy": remedy, "hidden_layers": int(k),
                    "layers_at_init": [_geomean(g[(g["epoch"] == 0) & (g["layer"] == j)]["speed"])
                                       for j in range(1, int(k) + 1)],
                    "ratio_init": _geomean(ratio[epoch == 0]), "ratio_final": _geomean(ratio[epoch == last_epoch])})
    return out


# Q2's regime: the rule equalizes the layers' updates by construction, so what its test needs is a
# gap for it to close. At initialization the deeper nets' last hidden layer must learn more than
# OPEN_GAP times faster than the first (geometric mean over seeds), the upper edge of R1's "roughly
# the same size" band. The ratio after training says nothing about the rule: E1's nets, trained
# without it, end inside that band too.
OPEN_GAP = FLAT_BAND[1]


def depth_claim(finals, remedy, deeper, shallower, conditions=()):
    """Whether ``deeper`` hidden layers beat ``shallower`` with ``remedy``. Judged only where the nets
    trained: MIN_SEEDS finite runs per depth, and every one of them off chance (validation accuracy at
    least TRAINED_ACCURACY); a depth whose nets did not leave chance in the budget says nothing about
    whether depth helps once trained, so the claim is then not tested. ``conditions``: further
    preconditions (the equalized runs': their speeds were equalized)."""
    a, b = (finals[finals["hidden_layers"] == k]["validation_accuracy"].dropna() for k in (deeper, shallower))
    conditions = [*(v.precondition(f"finite runs with {plural(k, 'hidden layer')}", int(len(g)), MIN_SEEDS)
                    for k, g in ((deeper, a), (shallower, b))), *conditions]
    untrained = int((pd.concat([a, b]) < TRAINED_ACCURACY).sum())
    conditions = [*conditions, v.precondition(f"compared runs below {TRAINED_ACCURACY:g} % validation accuracy "
                                              "(not trained)", untrained, 0, "<=")]
    interval = v.difference_interval(a, b)
    return v.judge(f"with {remedy}, {deeper} hidden layers beat {shallower} by more than {DEPTH_MINIMAL:g} points",
                   source="this study", where="Q2" if is_equalized(remedy) else "Q4",
                   tested_as_stated=True, deviations=[],
                   measure=f"final validation accuracy, {deeper} − {shallower} hidden layers (points)",
                   interval=interval, minimal=DEPTH_MINIMAL, side="above", null=0.0,
                   preconditions=conditions, ran=bool(len(a) or len(b)), remedy=remedy, deeper=deeper,
                   shallower=shallower, seeds_to_decide=v.seeds_to_decide(interval, DEPTH_MINIMAL))


def equalized_conditions(reading):
    """The equalized runs' regime: a gap for the rule to close, the deeper nets' last/first speed
    ratio at initialization at least OPEN_GAP (from ``speed_readings``; None, as for runs that all
    diverged, fails)."""
    ratio = None if reading is None else reading["ratio_init"]
    return [v.precondition("last/first speed ratio at initialization (a gap for the rule to close)", ratio,
                           OPEN_GAP, ">=")]


def summarize_remedies(table: pd.DataFrame, speed: pd.DataFrame):
    """Q4's numbers: per remedy and depth the final accuracies (diverged runs counted and left out)
    and the speeds; per remedy the claims of DEPTH_PAIRS whose depths ran, Holm's correction over all
    of them."""
    last = final_rows(table)
    epochs = int(table["epoch"].max())
    per = []
    for (remedy, k), g in last.groupby(["remedy", "hidden_layers"], sort=False):
        gone = diverged_rows(g)
        ok = g[~gone]
        per.append({"remedy": remedy, "hidden_layers": int(k), "validation_accuracy": _stats(ok["validation_accuracy"]),
                    "training_accuracy": _stats(ok["training_accuracy"]), "diverged": int(gone.sum()),
                    "stuck": int((ok["validation_accuracy"] <= CHANCE_ACCURACY).sum()), "seeds": int(len(g))})
    claims = {}
    readings = speed_readings(speed)
    speeds = {(r["remedy"], r["hidden_layers"]): r for r in readings}
    finals = last[~diverged_rows(last)]
    for remedy in table["remedy"].unique():
        mine = finals[finals["remedy"] == remedy]
        depths = set(last[last["remedy"] == remedy]["hidden_layers"].astype(int))
        for deeper, shallower in DEPTH_PAIRS:
            if {deeper, shallower} <= depths:
                claims[f"{remedy}_{deeper}_vs_{shallower}"] = depth_claim(
                    mine, remedy, deeper, shallower,
                    equalized_conditions(speeds.get((remedy, deeper))) if is_equalized(remedy) else ())
    family = v.apply_family(claims.values())
    return {"epochs": epochs, "minimal": DEPTH_MINIMAL, "min_seeds": MIN_SEEDS, "open_gap": OPEN_GAP, "per_depth": per,
            "speeds": readings, "claims": claims, "family": family}


def against_book(table: pd.DataFrame, e1: pd.DataFrame):
    """Read alongside Q2's claim, without a claim of their own: per depth that both ran, the final
    validation accuracy of the nets with equalized speeds minus that of E1's nets of that depth
    (the same nets, seeds and protocol without equalizing), Welch's interval over seeds; diverged
    runs left out."""
    def finals(t):
        last = final_rows(t, runs=("hidden_layers", "seed"))
        return last[~diverged_rows(last)] if "diverged" in last.columns else last
    mine = finals(table[table["remedy"] == "equalized"])
    book = finals(e1)
    out = []
    for k in sorted(set(mine["hidden_layers"].astype(int)) & set(book["hidden_layers"].astype(int))):
        a = mine[mine["hidden_layers"] == k]["validation_accuracy"]
        b = book[book["hidden_layers"] == k]["validation_accuracy"]
        out.append({"hidden_layers": k, "difference": v.interval_json(v.difference_interval(a, b)),
                    "equalized": _stats(a), "book": _stats(b)})
    return out
