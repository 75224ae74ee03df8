# The report: this run's numbers in the Quarto source of report/, rendered to HTML (and PDF),
# with the tables behind its figures beside it; and the published copy under docs/.


localrules:
    report,
    publish,


def figure_tables():
    """The tables the figures are drawn from (chapter and beyond), which the captions link to."""
    beyond = [f for f in beyond_targets() if f.startswith("results/tables/")]
    return list(chapter_tables().values()) + beyond


def report_tables():
    return [f"results/report/tables/{Path(f).name}" for f in figure_tables()]


rule report:
    """Render report/ with this run's numbers (Quarto where installed, else pandoc)."""
    input:
        summary="results/summary.json",
        beyond_summary="results/beyond_summary.json",
        figures=report_figures(),
        tables=figure_tables(),
        source=report_sources(),
        benchmarks=benchmark_files,
        default_config="config/config.yaml",
        schema="workflow/schemas/config.schema.yaml",
    output:
        **report_outputs(),
        tables=report_tables(),
    log:
        "logs/report.log",
    conda:
        ENV
    params:
        engine=config["report"]["engine"],
    script:
        "../../scripts/render_report.py"


rule publish:
    """Copy a full default run's report, summaries and figure tables to docs/, from a clean git
    tree only (`snakemake --cores 2 publish`); docs/summary.json records the commit."""
    input:
        **report_outputs(),
        tables=report_tables(),
        summary="results/summary.json",
        beyond_summary="results/beyond_summary.json",
    output:
        html="docs/report.html",
        summary="docs/summary.json",
        beyond_summary="docs/beyond_summary.json",
        pdf="docs/report.pdf" if config["report"]["pdf"] else [],
        tables=[f"docs/tables/{Path(f).name}" for f in figure_tables()],
    log:
        "logs/publish.log",
    conda:
        ENV
    params:
        default_config="config/config.yaml",
        schema="workflow/schemas/config.schema.yaml",
    script:
        "../../scripts/publish.py"
