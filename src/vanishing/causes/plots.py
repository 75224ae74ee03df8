"""The figures of the chapter's causes, in the project's style (``vanishing.publication.figure_style``) and the Okabe–Ito palette."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from vanishing.publication.palette import OKABE_ITO, OKABE_ITO_NAMED
from vanishing.publication.figure_style import STYLE, WIDTH

STYLES = ["-", "--", ":", "-."]
NARROW = 4.6  # inches: a one-panel figure with much text
# The regime experiment's variants (causes.regime.variants) by what they change, for legends.
VARIANT_NAMES = {"baseline": "the book's mini-batch settings", "weights": "only the weight init",
                 "biases": "only the bias init", "mini_batch_size": "only the mini-batch size",
                 "lmbda": "only the L2 weight λ", "eta": "only the learning rate η", "all": "all of R3's settings"}


def _series_style(i):
    """Colour and line style of the i-th series: the eight palette colours, then again dashed."""
    return OKABE_ITO[i % len(OKABE_ITO)], STYLES[(i // len(OKABE_ITO)) % len(STYLES)]


def depth_sweep(sweep, factors, activation="sigmoid", init="scaled"):
    """Top: ‖δʲ‖ against hidden layer j for every depth (``activation``, ``init``), mean over seeds,
    with the fitted per-layer gain of the deepest net. Bottom: the deepest net of every activation ×
    init."""
    with plt.rc_context(STYLE):
        # stacked panels at the printed width, so that no text falls below 8 pt
        fig, (left, right) = plt.subplots(2, 1, figsize=(WIDTH, 8.4))
        sub = sweep[(sweep["activation"] == activation) & (sweep["init"] == init)]
        depths = sorted(sub["hidden_layers"].unique())
        for i, k in enumerate(depths):
            mean = sub[sub["hidden_layers"] == k].groupby("layer")["speed"].apply(lambda s: np.exp(np.log(s).mean()))
            color, style = _series_style(i)
            left.plot(mean.index, mean.to_numpy(), style, color=color, marker="o", ms=3, label=f"k = {k}")
        k = depths[-1]
        row = factors[(factors["activation"] == activation) & (factors["init"] == init)
                      & (factors["hidden_layers"] == k)]
        if len(row):
            g = float(row["measured_gain"].iloc[0])
            deep = sub[sub["hidden_layers"] == k].groupby("layer")["speed"].apply(lambda s: np.exp(np.log(s).mean()))
            j = np.arange(1, k + 1)
            fit = deep.iloc[-1] * g ** (k - j)
            left.plot(j, fit, color="black", lw=2.5, alpha=0.35,
                      label=f"fit, k = {k}: ×{g:.3f} per layer")
        left.set_yscale("log")
        left.set_xlabel("hidden layer j (1 = next to the input)")
        left.set_ylabel("speed of learning ‖δʲ‖ (geometric mean over seeds)")
        left.set_title(f"{activation}, {init} init: every depth")
        left.legend(fontsize=8, ncol=3, loc="lower right")
        combos = list(dict.fromkeys(zip(sweep["activation"], sweep["init"])))
        for i, (act, ini) in enumerate(combos):
            c = sweep[(sweep["activation"] == act) & (sweep["init"] == ini)]
            kk = c["hidden_layers"].max()
            mean = c[c["hidden_layers"] == kk].groupby("layer")["speed"].apply(lambda s: np.exp(np.log(s).mean()))
            f = factors[(factors["activation"] == act) & (factors["init"] == ini) & (factors["hidden_layers"] == kk)]
            label = f"{act}, {ini}"
            if len(f):
                label += f": ×{float(f['measured_gain'].iloc[0]):.2f} (eq. 124: ×{float(f['predicted_gain'].iloc[0]):.2f})"
            color, style = _series_style(i)
            right.plot(mean.index, mean.to_numpy(), style, color=color, marker="o", ms=3, label=label)
        right.set_yscale("log")
        right.set_xlabel("hidden layer j (1 = next to the input)")
        right.set_ylabel("‖δʲ‖ (geometric mean over seeds)")
        right.set_title("deepest net, every activation × init")
        right.legend(fontsize=8, loc="lower right")
        fig.tight_layout()
    return fig


def depth_speed(table):
    """E1: each hidden layer's speed after every epoch, one panel per depth ≥ 2 (geometric mean
    over seeds, min–max band)."""
    depths = sorted(k for k in table["hidden_layers"].unique() if k >= 2)
    with plt.rc_context(STYLE):
        cols = min(2, len(depths))  # two panels a row at the printed width: no text below 8 pt
        rows = -(-len(depths) // cols)
        fig, axes = plt.subplots(rows, cols, figsize=(WIDTH, 3.2 * rows), sharey=True, squeeze=False)
        for ax in axes.flat[len(depths):]:
            ax.set_visible(False)
        for ax, k in zip(axes.flat, depths):
            sub = table[table["hidden_layers"] == k]
            for j in sorted(sub["layer"].unique()):
                wide = sub[sub["layer"] == j].pivot(index="seed", columns="epoch", values="speed")
                values = wide.to_numpy()
                color = OKABE_ITO[(j - 1) % len(OKABE_ITO)]
                ax.fill_between(wide.columns, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2, lw=0)
                ax.plot(wide.columns, np.exp(np.log(values).mean(axis=0)), color=color, label=f"hidden layer {j}")
            ax.set_yscale("log")
            ax.set_xlabel("epoch (0 = before training)")
            ax.set_title(f"{k} hidden layers")
            ax.legend(fontsize=8)
        for row in axes:
            row[0].set_ylabel("speed of learning ‖δʲ‖")
        fig.tight_layout()
    return fig


def regime(table, e3_updates=None):
    """The last/first hidden layer's speed ratio against the number of updates, one line per
    variant (median over seeds); a vertical line at E3's total number of updates."""
    wide = table.pivot_table(index=["variant", "seed", "updates"], columns="layer", values="speed")
    gap = (wide[wide.columns.max()] / wide[1]).groupby(["variant", "updates"]).median()
    variants = list(dict.fromkeys(table["variant"]))
    with plt.rc_context(STYLE):
        # narrower than the page: one panel, so that on a phone its text is shrunk less
        fig, ax = plt.subplots(figsize=(NARROW, 4.4))
        named = {"baseline": OKABE_ITO_NAMED["black"], "all": OKABE_ITO_NAMED["vermillion"]}
        singles = iter(c for c in OKABE_ITO if c not in named.values() and c != OKABE_ITO_NAMED["yellow"])
        for v in variants:
            s = gap.loc[v]
            main = v in named
            ax.plot(s.index + 1, s.to_numpy(), color=named[v] if main else next(singles, "grey"),
                    lw=2.5 if main else 1.3, zorder=3 if main else 2, label=VARIANT_NAMES.get(v, v))
        ax.axhline(1.0, color="black", lw=0.8)
        if e3_updates:
            ax.axvline(e3_updates + 1, color="black", lw=0.8, ls=":")
            # above the plot area, where no curve runs
            ax.annotate(f"E3's {e3_updates} updates", (e3_updates + 1, 1.0), xycoords=("data", "axes fraction"),
                        xytext=(0, 3), textcoords="offset points", ha="center", va="bottom")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("mini-batch updates + 1 (log scale)")
        ax.set_ylabel("last / first hidden layer's ‖δʲ‖ (median over seeds)")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)  # below: the curves fill the panel
        fig.tight_layout()
    return fig


def layerwise(table):
    """Training cost after every epoch when only some layers are trained (mean over seeds)."""
    names = list(dict.fromkeys(table["trained"]))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        for i, name in enumerate(names):
            s = table[table["trained"] == name].groupby("epoch")["training_cost"].mean()
            color, style = _series_style(i)
            ax.plot(s.index, s.to_numpy(), style, color=color, marker="o", label=name.replace("_", " "))
        ax.set_xlabel("epoch (0 = before training)")
        ax.set_ylabel("training cost (cross-entropy, no L2 term)")
        ax.legend(title="layers trained", fontsize=8)
        fig.tight_layout()
    return fig
