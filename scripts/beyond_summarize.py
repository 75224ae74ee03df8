"""Rule beyond_summary: the numbers, the papers' published values and the computed verdicts."""

from vanishing import beyond
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import read_json, write_json
from vanishing.pipeline.provenance import describe
from vanishing.pipeline.table_digests import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
tables = {name: read_table(sm.input[name]) for name in beyond.TABLE_COLUMNS}
result = {**beyond.summarize(tables, sm.params.section, read_json(sm.input.selection)), "provenance": describe()}
for claim, verdict in result["verdicts"].items():
    log.info("%s: %s", claim, verdict)
write_json(sm.output.summary, result)
log.info("wrote %s", sm.output.summary)
