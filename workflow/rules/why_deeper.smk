# Why deeper is no better here, and what makes depth help: the questions the chapter leaves open,
# decided from the runs of the JOBS table; why_deeper_summary.json holds every number the section quotes.


localrules:
    why_deeper_summary,


rule why_deeper_summary:
    """Q1, optimization or generalization, from E1's training and validation accuracy; Q4, the
    remedies, from their accuracy and speed tables."""
    input:
        **study_tables(WHY_DEEPER_PART),
        depth_accuracy=paths.table("depth_accuracy"),
        initial_speed=paths.table("initial_speed"),
        beyond_init=paths.table("beyond_init"),
    output:
        summary=paths.WHY_DEEPER_SUMMARY,
    log:
        paths.log(paths.stem(paths.WHY_DEEPER_SUMMARY)),
    conda:
        ENV
    params:
        e1=E1,
        config=WHY_DEEPER,
        e2_width=E2["width"],
    script:
        "../../scripts/why_deeper_summary.py"
