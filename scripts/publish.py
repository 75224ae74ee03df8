"""Rule publish: copy the report of a full default run of committed code, with its summaries and
the tables behind its figures, to docs/ (vanishing.publishing says what may be published)."""

import shutil
from pathlib import Path

import yaml
from snakemake.utils import validate

from vanishing import jobs, publishing
from vanishing.iofiles import atomic_path, read_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
default = yaml.safe_load(open(sm.params.default_config))
validate(default, sm.params.schema)
summary = read_json(sm.input.summary)
try:
    publishing.check_publishable(Path.cwd(), summary["config"], default, summary["provenance"]["code_version"])
except publishing.PublishError as exc:
    raise SystemExit(f"publish refused: {exc}")
pairs = [(sm.input[n], sm.output[n]) for n in ("html", "summary", "beyond_summary", "causes_summary", "pdf") if n in sm.output.keys()]
pairs += list(zip(sm.input.tables, sm.output.tables))
for src, dest in pairs:
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
    log.info("published %s -> %s", src, dest)
