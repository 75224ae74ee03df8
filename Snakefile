# Why deep neural networks are hard to train: Chapter 5 of Nielsen's book as a pipeline.
# Read top to bottom: the config, its validation, the rule files, and the final targets.
from pathlib import Path

from snakemake.utils import min_version, validate
from vanishing.pipeline.config_check import check_config
from vanishing.pipeline.locks import release_stale_locks

min_version("9.0")


configfile: "config/config.yaml"


# Schema, integer fields, nested --config values, cross-field rules, no YAML aliases, finite
# numbers, sizes the machine can hold: short errors naming the key.
check_config(
    config,
    Path(workflow.basedir) / "workflow/schemas/config.schema.yaml",
    validate,
    files=workflow.configfiles,
)

if workflow.is_main_process:  # a run killed with SIGKILL resumes with the same command
    release_stale_locks(leftovers=["results", "logs"], data_dir=config["data"]["dir"])


wildcard_constraints:
    depth=r"\d+",
    seed=r"\d+",


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/runs.smk"
include: "workflow/rules/chapter.smk"
include: "workflow/rules/causes.smk"
include: "workflow/rules/beyond.smk"
include: "workflow/rules/tables.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/reproduce.smk"


rule all:
    default_target: True
    input:
        **report_outputs(),
        summaries=[
            rules.summary.output.summary,
            rules.beyond_summary.output.summary,
            rules.causes_summary.output.summary,
        ],
        tables=list(study_tables().values()),
        figures=study_figures(),
