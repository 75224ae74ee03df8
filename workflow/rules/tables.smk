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
    "table_learning_speed_fit": RunTable(
        "learning_speed_fit",
        JOBS["train_learning_speed"].runs(),
        WHY_DEEPER_PART,
        labels("E3", "cost and accuracy during training", E3),
    ),
    "why_deeper_table_budget": RunTable(
        "why_deeper_budget",
        JOBS["why_deeper_budget"].runs(),
        WHY_DEEPER_PART,
        labels("Q3", "validation accuracy per epoch, trained longer", BUDGET),
    ),
    "why_deeper_table_large_init": RunTable(
        "why_deeper_large_init",
        JOBS["why_deeper_large_init"].runs(),
        WHY_DEEPER_PART,
        labels("Q5", "speed of each layer at initialization, N(0, 1) weights", E2),
    ),
    "why_deeper_table_remedies": RunTable(
        "why_deeper_remedies",
        JOBS["why_deeper_remedies"].runs(),
        WHY_DEEPER_PART,
        labels("Q4", "accuracy per epoch with each remedy", WHY_DEEPER["remedies"]),
    ),
    "why_deeper_table_remedies_speed": RunTable(
        "why_deeper_remedies_speed",
        JOBS["why_deeper_remedies"].runs(),
        WHY_DEEPER_PART,
        labels(
            "Q4",
            "speed of each layer per epoch with each remedy",
            WHY_DEEPER["remedies"],
        ),
    ),
    "why_deeper_table_equalized": RunTable(
        "why_deeper_equalized",
        JOBS["why_deeper_equalized"].runs(),
        WHY_DEEPER_PART,
        labels(
            "Q2",
            "accuracy per epoch with equalized speeds, E1's protocol",
            WHY_DEEPER["equalized"],
        ),
    ),
    "why_deeper_table_equalized_speed": RunTable(
        "why_deeper_equalized_speed",
        JOBS["why_deeper_equalized"].runs(),
        WHY_DEEPER_PART,
        labels(
            "Q2",
            "speed of each layer per epoch with equalized speeds, E1's protocol",
            WHY_DEEPER["equalized"],
        ),
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
