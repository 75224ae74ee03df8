# Did this run reproduce the published one? `snakemake --cores 2 reproduce_check` compares this
# run's tables and summaries with those in docs/ (python -m vanishing.reproduce --against PATH
# compares with any earlier results/ folder).
from vanishing.reproduce import PUBLISHED, fingerprint


localrules:
    reproduce_check,


rule reproduce_check:
    """Compare this run with the published one: tables, the summaries' numbers against the
    published seed spread, and what made each run; print and log the one-line verdict.
    docs/ is no input (rule publish writes it); its fingerprint reruns the check when it changes.
    """
    input:
        tables=list(study_tables().values()),
        summary=rules.summary.output.summary,
        beyond_summary=rules.beyond_summary.output.summary,
        causes_summary=rules.causes_summary.output.summary,
        why_deeper_summary=rules.why_deeper_summary.output.summary,
    output:
        csv="results/reproduce_check.csv",
        json="results/reproduce_check.json",
    log:
        "logs/reproduce_check.log",
    conda:
        ENV
    params:
        against=PUBLISHED,
        published=lambda wildcards: fingerprint(PUBLISHED),
    script:
        "../../scripts/reproduce_check.py"
