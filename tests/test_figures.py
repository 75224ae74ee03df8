"""Figures are files like any other output: the same inputs give the same bytes."""

import subprocess
import sys

SCRIPT = """
import sys
import matplotlib.pyplot as plt
from vanishing.publication import figure_style
with plt.rc_context(figure_style.STYLE):
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [3, 1, 2], label="line")
    ax.fill_between([1, 2, 3], [0, 0, 1], [2, 3, 3], alpha=0.2)  # a clipped patch: clip-path ids
    ax.legend()
figure_style.save(fig, sys.argv[1] + ".png", sys.argv[1] + ".svg")
"""


def test_svg_is_byte_identical_across_processes(tmp_path):
    """Two fresh interpreters drawing the same figure write the same SVG (clip-path ids included)."""
    svgs = []
    for name in ("first", "second"):
        subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / name)], check=True)
        svgs.append((tmp_path / f"{name}.svg").read_bytes())
    assert b"clip-path" in svgs[0]
    assert svgs[0] == svgs[1]


# ---- every figure of the report, drawn from the published data, without text collisions ----------

import json  # noqa: E402
from pathlib import Path  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from figure_overlaps import collisions  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"


def _table(name):
    """A published table (docs/ keeps the CSVs without their digests)."""
    import pandas as pd

    return pd.read_csv(DOCS / "tables" / f"{name}.csv")


def _bars_run():
    """One run's ∂C/∂b at initialization (the shape plots.initial_speed_bars draws), from the network."""
    from vanishing.engine.network import Network

    rng = np.random.default_rng(0)
    net = Network([784, 30, 30, 30, 10], rng)
    x = rng.random((20, 784))
    y = np.eye(10)[rng.integers(0, 10, 20)]
    nabla_b, _ = net.backprop(x, y)
    return {"seed": 0, "bias_grad": [(np.ravel(nb)[:6] / 20).tolist() for nb in nabla_b]}


def _figures():
    """Each figure of the report: its name and a function drawing it as scripts/plot.py does."""
    from vanishing.chapter import book, plots
    from vanishing.beyond import plots as beyond_plots
    from vanishing.causes import plots as causes_plots
    from vanishing.why_deeper import plots as why_deeper_plots

    summary = json.loads((DOCS / "summary.json").read_text())["window"]
    best_eta = json.loads((DOCS / "beyond_summary.json").read_text())["r3"]["best_eta"]
    e3_epochs = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["learning_speed"]["epochs"]
    arch = book.GLOROT_TABLE1_ARCH
    learning = _table("learning_speed")
    figures = {
        "depth_accuracy": lambda: plots.depth_accuracy(_table("depth_accuracy"), book.DEPTH_ACCURACY),
        "initial_speed_bars": lambda: plots.initial_speed_bars(_bars_run(), 6),
        "initial_speed": lambda: plots.initial_speed(_table("initial_speed"), book.INITIAL_SPEED),
        "chain": lambda: plots.chain(_table("chain")),
        "window": lambda: plots.window(_table("window"), _table("sigma_prime"),
                                       (summary["widest_w"], summary["widest_width"])),
        "causes_depth_sweep": lambda: causes_plots.depth_sweep(_table("causes_depth_sweep"), _table("causes_factors")),
        "causes_depth_speed": lambda: causes_plots.depth_speed(_table("depth_speed")),
        "causes_regime": lambda: causes_plots.regime(_table("causes_regime"), e3_epochs),
        "causes_layerwise": lambda: causes_plots.layerwise(_table("causes_layerwise")),
        "beyond_r1": lambda: beyond_plots.beyond_init(_table("beyond_init")),
        "beyond_r2": lambda: beyond_plots.beyond_saturation(_table("beyond_saturation")),
        "beyond_r3": lambda: beyond_plots.beyond_optimizers(_table("beyond_optimizers"), best_eta),
        "beyond_r3_speed": lambda: beyond_plots.beyond_optimizer_speed(_table("beyond_optimizers"), best_eta),
        "beyond_r4": lambda: beyond_plots.beyond_table1(
            _table("beyond_table1"), book.GLOROT_TABLE1_MNIST,
            f"Glorot & Bengio, Table 1 ({arch['hidden_layers']} x {arch['width']} units)"),
        "why_deeper_remedies": lambda: why_deeper_plots.remedies(_table("why_deeper_remedies"),
                                                                 _table("why_deeper_remedies_speed")),
    }
    for depth in sorted(learning["hidden_layers"].unique()):
        figures[f"learning_speed_depth{depth}"] = lambda d=int(depth): plots.learning_speed(learning, d)
    return figures


FIGURE_NAMES = [
    "depth_accuracy", "initial_speed_bars", "initial_speed", "chain", "window", "causes_depth_sweep",
    "causes_depth_speed", "causes_regime", "causes_layerwise", "beyond_r1", "beyond_r2", "beyond_r3",
    "beyond_r3_speed", "beyond_r4", "why_deeper_remedies",
]


def test_every_report_figure_is_checked():
    """The list below covers every figure the workflow draws (workflow/report/<name>.rst)."""
    captions = {p.stem for p in (REPO / "workflow" / "report").glob("*.rst")}
    assert captions - {"learning_speed"} == set(FIGURE_NAMES)


@pytest.mark.parametrize("name", FIGURE_NAMES + ["learning_speed"])
def test_no_text_collides_with_data_axes_or_other_text(name):
    figures = _figures()
    names = [n for n in figures if n == name or n.startswith(name + "_depth")]
    assert names
    for n in names:
        fig = figures[n]()
        try:
            found = collisions(fig)
        finally:
            plt.close(fig)
        assert not found, f"{n}: " + "; ".join(found)


def _broken(kind):
    fig, (a, b) = plt.subplots(1, 2, figsize=(6, 3))
    x = np.linspace(0, 1, 50)
    a.plot(x, x, label="rising curve")
    b.plot(x, 1 - x, label="falling")
    if kind == "legend_on_curve":
        a.legend(loc="center")  # the diagonal passes through the centre
    elif kind == "text_on_text":
        a.set_title("a long title that runs far to the right over the next one")
        b.set_title("second title")
    elif kind == "label_in_other_axes":
        a.annotate("note", (1.6, 0.5), xycoords="axes fraction", annotation_clip=False)
    elif kind == "figure_legend_over_axes":
        fig.legend(loc="center")
    elif kind == "annotation_on_markers":
        a.scatter([0.2], [0.8], s=60)
        a.annotate("here", (0.2, 0.8), ha="center", va="center")
    fig.subplots_adjust(wspace=0.3)  # fixed: tight_layout would make room for the broken text
    return fig


@pytest.mark.parametrize("kind", ["legend_on_curve", "text_on_text", "label_in_other_axes",
                                  "figure_legend_over_axes", "annotation_on_markers"])
def test_collision_check_flags_a_broken_figure(kind):
    fig = _broken(kind)
    try:
        assert collisions(fig)
    finally:
        plt.close(fig)


def test_collision_check_passes_a_clean_figure():
    fig = _broken("clean")
    try:
        assert collisions(fig) == []
    finally:
        plt.close(fig)


# ---- every figure's caption links the data it is drawn from, and only files docs/ publishes -------

import re  # noqa: E402

CAPTION = re.compile(r"^!\[(?P<caption>.*?)\]\(figures/(?P<name>[\w-]+)\.png\)", re.S | re.M)
LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def _captions():
    """{figure name: caption} of every figure the report's .qmd files show."""
    found = {}
    for qmd in sorted((REPO / "report").glob("*.qmd")):
        for m in CAPTION.finditer(qmd.read_text()):
            found[m["name"]] = m["caption"]
    return found


def _drawn_from():
    """{figure name: its first table} from workflow/rules/figures.smk's drawn_from(...) rows."""
    rows = (REPO / "workflow" / "rules" / "figures.smk").read_text().split("Figure(")[1:]
    found = {}
    for row in rows:
        name, table = re.match(r'\s*"(\w+)"', row), re.search(r'drawn_from\("(\w+)"', row)
        if name and table:
            found[name[1]] = table[1]
    return found


def test_captions_are_found():
    captions = _captions()
    assert {"depth_accuracy", "causes_regime", "beyond_r4"} <= set(captions)


def caption_problems(name, caption, table):
    """What is wrong with the data links of figure ``name``'s caption (drawn from ``table``)."""
    data = [m["target"] for m in LINK.finditer(caption) if m["target"].endswith((".csv", ".json"))]
    problems = [] if data else [f"the caption of {name} links no data file"]
    problems += [f"the caption of {name} links {t}, which docs/ does not contain" for t in data
                 if not (DOCS / t).is_file()]
    if table is not None and f"tables/{table}.csv" not in data:
        problems.append(f"the caption of {name} does not link tables/{table}.csv, which it is drawn from")
    problems += [f"the caption of {name} names the unpublished file {f}" for f in re.findall(r"`([^`]+\.json)`", caption)]
    return problems


@pytest.mark.parametrize("name", sorted(_captions()))
def test_caption_links_its_data_in_docs(name):
    assert caption_problems(name, _captions()[name], _drawn_from().get(name)) == []


def test_caption_check_fails_on_a_missing_link_a_missing_file_and_the_wrong_table():
    assert caption_problems("chain", "Chains. Data: [chain.csv](tables/chain.csv).", "chain") == []
    assert caption_problems("chain", "Chains, no link.", "chain")
    assert caption_problems("chain", "Data: [chain.csv](tables/chain.csv), [x](tables/nowhere.csv).", "chain")
    assert caption_problems("chain", "Data: [window.csv](tables/window.csv).", "chain")
    assert caption_problems("chain", "Data: [chain.csv](tables/chain.csv) and `runs/chain.json`.", "chain")
