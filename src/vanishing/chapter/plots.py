"""The chapter's figures (E1-E5), in the style of :mod:`vanishing.publication.figure_style`; the
book's published values are always black open markers, distinct from this run's coloured points."""

from __future__ import annotations

from vanishing.publication.figure_style import BOOK_STYLE, STYLE, WIDTH, layer_colors  # first: the Agg backend

import matplotlib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from vanishing.publication import palette  # noqa: E402


def _layers(k):
    return f"{k} hidden layer{'s' if k != 1 else ''}"


def _band(ax, x, values, color, label):
    """Mean line with a min-max band over seeds; values shape (seeds, len(x))."""
    values = np.asarray(values)
    ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2, linewidth=0)
    ax.plot(x, values.mean(axis=0), color=color, label=label)


def depth_accuracy(table, book_values):
    """Fig. 1: (a) validation accuracy per epoch, one colour per depth (mean, min-max band);
    (b) the final accuracy per depth: each seed a dot, the mean a bar, the book's value a black
    open diamond, on an axis fitted to these points so that the depth differences show."""
    depths = sorted(int(k) for k in table["hidden_layers"].unique())
    colors = dict(zip(depths, layer_colors(len(depths))))
    last = table["epoch"].max()
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 3.5), width_ratios=[1.35, 1])
        for k in depths:
            wide = table[table["hidden_layers"] == k].pivot(index="seed", columns="epoch", values="validation_accuracy")
            wide = wide.drop(columns=0, errors="ignore")
            _band(ax1, wide.columns, wide.to_numpy(), colors[k], _layers(k))
        ax1.set_xlabel("epoch")
        ax1.set_ylabel("validation accuracy (%)")
        ax1.set_title("(a) during training")
        trained = table.loc[table["epoch"] > 0, "validation_accuracy"]
        ax1.set_ylim(max(np.percentile(trained, 2) - 0.5, 0.0), min(trained.max() + 0.5, 100.0))
        ax1.legend(loc="lower right")
        final = table[table["epoch"] == last]
        shown = list(final["validation_accuracy"])
        book_label = "the book (Nielsen 2015, 30 epochs)"
        for i, k in enumerate(depths):
            acc = final.loc[final["hidden_layers"] == k, "validation_accuracy"].to_numpy()
            jitter = np.linspace(-0.12, 0.12, len(acc)) if len(acc) > 1 else np.zeros(1)
            ax2.scatter(i + jitter, acc, s=16, color=colors[k], alpha=0.85, zorder=4,
                        label="this run, one dot per seed" if i == 0 else None)
            ax2.hlines(acc.mean(), i - 0.25, i + 0.25, color=colors[k], linewidth=2.2, zorder=5,
                       label="this run, mean" if i == 0 else None)
            if k in book_values:
                ax2.scatter([i + 0.33], [book_values[k]], **BOOK_STYLE, label=book_label)
                book_label = None
                shown.append(book_values[k])
        ax2.set_xticks(range(len(depths)), [str(k) for k in depths])
        ax2.set_xlim(-0.6, len(depths) - 0.4)
        pad = max(0.15, 0.08 * (max(shown) - min(shown)))
        ax2.set_ylim(min(shown) - pad, max(shown) + pad)
        ax2.set_xlabel("hidden layers")
        ax2.set_ylabel(f"accuracy after epoch {last} (%)")
        ax2.set_title("(b) after the last epoch")
        ax1.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        fig.tight_layout()
        ax2.legend(loc="upper left", bbox_to_anchor=(-1.6, -0.2), ncols=3, fontsize=8)
    return fig


def initial_speed_bars(run, neurons):
    """The book's bar figure: ∂C/∂b of the first neurons of each hidden layer, one run."""
    grads = run["bias_grad"][:-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.3))
        colors = layer_colors(len(grads))
        width = 0.8 / len(grads)
        for j, (g, color) in enumerate(zip(grads, colors)):
            g = np.asarray(g)[:neurons]
            x = np.arange(len(g)) + (j - (len(grads) - 1) / 2) * width
            ax.bar(x, g, width=width, color=color, label=f"hidden layer {j + 1}")
        ax.set_xticks(np.arange(neurons), [str(i + 1) for i in range(neurons)])
        ax.set_xlabel("neuron")
        ax.set_ylabel(r"$\partial C/\partial b$ (mean over the probe images)")
        ax.set_title(f"Gradient at initialization, {_layers(len(grads))}, seed {run['seed']}")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.legend()
    return fig


def initial_speed(table, book_values):
    """‖δˡ‖ per hidden layer at initialization: one panel per depth (three to a row)."""
    depths = sorted(int(k) for k in table["hidden_layers"].unique())
    ncols = min(len(depths), 3)
    nrows = -(-len(depths) // ncols)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(nrows, ncols, figsize=(WIDTH, 2.9 * nrows), sharey=True, squeeze=False)
        for ax in axes.flat[len(depths):]:
            ax.set_visible(False)
        for ax, k in zip(axes.flat, depths):
            group = table[table["hidden_layers"] == k]
            layers = sorted(group["layer"].unique())
            data = [group.loc[group["layer"] == j, "speed"].to_numpy() for j in layers]
            ax.boxplot(data, positions=layers, widths=0.5, showfliers=False, medianprops={"color": palette.OKABE_ITO[1]})
            for j, d in zip(layers, data):
                ax.scatter(np.full(len(d), j) + np.linspace(-0.12, 0.12, len(d)), d, s=8, alpha=0.6,
                           color=palette.OKABE_ITO[0], zorder=3)
            if k in book_values:
                ax.scatter(np.asarray(layers[: len(book_values[k])]) + 0.3, book_values[k], **BOOK_STYLE,
                           label="the book")
            ax.set_yscale("log")
            ax.set_xticks(layers, [str(j) for j in layers])
            ax.set_xlabel("hidden layer")
            ax.set_title(_layers(k))
        for row in axes:
            row[0].set_ylabel(r"$\|\delta^l\|$ at initialization")
        labelled = [ax for ax in axes.flat if ax.get_legend_handles_labels()[1]]
        if labelled:
            labelled[0].legend(loc="lower right")
        fig.tight_layout()
    return fig


def learning_speed(table, hidden_layers):
    group = table[table["hidden_layers"] == hidden_layers]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
        layers = sorted(group["layer"].unique())
        for color, j in zip(layer_colors(len(layers)), layers):
            wide = group[group["layer"] == j].pivot(index="seed", columns="epoch", values="speed")
            _band(ax, wide.columns, wide.to_numpy(), color, f"hidden layer {j}")
        ax.set_yscale("log")
        ax.set_xlabel("epoch (one full-batch update each)")
        ax.set_ylabel(r"speed $\|\delta^l\|$")
        ax.set_title(f"Speed of learning, {_layers(hidden_layers)} (mean, min-max over seeds)")
        ax.legend(ncols=2 if len(layers) > 3 else 1)
    return fig


def chain(table):
    blue, orange = palette.OKABE_ITO_NAMED["blue"], palette.OKABE_ITO_NAMED["vermillion"]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.6))
        van = table[table["regime"] == "vanishing"]
        for i, (seed, g) in enumerate(van.groupby("seed")):
            ax.plot(g["layer"], g["backprop"].abs(), color=blue, alpha=0.6, marker="o", markersize=3,
                    label="vanishing: w, b ~ N(0, 1), one line per seed" if i == 0 else None)
        exp = table[table["regime"] == "exploding"]
        ax.plot(exp["layer"], exp["backprop"].abs(), color=orange, marker="o", markersize=3,
                label="exploding: w = 100, every z = 0")
        ax.scatter(table["layer"], table["eq122"].abs(), marker="x", s=18, color="black", zorder=4,
                   label="the product of the book's eq. (122)")
        ax.set_yscale("log")
        ax.set_xlabel("neuron (layer) l of the chain")
        ax.set_ylabel(r"$|\partial C/\partial b_l|$")
        ax.set_title("Unstable gradients in a chain of one neuron per layer")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below: the lines fill the panel
    return fig


def window(table, sigma_prime, widest):
    blue, red = palette.OKABE_ITO_NAMED["blue"], palette.OKABE_ITO_NAMED["vermillion"]
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(WIDTH, 3.0))
        ax1.plot(sigma_prime["z"], sigma_prime["sigma_prime"], color=blue)
        ax1.axhline(0.25, color=red, linestyle="--", linewidth=0.8, label=r"1/4 = $\sigma'(0)$")
        ax1.set_xlabel("z")
        ax1.set_ylabel(r"$\sigma'(z)$")
        ax1.set_title(r"$\sigma'$ peaks at 1/4")
        ax1.set_ylim(0, 0.34)  # room above the 1/4 line for its legend
        ax1.legend(loc="upper left", fontsize=8)
        ax2.plot(table["w"], table["width_formula"], color=blue, label="the book's eq. (123)")
        step = max(len(table) // 40, 1)
        ax2.scatter(table["w"][::step], table["width_scan"][::step], s=10, color="black", label="numeric scan")
        ax2.scatter([widest[0]], [widest[1]], marker="*", s=90, color=red, zorder=5,
                    label=f"widest: |w| = {widest[0]:.3f}")
        ax2.set_xlabel("|w|")
        ax2.set_ylabel("width of the window")
        ax2.set_title("The window is narrow")
        ax2.legend(loc="lower right")
        fig.tight_layout()
    return fig
