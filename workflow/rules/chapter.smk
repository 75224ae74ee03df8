# The chapter's experiments E1-E5: training runs per depth and seed, then one table each.
# Cheap steps run on the submitting machine, not as cluster jobs.


localrules:
    chain,
    window,
    table_depth_accuracy,
    table_initial_speed,
    table_learning_speed,
    summary,


if E1["stack_seeds"] == 1:

    rule train_depth_accuracy:
        """E1: one net [784, 30 x depth, 10] trained with the book's mini-batch SGD."""
        input:
            **split_inputs(),
        output:
            run="results/depth_accuracy/depth{depth}/seed{seed}.json",
        log:
            "logs/depth_accuracy/depth{depth}/seed{seed}.log",
        benchmark:
            "results/benchmarks/depth_accuracy/depth{depth}/seed{seed}.tsv"
        conda:
            ENV
        threads: config["threads"]
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            section=E1,
            dtype=config["dtype"],
        script:
            "../../scripts/train_depth_accuracy.py"

else:
    for chunk in seed_chunks(E1):

        rule:
            """E1: the nets [784, 30 x depth, 10] of a chunk of seeds, trained as one stacked
            computation with the book's mini-batch SGD; one results file per seed.
            """
            name:
                f"train_depth_accuracy_seeds{chunk[0]}_{chunk[-1]}"
            input:
                **split_inputs(),
            output:
                **{
                    f"seed{s}": f"results/depth_accuracy/depth{{depth}}/seed{s}.json"
                    for s in chunk
                },
            log:
                f"logs/depth_accuracy/depth{{depth}}/seeds{chunk[0]}-{chunk[-1]}.log",
            benchmark:
                f"results/benchmarks/depth_accuracy/depth{{depth}}/seeds{chunk[0]}-{chunk[-1]}.tsv"
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=2000,
                runtime=30 * len(chunk),
            params:
                section=E1,
                dtype=config["dtype"],
                seeds=chunk,
            script:
                "../../scripts/train_depth_accuracy.py"


rule initial_speed:
    """E2: the speed of learning of every layer at initialization, for every seed."""
    input:
        **split_inputs(),
    output:
        run="results/initial_speed/depth{depth}.json",
    log:
        "logs/initial_speed/depth{depth}.log",
    benchmark:
        "results/benchmarks/initial_speed/depth{depth}.tsv"
    conda:
        ENV
    threads: config["threads"]
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        section=E2,
        dtype=config["dtype"],
    script:
        "../../scripts/initial_speed.py"


rule train_learning_speed:
    """E3: full-batch gradient descent on the first 1000 images, speeds per epoch."""
    input:
        **split_inputs(),
    output:
        run="results/learning_speed/depth{depth}/seed{seed}.json",
    log:
        "logs/learning_speed/depth{depth}/seed{seed}.log",
    benchmark:
        "results/benchmarks/learning_speed/depth{depth}/seed{seed}.tsv"
    conda:
        ENV
    threads: config["threads"]
    resources:
        mem_mb=1500,
        runtime=30,
    params:
        section=E3,
        dtype=config["dtype"],
    script:
        "../../scripts/train_learning_speed.py"


rule chain:
    """E4: chains of one neuron per layer, vanishing and exploding (eq. 122)."""
    output:
        **table_output(
            "results/tables/chain.csv",
            CHAPTER,
            labels(
                "E4",
                "|dC/db| along a chain",
                {},
                depth=f"1 to {config['chain']['max_depth']}",
                activation="sigmoid",
            ),
        ),
    log:
        "logs/chain.log",
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
            "results/tables/window.csv",
            CHAPTER,
            labels("E5", "window width against |w|", {}, activation="sigmoid"),
        ),
        sigma_prime=reported_table(
            "results/tables/sigma_prime.csv",
            CHAPTER,
            labels("E5", "sigma'(z)", {}, activation="sigmoid"),
        ),
        sigma_prime_digest=digest_path("results/tables/sigma_prime.csv"),
    log:
        "logs/window.log",
    benchmark:
        "results/benchmarks/window.tsv"
    conda:
        ENV
    params:
        section=config["window"],
    script:
        "../../scripts/window.py"


rule table_depth_accuracy:
    input:
        runs=runs("depth_accuracy", E1),
    output:
        **table_output(
            "results/tables/depth_accuracy.csv",
            CHAPTER,
            labels("E1", "validation accuracy per epoch", E1),
        ),
    log:
        "logs/tables/depth_accuracy.log",
    conda:
        ENV
    params:
        experiment="depth_accuracy",
    script:
        "../../scripts/tabulate.py"


rule table_initial_speed:
    input:
        runs=expand(
            "results/initial_speed/depth{depth}.json", depth=E2["hidden_layers"]
        ),
    output:
        **table_output(
            "results/tables/initial_speed.csv",
            CHAPTER,
            labels("E2", "speed of each layer at initialization", E2),
        ),
    log:
        "logs/tables/initial_speed.log",
    conda:
        ENV
    params:
        experiment="initial_speed",
    script:
        "../../scripts/tabulate.py"


rule table_learning_speed:
    input:
        runs=runs("learning_speed", E3),
    output:
        **table_output(
            "results/tables/learning_speed.csv",
            CHAPTER,
            labels("E3", "speed of each layer during training", E3),
        ),
    log:
        "logs/tables/learning_speed.log",
    conda:
        ENV
    params:
        experiment="learning_speed",
    script:
        "../../scripts/tabulate.py"


rule summary:
    """The headline numbers the report quotes, each beside the book's value."""
    input:
        **chapter_tables(),
        manifest=f"{DATA}/raw/source.json",
    output:
        summary="results/summary.json",
    log:
        "logs/summary.log",
    conda:
        ENV
    script:
        "../../scripts/summarize.py"
