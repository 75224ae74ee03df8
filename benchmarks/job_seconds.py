"""Job-seconds per experiment of the last run, from the rules' ``benchmark:`` files.

Reads every ``results/benchmarks/**/*.tsv`` (Snakemake writes one per training job; a stacked E1
job covers a chunk of seeds) and prints a markdown table: per experiment (the folder under
``results/benchmarks/``) the number of jobs, their summed wall seconds (job-seconds: what the
experiment costs a cluster) and the longest job. ``--t SECONDS`` adds a column in units of T, the
single-seed [784, 30, 10] epoch time that benchmarks/epoch_speed.py printed in the same session.
``--update README.md`` writes the table between the README's ``<!-- job-seconds:begin -->`` and
``<!-- job-seconds:end -->`` markers instead of printing it.

    python benchmarks/job_seconds.py [--results results] [--t 0.32] [--update README.md]
"""

import argparse
import re
from pathlib import Path

from vanishing.publication.report_values import read_benchmarks

NAMES = {"depth_accuracy": "E1 depth vs accuracy", "initial_speed": "E2 speed at initialization",
         "learning_speed": "E3 speed during training", "window": "E5 window",
         "beyond/r1": "R1 gradients at initialization", "beyond/r2": "R2 saturation",
         "beyond/r3": "R3 optimizers", "beyond/r4": "R4 Table 1", "causes": "the chapter's causes (E6 and more)",
         "why_deeper/budget": "Q3 trained longer", "why_deeper/large_init": "Q5 E2 with N(0, 1) weights",
         "why_deeper/equalized": "Q2 equalized speeds in E1's protocol",
         "why_deeper/remedies": "Q4 remedies (and Q2's rule at their budget)"}
PARTS = ("beyond", "why_deeper")  # grouped by their own sub-folder, after the chapter's experiments
BEGIN, END = "<!-- job-seconds:begin -->", "<!-- job-seconds:end -->"


def job_seconds(rows):
    """{group: (jobs, total seconds, longest seconds)} from read_benchmarks rows; the experiments of
    PARTS are grouped by their own folder (beyond/r1, ..., why_deeper/remedies)."""
    groups = {}
    for name, seconds, _ in rows:
        parts = name.split("/")
        key = "/".join(parts[:2]) if parts[0] in PARTS and len(parts) > 2 else parts[0]
        groups.setdefault(key, []).append(seconds)
    # the chapter first, then R1-R4, then the why-deeper questions
    order = sorted(groups, key=lambda k: (PARTS.index(k.split("/")[0]) + 1 if k.split("/")[0] in PARTS else 0, k))
    return {k: (len(groups[k]), sum(groups[k]), max(groups[k])) for k in order}


def markdown(groups, t=None):
    head = "| experiment | jobs | job-seconds | longest job (s) |" + (" job-seconds / T |" if t else "")
    lines = [head, "|---|---|---|---|" + ("---|" if t else "")]
    for key, (jobs, total, longest) in groups.items():
        label = NAMES.get(key, key)
        row = f"| {label} (`{key}`) | {jobs} | {total:.0f} | {longest:.0f} |"
        lines.append(row + (f" {total / t:.0f} |" if t else ""))
    jobs = sum(g[0] for g in groups.values())
    total = sum(g[1] for g in groups.values())
    lines.append(f"| all | {jobs} | {total:.0f} | {max(g[2] for g in groups.values()):.0f} |"
                 + (f" {total / t:.0f} |" if t else ""))
    return "\n".join(lines) + "\n"


def update(readme, table):
    text = Path(readme).read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        raise SystemExit(f"{readme}: no {BEGIN} ... {END} block to replace")
    Path(readme).write_text(pattern.sub(lambda _: f"{BEGIN}\n{table}{END}", text))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", default="results")
    parser.add_argument("--t", type=float, default=None, help="T, seconds per single-seed [784,30,10] epoch")
    parser.add_argument("--update", metavar="README", default=None)
    args = parser.parse_args()
    paths = sorted(str(p) for p in Path(args.results, "benchmarks").rglob("*.tsv"))
    if not paths:
        raise SystemExit(f"no benchmark files under {args.results}/benchmarks: run the pipeline first")
    table = markdown(job_seconds(read_benchmarks(paths)), args.t)
    if args.update:
        update(args.update, table)
    else:
        print(table, end="")


if __name__ == "__main__":
    main()
