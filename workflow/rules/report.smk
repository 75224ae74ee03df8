# The report: this run's numbers in the Quarto source of report/, rendered to HTML (and PDF),
# and the published copy under docs/.


localrules:
    report,
    publish,


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
        source=report_sources(),
        benchmarks=benchmark_files,
    output:
        **report_outputs(),
    log:
        "logs/report.log",
    conda:
        ENV
    params:
        engine=config["report"]["engine"],
    script:
        "../../scripts/render_report.py"


rule publish:
    """Copy a full default run's report and summary to docs/ (`snakemake --cores 2 publish`)."""
    input:
        **report_outputs(),
        summary="results/summary.json",
    output:
        html="docs/report.html",
        summary="docs/summary.json",
        pdf="docs/report.pdf" if config["report"]["pdf"] else [],
    log:
        "logs/publish.log",
    conda:
        ENV
    params:
        default_config="config/config.yaml",
        schema="workflow/schemas/config.schema.yaml",
    script:
        "../../scripts/publish.py"
