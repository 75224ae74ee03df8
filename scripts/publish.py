"""Rule publish: copy the report of a full default run, with its summary, to docs/."""

import shutil

import yaml
from snakemake.utils import validate

from vanishing import jobs
from vanishing.iofiles import atomic_path, read_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
default = yaml.safe_load(open(sm.params.default_config))
validate(default, sm.params.schema)
used = read_json(sm.input.summary)["config"]
if used != default:
    changed = sorted(k for k in set(default) | set(used) if default.get(k) != used.get(k))
    raise SystemExit(f"publish takes a full default run only; this run's config differs in {changed}")
for name in ("html", "summary", "pdf"):
    if name in sm.output.keys():
        with atomic_path(sm.output[name]) as tmp:
            shutil.copyfile(sm.input[name], tmp)
        log.info("published %s -> %s", sm.input[name], sm.output[name])
