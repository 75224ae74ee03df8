"""Rule causes_table_factors: the measured per-layer gain of E6 against eq. (124)'s prediction."""

from vanishing.pipeline import job_setup
from vanishing.causes import depth_sweep
from vanishing.pipeline.table_digests import read_table, write_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
table = depth_sweep.factor_table(read_table(sm.input.table))
log.info("%d rows (activation x init x depth)", len(table))
write_table(sm.output.table, table, inputs=[sm.input.table], rule=sm.rule, digest=sm.output.digest)
