"""Figures in one style: labelled axes, units, legends; each saved as PNG and SVG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .iofiles import atomic_path  # noqa: E402

STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 150,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
    "legend.frameon": False,
    "svg.hashsalt": "vanishing",  # deterministic SVG ids
}
COLORS = plt.get_cmap("viridis")
BOOK_STYLE = {"marker": "*", "s": 90, "color": "crimson", "zorder": 5}


def layer_colors(n):
    return [COLORS(i / max(n - 1, 1) * 0.85) for i in range(n)]


def save(fig, png, svg):
    """Write the figure to both paths atomically and close it."""
    # svg.hashsalt must be in force while saving (the clip-path ids are made then), not only while drawing.
    with plt.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"]}):
        for path, fmt in ((png, "png"), (svg, "svg")):
            with atomic_path(path, suffix="." + fmt) as tmp:
                fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)


def _band(ax, x, values, color, label):
    """Mean line with a min-max band over seeds; values shape (seeds, len(x))."""
    values = np.asarray(values)
    ax.fill_between(x, values.min(axis=0), values.max(axis=0), color=color, alpha=0.2, linewidth=0)
    ax.plot(x, values.mean(axis=0), color=color, label=label)


def depth_accuracy(table, book_values):
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        depths = sorted(table["hidden_layers"].unique())
        for color, k in zip(layer_colors(len(depths)), depths):
            wide = table[table["hidden_layers"] == k].pivot(index="seed", columns="epoch", values="validation_accuracy")
            wide = wide.drop(columns=0, errors="ignore")
            _band(ax, wide.columns, wide.to_numpy(), color, f"{k} hidden layer{'s' if k > 1 else ''}")
            if k in book_values:
                ax.scatter([wide.columns.max()], [book_values[k]], marker="*", s=90, color=color,
                           edgecolor="crimson", zorder=5)
        ax.scatter([], [], **BOOK_STYLE, label="book, final epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel("validation accuracy (%)")
        ax.set_title("Validation accuracy against depth (mean, min-max band over seeds)")
        trained = table.loc[table["epoch"] > 0, "validation_accuracy"]
        top = max(trained.max(), max(book_values.values(), default=0))
        ax.set_ylim(max(np.percentile(trained, 2), 80.0), min(top + 0.5, 100.0))
        ax.legend(loc="lower right")
    return fig


def initial_speed_bars(run, neurons):
    """The book's bar figure: ∂C/∂b of the first neurons of each hidden layer, one run."""
    grads = run["bias_grad"][:-1]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        colors = layer_colors(len(grads))
        width = 0.8 / len(grads)
        for j, (g, color) in enumerate(zip(grads, colors)):
            x = np.arange(len(g)) + (j - (len(grads) - 1) / 2) * width
            ax.bar(x, g, width=width, color=color, label=f"hidden layer {j + 1}")
        ax.set_xticks(np.arange(neurons), [str(i + 1) for i in range(neurons)])
        ax.set_xlabel("neuron")
        ax.set_ylabel(r"$\partial C/\partial b$ (mean over the probe images)")
        ax.set_title(f"Gradient at initialization, [784, 30, 30, 10], seed {run['seed']}")
        ax.axhline(0, color="black", linewidth=0.6)
        ax.legend()
    return fig


def initial_speed(table, book_values):
    with plt.rc_context(STYLE):
        depths = sorted(table["hidden_layers"].unique())
        fig, axes = plt.subplots(1, len(depths), figsize=(3.0 * len(depths), 3.6), sharey=True, squeeze=False)
        for ax, k in zip(axes[0], depths):
            group = table[table["hidden_layers"] == k]
            layers = sorted(group["layer"].unique())
            data = [group.loc[group["layer"] == j, "speed"].to_numpy() for j in layers]
            ax.boxplot(data, positions=layers, widths=0.5)
            for j, d in zip(layers, data):
                ax.scatter(np.full(len(d), j) + np.linspace(-0.12, 0.12, len(d)), d, s=8, alpha=0.5, color="steelblue")
            if k in book_values:
                ax.scatter(layers[: len(book_values[k])], book_values[k], **BOOK_STYLE, label="book")
            ax.set_yscale("log")
            ax.set_xlabel("hidden layer")
            ax.set_title(f"{k} hidden layers")
        axes[0][0].set_ylabel(r"speed $\|\delta^l\|$ at initialization")
        axes[0][0].legend(loc="lower right")
        fig.suptitle("Speed of learning at initialization (boxes and dots: seeds; stars: the book)")
        fig.tight_layout()
    return fig


def learning_speed(table, hidden_layers):
    group = table[table["hidden_layers"] == hidden_layers]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        layers = sorted(group["layer"].unique())
        for color, j in zip(layer_colors(len(layers)), layers):
            wide = group[group["layer"] == j].pivot(index="seed", columns="epoch", values="speed")
            _band(ax, wide.columns, wide.to_numpy(), color, f"hidden layer {j}")
        ax.set_yscale("log")
        ax.set_xlabel("epoch (one full-batch update each)")
        ax.set_ylabel(r"speed $\|\delta^l\|$")
        ax.set_title(f"Speed of learning, {hidden_layers} hidden layers (mean, min-max over seeds)")
        ax.legend()
    return fig


def chain(table):
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        van = table[table["regime"] == "vanishing"]
        for i, (seed, g) in enumerate(van.groupby("seed")):
            ax.plot(g["layer"], g["backprop"].abs(), color="steelblue", alpha=0.6, marker="o", markersize=3,
                    label="vanishing: w, b ~ N(0, 1), one line per seed" if i == 0 else None)
        exp = table[table["regime"] == "exploding"]
        ax.plot(exp["layer"], exp["backprop"].abs(), color="darkorange", marker="o", markersize=3,
                label="exploding: w = 100, every z = 0")
        ax.scatter(table["layer"], table["eq122"].abs(), marker="x", s=18, color="black", zorder=4,
                   label="product of eq. (122)")
        ax.set_yscale("log")
        ax.set_xlabel("neuron (layer) l of the chain")
        ax.set_ylabel(r"$|\partial C/\partial b_l|$")
        ax.set_title("Unstable gradients in a chain of one neuron per layer")
        ax.legend(fontsize=8)
    return fig


def window(table, sigma_prime, widest):
    with plt.rc_context(STYLE):
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.6, 3.6))
        ax1.plot(sigma_prime["z"], sigma_prime["sigma_prime"], color="steelblue")
        ax1.axhline(0.25, color="crimson", linestyle="--", linewidth=0.8, label=r"1/4 = $\sigma'(0)$")
        ax1.set_xlabel("z")
        ax1.set_ylabel(r"$\sigma'(z)$")
        ax1.set_title(r"$\sigma'$ peaks at 1/4")
        ax1.legend()
        ax2.plot(table["w"], table["width_formula"], color="steelblue", label="eq. (123)")
        step = max(len(table) // 40, 1)
        ax2.scatter(table["w"][::step], table["width_scan"][::step], s=12, color="black", label="numeric scan")
        ax2.scatter([widest[0]], [widest[1]], **BOOK_STYLE, label=f"widest: |w| = {widest[0]:.3f}")
        ax2.set_xlabel("|w|")
        ax2.set_ylabel(r"width of $\{a : |w\,\sigma'(wa + b)| \geq 1\}$")
        ax2.set_title("The window is narrow")
        ax2.legend()
        fig.tight_layout()
    return fig
