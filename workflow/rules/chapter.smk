# The chapter's experiments beside their training jobs (E1-E3's, in runs.smk): E4 and E5 straight
# to their tables, and the chapter's summary.
# Cheap steps run on the submitting machine, not as cluster jobs.


localrules:
    chain,
    window,
    summary,


E4_LABELS = labels(
    "E4",
    "|dC/db| along a chain",
    {},
    depth=f"1 to {config['chain']['max_depth']}",
    activation="sigmoid",
)


rule chain:
    """E4: chains of one neuron per layer, vanishing and exploding (eq. 122)."""
    output:
        **table_output(paths.table("chain"), CHAPTER, E4_LABELS),
    log:
        paths.log("chain"),
    conda:
        ENV
    params:
        section=config["chain"],
    script:
        "../../scripts/chain.py"


rule window:
    """E5: sigma' and the width of the window of eq. (123), formula against a scan."""
    output:
        **table_output(
            paths.table("window"),
            CHAPTER,
            labels("E5", "window width against |w|", {}, activation="sigmoid"),
        ),
        sigma_prime=reported_table(
            paths.table("sigma_prime"),
            CHAPTER,
            labels("E5", "sigma'(z)", {}, activation="sigmoid"),
        ),
        sigma_prime_digest=digest_path(paths.table("sigma_prime")),
    log:
        paths.log("window"),
    benchmark:
        paths.benchmark("window")
    conda:
        ENV
    params:
        section=config["window"],
    script:
        "../../scripts/window.py"


rule summary:
    """The headline numbers the report quotes, each beside the book's value."""
    input:
        **study_tables(CHAPTER),
        manifest=rules.fetch_mnist.output.manifest,
    output:
        summary=paths.SUMMARY,
    log:
        paths.log("summary"),
    conda:
        ENV
    script:
        "../../scripts/summarize.py"
