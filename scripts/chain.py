"""Rule chain (E4): one neuron per layer; backprop against the product of eq. (122)."""

from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.pipeline.table_digests import write_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
table = experiments.chain_table(sm.params.section)
log.info("largest relative difference backprop vs eq. (122): %.3g", table["rel_diff"].max())
write_table(sm.output.table, table, rule=sm.rule, digest=sm.output.digest)
