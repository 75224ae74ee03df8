"""Headline numbers from the tables, each beside the book's published value: what the report
quotes. Input: the tables the pipeline wrote; output: a JSON-ready dict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import book, chain


def _stats(values):
    v = np.asarray(values, dtype=float)
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "min": float(v.min()), "max": float(v.max()), "n": int(len(v))}


def depth_accuracy(table: pd.DataFrame):
    """Final-epoch validation accuracy per depth: mean, standard deviation over seeds, and the book's."""
    last = table[table["epoch"] == table["epoch"].max()]
    out = []
    for k, group in last.groupby("hidden_layers"):
        out.append({"hidden_layers": int(k), "final_accuracy": _stats(group["validation_accuracy"]),
                    "best_epoch_accuracy": _stats(table[table["hidden_layers"] == k]
                                                  .groupby("seed")["validation_accuracy"].max()),
                    "book": book.DEPTH_ACCURACY.get(int(k))})
    means = [d["final_accuracy"]["mean"] for d in out]
    return {"epochs": int(table["epoch"].max()), "per_depth": out,
            "best_depth": out[int(np.argmax(means))]["hidden_layers"],
            "book_best_depth": max(book.DEPTH_ACCURACY, key=book.DEPTH_ACCURACY.get),
            "source": book.NIELSEN}


def initial_speed(table: pd.DataFrame):
    """‖δˡ‖ at initialization per depth and hidden layer over seeds, beside the book's values."""
    out = []
    for k, group in table.groupby("hidden_layers"):
        published = book.INITIAL_SPEED.get(int(k), [])
        layers = [{"layer": int(j), **_stats(g["speed"]),
                   "book": published[int(j) - 1] if int(j) <= len(published) else None}
                  for j, g in group.groupby("layer")]
        per_seed = group.pivot(index="seed", columns="layer", values="speed")
        ratio = per_seed[per_seed.columns.max()] / per_seed[1]
        out.append({"hidden_layers": int(k), "layers": layers, "last_over_first": _stats(ratio),
                    "first_below_last_all_seeds": bool((ratio > 1).all())})
    return {"per_depth": out, "source": book.NIELSEN}


def learning_speed(table: pd.DataFrame):
    """The ratio of the last hidden layer's speed to the first's, at initialization and over
    training (per epoch, pooled over seeds), per depth."""
    out = []
    for k, group in table.groupby("hidden_layers"):
        wide = group.pivot_table(index=["seed", "epoch"], columns="layer", values="speed")
        ratio = wide[wide.columns.max()] / wide[1]
        at_init = ratio.xs(0, level="epoch")
        final = ratio.xs(ratio.index.get_level_values("epoch").max(), level="epoch")
        out.append({"hidden_layers": int(k), "ratio_at_init": _stats(at_init), "ratio_final": _stats(final),
                    "ratio_over_training": {**_stats(ratio), "median": float(ratio.median())},
                    "book": book.LEARNING_SPEED_RATIO_4 if int(k) == 4 else None})
    return {"epochs": int(table["epoch"].max()), "per_depth": out, "source": book.NIELSEN}


def chain_summary(table: pd.DataFrame):
    exploding = table[table["regime"] == "exploding"].sort_values("layer")
    factors = exploding["backprop"].to_numpy()[:-1] / exploding["backprop"].to_numpy()[1:]
    vanishing = table[table["regime"] == "vanishing"]
    per_seed = vanishing.pivot(index="seed", columns="layer", values="backprop").abs()
    first_over_last = per_seed[per_seed.columns.min()] / per_seed[per_seed.columns.max()]
    return {"max_rel_diff": float(table["rel_diff"].max()), "depth": int(table["layer"].max()),
            "exploding_factor_per_layer": _stats(factors), "book_exploding_factor": book.EXPLODING_FACTOR,
            "vanishing_first_over_last": {**_stats(first_over_last),
                                          "median": float(first_over_last.median())}}


def window_summary(table: pd.DataFrame, sigma_prime: pd.DataFrame):
    w_star, width_star = chain.widest_window(4.0, float(table["w"].max()))
    return {"max_abs_diff": float((table["width_formula"] - table["width_scan"]).abs().max()),
            "points": int(len(table)), "widest_w": w_star, "widest_width": width_star,
            "sigma_prime_max": float(sigma_prime["sigma_prime"].max()),
            "sigma_prime_argmax": float(sigma_prime.loc[sigma_prime["sigma_prime"].idxmax(), "z"]),
            # the book prints "about 6.9" and "about 0.45": its values at its own precision, not ours
            "book": {"widest_w": round(book.WIDEST_WINDOW_W, 1), "widest_width": round(book.WIDEST_WINDOW_WIDTH, 2),
                     "sigma_prime_max": book.SIGMA_PRIME_MAX}}
