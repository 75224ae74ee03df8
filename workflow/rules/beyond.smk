# Beyond the chapter (issues 7, 12): the claims of Glorot & Bengio (2010) and Sutskever et al. (2013),
# tested as the papers state them. R1 gradients at initialization, R2 saturation during training,
# R3 optimizers (eta chosen on selection seeds, then compared on other seeds), R4 a small Table 1;
# then their tables, beyond_summary.json with the intervals and verdicts, and the figures.
from vanishing.beyond import optimizer_names

BEYOND = config["beyond"]
BEYOND_INIT = BEYOND["init"]
BEYOND_SAT = BEYOND["saturation"]
BEYOND_OPT = BEYOND["optimizers"]
BEYOND_T1 = BEYOND["table1"]
# Seeds per training job of R2, R3's comparison stage and R4 (1: one job per seed), and
# learning rates per job of R3's selection stage (1: one job per eta).
BEYOND_STACK = BEYOND["stack_seeds"]


localrules:
    beyond_table_init,
    beyond_table_saturation,
    beyond_table_optimizers,
    beyond_table_table1,
    beyond_summary,
    beyond_select_eta,
    fig_beyond_r1,
    fig_beyond_r2,
    fig_beyond_r3,
    fig_beyond_r3_speed,
    fig_beyond_r4,


rule beyond_init:
    """R1: norms of the gradients of every hidden layer at initialization, every width and seed."""
    input:
        **split_inputs(),
    output:
        run="results/beyond/r1/{activation}_{init}.json",
    log:
        "logs/beyond/r1/{activation}_{init}.log",
    benchmark:
        "results/benchmarks/beyond/r1/{activation}_{init}.tsv"
    wildcard_constraints:
        activation="sigmoid|tanh|relu",
        init="large|scaled|glorot|standard",
    conda:
        ENV
    threads: config["threads"]
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        section=BEYOND_INIT,
        dtype=config["dtype"],
    script:
        "../../scripts/beyond_init.py"


if BEYOND_STACK["saturation"] == 1:

    rule beyond_saturation:
        """R2: activations of every hidden layer on fixed test images during mini-batch SGD."""
        input:
            **split_inputs(),
        output:
            run="results/beyond/r2/{activation}_{init}/seed{seed}.json",
        log:
            "logs/beyond/r2/{activation}_{init}/seed{seed}.log",
        benchmark:
            "results/benchmarks/beyond/r2/{activation}_{init}/seed{seed}.tsv"
        wildcard_constraints:
            activation="sigmoid|tanh|relu",
            init="large|scaled|glorot|standard",
        conda:
            ENV
        threads: config["threads"]
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            section=BEYOND_SAT,
            dtype=config["dtype"],
        script:
            "../../scripts/beyond_train.py"

else:
    for chunk in seed_chunks(BEYOND_SAT, BEYOND_STACK["saturation"]):

        rule:
            """R2: a chunk of seeds of one activation x init, trained as one stacked computation;
            one results file per seed.
            """
            name:
                f"beyond_saturation_seeds{chunk[0]}_{chunk[-1]}"
            input:
                **split_inputs(),
            output:
                **{
                    f"seed{s}": f"results/beyond/r2/{{activation}}_{{init}}/seed{s}.json"
                    for s in chunk
                },
            log:
                f"logs/beyond/r2/{{activation}}_{{init}}/seeds{chunk[0]}-{chunk[-1]}.log",
            benchmark:
                f"results/benchmarks/beyond/r2/{{activation}}_{{init}}/seeds{chunk[0]}-{chunk[-1]}.tsv"
            wildcard_constraints:
                activation="sigmoid|tanh|relu",
                init="large|scaled|glorot|standard",
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=2000,
                runtime=30 * len(chunk),
            params:
                section=BEYOND_SAT,
                dtype=config["dtype"],
                seeds=chunk,
            script:
                "../../scripts/beyond_train.py"


if BEYOND_STACK["selection"] == 1:

    rule beyond_optimizer_select:
        """R3, selection stage: one optimizer (sgd, momentum-MU or nesterov-MU) at one eta of the grid."""
        input:
            **split_inputs(),
        output:
            run="results/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.json",
        log:
            "logs/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.log",
        benchmark:
            "results/benchmarks/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.tsv"
        wildcard_constraints:
            optimizer=r"sgd|(momentum|nesterov)-0\.\d+",
            eta=r"\d+(\.\d+)?(e-?\d+)?",
        conda:
            ENV
        threads: config["threads"]
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            section=BEYOND_OPT,
            dtype=config["dtype"],
        script:
            "../../scripts/beyond_train.py"

else:
    for number, chunk in enumerate(eta_chunks(BEYOND_OPT, BEYOND_STACK["selection"])):

        rule:
            """R3, selection stage: one optimizer at a chunk of the eta grid on one seed, the etas
            trained as one stacked computation from the same initial weights; one file per eta.
            """
            name:
                f"beyond_optimizer_select_etas{number}"
            input:
                **split_inputs(),
            output:
                **{
                    f"run{k}": f"results/beyond/r3/select/{{optimizer}}/eta{e}/seed{{seed}}.json"
                    for k, e in enumerate(chunk)
                },
            log:
                f"logs/beyond/r3/select/{{optimizer}}/etas{chunk[0]}-{chunk[-1]}/seed{{seed}}.log",
            benchmark:
                f"results/benchmarks/beyond/r3/select/{{optimizer}}/etas{chunk[0]}-{chunk[-1]}/seed{{seed}}.tsv"
            wildcard_constraints:
                optimizer=r"sgd|(momentum|nesterov)-0\.\d+",
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=2000,
                runtime=30 * len(chunk),
            params:
                section=BEYOND_OPT,
                dtype=config["dtype"],
                etas=chunk,
            script:
                "../../scripts/beyond_train.py"


rule beyond_select_eta:
    """R3: each optimizer's eta, the lowest mean final training cost of the selection runs."""
    input:
        runs=expand(
            "results/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.json",
            optimizer=optimizer_names(BEYOND_OPT),
            eta=BEYOND_OPT["etas"],
            seed=BEYOND_OPT["select_seeds"],
        ),
    output:
        selection="results/beyond/r3/selected_eta.json",
    log:
        "logs/beyond/r3/selected_eta.log",
    conda:
        ENV
    params:
        section=BEYOND_OPT,
    script:
        "../../scripts/beyond_select.py"


if BEYOND_STACK["optimizers"] == 1:

    rule beyond_optimizer:
        """R3, comparison stage: one optimizer at its chosen eta, one seed."""
        input:
            **split_inputs(),
            selection="results/beyond/r3/selected_eta.json",
        output:
            run="results/beyond/r3/final/{optimizer}/seed{seed}.json",
        log:
            "logs/beyond/r3/final/{optimizer}/seed{seed}.log",
        benchmark:
            "results/benchmarks/beyond/r3/final/{optimizer}/seed{seed}.tsv"
        wildcard_constraints:
            optimizer=r"sgd|(momentum|nesterov)-0\.\d+",
        conda:
            ENV
        threads: config["threads"]
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            section=BEYOND_OPT,
            dtype=config["dtype"],
        script:
            "../../scripts/beyond_train.py"

else:
    for chunk in seed_chunks(BEYOND_OPT, BEYOND_STACK["optimizers"]):

        rule:
            """R3, comparison stage: a chunk of seeds of one optimizer at its chosen eta, trained as
            one stacked computation; one results file per seed.
            """
            name:
                f"beyond_optimizer_seeds{chunk[0]}_{chunk[-1]}"
            input:
                **split_inputs(),
                selection="results/beyond/r3/selected_eta.json",
            output:
                **{
                    f"seed{s}": f"results/beyond/r3/final/{{optimizer}}/seed{s}.json"
                    for s in chunk
                },
            log:
                f"logs/beyond/r3/final/{{optimizer}}/seeds{chunk[0]}-{chunk[-1]}.log",
            benchmark:
                f"results/benchmarks/beyond/r3/final/{{optimizer}}/seeds{chunk[0]}-{chunk[-1]}.tsv"
            wildcard_constraints:
                optimizer=r"sgd|(momentum|nesterov)-0\.\d+",
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=2000,
                runtime=30 * len(chunk),
            params:
                section=BEYOND_OPT,
                dtype=config["dtype"],
                seeds=chunk,
            script:
                "../../scripts/beyond_train.py"


if BEYOND_STACK["table1"] == 1:

    rule beyond_table1:
        """R4: one activation x init trained with mini-batch SGD, tested on the 10,000 test images."""
        input:
            **split_inputs(),
        output:
            run="results/beyond/r4/{activation}_{init}/seed{seed}.json",
        log:
            "logs/beyond/r4/{activation}_{init}/seed{seed}.log",
        benchmark:
            "results/benchmarks/beyond/r4/{activation}_{init}/seed{seed}.tsv"
        wildcard_constraints:
            activation="sigmoid|tanh|relu",
            init="large|scaled|glorot|standard",
        conda:
            ENV
        threads: config["threads"]
        resources:
            mem_mb=2000,
            runtime=30,
        params:
            section=BEYOND_T1,
            dtype=config["dtype"],
        script:
            "../../scripts/beyond_train.py"

else:
    for chunk in seed_chunks(BEYOND_T1, BEYOND_STACK["table1"]):

        rule:
            """R4: a chunk of seeds of one activation x init, trained as one stacked computation;
            one results file per seed.
            """
            name:
                f"beyond_table1_seeds{chunk[0]}_{chunk[-1]}"
            input:
                **split_inputs(),
            output:
                **{
                    f"seed{s}": f"results/beyond/r4/{{activation}}_{{init}}/seed{s}.json"
                    for s in chunk
                },
            log:
                f"logs/beyond/r4/{{activation}}_{{init}}/seeds{chunk[0]}-{chunk[-1]}.log",
            benchmark:
                f"results/benchmarks/beyond/r4/{{activation}}_{{init}}/seeds{chunk[0]}-{chunk[-1]}.tsv"
            wildcard_constraints:
                activation="sigmoid|tanh|relu",
                init="large|scaled|glorot|standard",
            conda:
                ENV
            threads: config["threads"]
            resources:
                mem_mb=2000,
                runtime=30 * len(chunk),
            params:
                section=BEYOND_T1,
                dtype=config["dtype"],
                seeds=chunk,
            script:
                "../../scripts/beyond_train.py"


rule beyond_table_init:
    input:
        runs=expand(
            "results/beyond/r1/{activation}_{init}.json",
            activation=BEYOND_INIT["activations"],
            init=BEYOND_INIT["inits"],
        ),
    output:
        **table_output("results/tables/beyond_init.csv"),
    log:
        "logs/tables/beyond_init.log",
    conda:
        ENV
    params:
        module="beyond",
        experiment="init",
    script:
        "../../scripts/tabulate.py"


rule beyond_table_saturation:
    input:
        runs=expand(
            "results/beyond/r2/{activation}_{init}/seed{seed}.json",
            activation=BEYOND_SAT["activations"],
            init=BEYOND_SAT["inits"],
            seed=BEYOND_SAT["seeds"],
        ),
    output:
        **table_output("results/tables/beyond_saturation.csv"),
    log:
        "logs/tables/beyond_saturation.log",
    conda:
        ENV
    params:
        module="beyond",
        experiment="saturation",
    script:
        "../../scripts/tabulate.py"


rule beyond_table_optimizers:
    input:
        runs=expand(
            "results/beyond/r3/select/{optimizer}/eta{eta}/seed{seed}.json",
            optimizer=optimizer_names(BEYOND_OPT),
            eta=BEYOND_OPT["etas"],
            seed=BEYOND_OPT["select_seeds"],
        )
        + expand(
            "results/beyond/r3/final/{optimizer}/seed{seed}.json",
            optimizer=optimizer_names(BEYOND_OPT),
            seed=BEYOND_OPT["seeds"],
        ),
    output:
        **table_output("results/tables/beyond_optimizers.csv"),
    log:
        "logs/tables/beyond_optimizers.log",
    conda:
        ENV
    params:
        module="beyond",
        experiment="optimizers",
    script:
        "../../scripts/tabulate.py"


rule beyond_table_table1:
    input:
        runs=expand(
            "results/beyond/r4/{activation}_{init}/seed{seed}.json",
            activation=BEYOND_T1["activations"],
            init=BEYOND_T1["inits"],
            seed=BEYOND_T1["seeds"],
        ),
    output:
        **table_output("results/tables/beyond_table1.csv"),
    log:
        "logs/tables/beyond_table1.log",
    conda:
        ENV
    params:
        module="beyond",
        experiment="table1",
    script:
        "../../scripts/tabulate.py"


rule beyond_summary:
    """The four experiments' numbers beside the papers' values, with intervals and verdicts."""
    input:
        beyond_init="results/tables/beyond_init.csv",
        beyond_saturation="results/tables/beyond_saturation.csv",
        beyond_optimizers="results/tables/beyond_optimizers.csv",
        beyond_table1="results/tables/beyond_table1.csv",
        selection="results/beyond/r3/selected_eta.json",
    output:
        summary="results/beyond_summary.json",
    log:
        "logs/beyond_summary.log",
    conda:
        ENV
    params:
        section=BEYOND,
    script:
        "../../scripts/beyond_summarize.py"


rule fig_beyond_r1:
    input:
        table="results/tables/beyond_init.csv",
    output:
        **figure_outputs("beyond_r1", "beyond_r1", category="Beyond the chapter"),
    log:
        "logs/figures/beyond_r1.log",
    conda:
        ENV
    script:
        "../../scripts/beyond_plot.py"


rule fig_beyond_r2:
    input:
        table="results/tables/beyond_saturation.csv",
    output:
        **figure_outputs("beyond_r2", "beyond_r2", category="Beyond the chapter"),
    log:
        "logs/figures/beyond_r2.log",
    conda:
        ENV
    script:
        "../../scripts/beyond_plot.py"


rule fig_beyond_r3:
    input:
        table="results/tables/beyond_optimizers.csv",
        summary="results/beyond_summary.json",
    output:
        **figure_outputs("beyond_r3", "beyond_r3", category="Beyond the chapter"),
    log:
        "logs/figures/beyond_r3.log",
    conda:
        ENV
    script:
        "../../scripts/beyond_plot.py"


rule fig_beyond_r3_speed:
    input:
        table="results/tables/beyond_optimizers.csv",
        summary="results/beyond_summary.json",
    output:
        **figure_outputs(
            "beyond_r3_speed", "beyond_r3_speed", category="Beyond the chapter"
        ),
    log:
        "logs/figures/beyond_r3_speed.log",
    conda:
        ENV
    script:
        "../../scripts/beyond_plot.py"


rule fig_beyond_r4:
    input:
        table="results/tables/beyond_table1.csv",
    output:
        **figure_outputs("beyond_r4", "beyond_r4", category="Beyond the chapter"),
    log:
        "logs/figures/beyond_r4.log",
    conda:
        ENV
    script:
        "../../scripts/beyond_plot.py"
