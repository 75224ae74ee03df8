# The report: this run's numbers in the Quarto source of report/, rendered to HTML (and PDF),
# with the tables behind its figures beside it; and the published copy under docs/.


localrules:
    report,
    publish,


# The tables the figures are drawn from, which the captions link to, copied beside the report.
REPORT_TABLES = [
    f"results/report/tables/{Path(f).name}" for f in study_tables().values()
]


rule report:
    """Render report/ with this run's numbers (Quarto where installed, else pandoc)."""
    input:
        summary=rules.summary.output.summary,
        beyond_summary=rules.beyond_summary.output.summary,
        chain_table=rules.chain.output.table,
        window_table=rules.window.output.table,
        causes_summary=rules.causes_summary.output.summary,
        why_deeper_summary=rules.why_deeper_summary.output.summary,
        causes_figures=study_figures(CAUSES_PART, "png")
        + study_figures(WHY_DEEPER_PART, "png"),
        figures=study_figures(CHAPTER, "png") + study_figures(BEYOND_PART, "png"),
        tables=list(study_tables().values()),
        source=report_sources(),
        # the benchmark records of every job that computes runs, for the timings appendix
        benchmarks=[f for job in JOBS.values() for f in job.benchmarks()]
        + [rules.window.benchmark],
        default_config="config/config.yaml",
        schema="workflow/schemas/config.schema.yaml",
    output:
        **report_outputs(),
        tables=REPORT_TABLES,
    log:
        "logs/report.log",
    conda:
        ENV
    params:
        engine=config["report"]["engine"],
    script:
        "../../scripts/render_report.py"


rule publish:
    """Swap a full default run's report, summaries and figure tables into docs/ whole, from a
    clean git tree only (`snakemake --cores 2 publish`); docs/summary.json records the commit.
    docs/ is written by the script, not owned as outputs (Snakemake deletes a job's outputs
    before it runs and after it fails): the stamp lists what was published."""
    input:
        **report_outputs(),
        tables=REPORT_TABLES,
        summary=rules.summary.output.summary,
        beyond_summary=rules.beyond_summary.output.summary,
        causes_summary=rules.causes_summary.output.summary,
        why_deeper_summary=rules.why_deeper_summary.output.summary,
    output:
        stamp="results/publish/published.json",
    log:
        "logs/publish.log",
    conda:
        ENV
    params:
        docs="docs",
        default_config="config/config.yaml",
        schema="workflow/schemas/config.schema.yaml",
    script:
        "../../scripts/publish.py"
