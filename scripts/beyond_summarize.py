"""Rule beyond_summary: the numbers, the papers' published values and the computed verdicts."""

import pandas as pd

from vanishing import beyond, jobs
from vanishing.iofiles import write_json
from vanishing.provenance import describe

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
tables = {name: pd.read_csv(path) for name, path in sm.input.items()}
result = {**beyond.summarize(tables, sm.params.section), "provenance": describe()}
for claim, verdict in result["verdicts"].items():
    log.info("%s: %s", claim, verdict)
write_json(sm.output.summary, result)
log.info("wrote %s", sm.output.summary)
