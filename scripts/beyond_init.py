"""Rule beyond_init (R1): gradients at initialization, one activation x init, every width and seed."""

from vanishing import beyond
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
result = beyond.init_gradients(sm.params.section, sm.wildcards.activation, sm.wildcards.init, job_setup.splits(sm),
                               dtype=job_setup.dtype(sm.params.dtype), log=log.info)
write_json(sm.output.run, result)
