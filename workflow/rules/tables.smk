# Every table gathered from per-run results files, in one form: a row of RUN_TABLES names the
# table (vanishing.pipeline.paths.table; scripts/tabulate.py's table TABLES makes it), the runs it reads in
# order, and its place in Snakemake's report. The loop at the end makes one rule per row.
from dataclasses import dataclass


@dataclass
class RunTable:
    table: str
    runs: list
    part: str
    labels: dict


CAUSES_RUNS = {name: [paths.RUNS["causes"].format(experiment=name)] for name in CAUSES}
RUN_TABLES = {
    "table_depth_accuracy": RunTable(
        "depth_accuracy",
        JOBS["train_depth_accuracy"].runs(),
        CHAPTER,
        labels("E1", "validation accuracy per epoch", E1),
    ),
    "table_initial_speed": RunTable(
        "initial_speed",
        JOBS["initial_speed"].runs(),
        CHAPTER,
        labels("E2", "speed of each layer at initialization", E2),
    ),
    "table_learning_speed": RunTable(
        "learning_speed",
        JOBS["train_learning_speed"].runs(),
        CHAPTER,
        labels("E3", "speed of each layer during training", E3),
    ),
    "beyond_table_init": RunTable(
        "beyond_init",
        JOBS["beyond_init"].runs(),
        BEYOND_PART,
        labels("R1", "gradients at initialization", BEYOND["init"]),
    ),
    "beyond_table_saturation": RunTable(
        "beyond_saturation",
        JOBS["beyond_saturation"].runs(),
        BEYOND_PART,
        labels("R2", "activations during training", BEYOND["saturation"]),
    ),
    "beyond_table_optimizers": RunTable(
        "beyond_optimizers",
        JOBS["beyond_optimizer_select"].runs() + JOBS["beyond_optimizer"].runs(),
        BEYOND_PART,
        labels("R3", "cost and accuracy per optimizer", BEYOND["optimizers"]),
    ),
    "beyond_table_table1": RunTable(
        "beyond_table1",
        JOBS["beyond_table1"].runs(),
        BEYOND_PART,
        labels("R4", "test error by activation and init", BEYOND["table1"]),
    ),
    "causes_table_depth_sweep": RunTable(
        "causes_depth_sweep",
        CAUSES_RUNS["depth_sweep"],
        CAUSES_PART,
        labels("E6", "speed of each layer at initialization", CAUSES["depth_sweep"]),
    ),
    "causes_table_jacobian": RunTable(
        "causes_jacobian",
        CAUSES_RUNS["jacobian"],
        CAUSES_PART,
        labels(
            "Jacobians", "singular values of the layer Jacobians", CAUSES["jacobian"]
        ),
    ),
    "causes_table_regime": RunTable(
        "causes_regime",
        CAUSES_RUNS["regime"],
        CAUSES_PART,
        labels("regime", "speed ratio against updates", CAUSES["regime"]),
    ),
    "causes_table_layerwise": RunTable(
        "causes_layerwise",
        CAUSES_RUNS["layerwise"],
        CAUSES_PART,
        labels("layerwise", "cost when only some layers train", CAUSES["layerwise"]),
    ),
    "table_depth_speed": RunTable(
        "depth_speed",
        JOBS["train_depth_accuracy"].runs(),
        CAUSES_PART,
        labels("E1", "speed of each layer per epoch", E1),
    ),
}


for name, row in RUN_TABLES.items():

    rule:
        name:
            name
        input:
            runs=row.runs,
        output:
            **table_output(paths.table(row.table), row.part, row.labels),
        log:
            paths.log(f"tables/{row.table}"),
        localrule: True
        conda:
            ENV
        params:
            table=row.table,
        script:
            "../../scripts/tabulate.py"
