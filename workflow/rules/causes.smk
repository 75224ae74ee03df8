# The chapter's causes, measured (issue 13): E6 the depth sweep against eq. (124), the layer
# Jacobians' singular values, why the gap between the layers' speeds closes, training only some
# layers, and E1's per-layer speed per epoch; their tables, causes_summary.json and the figures.


include: "causes_common.smk"


localrules:
    causes_table_depth_sweep,
    causes_table_factors,
    causes_table_jacobian,
    causes_table_regime,
    causes_table_layerwise,
    table_depth_speed,
    causes_summary,
    fig_causes_depth_sweep,
    fig_causes_depth_speed,
    fig_causes_regime,
    fig_causes_layerwise,


rule causes_run:
    """One experiment of issue 13 (depth_sweep, jacobian, regime or layerwise), all its runs."""
    input:
        **split_inputs(),
    output:
        run="results/causes/{experiment}.json",
    log:
        "logs/causes/{experiment}.log",
    benchmark:
        "results/benchmarks/causes/{experiment}.tsv"
    wildcard_constraints:
        experiment="|".join(CAUSES_EXPERIMENTS),
    conda:
        ENV
    threads: config["threads"]
    resources:
        mem_mb=1500,
        runtime=20,
    params:
        section=lambda wildcards: CAUSES[wildcards.experiment],
        dtype=config["dtype"],
    script:
        "../../scripts/causes_run.py"


rule causes_table_depth_sweep:
    input:
        runs=["results/causes/depth_sweep.json"],
    output:
        **table_output(
            CAUSES_TABLES["causes_depth_sweep"],
            CAUSES_PART,
            labels(
                "E6", "speed of each layer at initialization", CAUSES["depth_sweep"]
            ),
        ),
    log:
        "logs/tables/causes_depth_sweep.log",
    conda:
        ENV
    params:
        module="causes.depth_sweep",
        experiment="sweep",
    script:
        "../../scripts/tabulate.py"


rule causes_table_factors:
    """Per activation x init x depth: the measured per-layer gain against eq. (124)'s."""
    input:
        table=CAUSES_TABLES["causes_depth_sweep"],
    output:
        **table_output(
            CAUSES_TABLES["causes_factors"],
            CAUSES_PART,
            labels(
                "E6", "measured and predicted per-layer gain", CAUSES["depth_sweep"]
            ),
        ),
    log:
        "logs/tables/causes_factors.log",
    conda:
        ENV
    script:
        "../../scripts/causes_factors.py"


rule causes_table_jacobian:
    input:
        runs=["results/causes/jacobian.json"],
    output:
        **table_output(
            CAUSES_TABLES["causes_jacobian"],
            CAUSES_PART,
            labels(
                "Jacobians",
                "singular values of the layer Jacobians",
                CAUSES["jacobian"],
            ),
        ),
    log:
        "logs/tables/causes_jacobian.log",
    conda:
        ENV
    params:
        module="causes.jacobian",
        experiment="jacobian",
    script:
        "../../scripts/tabulate.py"


rule causes_table_regime:
    input:
        runs=["results/causes/regime.json"],
    output:
        **table_output(
            CAUSES_TABLES["causes_regime"],
            CAUSES_PART,
            labels("regime", "speed ratio against updates", CAUSES["regime"]),
        ),
    log:
        "logs/tables/causes_regime.log",
    conda:
        ENV
    params:
        module="causes.regime",
        experiment="regime",
    script:
        "../../scripts/tabulate.py"


rule causes_table_layerwise:
    input:
        runs=["results/causes/layerwise.json"],
    output:
        **table_output(
            CAUSES_TABLES["causes_layerwise"],
            CAUSES_PART,
            labels(
                "layerwise", "cost when only some layers train", CAUSES["layerwise"]
            ),
        ),
    log:
        "logs/tables/causes_layerwise.log",
    conda:
        ENV
    params:
        module="causes.layerwise",
        experiment="layerwise",
    script:
        "../../scripts/tabulate.py"


rule table_depth_speed:
    """E1's speed of every hidden layer after every epoch (the runs of table_depth_accuracy)."""
    input:
        runs=runs("depth_accuracy", E1),
    output:
        **table_output(
            CAUSES_TABLES["depth_speed"],
            CAUSES_PART,
            labels("E1", "speed of each layer per epoch", E1),
        ),
    log:
        "logs/tables/depth_speed.log",
    conda:
        ENV
    params:
        experiment="depth_speed",
    script:
        "../../scripts/tabulate.py"


rule causes_summary:
    """The numbers the report's cause sections quote, with the rules that read them."""
    input:
        **CAUSES_TABLES,
    output:
        summary="results/causes_summary.json",
    log:
        "logs/causes_summary.log",
    conda:
        ENV
    params:
        config=CAUSES,
        e3_updates=E3["epochs"],  # full-batch descent: one update per epoch
    script:
        "../../scripts/causes_summary.py"


rule fig_causes_depth_sweep:
    input:
        table=CAUSES_TABLES["causes_depth_sweep"],
        factors=CAUSES_TABLES["causes_factors"],
    output:
        **figure_outputs(
            "causes_depth_sweep",
            "causes_depth_sweep",
            CAUSES_PART,
            labels(
                "E6", "speed of each layer at initialization", CAUSES["depth_sweep"]
            ),
        ),
    log:
        "logs/figures/causes_depth_sweep.log",
    conda:
        ENV
    script:
        "../../scripts/causes_plot.py"


rule fig_causes_depth_speed:
    input:
        table=CAUSES_TABLES["depth_speed"],
    output:
        **figure_outputs(
            "causes_depth_speed",
            "causes_depth_speed",
            CAUSES_PART,
            labels("E1", "speed of each layer per epoch", E1),
        ),
    log:
        "logs/figures/causes_depth_speed.log",
    conda:
        ENV
    script:
        "../../scripts/causes_plot.py"


rule fig_causes_regime:
    input:
        table=CAUSES_TABLES["causes_regime"],
    output:
        **figure_outputs(
            "causes_regime",
            "causes_regime",
            CAUSES_PART,
            labels("regime", "speed ratio against updates", CAUSES["regime"]),
        ),
    log:
        "logs/figures/causes_regime.log",
    conda:
        ENV
    params:
        e3_updates=E3["epochs"],
    script:
        "../../scripts/causes_plot.py"


rule fig_causes_layerwise:
    input:
        table=CAUSES_TABLES["causes_layerwise"],
    output:
        **figure_outputs(
            "causes_layerwise",
            "causes_layerwise",
            CAUSES_PART,
            labels(
                "layerwise", "cost when only some layers train", CAUSES["layerwise"]
            ),
        ),
    log:
        "logs/figures/causes_layerwise.log",
    conda:
        ENV
    script:
        "../../scripts/causes_plot.py"
