"""The report's reproducibility appendix: timings from Snakemake's benchmark files, the MNIST
files with their checksums, package versions and the resolved configuration (compact YAML).
Every name, version, path and config value is printed through :mod:`vanishing.publication.markup`."""

from __future__ import annotations

import csv
from pathlib import Path

import yaml

from . import markup
from .wording import table


def read_benchmarks(paths):
    """Rows (rule target, seconds, max RSS MB) from Snakemake's benchmark files."""
    rows = []
    for path in paths:
        with open(path, newline="") as f:
            record = next(csv.DictReader(f, delimiter="\t"))
        rows.append((Path(path).with_suffix("").as_posix().split("benchmarks/", 1)[-1],
                     float(record["s"]), float(record["max_rss"]) if record["max_rss"] not in ("-", "NA") else float("nan")))
    return rows


def timings_table(benchmarks):
    groups = {}
    for name, seconds, rss in benchmarks:
        groups.setdefault(name.split("/")[0], []).append((seconds, rss))
    rows = [(markup.text(g), len(v), f"{sum(s for s, _ in v):.1f}", f"{max(s for s, _ in v):.1f}", f"{max(r for _, r in v):.0f}")
            for g, v in sorted(groups.items())]
    return table(["step", "jobs", "total seconds", "longest job (s)", "max RSS (MB)"], rows,
                 "Time and memory per step, from the rules' `benchmark:` files of this run.", "tbl-timings")


def data_table(manifest):
    rows = [(markup.code(name), markup.code(info["sha256"]), markup.text(info["size"]))
            for name, info in manifest["files"].items()]
    return table(["file", "SHA-256", "bytes"], rows,
                 f"The MNIST files of this run, from {markup.code(manifest['source'])}, each checked against "
                 "its canonical SHA-256.", "tbl-data")


def packages_table(provenance):
    rows = [(markup.text(name), markup.text(version or "not installed"))
            for name, version in provenance["packages"].items()]
    rows.append(("python", markup.text(provenance["machine"]["python"])))
    return table(["package", "version"], rows, "Package versions of the run that wrote the summary.",
                 "tbl-packages")


class _Flow(dict):
    """A mapping of settings dumped on one (wrapped) line: ``{epochs: 30, seeds: [0, 1]}``."""


yaml.SafeDumper.add_representer(_Flow, lambda dumper, data: dumper.represent_mapping(
    "tag:yaml.org,2002:map", data.items(), flow_style=True))


def _compact(node):
    """Mappings of plain settings become _Flow; mappings holding mappings stay blocks."""
    if not isinstance(node, dict):
        return node
    if any(isinstance(v, dict) for v in node.values()):
        return {k: _compact(v) for k, v in node.items()}
    return _Flow(node)


def config_block(config):
    """The resolved config as compact YAML: one wrapped line per group of settings (about a page)."""
    return markup.code_block(yaml.safe_dump(_compact(config), sort_keys=False, width=96, default_flow_style=None),
                             "yaml")
