"""Rules beyond_saturation (R2), beyond_optimizer_select and beyond_optimizer (R3), beyond_table1
(R4): one training run, or a chunk of seeds trained stacked (params.seeds, rules named
``<rule>_seeds<first>_<last>``), or a chunk of R3's selection etas trained stacked on one seed
(params.etas, rules named ``beyond_optimizer_select_etas<chunk>``), chosen by the rule's name,
with a progress line per epoch in the log."""

import re

from vanishing import beyond, jobs
from vanishing.iofiles import read_json, write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
wc, section = sm.wildcards, sm.params.section
seeds = sm.params.get("seeds") or [int(wc.seed)]  # a chunk of seeds trained stacked, or one seed
rule = re.sub(r"_seeds\d+_\d+$|_etas\d+$", "", sm.rule)
kwargs = {"dtype": jobs.dtype(sm.params.dtype), "log": log.info}
if rule == "beyond_saturation":
    results = beyond.saturation_seeds(section, wc.activation, wc.init, seeds, jobs.splits(sm), **kwargs)
elif rule == "beyond_optimizer_select" and sm.params.get("etas"):
    results = beyond.selection_runs(section, wc.optimizer, sm.params.etas, int(wc.seed), jobs.splits(sm), **kwargs)
elif rule == "beyond_optimizer_select":
    results = beyond.optimizer_runs(section, wc.optimizer, float(wc.eta), seeds, jobs.splits(sm), "select", **kwargs)
elif rule == "beyond_optimizer":
    eta = read_json(sm.input.selection)[wc.optimizer]["eta"]
    log.info("%s: eta %g chosen in the selection stage", wc.optimizer, eta)
    results = beyond.optimizer_runs(section, wc.optimizer, eta, seeds, jobs.splits(sm), "final", **kwargs)
elif rule == "beyond_table1":
    results = beyond.table1_runs(section, wc.activation, wc.init, seeds, jobs.splits(sm), **kwargs)
else:
    raise ValueError(f"no run for rule {sm.rule}")
for path, result in zip(sm.output, results, strict=True):  # outputs in the order of the seeds (or etas)
    write_json(path, result)
