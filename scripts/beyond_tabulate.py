"""Rules beyond_table_*: gather one experiment's results files into its table."""

from vanishing import beyond, jobs
from vanishing.iofiles import read_json, write_csv

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
make_table = getattr(beyond, f"{sm.params.table}_table")
table = make_table([read_json(path) for path in sm.input.runs])
log.info("%s: %d rows from %d files", sm.params.table, len(table), len(sm.input.runs))
write_csv(sm.output.table, table)
