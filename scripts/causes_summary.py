"""Rule causes_summary: the numbers the report's cause sections quote, with their verdicts."""

from vanishing.pipeline import job_setup
from vanishing.causes import summary
from vanishing.pipeline.iofiles import write_json
from vanishing.pipeline.provenance import describe

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
result = {**summary.summarize(summary.read_tables(dict(sm.input.items())), sm.params.config,
                                             sm.params.e3_updates),
          "provenance": describe()}
for row in result["factors"]:
    log.info("%s %s: measured gain %.3f, predicted %.3f: %s", row["activation"], row["init"],
             row["measured_gain"], row["predicted_gain"], row["verdict"])
write_json(sm.output.summary, result)
log.info("wrote %s", sm.output.summary)
