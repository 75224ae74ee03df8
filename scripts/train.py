"""The stacked training rules of workflow/rules/runs.smk: params.work names the runs of TRAINING
below, params.members the chunk of seeds (or of R3's selection etas) that this job trains as one
stacked computation; one results file per member, in the order of the members, with a progress
line per epoch in the log."""

from vanishing import beyond
from vanishing.chapter import experiments
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import read_json, write_json
from vanishing.why_deeper import remedies

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
wc, section, members = sm.wildcards, sm.params.section, sm.params.members
kwargs = {"dtype": job_setup.dtype(sm.params.dtype), "log": log.info}


def depth_accuracy(splits):
    """E1: the nets [784, 30 x depth, 10] of the seeds, the book's mini-batch SGD."""
    return experiments.depth_accuracy_seeds(section, int(wc.depth), members, splits, **kwargs)


def saturation(splits):
    """R2: one activation x init, activations of every hidden layer during mini-batch SGD."""
    return beyond.saturation_seeds(section, wc.activation, wc.init, members, splits, **kwargs)


def selection(splits):
    """R3's selection stage: one optimizer at the chunk's etas on one seed, from the same weights."""
    if len(members) == 1:
        return beyond.optimizer_runs(section, wc.optimizer, members[0], [int(wc.seed)], splits, "select", **kwargs)
    return beyond.selection_runs(section, wc.optimizer, members, int(wc.seed), splits, **kwargs)


def optimizers(splits):
    """R3's comparison stage: one optimizer at the eta chosen in the selection stage."""
    eta = read_json(sm.input.selection)[wc.optimizer]["eta"]
    log.info("%s: eta %g chosen in the selection stage", wc.optimizer, eta)
    return beyond.optimizer_runs(section, wc.optimizer, eta, members, splits, "final", **kwargs)


def table1(splits):
    """R4: one activation x init trained with mini-batch SGD, tested on the 10,000 test images."""
    return beyond.table1_runs(section, wc.activation, wc.init, members, splits, **kwargs)


def remedy(splits):
    """Q4: one remedy (activation, init, skip connections) at one depth, the book's mini-batch SGD."""
    return remedies.remedy_runs(section, wc.remedy, int(wc.depth), members, splits, **kwargs)


TRAINING = {"depth_accuracy": depth_accuracy, "saturation": saturation, "selection": selection,
            "optimizers": optimizers, "table1": table1, "remedies": remedy}

results = TRAINING[sm.params.work](job_setup.splits(sm))
for path, result in zip(sm.output, results, strict=True):
    write_json(path, result)
