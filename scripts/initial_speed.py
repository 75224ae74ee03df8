"""Rule initial_speed (E2): the speed of learning at initialization, one depth, every seed."""

from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
result = experiments.initial_speed(sm.params.section, int(sm.wildcards.depth), job_setup.splits(sm),
                                   dtype=job_setup.dtype(sm.params.dtype))
for run in result["runs"]:
    log.info("seed %s: speed %s", run["seed"], " ".join(f"{s:.4g}" for s in run["speed_b"][:-1]))
write_json(sm.output.run, result)
