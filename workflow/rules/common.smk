# Helpers shared by all workflow files: the config sections, the data every experiment reads,
# the study's tables, and the report flags of figures and tables. Paths are vanishing.pipeline.paths'.
from pathlib import Path

from vanishing.mnist import data
from vanishing.pipeline import paths
from vanishing.pipeline.table_digests import digest_path

DATA = config["data"]["dir"]
ENV = "../../envs/vanishing.yaml"

E1 = config["depth_accuracy"]
E2 = config["initial_speed"]
E3 = config["learning_speed"]
BEYOND = config["beyond"]
CAUSES = config["causes"]
WHY_DEEPER = config["why_deeper"]
# Q3: E1's runs, for the depths and epochs of why_deeper.budget
BUDGET = {**E1, **WHY_DEEPER["budget"]}
ACTIVATION = "sigmoid|tanh|relu"  # the wildcards of the runs by activation x init
INIT = "large|scaled|glorot|standard"


def raw_files():
    """The four MNIST IDX files."""
    return [f"{DATA}/raw/{name}" for name in data.RAW_NAMES]


def split_inputs():
    """Named inputs train/validation/test for the training rules."""
    return {split: f"{DATA}/{split}.npz" for split in data.SPLITS}


# Snakemake's report (`snakemake --report results/report.zip`): every figure and table under its
# part of the study, in the subcategory Figures or Tables, with labels that make each subcategory a
# table to browse (the experiment, what the result shows, the depths, activations and inits).
CHAPTER, CAUSES_PART, BEYOND_PART = "Chapter 5", "Causes", "Beyond the chapter"
WHY_DEEPER_PART = "Why deeper is no better"


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
    """A table and its digest (vanishing.pipeline.table_digests), as the named outputs ``table`` and ``digest``."""
    return {"table": reported_table(path, part, labels), "digest": digest_path(path)}


# The study's tables by part, in the order the report and the reproduction check list them.
STUDY_TABLES = {
    CHAPTER: [
        "depth_accuracy",
        "initial_speed",
        "learning_speed",
        "chain",
        "window",
        "sigma_prime",
    ],
    BEYOND_PART: [
        "beyond_init",
        "beyond_saturation",
        "beyond_optimizers",
        "beyond_table1",
    ],
    CAUSES_PART: [
        "causes_depth_sweep",
        "causes_factors",
        "causes_jacobian",
        "causes_regime",
        "causes_layerwise",
        "depth_speed",
    ],
    WHY_DEEPER_PART: [
        "learning_speed_fit",
        "why_deeper_budget",
        "why_deeper_large_init",
        "why_deeper_remedies",
        "why_deeper_remedies_speed",
        "why_deeper_equalized",
        "why_deeper_equalized_speed",
    ],
}


def study_tables(part=None):
    """name -> path of the tables of one part of the study, or of all of it."""
    parts = [part] if part else list(STUDY_TABLES)
    return {name: paths.table(name) for p in parts for name in STUDY_TABLES[p]}


def figure_outputs(name, caption, part, labels):
    """Named png/svg outputs; the PNG is flagged for `snakemake --report` with its caption."""
    return {
        "png": report(
            paths.figure(name, "png"),
            caption=f"../report/{caption}.rst",
            category=part,
            subcategory="Figures",
            labels=labels,
        ),
        "svg": paths.figure(name, "svg"),
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
