"""Rules fig_causes_*: draw one figure of issue 13 (chosen by the rule's name)."""

import pandas as pd

from vanishing import jobs, plots
from vanishing.causes import plots as causes_plots

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
figure = sm.rule.removeprefix("fig_causes_")
table = pd.read_csv(sm.input.table)
if figure == "depth_sweep":
    fig = causes_plots.depth_sweep(table, pd.read_csv(sm.input.factors))
elif figure == "depth_speed":
    fig = causes_plots.depth_speed(table)
elif figure == "regime":
    fig = causes_plots.regime(table, sm.params.e3_updates)
elif figure == "layerwise":
    fig = causes_plots.layerwise(table)
else:
    raise ValueError(f"no figure for rule {sm.rule}")
plots.save(fig, sm.output.png, sm.output.svg)
log.info("wrote %s and %s", sm.output.png, sm.output.svg)
