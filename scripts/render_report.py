"""Rule report: fill the report's variables and tables from this run's outputs, then render;
copy the tables behind the figures next to the report (the captions link to them)."""

import shutil
from pathlib import Path

import yaml
from snakemake.utils import validate

from vanishing.publication import report_top, render, report_values, widgets
from vanishing.pipeline import job_setup
from vanishing import reproduce
from vanishing.pipeline.iofiles import atomic_path, read_json
from vanishing.pipeline.table_digests import verify_table

sm = snakemake  # noqa: F821 - injected by Snakemake's script: directive
log = job_setup.start(sm)
for table in sm.input.tables:  # every table the report reads or links to matches its digest
    verify_table(table)
summary = read_json(sm.input.summary)
default = yaml.safe_load(open(sm.input.default_config))
validate(default, sm.input.schema)  # fills in the defaults, as for the run's own config
benchmarks = [*sm.input.benchmarks, *sm.input.get("causes_benchmarks", [])]
run = report_top.run_variables(summary["config"], default, benchmarks)
extra = []
beyond_summary = causes_summary = why_deeper_answer = None  # the parts this run has, for the key findings
generated = report_values.report_tables(summary, benchmarks)
if "beyond_summary" in sm.input.keys():
    from vanishing import beyond

    beyond_summary = read_json(sm.input.beyond_summary)
    extra.append({"beyond": beyond.report_variables(beyond_summary)})
    generated.update(beyond.report_tables(beyond_summary))
if "causes_summary" in sm.input.keys():
    from vanishing.causes import report_values as causes_report

    causes_summary = read_json(sm.input.causes_summary)
    extra.append({"causes": causes_report.report_variables(causes_summary)})
    generated.update(causes_report.report_tables(causes_summary))
if "why_deeper_summary" in sm.input.keys():
    from vanishing.why_deeper import report_values as why_deeper_report

    why_deeper_summary = read_json(sm.input.why_deeper_summary)
    extra.append({"why_deeper": why_deeper_report.report_variables(why_deeper_summary)})
    generated.update(why_deeper_report.report_tables(why_deeper_summary))
    answer = why_deeper_report.answer(why_deeper_summary)
    generated["_generated/why_deeper_answer.md"] = answer
    short = why_deeper_report.answer(why_deeper_summary, numbers=False)
    why_deeper_answer = f"**Why deeper is no better** (@sec-why-deeper). {short}" if short else None
# the explorable figures beside the chain and window figures, from this run's tables
generated.update(widgets.report_fragments(summary, sm.input.chain_table, sm.input.window_table))
variables = report_values.report_variables(summary, *extra, run=run)
generated["_generated/reproduce.md"] = report_top.reproduce_box(variables["run"])
generated["_generated/findings.md"] = report_top.key_findings(
    summary, causes=causes_summary, beyond=beyond_summary, why_deeper=why_deeper_answer)
# the appendix's reproduction check, whenever a published run is present
published = Path(reproduce.PUBLISHED)
generated["_generated/reproduce_check.md"] = (
    reproduce.appendix_section(reproduce.check(Path(sm.input.summary).parent, published))
    if (published / "summary.json").exists() else "")
assets = {f"figures/{Path(p).name}": p for p in sm.input.figures}
assets.update({f"figures/{Path(p).name}": p for p in sm.input.get("causes_figures", [])})
source_dir = Path(sm.input.source[0]).parent  # report/, where _quarto.yml is
work_dir = Path(sm.output.html).parent / "work"
for src, dest in zip(sm.input.tables, sm.output.tables):
    with atomic_path(dest) as tmp:
        shutil.copyfile(src, tmp)
engine = render.render_report(source_dir, work_dir, sm.output.html, variables, generated,
                              pdf=sm.output.get("pdf"), engine=sm.params.engine, log=log.info, assets=assets)
log.info("report rendered with %s: %s", engine, ", ".join(sm.output))
