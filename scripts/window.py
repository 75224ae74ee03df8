"""Rule window (E5): sigma' and the width of the window of eq. (123), formula against a scan."""

from vanishing import experiments, jobs
from vanishing.iofiles import write_csv

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
table = experiments.window_table(sm.params.section)
log.info("largest |formula - scan|: %.3g", (table["width_formula"] - table["width_scan"]).abs().max())
write_csv(sm.output.table, table)
write_csv(sm.output.sigma_prime, experiments.sigma_prime_table())
