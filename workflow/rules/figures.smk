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
        **figure_outputs(
            "depth_accuracy",
            "depth_accuracy",
            CHAPTER,
            labels("E1", "validation accuracy against depth", E1),
        ),
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
        **figure_outputs(
            "initial_speed_bars",
            "initial_speed_bars",
            CHAPTER,
            labels(
                "E2",
                "dC/db of the first neurons",
                E2,
                depth=bars_depth(E2["hidden_layers"]),
            ),
        ),
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
        **figure_outputs(
            "initial_speed",
            "initial_speed",
            CHAPTER,
            labels("E2", "speed of each layer at initialization", E2),
        ),
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
        **figure_outputs(
            "learning_speed_depth{depth}",
            "learning_speed",
            CHAPTER,
            labels("E3", "speed of each layer during training", E3, depth="{depth}"),
        ),
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
        **figure_outputs(
            "chain",
            "chain",
            CHAPTER,
            labels(
                "E4",
                "|dC/db| along a chain",
                {},
                depth=f"1 to {config['chain']['max_depth']}",
                activation="sigmoid",
            ),
        ),
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
        **figure_outputs(
            "window",
            "window",
            CHAPTER,
            labels(
                "E5", "sigma'(z) and the window of eq. (123)", {}, activation="sigmoid"
            ),
        ),
    log:
        "logs/figures/window.log",
    conda:
        ENV
    script:
        "../../scripts/plot.py"
