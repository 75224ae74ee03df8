# Figures, drawn by rules from the tables (PNG for the reports, SVG for print), all by scripts/plot.py.
from vanishing.report import bars_depth


localrules:
    fig_depth_accuracy,
    fig_initial_speed_bars,
    fig_initial_speed,
    fig_learning_speed,
    fig_chain,
    fig_window,


rule fig_depth_accuracy:
    input:
        table="results/tables/depth_accuracy.csv",
    output:
        **figure_outputs("depth_accuracy", "depth_accuracy"),
    log:
        "logs/figures/depth_accuracy.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"


rule fig_initial_speed_bars:
    input:
        run=f"results/initial_speed/depth{bars_depth(E2['hidden_layers'])}.json",
    output:
        **figure_outputs("initial_speed_bars", "initial_speed_bars"),
    log:
        "logs/figures/initial_speed_bars.log",
    conda:
        ENV
    params:
        neurons=E2["bar_neurons"],
    script:
        "../../scripts/plot.py"


rule fig_initial_speed:
    input:
        table="results/tables/initial_speed.csv",
    output:
        **figure_outputs("initial_speed", "initial_speed"),
    log:
        "logs/figures/initial_speed.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"


rule fig_learning_speed:
    input:
        table="results/tables/learning_speed.csv",
    output:
        **figure_outputs("learning_speed_depth{depth}", "learning_speed"),
    log:
        "logs/figures/learning_speed_depth{depth}.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"


rule fig_chain:
    input:
        table="results/tables/chain.csv",
    output:
        **figure_outputs("chain", "chain"),
    log:
        "logs/figures/chain.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"


rule fig_window:
    input:
        table="results/tables/window.csv",
        sigma_prime="results/tables/sigma_prime.csv",
        summary="results/summary.json",
    output:
        **figure_outputs("window", "window"),
    log:
        "logs/figures/window.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"
