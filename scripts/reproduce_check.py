"""Rule reproduce_check: this run (the folder of its summaries) against the published run in
docs/; writes the check's CSV and JSON, and prints and logs the verdict."""

from pathlib import Path

from vanishing.pipeline import job_setup
from vanishing import reproduce

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
try:
    result = reproduce.check(Path(sm.input.summary).parent, Path(sm.params.against))
except reproduce.NoRunError as exc:
    raise SystemExit(f"reproduce_check: {exc}")
reproduce.write(result, sm.output.csv, sm.output.json)
log.info("%s", result["verdict"])
print(result["verdict"], flush=True)
