# Paths and target lists of the chapter's causes (issue 13), apart from its rules (causes.smk).

CAUSES = config["causes"]
CAUSES_EXPERIMENTS = ["depth_sweep", "jacobian", "regime", "layerwise"]
CAUSES_TABLES = {
    "causes_depth_sweep": "results/tables/causes_depth_sweep.csv",
    "causes_factors": "results/tables/causes_factors.csv",
    "causes_jacobian": "results/tables/causes_jacobian.csv",
    "causes_regime": "results/tables/causes_regime.csv",
    "causes_layerwise": "results/tables/causes_layerwise.csv",
    "depth_speed": "results/tables/depth_speed.csv",
}
CAUSES_FIGURES = [
    "causes_depth_sweep",
    "causes_depth_speed",
    "causes_regime",
    "causes_layerwise",
]


def causes_figures():
    return expand(
        "results/figures/{name}.{ext}", name=CAUSES_FIGURES, ext=["png", "svg"]
    )


def causes_benchmarks():
    """The benchmark records of the experiments, for the report's timings appendix."""
    return expand("results/benchmarks/causes/{e}.tsv", e=CAUSES_EXPERIMENTS)


def causes_targets():
    """The summary the report quotes, the tables and the figures."""
    return ["results/causes_summary.json", *CAUSES_TABLES.values(), *causes_figures()]
