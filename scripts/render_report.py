"""Rule report: fill the report's variables and tables from this run's outputs, then render."""

from pathlib import Path

from vanishing import jobs, render, report, widgets
from vanishing.iofiles import read_json

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = jobs.start(sm)
summary = read_json(sm.input.summary)
variables = report.report_variables(summary)
generated = report.report_tables(summary, [*sm.input.benchmarks, *sm.input.get("causes_benchmarks", [])])
if "beyond_summary" in sm.input.keys():
    from vanishing import beyond

    beyond_summary = read_json(sm.input.beyond_summary)
    variables["beyond"] = beyond.report_variables(beyond_summary)
    generated.update(beyond.report_tables(beyond_summary))
# the explorable figures beside the chain and window figures, from this run's tables
generated.update(widgets.report_fragments(summary, sm.input.chain_table, sm.input.window_table))
if "causes_summary" in sm.input.keys():
    from vanishing.causes import report as causes_report

    causes_summary = read_json(sm.input.causes_summary)
    variables["causes"] = causes_report.report_variables(causes_summary)
    generated.update(causes_report.report_tables(causes_summary))
assets = {f"figures/{Path(p).name}": p for p in sm.input.figures}
assets.update({f"figures/{Path(p).name}": p for p in sm.input.get("causes_figures", [])})
source_dir = Path(sm.input.source[0]).parent  # report/, where _quarto.yml is
work_dir = Path(sm.output.html).parent / "work"
engine = render.render_report(source_dir, work_dir, sm.output.html, variables, generated,
                              pdf=sm.output.get("pdf"), engine=sm.params.engine, log=log.info, assets=assets)
log.info("report rendered with %s: %s", engine, ", ".join(sm.output))
