"""The workflow catalog's conventions: .snakemake-workflow-catalog.yml says what the catalog shows,
and config/README.md names every section of the config schema. (`snakemake --lint` and
`snakefmt --check` run in tests/test_workflow.py.)"""

import re

import yaml

from conftest import REPO

SCHEMA = "workflow/schemas/config.schema.yaml"


def section_table(readme):
    """The first-column names of config/README.md's table of sections."""
    table = readme.split("## Sections", 1)[1]
    return re.findall(r"^\| `([\w-]+)` \|", table, re.M)


def test_config_readme_names_every_schema_section_and_no_other():
    schema = yaml.safe_load((REPO / SCHEMA).read_text())
    readme = (REPO / "config" / "README.md").read_text()
    named = section_table(readme)
    assert sorted(named) == sorted(schema["properties"]), (named, list(schema["properties"]))
    assert len(named) == len(set(named))
    link = re.search(r"\]\((\.\./" + re.escape(SCHEMA) + r")\)", readme)
    assert link and (REPO / "config" / link.group(1)).resolve() == (REPO / SCHEMA).resolve()


def test_config_readme_table_would_catch_a_missing_section():
    readme = (REPO / "config" / "README.md").read_text()
    without = re.sub(r"^\| `causes` \|.*\n", "", readme, flags=re.M)
    assert "causes" in section_table(readme) and "causes" not in section_table(without)


def test_catalog_file_has_the_fields_the_catalog_reads():
    settings = yaml.safe_load((REPO / ".snakemake-workflow-catalog.yml").read_text())
    usage = settings["usage"]
    assert set(usage) == {"mandatory-flags", "software-stack-deployment", "report"}
    assert usage["report"] is True
    flags = usage["mandatory-flags"]
    assert isinstance(flags["desc"], str) and flags["desc"].strip()
    assert isinstance(flags["flags"], (str, list))
    deployment = usage["software-stack-deployment"]
    assert set(deployment) <= {"conda", "apptainer", "apptainer+conda", "singularity", "singularity+conda"}
    assert all(isinstance(v, bool) for v in deployment.values()) and any(deployment.values())


def pins(lines):
    return dict(re.findall(r"^\s*(?:-\s*)?([A-Za-z0-9_.-]+)==([^\s#]+)", lines, re.M))


def test_the_conda_environment_has_the_pins_of_requirements_txt():
    """conda: true in the catalog file means envs/vanishing.yaml; it must pin what the venv pins."""
    env = pins((REPO / "envs" / "vanishing.yaml").read_text())
    requirements = {k.lower(): v for k, v in pins((REPO / "requirements.txt").read_text()).items()}
    assert len(env) >= 5
    for name, version in env.items():
        assert requirements.get(name.lower()) == version, (name, version, requirements.get(name.lower()))
    rules = "".join(p.read_text() for p in (REPO / "workflow" / "rules").glob("*.smk"))
    assert rules.count("conda:") >= rules.count("script:") > 0
