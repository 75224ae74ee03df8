"""Rules fig_*: draw one figure (params.figure, a key of FIGURES below) from its inputs, as PNG and SVG."""

from vanishing.chapter import book, plots
from vanishing.pipeline import job_setup
from vanishing.publication import figure_style
from vanishing.beyond import plots as beyond_plots
from vanishing.causes import plots as causes_plots
from vanishing.pipeline.iofiles import read_json
from vanishing.pipeline.table_digests import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)


def table():
    return read_table(sm.input.table)


def best_eta():
    return read_json(sm.input.summary)["r3"]["best_eta"]


def window():
    s = read_json(sm.input.summary)["window"]
    return plots.window(table(), read_table(sm.input.sigma_prime), (s["widest_w"], s["widest_width"]))


def beyond_r4():
    arch = book.GLOROT_TABLE1_ARCH
    return beyond_plots.beyond_table1(table(), book.GLOROT_TABLE1_MNIST,
                                      f"Glorot & Bengio, Table 1 ({arch['hidden_layers']} x {arch['width']} units)")


FIGURES = {
    "depth_accuracy": lambda: plots.depth_accuracy(table(), book.DEPTH_ACCURACY),
    "initial_speed_bars": lambda: plots.initial_speed_bars(read_json(sm.input.run)["runs"][0], sm.params.neurons),
    "initial_speed": lambda: plots.initial_speed(table(), book.INITIAL_SPEED),
    "learning_speed": lambda: plots.learning_speed(table(), int(sm.wildcards.depth)),
    "chain": lambda: plots.chain(table()),
    "window": window,
    "causes_depth_sweep": lambda: causes_plots.depth_sweep(table(), read_table(sm.input.factors)),
    "causes_depth_speed": lambda: causes_plots.depth_speed(table()),
    "causes_regime": lambda: causes_plots.regime(table(), sm.params.e3_updates),
    "causes_layerwise": lambda: causes_plots.layerwise(table()),
    "beyond_r1": lambda: beyond_plots.beyond_init(table()),
    "beyond_r2": lambda: beyond_plots.beyond_saturation(table()),
    "beyond_r3": lambda: beyond_plots.beyond_optimizers(table(), best_eta()),
    "beyond_r3_speed": lambda: beyond_plots.beyond_optimizer_speed(table(), best_eta()),
    "beyond_r4": beyond_r4,
}

fig = FIGURES[sm.params.figure]()
figure_style.save(fig, sm.output.png, sm.output.svg)
log.info("wrote %s and %s", sm.output.png, sm.output.svg)
