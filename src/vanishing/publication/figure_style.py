"""The one style of every figure (the chapter's, beyond the chapter, the causes): labelled axes,
units, legends; each saved as PNG and SVG.

Sizes are for print: a figure is at most ``WIDTH`` inches wide (the PDF's text width), so it is
printed at about its natural size and no text is smaller than 8 pt; the PNG is written at
``savefig.dpi`` = 240, at least twice the pixels of the 640-px HTML column it is shown in. Colours come from
the one colour-blind-safe palette, :mod:`vanishing.publication.palette` (Okabe-Ito); the book's published
values are always black open markers, distinct from this run's coloured points.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from . import palette  # noqa: E402
from vanishing.pipeline.iofiles import atomic_path  # noqa: E402

WIDTH = 6.3  # inches: the PDF's text width (A4, Typst's default margins)
MIN_FONT_PT = 8.0  # the smallest text any figure may print
STYLE = {
    "figure.figsize": (WIDTH, 3.9),
    "figure.dpi": 100,
    "savefig.dpi": 240,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 9.5,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 8.5,
    "figure.titlesize": 10.5,
    "legend.frameon": False,
    "axes.prop_cycle": plt.cycler(color=palette.OKABE_ITO),
    "svg.hashsalt": "vanishing",  # deterministic SVG ids
}
# The book's values: black open markers, never one of the run's colours.
BOOK_STYLE = {"marker": "D", "s": 40, "facecolor": "none", "edgecolor": "black", "linewidth": 1.3, "zorder": 6}


def layer_colors(n):
    """``n`` distinguishable colour-blind-safe colours (Okabe-Ito; ValueError past eight)."""
    return palette.colors(n)


def save(fig, png, svg):
    """Write the figure to both paths atomically and close it."""
    # svg.hashsalt must be in force while saving (the clip-path ids are made then), not only while drawing.
    with plt.rc_context({"svg.hashsalt": STYLE["svg.hashsalt"], "savefig.dpi": STYLE["savefig.dpi"]}):
        for path, fmt in ((png, "png"), (svg, "svg")):
            with atomic_path(path, suffix="." + fmt) as tmp:
                fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata={"Date": None} if fmt == "svg" else None)
    plt.close(fig)


def font_sizes(fig) -> list[float]:
    """Point sizes of every visible text of ``fig`` (titles, labels, ticks, legends, notes)."""
    fig.canvas.draw()
    return [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
