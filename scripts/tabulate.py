"""The rules of workflow/rules/tables.smk: gather one experiment's per-run results files into its
table; params.table names the table, a key of TABLES below."""

from vanishing import beyond
from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.causes import depth_sweep, jacobian, layerwise, regime
from vanishing.pipeline.iofiles import read_json
from vanishing.pipeline.table_digests import write_table
from vanishing.why_deeper import remedies

TABLES = {
    "depth_accuracy": experiments.depth_accuracy_table,
    "initial_speed": experiments.initial_speed_table,
    "learning_speed": experiments.learning_speed_table,
    "learning_speed_fit": experiments.learning_speed_fit_table,
    "depth_speed": experiments.depth_speed_table,
    "beyond_init": beyond.init_table,
    "beyond_saturation": beyond.saturation_table,
    "beyond_optimizers": beyond.optimizers_table,
    "beyond_table1": beyond.table1_table,
    "causes_depth_sweep": depth_sweep.sweep_table,
    "causes_jacobian": jacobian.jacobian_table,
    "causes_regime": regime.regime_table,
    "causes_layerwise": layerwise.layerwise_table,
    "why_deeper_budget": experiments.depth_accuracy_table,
    "why_deeper_large_init": experiments.initial_speed_table,
    "why_deeper_remedies": remedies.remedies_table,
    "why_deeper_remedies_speed": remedies.remedies_speed_table,
    "why_deeper_equalized": remedies.remedies_table,
    "why_deeper_equalized_speed": remedies.remedies_speed_table,
}

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
table = TABLES[sm.params.table]([read_json(path) for path in sm.input.runs])
log.info("%s: %d rows from %d files", sm.params.table, len(table), len(sm.input.runs))
write_table(sm.output.table, table, inputs=sm.input.runs, rule=sm.rule, digest=sm.output.digest)
