# The chapter's causes, measured: E6 the depth sweep against eq. (124), the layer Jacobians'
# singular values, why the gap between the layers' speeds closes, and training only some layers,
# each one job for all its runs; E6's gains against eq. (124), and causes_summary.json.


localrules:
    causes_table_factors,
    causes_summary,


rule causes_table_factors:
    """Per activation x init x depth: the measured per-layer gain against eq. (124)'s."""
    input:
        table=paths.table("causes_depth_sweep"),
    output:
        **table_output(
            paths.table("causes_factors"),
            CAUSES_PART,
            labels(
                "E6", "measured and predicted per-layer gain", CAUSES["depth_sweep"]
            ),
        ),
    log:
        paths.log("tables/causes_factors"),
    conda:
        ENV
    script:
        "../../scripts/causes_factors.py"


rule causes_summary:
    """The numbers the report's cause sections quote, with the rules that read them."""
    input:
        **study_tables(CAUSES_PART),
    output:
        summary=paths.CAUSES_SUMMARY,
    log:
        paths.log(paths.stem(paths.CAUSES_SUMMARY)),
    conda:
        ENV
    params:
        config=CAUSES,
        e3_updates=E3["epochs"],  # full-batch descent: one update per epoch
    script:
        "../../scripts/causes_summary.py"
