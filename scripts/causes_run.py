"""Rule causes_run: one experiment of issue 13 (named by the wildcard), all its runs in one file."""

from vanishing import jobs
from vanishing.causes import depth_sweep, jacobian, layerwise, regime
from vanishing.iofiles import write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
section, dtype, splits = sm.params.section, jobs.dtype(sm.params.dtype), jobs.splits(sm)
experiment = sm.wildcards.experiment
if experiment == "depth_sweep":
    result = depth_sweep.sweep_all(section, splits, dtype, log=log.info)
elif experiment == "jacobian":
    result = jacobian.jacobian_runs(section, splits, dtype, log=log.info)
elif experiment == "regime":
    result = regime.regime_runs(section, splits, dtype, log=log.info)
elif experiment == "layerwise":
    result = layerwise.layerwise_runs(section, splits, dtype, log=log.info)
else:
    raise ValueError(f"no experiment {experiment!r} in issue 13's rules")
write_json(sm.output.run, result)
log.info("wrote %s", sm.output.run)
