"""Any config renders: the report of configs other than the quick one (a depth sweep 1-6, one
seed, one depth) renders cleanly, with number agreement, comparisons only where something was
compared, and tables that follow the config. Each config is tiny (one or two epochs on a few
hundred images), run through the whole DAG once."""

from __future__ import annotations

import copy
import html
import json
import re

import pytest

from conftest import copy_project, run_snakemake, write_config
from vanishing.publication.render import check_html

SWEEP = [1, 2, 3, 4, 5, 6]
TINY = {"depth_accuracy": {"epochs": 1, "train_size": 500},
        "initial_speed": {"probe_size": 200},
        "learning_speed": {"epochs": 3, "train_size": 200}}
CONFIGS = {
    "sweep": {"depth_accuracy": {"hidden_layers": SWEEP, "seeds": [0, 1]},
              "initial_speed": {"hidden_layers": SWEEP, "seeds": [0, 1]},
              "learning_speed": {"hidden_layers": SWEEP, "seeds": [0]}},
    "one_seed": {"depth_accuracy": {"hidden_layers": [1, 2, 3], "seeds": [0]},
                 "initial_speed": {"hidden_layers": [2, 3], "seeds": [0]},
                 "learning_speed": {"hidden_layers": [2, 3], "seeds": [0]}},
    "one_depth": {"depth_accuracy": {"hidden_layers": [3], "seeds": [0, 1]},
                  "initial_speed": {"hidden_layers": [3], "seeds": [0, 1]},
                  "learning_speed": {"hidden_layers": [3], "seeds": [0, 1]}},
}
# "1 hidden layers", "one seeds", "2 hidden layer." and the like
BAD_AGREEMENT = re.compile(r"\b(?:1|one) (?:hidden layers|seeds|epochs|neurons)\b|"
                           r"\b(?:[2-9]|two|three|four|five|six) (?:hidden layer|seed|epoch)\b(?![s\w-])")


def chapter_text(page: str) -> str:
    """The visible text of the chapter's sections and the appendix, without the beyond chapter
    (its prose is built by src/vanishing/beyond.py) and without the TOC."""
    main = page[page.index("<main"):]
    start, end = main.find('id="sec-beyond"'), main.find('id="sec-reproducibility"')
    if start > 0 and end > start:
        main = main[:main.rfind("<", 0, start)] + main[main.rfind("<", 0, end):]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _merge(base, extra):
    out = copy.deepcopy(base)
    for key, value in extra.items():
        out[key] = _merge(out.get(key, {}), value) if isinstance(value, dict) else value
    return out


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def run(request, tmp_path_factory, quick_config):
    name = request.param
    config = _merge(_merge(quick_config, TINY), CONFIGS[name])
    workdir = copy_project(tmp_path_factory.mktemp(f"config-{name}"))
    run_snakemake(workdir, "--cores", "2", "--configfile", write_config(workdir / "test.yaml", config))
    page = (workdir / "results" / "report" / "report.html").read_text(encoding="utf-8")
    plain = chapter_text(page)
    summary = json.loads((workdir / "results" / "summary.json").read_text())
    return name, workdir, page, plain, summary


def test_renders_clean_with_agreement(run):
    name, workdir, page, plain, _ = run
    assert check_html(workdir / "results" / "report" / "report.html") == []
    assert "{{<" not in page and "?var" not in page
    assert BAD_AGREEMENT.findall(plain) == []
    assert "at most 0.00 points" not in plain
    assert (workdir / "results" / "report" / "report.pdf").read_bytes()[:5] == b"%PDF-"


def test_tables_and_figures_follow_the_config(run):
    name, workdir, page, plain, summary = run
    config = summary["config"]
    e1 = (workdir / "results" / "report" / "work" / "_generated" / "e1.md").read_text()
    assert len([l for l in e1.splitlines() if re.match(r"\| \d+ \|", l)]) == len(config["depth_accuracy"]["hidden_layers"])
    for k in config["learning_speed"]["hidden_layers"]:
        assert f'id="fig-e3-{k}"' in page
    if name == "sweep":
        assert "one to six hidden layers" in plain
        assert "The first hidden layer of a net with six hidden layers learns about" in plain
        assert "ratio is 1 by construction" in plain  # the 1-layer net, stated as such
    if name == "one_seed":
        assert "with one seed" in plain and "no seed-to-seed spread" in plain
        assert "±" not in e1
    if name == "one_depth":
        assert "Only one depth ran (three hidden layers)" in plain
        assert "only for four hidden layers, which this run did not train" in plain
        assert "cannot repeat the book’s first comparison" in plain  # smart quote in HTML
