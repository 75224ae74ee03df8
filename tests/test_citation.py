"""LICENSE and CITATION.cff: the citation file is valid CFF 1.2 by cffconvert's validator (run in
a venv of its own, see requirements-cff.txt), and its references are the report's sources."""

import re
import subprocess
import sys

import pytest
import yaml

from conftest import REPO

CITATION = REPO / "CITATION.cff"
# The report's bibliography keys of the book and the two papers the study reproduces.
REPRODUCED = ("nielsen2015", "glorot2010", "sutskever2013")


@pytest.fixture(scope="module")
def cffconvert(tmp_path_factory):
    """The cffconvert command of a throwaway venv holding requirements-cff.txt."""
    venv = tmp_path_factory.mktemp("cffconvert") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "-r", str(REPO / "requirements-cff.txt")],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return str(venv / "bin" / "cffconvert")


def validate(cffconvert, path):
    return subprocess.run([cffconvert, "--validate", "-i", str(path)], capture_output=True, text=True)


def test_citation_cff_is_valid_cff_1_2(cffconvert):
    proc = validate(cffconvert, CITATION)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid according to schema version 1.2.0" in proc.stdout


def test_the_validator_rejects_a_reference_of_an_unknown_type(cffconvert, tmp_path):
    broken = yaml.safe_load(CITATION.read_text())
    broken["references"][1]["type"] = "paper"  # CFF says conference-paper
    path = tmp_path / "CITATION.cff"
    path.write_text(yaml.safe_dump(broken, sort_keys=False))
    proc = validate(cffconvert, path)
    assert proc.returncode != 0
    assert "paper" in proc.stdout + proc.stderr


def bib_entries(text):
    """{key: {field: value}} of a BibTeX file with one ``field = {value}`` per line."""
    entries = {}
    for match in re.finditer(r"@\w+\{(\w+),\n(.*?)\n\}", text, re.S):
        fields = dict(re.findall(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", match.group(2), re.M))
        entries[match.group(1)] = fields
    return entries


def test_references_are_the_book_and_papers_of_the_bibliography():
    citation = yaml.safe_load(CITATION.read_text())
    bib = bib_entries((REPO / "report" / "references.bib").read_text())
    references = citation["references"]
    assert len(references) == len(REPRODUCED)
    for key, ref in zip(REPRODUCED, references):
        entry = bib[key]
        assert ref["title"] == entry["title"], key
        assert ref["year"] == int(entry["year"]), key
        assert ref["url"] == entry["url"], key
        families = [a.split(",")[0].strip() for a in entry["author"].split(" and ")]
        assert [a["family-names"] for a in ref["authors"]] == families, key
        if "pages" in entry:
            assert f"{ref['start']}--{ref['end']}" == entry["pages"], key
            assert str(ref["volume"]) == entry["volume"], key


def test_licence_is_mit_as_the_citation_says_and_the_readme_says_how_to_cite():
    citation = yaml.safe_load(CITATION.read_text())
    licence = (REPO / "LICENSE").read_text()
    assert citation["license"] == "MIT" and licence.startswith("MIT License\n")
    holder = re.search(r"^Copyright \(c\) \d{4} (.+)$", licence, re.M).group(1)
    assert holder == citation["authors"][0]["name"]
    readme = (REPO / "README.md").read_text()
    cite = readme.split("## How to cite", 1)[1].split("\n## ", 1)[0]
    assert "CITATION.cff" in cite and "LICENSE" in cite
    for name in ("Nielsen", "Glorot", "Sutskever"):
        assert name in cite
