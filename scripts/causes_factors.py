"""Rule causes_table_factors: the measured per-layer gain of E6 against eq. (124)'s prediction."""

import pandas as pd

from vanishing import jobs
from vanishing.causes import depth_sweep
from vanishing.iofiles import write_csv

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
table = depth_sweep.factor_table(pd.read_csv(sm.input.table))
log.info("%d rows (activation x init x depth)", len(table))
write_csv(sm.output.table, table)
