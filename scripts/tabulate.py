"""Rules table_* and beyond_table_*: gather one experiment's per-run results files into its table.
params.experiment names the table function ``<experiment>_table`` in params.module (default
``experiments``; ``beyond`` for R1-R4)."""

import importlib

from vanishing import jobs
from vanishing.iofiles import read_json
from vanishing.tables import write_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
module = importlib.import_module(f"vanishing.{sm.params.get('module', 'experiments')}")
make_table = getattr(module, f"{sm.params.experiment}_table")
table = make_table([read_json(path) for path in sm.input.runs])
log.info("%s: %d rows from %d files", sm.params.experiment, len(table), len(sm.input.runs))
write_table(sm.output.table, table, inputs=sm.input.runs, rule=sm.rule, digest=sm.output.digest)
