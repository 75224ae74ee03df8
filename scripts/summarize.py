"""Rule summary: the headline numbers the report quotes, each beside the book's value."""

from vanishing.pipeline import job_setup
from vanishing.chapter import summary
from vanishing.pipeline.iofiles import read_json, write_json
from vanishing.pipeline.provenance import describe
from vanishing.pipeline.table_digests import read_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
tables = {name: read_table(path) for name, path in sm.input.items() if name != "manifest"}
result = {
    "depth_accuracy": summary.depth_accuracy(tables["depth_accuracy"]),
    "initial_speed": summary.initial_speed(tables["initial_speed"]),
    "learning_speed": summary.learning_speed(tables["learning_speed"]),
    "chain": summary.chain_summary(tables["chain"]),
    "window": summary.window_summary(tables["window"], tables["sigma_prime"]),
    "data": read_json(sm.input.manifest),
    "config": sm.config,
    "provenance": describe(),
}
write_json(sm.output.summary, result)
log.info("wrote %s", sm.output.summary)
