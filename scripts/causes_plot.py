"""Rules fig_causes_*: draw one figure of issue 13 (chosen by the rule's name)."""

from vanishing import jobs, plots
from vanishing.causes import plots as causes_plots
from vanishing.tables import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
figure = sm.rule.removeprefix("fig_causes_")
table = read_table(sm.input.table)
if figure == "depth_sweep":
    fig = causes_plots.depth_sweep(table, read_table(sm.input.factors))
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
