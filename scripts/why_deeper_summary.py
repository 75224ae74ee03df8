"""Rule why_deeper_summary: the numbers the study section quotes, with their verdicts."""

from vanishing.pipeline import job_setup
from vanishing.chapter.experiments import cost_images
from vanishing.pipeline.iofiles import write_json
from vanishing.pipeline.provenance import describe
from vanishing.why_deeper import summary

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
tables = summary.read_tables(dict(sm.input.items()))
result = {**summary.summarize(tables, cost_images(sm.params.e1), sm.params.config,
                              sm.params.e2_width, sm.params.e1["epochs"]),
          "provenance": describe()}
for name, claim in result["fit"]["claims"].items():
    log.info("Q1 %s: training accuracy %s (%s); deficit: %s", name, claim["reading"], claim["verdict"],
             claim["deficit"])
write_json(sm.output.summary, result)
log.info("wrote %s", sm.output.summary)
