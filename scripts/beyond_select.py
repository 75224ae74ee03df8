"""Rule beyond_select_eta (R3): each optimizer's learning rate, chosen on the selection runs'
validation cost, with a flag when it lies at the edge of the grid."""

from vanishing import beyond
from vanishing.pipeline import job_setup
from vanishing.pipeline.iofiles import read_json, write_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
selection = beyond.select_eta([read_json(p) for p in sm.input.runs], sm.params.section)
for opt, s in selection.items():
    log.info("%s: eta %g%s", opt, s["eta"], f" (at the {s['edge']} edge of the grid)" if s["edge"] else "")
write_json(sm.output.selection, selection)
