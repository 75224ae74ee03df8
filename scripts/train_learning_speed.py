"""Rule train_learning_speed (E3): full-batch gradient descent, the speed of each layer per epoch."""

from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
result = experiments.learning_speed(sm.params.section, int(sm.wildcards.depth), int(sm.wildcards.seed),
                                    job_setup.splits(sm), dtype=job_setup.dtype(sm.params.dtype), log=log.info)
write_json(sm.output.run, result)
