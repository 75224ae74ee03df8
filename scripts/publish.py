"""Rule publish: the report of a full default run of committed code, with its summaries and the
tables behind its figures, swapped into docs/ whole (vanishing.publication.publishing says what may be
published, and how docs/ is replaced); the rule's output is a stamp listing what was published."""

from pathlib import Path

import yaml
from snakemake.utils import validate

from vanishing.pipeline import job_setup
from vanishing.publication import publishing
from vanishing.pipeline.iofiles import read_json, write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
default = yaml.safe_load(open(sm.params.default_config))
validate(default, sm.params.schema)
summary = read_json(sm.input.summary)
code_version = summary["provenance"]["code_version"]
try:  # before anything in docs/ is touched
    publishing.check_publishable(Path.cwd(), summary["config"], default, code_version)
except publishing.PublishError as exc:
    raise SystemExit(f"publish refused: {exc}")
names = {"html": "report.html", "pdf": "report.pdf", "summary": "summary.json",
         "beyond_summary": "beyond_summary.json", "causes_summary": "causes_summary.json"}
files = {names[n]: sm.input[n] for n in names if n in sm.input.keys()}
files.update({f"tables/{Path(t).name}": t for t in sm.input.tables})
for done in publishing.recover(Path.cwd(), sm.params.docs):
    log.info("publish: %s (left by a killed publish)", done)
digests = publishing.publish(Path.cwd(), files, sm.params.docs)
for rel in sorted(digests):
    log.info("published %s -> %s/%s", files[rel], sm.params.docs, rel)
write_json(sm.output.stamp, {"code_version": code_version, "docs": sm.params.docs, "sha256": digests})
