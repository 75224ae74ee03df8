"""The figure of the section "Why deeper is no better here, and what makes depth help", in the
project's style (``vanishing.chapter.plots``) and the Okabe–Ito palette."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from vanishing.publication.palette import OKABE_ITO
from vanishing.publication.figure_style import STYLE, WIDTH

NAMES = {"book": "book (sigmoid, N(0, 1/n))", "equalized": "book, speeds equalized",
         "tanh_normalized": "tanh, normalized init", "relu_he": "ReLU, He init", "residual": "sigmoid, residual"}
MARKERS = ["o", "s", "^", "D", "v", "P"]


def remedies(table, speed):
    """Top: final validation accuracy against the number of hidden layers per remedy (mean over the
    finite runs, min–max bar). Bottom: ‖δʲ‖ at initialization against hidden layer j for the deepest
    net of each remedy (geometric mean over seeds, log scale)."""
    last = table[table["epoch"] == table["epoch"].max()].dropna(subset=["validation_accuracy"])
    names = list(dict.fromkeys(table["remedy"]))
    with plt.rc_context(STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 7.6))
        for i, remedy in enumerate(names):
            color, marker = OKABE_ITO[i % len(OKABE_ITO)], MARKERS[i % len(MARKERS)]
            g = last[last["remedy"] == remedy].groupby("hidden_layers")["validation_accuracy"]
            mean, low, high = g.mean(), g.min(), g.max()
            top.errorbar(mean.index + 0.06 * (i - len(names) / 2), mean.to_numpy(),
                         yerr=[mean - low, high - mean], color=color, marker=marker, ms=4, capsize=2,
                         label=NAMES.get(remedy, remedy))
            s = speed[(speed["remedy"] == remedy) & (speed["epoch"] == 0)]
            if len(s):
                k = s["hidden_layers"].max()
                per_layer = s[s["hidden_layers"] == k].groupby("layer")["speed"].apply(
                    lambda v: float(np.exp(np.log(v[v > 0]).mean())))
                bottom.plot(per_layer.index, per_layer.to_numpy(), color=color, marker=marker, ms=4,
                            label=NAMES.get(remedy, remedy))
        top.set_xticks(sorted(table["hidden_layers"].unique()))
        bottom.set_xticks(range(1, int(speed["hidden_layers"].max()) + 1))
        top.set_xlabel("hidden layers")
        top.set_ylabel(f"validation accuracy (%) after epoch {int(table['epoch'].max())}")
        top.set_title("(a) accuracy against depth")
        top.legend(fontsize=8)
        bottom.set_yscale("log")
        bottom.set_xlabel("hidden layer j (1 = next to the input)")
        bottom.set_ylabel("‖δʲ‖ at initialization")
        bottom.set_title(f"(b) speed of each layer at initialization, {int(speed['hidden_layers'].max())} hidden layers")
        bottom.legend(fontsize=8)
        fig.tight_layout()
    return fig
