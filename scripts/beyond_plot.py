"""Rules fig_beyond_*: draw one figure of the beyond-the-chapter experiments (chosen by the rule)."""

from vanishing import book, jobs, plots
from vanishing.beyond import plots as beyond_plots
from vanishing.iofiles import read_json
from vanishing.tables import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
figure = sm.rule.removeprefix("fig_")
table = read_table(sm.input.table)
if figure == "beyond_r1":
    fig = beyond_plots.beyond_init(table)
elif figure == "beyond_r2":
    fig = beyond_plots.beyond_saturation(table)
elif figure == "beyond_r3":
    fig = beyond_plots.beyond_optimizers(table, read_json(sm.input.summary)["r3"]["best_eta"])
elif figure == "beyond_r3_speed":
    fig = beyond_plots.beyond_optimizer_speed(table, read_json(sm.input.summary)["r3"]["best_eta"])
elif figure == "beyond_r4":
    arch = book.GLOROT_TABLE1_ARCH
    fig = beyond_plots.beyond_table1(table, book.GLOROT_TABLE1_MNIST,
                                     f"Glorot & Bengio, Table 1 ({arch['hidden_layers']} x {arch['width']} units)")
else:
    raise ValueError(f"no figure for rule {sm.rule}")
plots.save(fig, sm.output.png, sm.output.svg)
log.info("wrote %s and %s", sm.output.png, sm.output.svg)
