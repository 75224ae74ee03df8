# Helpers shared by all workflow files (paths, target lists, figure outputs).
import re
from pathlib import Path

from vanishing.tables import digest_path

DATA = config["data"]["dir"]
RAW_FILES = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
]
SPLITS = ["train", "validation", "test"]
ENV = "../../envs/vanishing.yaml"

E1 = config["depth_accuracy"]
E2 = config["initial_speed"]
E3 = config["learning_speed"]


def data_targets():
    """The prepared splits: what every experiment reads."""
    return {"splits": expand(f"{DATA}/{{split}}.npz", split=SPLITS)}


def split_inputs():
    """Named inputs train/validation/test for the training rules."""
    return {split: f"{DATA}/{split}.npz" for split in SPLITS}


def runs(experiment, section):
    """Every depth x seed results file of a trained experiment."""
    return expand(
        f"results/{experiment}/depth{{depth}}/seed{{seed}}.json",
        depth=section["hidden_layers"],
        seed=section["seeds"],
    )


def seed_chunks(section, size=None):
    """The seeds in chunks of ``size`` (default the section's ``stack_seeds``): each chunk is one
    job training its seeds stacked."""
    k, seeds = size or section["stack_seeds"], section["seeds"]
    return [seeds[i : i + k] for i in range(0, len(seeds), k)]


def eta_chunks(section, size):
    """R3's learning-rate grid in chunks of ``size``: each chunk is one selection job training
    its etas stacked on one seed."""
    etas = section["etas"]
    return [etas[i : i + size] for i in range(0, len(etas), size)]


def chapter_tables():
    names = [
        "depth_accuracy",
        "initial_speed",
        "learning_speed",
        "chain",
        "window",
        "sigma_prime",
    ]
    return {name: f"results/tables/{name}.csv" for name in names}


# Snakemake's report (`snakemake --report results/report.zip`): every figure and table under its
# part of the study, in the subcategory Figures or Tables, with labels that make each subcategory a
# table to browse (the experiment, what the result shows, the depths, activations and inits).
CHAPTER, CAUSES_PART, BEYOND_PART = "Chapter 5", "Causes", "Beyond the chapter"


def listed(value):
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def labels(experiment, result, section, **given):
    """A result's labels in Snakemake's report; depth, activation and init come from the config
    section of its runs where it names them, else from ``given``."""
    found = {
        "depth": section.get("hidden_layers"),
        "activation": section.get("activations", section.get("activation")),
        "init": section.get("inits", section.get("init")),
        **given,
    }
    named = {key: listed(value) for key, value in found.items() if value is not None}
    return {"experiment": experiment, "result": result, **named}


def reported_table(path, part, labels):
    """A table flagged for `snakemake --report`."""
    return report(path, category=part, subcategory="Tables", labels=labels)


def table_output(path, part, labels):
    """A table and its digest (vanishing.tables), as the named outputs ``table`` and ``digest``."""
    return {"table": reported_table(path, part, labels), "digest": digest_path(path)}


def chapter_figures():
    names = ["depth_accuracy", "initial_speed_bars", "initial_speed", "chain", "window"]
    names += [f"learning_speed_depth{k}" for k in E3["hidden_layers"]]
    return expand("results/figures/{name}.{ext}", name=names, ext=["png", "svg"])


def figure_outputs(name, caption, part, labels):
    """Named png/svg outputs; the PNG is flagged for `snakemake --report` with its caption."""
    return {
        "png": report(
            f"results/figures/{name}.png",
            caption=f"../report/{caption}.rst",
            category=part,
            subcategory="Figures",
            labels=labels,
        ),
        "svg": f"results/figures/{name}.svg",
    }


def report_outputs():
    outputs = {"html": "results/report/report.html"}
    if config["report"]["pdf"]:
        outputs["pdf"] = "results/report/report.pdf"
    return outputs


def report_sources():
    """The report's Quarto project, _quarto.yml first (the script takes its folder)."""
    files = sorted(str(p) for p in Path("report").rglob("*") if p.is_file())
    return sorted(files, key=lambda f: not f.endswith("_quarto.yml"))


def report_figures():
    figures = chapter_figures() + [f for f in beyond_targets() if "/figures/" in f]
    return [f for f in figures if f.endswith(".png")]


# The rules that gather per-run results files; every such run has a benchmark record.
RUN_TABLES = [
    "table_depth_accuracy",
    "table_initial_speed",
    "table_learning_speed",
    "beyond_table_init",
    "beyond_table_saturation",
    "beyond_table_optimizers",
    "beyond_table_table1",
]


def benchmark_files(wildcards):
    """The benchmark record of every run (results/X.json -> results/benchmarks/X.tsv), for
    the report's timings appendix."""
    runs = [f for name in RUN_TABLES for f in getattr(rules, name).input.runs]
    records = list(dict.fromkeys(benchmark_of(f) for f in runs))
    return records + ["results/benchmarks/window.tsv"]


# Per-seed results files that a stacked job writes: pattern, its section and seeds per job, and
# the chunk's benchmark record ({0}: the pattern's first group, {1}-{2}: the chunk's seeds).
STACKED_RUNS = [
    (
        r"results/depth_accuracy/depth(\d+)/seed(\d+)\.json",
        E1,
        E1["stack_seeds"],
        "depth_accuracy/depth{0}/seeds{1}-{2}",
    ),
    (
        r"results/beyond/r2/(\w+)/seed(\d+)\.json",
        config["beyond"]["saturation"],
        config["beyond"]["stack_seeds"]["saturation"],
        "beyond/r2/{0}/seeds{1}-{2}",
    ),
    (
        r"results/beyond/r3/final/([\w.-]+)/seed(\d+)\.json",
        config["beyond"]["optimizers"],
        config["beyond"]["stack_seeds"]["optimizers"],
        "beyond/r3/final/{0}/seeds{1}-{2}",
    ),
    (
        r"results/beyond/r4/(\w+)/seed(\d+)\.json",
        config["beyond"]["table1"],
        config["beyond"]["stack_seeds"]["table1"],
        "beyond/r4/{0}/seeds{1}-{2}",
    ),
]


def benchmark_of(run):
    """results/X.json -> results/benchmarks/X.tsv, or the record of the stacked job that wrote
    it (E1, R2, R3's selection and comparison stages, R4), e.g.
    results/benchmarks/beyond/r4/tanh_glorot/seeds0-4.tsv.
    """
    selection = re.fullmatch(
        r"results/beyond/r3/select/([\w.-]+)/eta([^/]+)/seed(\d+)\.json", run
    )
    size = config["beyond"]["stack_seeds"]["selection"]
    if selection and size > 1:  # R3's selection: the job of the eta's chunk of the grid
        optimizer, eta, seed = selection.groups()
        chunk = next(
            c
            for c in eta_chunks(config["beyond"]["optimizers"], size)
            if eta in map(str, c)
        )
        return f"results/benchmarks/beyond/r3/select/{optimizer}/etas{chunk[0]}-{chunk[-1]}/seed{seed}.tsv"
    for pattern, section, size, record in STACKED_RUNS:
        stacked = re.fullmatch(pattern, run)
        if stacked and size > 1:
            group, seed = stacked.groups()
            chunk = next(c for c in seed_chunks(section, size) if int(seed) in c)
            return f"results/benchmarks/{record.format(group, chunk[0], chunk[-1])}.tsv"
    return (
        "results/benchmarks/"
        + run.removeprefix("results/").removesuffix(".json")
        + ".tsv"
    )


def beyond_targets():
    """Beyond the chapter (R1-R4): the summary with its verdicts, the tables and the figures."""
    tables = ["init", "saturation", "optimizers", "table1"]
    figures = ["beyond_r1", "beyond_r2", "beyond_r3", "beyond_r3_speed", "beyond_r4"]
    return [
        "results/beyond_summary.json",
        *expand("results/tables/beyond_{name}.csv", name=tables),
        *expand("results/figures/{name}.{ext}", name=figures, ext=["png", "svg"]),
    ]
