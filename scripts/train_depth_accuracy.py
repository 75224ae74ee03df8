"""Rule train_depth_accuracy (E1): one depth, one seed or a chunk of seeds trained stacked
(params.seeds); mini-batch SGD with per-epoch instruments, one results file per seed."""

from vanishing import experiments, jobs
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
seeds = sm.params.get("seeds") or [int(sm.wildcards.seed)]
results = experiments.depth_accuracy_seeds(sm.params.section, int(sm.wildcards.depth), seeds, jobs.splits(sm),
                                           dtype=jobs.dtype(sm.params.dtype), log=log.info)
for path, result in zip(sm.output, results):  # outputs in the order of the seeds
    write_json(path, result)
