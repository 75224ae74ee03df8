"""Rules fig_*: draw one figure from the tables (the figure is chosen by the rule's name)."""

from vanishing import book, jobs, plots
from vanishing.iofiles import read_json
from vanishing.tables import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
figure = sm.rule.removeprefix("fig_")
if figure == "depth_accuracy":
    fig = plots.depth_accuracy(read_table(sm.input.table), book.DEPTH_ACCURACY)
elif figure == "initial_speed_bars":
    run = read_json(sm.input.run)["runs"][0]
    fig = plots.initial_speed_bars(run, sm.params.neurons)
elif figure == "initial_speed":
    fig = plots.initial_speed(read_table(sm.input.table), book.INITIAL_SPEED)
elif figure == "learning_speed":
    fig = plots.learning_speed(read_table(sm.input.table), int(sm.wildcards.depth))
elif figure == "chain":
    fig = plots.chain(read_table(sm.input.table))
elif figure == "window":
    s = read_json(sm.input.summary)["window"]
    fig = plots.window(read_table(sm.input.table), read_table(sm.input.sigma_prime),
                       (s["widest_w"], s["widest_width"]))
else:
    raise ValueError(f"no figure for rule {sm.rule}")
plots.save(fig, sm.output.png, sm.output.svg)
log.info("wrote %s and %s", sm.output.png, sm.output.svg)
