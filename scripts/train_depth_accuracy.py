"""Rule train_depth_accuracy (E1): one depth, one seed; mini-batch SGD with per-epoch instruments."""

from vanishing import experiments, jobs
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
result = experiments.depth_accuracy(sm.params.section, int(sm.wildcards.depth), int(sm.wildcards.seed),
                                    jobs.splits(sm), dtype=jobs.dtype(sm.params.dtype), log=log.info)
write_json(sm.output.run, result)
