"""Rule beyond_init (R1): gradients at initialization, one activation x init, every width and seed."""

from vanishing import beyond, jobs
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
result = beyond.init_gradients(sm.params.section, sm.wildcards.activation, sm.wildcards.init, jobs.splits(sm),
                               dtype=jobs.dtype(sm.params.dtype), log=log.info)
write_json(sm.output.run, result)
