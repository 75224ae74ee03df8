# Why deep neural networks are hard to train: Chapter 5 of Nielsen's book as a pipeline.
# Read top to bottom: the config, its validation, the rule files, and the final targets.
from snakemake.utils import min_version, validate


min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/chapter.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        summary="results/summary.json",
        figures=chapter_figures(),
    default_target: True
