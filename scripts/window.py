"""Rule window (E5): sigma' and the width of the window of eq. (123), formula against a scan."""

from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.pipeline.table_digests import write_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
table = experiments.window_table(sm.params.section)
log.info("largest |formula - scan|: %.3g", (table["width_formula"] - table["width_scan"]).abs().max())
write_table(sm.output.table, table, rule=sm.rule, digest=sm.output.digest)
write_table(sm.output.sigma_prime, experiments.sigma_prime_table(), rule=sm.rule, digest=sm.output.sigma_prime_digest)
