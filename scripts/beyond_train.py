"""Rules beyond_saturation (R2), beyond_optimizer_select and beyond_optimizer (R3), beyond_table1
(R4): one training run, chosen by the rule's name, with a progress line per epoch in the log."""

from vanishing import beyond, jobs
from vanishing.iofiles import read_json, write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
wc, section, seed = sm.wildcards, sm.params.section, int(sm.wildcards.seed)
kwargs = {"dtype": jobs.dtype(sm.params.dtype), "log": log.info}
if sm.rule == "beyond_saturation":
    result = beyond.saturation(section, wc.activation, wc.init, seed, jobs.splits(sm), **kwargs)
elif sm.rule == "beyond_optimizer_select":
    result = beyond.optimizer_run(section, wc.optimizer, float(wc.eta), seed, jobs.splits(sm), "select", **kwargs)
elif sm.rule == "beyond_optimizer":
    eta = read_json(sm.input.selection)[wc.optimizer]["eta"]
    log.info("%s: eta %g chosen in the selection stage", wc.optimizer, eta)
    result = beyond.optimizer_run(section, wc.optimizer, eta, seed, jobs.splits(sm), "final", **kwargs)
elif sm.rule == "beyond_table1":
    result = beyond.table1_run(section, wc.activation, wc.init, seed, jobs.splits(sm), **kwargs)
else:
    raise ValueError(f"no run for rule {sm.rule}")
write_json(sm.output.run, result)
