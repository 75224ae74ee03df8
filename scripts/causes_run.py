"""Rule causes_run: one experiment of the causes (the wildcard, a key of EXPERIMENTS below), all its
runs in one file."""

from vanishing.pipeline import job_setup
from vanishing.causes import depth_sweep, jacobian, layerwise, regime
from vanishing.pipeline.iofiles import write_json

EXPERIMENTS = {
    "depth_sweep": depth_sweep.sweep_all,
    "jacobian": jacobian.jacobian_runs,
    "regime": regime.regime_runs,
    "layerwise": layerwise.layerwise_runs,
}

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
result = EXPERIMENTS[sm.wildcards.experiment](sm.params.section, job_setup.splits(sm), job_setup.dtype(sm.params.dtype),
                                              log=log.info)
write_json(sm.output.run, result)
log.info("wrote %s", sm.output.run)
