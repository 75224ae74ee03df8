"""The beyond figures (R1-R4), drawn for the printed page: at most 6 in wide so that nothing is
scaled down, no text below 8 pt, Okabe-Ito colours (``vanishing.publication.palette``), small multiples
rather than many series in one panel."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np

from vanishing.publication.palette import OKABE_ITO, OKABE_ITO_NAMED
from vanishing.publication.figure_style import STYLE
from .r3_optimizers import METHOD_NAMES, parse_optimizer

WIDTH = 6.0  # inches: the PDF's text width (US letter, 1.25 in margins); figures are drawn at their printed size
SMALL = 8  # pt: the smallest text in any figure
BEYOND_STYLE = {**STYLE, "font.size": 9, "axes.titlesize": 9, "axes.labelsize": 9, "xtick.labelsize": SMALL,
                "ytick.labelsize": SMALL, "legend.fontsize": SMALL, "figure.titlesize": 10}
ACT_ORDER = ["sigmoid", "tanh", "relu"]
INIT_ORDER = ["large", "scaled", "standard", "glorot"]
INIT_COLORS = dict(zip(INIT_ORDER, [OKABE_ITO_NAMED["reddish_purple"], OKABE_ITO_NAMED["orange"],
                                    OKABE_ITO_NAMED["vermillion"], OKABE_ITO_NAMED["blue"]]))
PAPER_STYLE = {"marker": "*", "s": 90, "color": OKABE_ITO_NAMED["black"], "zorder": 5}
MU_COLORS = {0.0: OKABE_ITO_NAMED["black"], 0.9: OKABE_ITO_NAMED["orange"], 0.99: OKABE_ITO_NAMED["blue"]}


def _ordered(values, order):
    values = list(dict.fromkeys(values))
    return [v for v in order if v in values] + sorted(v for v in values if v not in order)


def _layer_colors(n):
    return OKABE_ITO[:n] if n <= len(OKABE_ITO) else [plt.get_cmap("viridis")(i / (n - 1)) for i in range(n)]


def _band(ax, x, wide, color, label, style="-"):
    """Mean over seeds (rows of ``wide``) with a min-max band."""
    ax.fill_between(x, wide.min(axis=0), wide.max(axis=0), color=color, alpha=0.18, linewidth=0)
    ax.plot(x, wide.mean(axis=0), style, color=color, label=label, linewidth=1.4)


def beyond_init(table):
    """R1: per-layer per-example ‖δˡ‖ (solid) and RMS weight gradient (dashed) at initialization;
    rows activation, columns init; the largest width (mean over seeds, min-max band)."""
    acts = _ordered(table["activation"], ACT_ORDER)
    inits = _ordered(table["init"], INIT_ORDER)
    width = table["width"].max()
    with plt.rc_context(BEYOND_STYLE):
        fig, axes = plt.subplots(len(acts), len(inits), figsize=(WIDTH, 1.75 * len(acts) + 0.8), sharey="row",
                                 squeeze=False)
        for r, act in enumerate(acts):
            for c, init in enumerate(inits):
                ax = axes[r][c]
                g = table[(table["activation"] == act) & (table["init"] == init) & (table["width"] == width)]
                for column, style, name in (("delta_rms", "-", r"per-example $\|\delta^l\|$"),
                                            ("grad_w_entry", "--", r"RMS $\partial C/\partial w$ per weight")):
                    if g.empty:
                        continue
                    wide = g.pivot(index="seed", columns="layer", values=column)
                    _band(ax, wide.columns.to_numpy(), wide.to_numpy(), INIT_COLORS.get(init, "black"), name, style)
                ax.set_yscale("log")
                ax.set_xticks(sorted(table["layer"].unique()))
                if r == 0:
                    ax.set_title(init)
                if c == 0:
                    ax.set_ylabel(f"{act}\ngradient")
                if r == len(acts) - 1:
                    ax.set_xlabel("hidden layer")
        handles = [Line2D([], [], color="black", linestyle=style, label=name) for style, name in
                   (("-", r"per-example $\|\delta^l\|$"), ("--", r"RMS $\partial C/\partial w$ per weight"))]
        fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False)
        fig.suptitle(f"Gradients at initialization, width {width} (mean over seeds, min–max band)")
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def beyond_saturation(table):
    """R2: per activation x init (columns), each hidden layer's mean activation (top row) and its
    98th percentile of |a| (bottom row) during training (mean over seeds)."""
    combos = [(a, i) for a in _ordered(table["activation"], ACT_ORDER) for i in _ordered(table["init"], INIT_ORDER)
              if ((table["activation"] == a) & (table["init"] == i)).any()]
    layers = sorted(table["layer"].unique())
    colors = _layer_colors(len(layers))
    with plt.rc_context(BEYOND_STYLE):
        fig, axes = plt.subplots(2, len(combos), figsize=(WIDTH, 4.6), sharex=True, squeeze=False)
        for c, (act, init) in enumerate(combos):
            g = table[(table["activation"] == act) & (table["init"] == init)]
            for color, j in zip(colors, layers):
                per = g[g["layer"] == j].groupby("epoch")[["mean", "p98"]].mean()
                x = per.index.to_numpy()
                axes[0][c].plot(x, per["mean"], color=color, label=f"layer {j}", linewidth=1.3)
                axes[1][c].plot(x, per["p98"], color=color, label=f"layer {j}", linewidth=1.3)
            axes[0][c].set_title(f"{act}, {init}")
            axes[1][c].set_xlabel("epoch")
            axes[1][c].set_ylim(0, 1.02)
        axes[0][0].set_ylabel("mean activation")
        axes[1][0].set_ylabel("98th percentile of |a|")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
        fig.suptitle("Hidden-layer activations on fixed test images during training (mean over seeds)")
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def beyond_optimizers(table, best_eta):
    """R3 (comparison stage): small multiples per method (columns); training cost (top) and
    validation accuracy (bottom) per epoch at each setting's chosen η, one colour per μ_max."""
    final = table[table["stage"] == "final"]
    names = list(final["optimizer"].unique())
    methods = _ordered([parse_optimizer(n)[0] for n in names], ["sgd", "momentum", "nesterov"])
    with plt.rc_context(BEYOND_STYLE):
        fig, axes = plt.subplots(2, len(methods), figsize=(WIDTH, 4.4), sharex=True, sharey="row", squeeze=False)
        for c, method in enumerate(methods):
            for name in sorted(n for n in names if parse_optimizer(n)[0] == method):
                mu = parse_optimizer(name)[1]
                g = final[final["optimizer"] == name]
                color = MU_COLORS.get(mu, OKABE_ITO_NAMED["bluish_green"])
                label = "no momentum" if method == "sgd" else rf"$\mu_{{\max}}$ = {mu:g}"
                for r, column in enumerate(("training_cost", "validation_accuracy")):
                    wide = g.pivot(index="seed", columns="epoch", values=column)
                    _band(axes[r][c], wide.columns.to_numpy(), wide.to_numpy(), color,
                          f"{label}, η = {best_eta.get(name, float('nan')):g}")
            axes[0][c].set_title(METHOD_NAMES[method])
            axes[0][c].set_yscale("log")
            axes[1][c].set_xlabel("epoch")
            # below the panels: the curves fill both rows
            axes[1][c].legend(loc="upper center", bbox_to_anchor=(0.5, -0.3))
        axes[0][0].set_ylabel("training cost")
        axes[1][0].set_ylabel("validation accuracy (%)")
        low = final["validation_accuracy"].quantile(0.05) if len(final) else 0.0
        axes[1][0].set_ylim(max(0.0, min(90.0, low - 1)), 100)
        fig.suptitle("Each optimizer at its chosen η (mean over seeds, min–max band)")
        fig.tight_layout()
    return fig


def beyond_optimizer_speed(table, best_eta):
    """R3: the speed ‖δˡ‖ of every hidden layer per epoch, each optimizer at its chosen η."""
    final = table[table["stage"] == "final"]
    names = sorted(final["optimizer"].unique(), key=lambda o: (o != "sgd", o))
    cols = sorted((c for c in final.columns if c.startswith("speed_layer")), key=lambda c: int(c[11:]))
    ncol = min(len(names), 3)
    nrow = -(-len(names) // ncol)
    with plt.rc_context(BEYOND_STYLE):
        fig, axes = plt.subplots(nrow, ncol, figsize=(WIDTH, 2.3 * nrow + 0.6), sharey=True, squeeze=False)
        for ax, name in zip(axes.ravel(), names):
            g = final[final["optimizer"] == name]
            for color, col in zip(_layer_colors(len(cols)), cols):
                wide = g.pivot(index="seed", columns="epoch", values=col)
                _band(ax, wide.columns.to_numpy(), wide.to_numpy(), color, f"layer {col[11:]}")
            ax.set_yscale("log")
            method, mu = parse_optimizer(name)
            setting = "no momentum" if method == "sgd" else rf"$\mu_{{\max}}$ = {mu:g}"
            ax.set_title(f"{METHOD_NAMES[method]}\n{setting}, η = {best_eta.get(name, float('nan')):g}")
            ax.set_xlabel("epoch")
        for ax in axes.ravel()[len(names):]:
            ax.set_visible(False)
        for row in axes:
            row[0].set_ylabel(r"speed $\|\delta^l\|$")
        handles, labels = axes[0][0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), frameon=False)
        fig.suptitle("Speed of learning per hidden layer at the chosen η (mean over seeds, min–max band)")
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def beyond_table1(table, published, published_label="Glorot & Bengio, Table 1"):
    """R4: test error per activation and init (dots: seeds, marker and bar: mean ± std; runs that
    diverged left out, runs stuck at chance kept, as in the summary's means), with the paper's Table 1
    (stars) at its standard and normalized inits."""
    table = table[~table["diverged"].astype(str).str.lower().isin(["true", "1"])]
    acts = _ordered(table["activation"], ACT_ORDER)
    inits = _ordered(table["init"], INIT_ORDER)
    paper = {("sigmoid", "standard"): published.get("sigmoid"), ("tanh", "standard"): published.get("tanh"),
             ("tanh", "glorot"): published.get("tanh_normalized")}
    with plt.rc_context(BEYOND_STYLE):
        fig, ax = plt.subplots(figsize=(5.6, 3.4))
        step = 0.8 / max(len(inits), 1)
        starred = False
        for i, act in enumerate(acts):
            for k, init in enumerate(inits):
                x = i + (k - (len(inits) - 1) / 2) * step
                err = table[(table["activation"] == act) & (table["init"] == init)]["test_error"].to_numpy()
                err = err[np.isfinite(err)]
                color = INIT_COLORS.get(init, "black")
                if err.size:
                    ax.errorbar([x], [err.mean()], yerr=[err.std(ddof=1) if err.size > 1 else 0.0], fmt="o",
                                color=color, capsize=4, label=init if i == 0 else None)
                    ax.scatter(np.full(err.size, x) + np.linspace(-0.05, 0.05, err.size), err, s=10, color=color,
                               alpha=0.5)
                if paper.get((act, init)) is not None:
                    ax.scatter([x], [paper[(act, init)]], **PAPER_STYLE, label=None if starred else published_label)
                    starred = True
        ax.set_xticks(range(len(acts)), acts)
        ax.set_ylabel("test error (%)")
        ax.set_title("Test error by activation and initialization")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.tight_layout()
    return fig
