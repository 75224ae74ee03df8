# The report: this run's numbers in the Quarto source of report/, rendered to HTML (and PDF),
# with the tables behind its figures beside it; and the published copy under docs/.


localrules:
    report,
    publish,


# The tables the figures are drawn from (chapter and beyond), which the captions link to.
FIGURE_TABLES = (
    list(chapter_tables().values())
    + [f for f in beyond_targets() if f.startswith("results/tables/")]
    + list(CAUSES_TABLES.values())
)
REPORT_TABLES = [f"results/report/tables/{Path(f).name}" for f in FIGURE_TABLES]


rule report:
    """Render report/ with this run's numbers (Quarto where installed, else pandoc)."""
    input:
        summary="results/summary.json",
        beyond_summary="results/beyond_summary.json",
        chain_table="results/tables/chain.csv",
        window_table="results/tables/window.csv",
        causes_summary="results/causes_summary.json",
        causes_figures=[f for f in causes_figures() if f.endswith(".png")],
        causes_benchmarks=causes_benchmarks(),
        figures=report_figures(),
        tables=FIGURE_TABLES,
        source=report_sources(),
        benchmarks=benchmark_files,
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
        summary="results/summary.json",
        beyond_summary="results/beyond_summary.json",
        causes_summary="results/causes_summary.json",
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
