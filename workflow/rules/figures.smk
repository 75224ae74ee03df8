# Every figure of the study, in one form: a row of FIGURES names the figure (its caption
# workflow/report/<name>.rst and what scripts/plot.py's table FIGURES draws), the files it is drawn
# from and its place in Snakemake's report; the loop at the end makes one rule fig_<name> per row.
# Each figure is a PNG for the reports and an SVG for print.
from dataclasses import dataclass, field

from vanishing.publication.report_values import bars_depth


@dataclass
class Figure:
    name: str
    part: str
    labels: dict
    inputs: dict
    params: dict = field(default_factory=dict)
    stem: str = ""  # the output's name, when it is not the figure's

    def files(self):
        """The figure's PNG and SVG, every depth of a figure per depth."""
        pattern = self.stem or self.name
        stems = (
            expand(pattern, depth=E3["hidden_layers"])
            if "{depth}" in pattern
            else [pattern]
        )
        return [paths.figure(s, ext) for s in stems for ext in ("png", "svg")]


def drawn_from(*names, **files):
    """Named inputs: the tables ``names`` (the first one named table), and ``files``."""
    tables = {
        ("table" if i == 0 else name): paths.table(name) for i, name in enumerate(names)
    }
    return {**tables, **files}


E2_BARS = bars_depth(E2["hidden_layers"])
FIGURES = [
    Figure(
        "depth_accuracy",
        CHAPTER,
        labels("E1", "validation accuracy against depth", E1),
        drawn_from("depth_accuracy"),
    ),
    Figure(
        "initial_speed_bars",
        CHAPTER,
        labels("E2", "dC/db of the first neurons", E2, depth=E2_BARS),
        {"run": paths.RUNS["initial_speed"].format(depth=E2_BARS)},
        params={"neurons": E2["bar_neurons"]},
    ),
    Figure(
        "initial_speed",
        CHAPTER,
        labels("E2", "speed of each layer at initialization", E2),
        drawn_from("initial_speed"),
    ),
    Figure(
        "learning_speed",
        CHAPTER,
        labels("E3", "speed of each layer during training", E3, depth="{depth}"),
        drawn_from("learning_speed"),
        stem="learning_speed_depth{depth}",
    ),
    Figure(
        "chain",
        CHAPTER,
        E4_LABELS,
        drawn_from("chain"),
    ),
    Figure(
        "window",
        CHAPTER,
        labels("E5", "sigma'(z) and the window of eq. (123)", {}, activation="sigmoid"),
        drawn_from("window", "sigma_prime", summary=rules.summary.output.summary),
    ),
    Figure(
        "causes_depth_sweep",
        CAUSES_PART,
        labels("E6", "speed of each layer at initialization", CAUSES["depth_sweep"]),
        drawn_from("causes_depth_sweep", factors=paths.table("causes_factors")),
    ),
    Figure(
        "causes_depth_speed",
        CAUSES_PART,
        labels("E1", "speed of each layer per epoch", E1),
        drawn_from("depth_speed"),
    ),
    Figure(
        "causes_regime",
        CAUSES_PART,
        labels("regime", "speed ratio against updates", CAUSES["regime"]),
        drawn_from("causes_regime"),
        params={"e3_updates": E3["epochs"]},
    ),
    Figure(
        "causes_layerwise",
        CAUSES_PART,
        labels("layerwise", "cost when only some layers train", CAUSES["layerwise"]),
        drawn_from("causes_layerwise"),
    ),
    Figure(
        "beyond_r1",
        BEYOND_PART,
        labels("R1", "gradients at initialization", BEYOND["init"]),
        drawn_from("beyond_init"),
    ),
    Figure(
        "beyond_r2",
        BEYOND_PART,
        labels("R2", "activations during training", BEYOND["saturation"]),
        drawn_from("beyond_saturation"),
    ),
    Figure(
        "beyond_r3",
        BEYOND_PART,
        labels("R3", "cost and accuracy per optimizer", BEYOND["optimizers"]),
        drawn_from("beyond_optimizers", summary=rules.beyond_summary.output.summary),
    ),
    Figure(
        "beyond_r3_speed",
        BEYOND_PART,
        labels("R3", "speed of each layer per optimizer", BEYOND["optimizers"]),
        drawn_from("beyond_optimizers", summary=rules.beyond_summary.output.summary),
    ),
    Figure(
        "beyond_r4",
        BEYOND_PART,
        labels("R4", "test error by activation and init", BEYOND["table1"]),
        drawn_from("beyond_table1"),
    ),
]


def study_figures(part=None, ext=None):
    """The figures of one part of the study (or all of it), PNG and SVG (or one of them)."""
    files = [f for fig in FIGURES if part in (None, fig.part) for f in fig.files()]
    return [f for f in files if ext is None or f.endswith(f".{ext}")]


for fig in FIGURES:

    rule:
        name:
            f"fig_{fig.name}"
        input:
            **fig.inputs,
        output:
            **figure_outputs(fig.stem or fig.name, fig.name, fig.part, fig.labels),
        log:
            paths.log(f"figures/{fig.stem or fig.name}"),
        localrule: True
        conda:
            ENV
        params:
            **fig.params,
            figure=fig.name,
        script:
            "../../scripts/plot.py"
