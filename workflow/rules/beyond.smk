# Beyond the chapter: the claims of Glorot & Bengio (2010) and Sutskever et al. (2013), tested as
# the papers state them. R1 gradients at initialization, R2 saturation during training,
# R3 optimizers (eta chosen on selection seeds, then compared on other seeds) and R4 a small
# Table 1, whose jobs are rows of runs.smk; here R3's choice of eta and beyond_summary.json with the
# intervals and verdicts.


localrules:
    beyond_summary,
    beyond_select_eta,


rule beyond_select_eta:
    """R3: each optimizer's eta, the lowest mean final training cost of the selection runs."""
    input:
        runs=JOBS["beyond_optimizer_select"].runs(),
    output:
        selection=paths.R3_SELECTION,
    log:
        paths.log(paths.stem(paths.R3_SELECTION)),
    conda:
        ENV
    params:
        section=BEYOND["optimizers"],
    script:
        "../../scripts/beyond_select.py"


rule beyond_summary:
    """The four experiments' numbers beside the papers' values, with intervals and verdicts."""
    input:
        **study_tables(BEYOND_PART),
        selection=rules.beyond_select_eta.output.selection,
    output:
        summary=paths.BEYOND_SUMMARY,
    log:
        paths.log(paths.stem(paths.BEYOND_SUMMARY)),
    conda:
        ENV
    params:
        section=BEYOND,
    script:
        "../../scripts/beyond_summarize.py"
