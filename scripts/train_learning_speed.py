"""Rule train_learning_speed (E3): full-batch gradient descent, the speed of each layer per epoch."""

from vanishing import experiments, jobs
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
result = experiments.learning_speed(sm.params.section, int(sm.wildcards.depth), int(sm.wildcards.seed),
                                    jobs.splits(sm), dtype=jobs.dtype(sm.params.dtype), log=log.info)
write_json(sm.output.run, result)
