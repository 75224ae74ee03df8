"""Rule initial_speed (E2): the speed of learning at initialization, one depth, every seed."""

from vanishing import experiments, jobs
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
result = experiments.initial_speed(sm.params.section, int(sm.wildcards.depth), jobs.splits(sm),
                                   dtype=jobs.dtype(sm.params.dtype))
for run in result["runs"]:
    log.info("seed %s: speed %s", run["seed"], " ".join(f"{s:.4g}" for s in run["speed_b"][:-1]))
write_json(sm.output.run, result)
