"""The report's source read as Quarto reads it, with no Quarto installed.

The rules (vanishing.publication.quarto_syntax) follow quarto-cli's source, read for this test:
  src/core/lib/parse-shortcode.ts       isBlockShortcode (the line rule) and parseShortcodeCapture
                                        (the parameter grammar: bare, name=value, "..." or '...')
  src/core/lib/break-quarto-md.ts       a line matching isBlockShortcode becomes a directive cell
  src/core/handlers/base.ts             processMarkdownIncludes: include lines in every cell
  src/resources/pandoc/datadir/lpegshortcode.lua, readqmd.lua   the inline grammar and escapes
  src/resources/filters/quarto-pre/shortcodes-handlers.lua      handleVars / processValue: a var
                                        value is metadata, read as Markdown, blocks lose markers
  src/resources/filters/normalize/parsehtml.lua                 raw HTML tables and
                                        data-quarto-disable-processing
The source of fee9a49 (the last commit before this check) fails it: Quarto 1.9.38 stopped at its
report.qmd:68 with "invalid shortcode", and lost the sign of every "> x" var value.
"""

from __future__ import annotations

import subprocess

import pytest
import yaml

from conftest import REPO
from vanishing.publication import quarto_syntax, render
from vanishing.publication.quarto_syntax import ShortcodeSyntaxError, parse_block, text_problems

OLD = "fee9a49"  # main before the report source followed Quarto's line rule
# Lines of report/report.qmd at fee9a49 (68 and 174): Quarto reads each as one shortcode.
OLD_LINES = ["{{< var e2.seeds_text >}}, next to the book's values. {{< var e2.findings >}}",
             "{{< var causes.sigmoid_scaled.interval >}}), a drop by a factor of {{< var causes.sigmoid_scaled.drop >}}"]


# --- the grammars -------------------------------------------------------------------------------


def test_block_grammar_is_quartos():
    code = parse_block('include _generated/e1.md')
    assert (code.name, code.params, code.named) == ("include", ["_generated/e1.md"], {})
    code = parse_block('video "a b.mp4" width="400" height=300 \'c d\'')
    assert code.params == ["a b.mp4", "c d"] and code.named == {"width": '"400"', "height": "300"}
    with pytest.raises(ShortcodeSyntaxError, match="invalid shortcode"):
        parse_block(quarto_syntax.BLOCK_LINE.match(OLD_LINES[0]).group(1))  # the apostrophe of book's
    with pytest.raises(ShortcodeSyntaxError):
        parse_block("-no-name")


def test_inline_grammar_is_lpegshortcodes():
    found = quarto_syntax.inline_shortcodes("a {{< var x.y >}} b {{{< var z >}}} c {{</* var w */>}} "
                                            "{{< meta 'a b' >}} {{< var book's >}}")
    assert [(c.name, c.params) for _, c in found] == [("var", ["x.y"]), ("meta", ["a b"]), ("var", ["book's"])]
    bad = quarto_syntax.inline_shortcodes("x {{< var 'open >}} y {{< var > >}} {{< var a")
    assert len(bad) == 3 and all(isinstance(c, ShortcodeSyntaxError) for _, c in bad)


@pytest.mark.parametrize("line", OLD_LINES)
def test_a_line_that_starts_and_ends_with_shortcodes_is_refused(line):
    problems = text_problems(f"Some text\n{line}\n", "report.qmd")
    assert len(problems) == 1 and problems[0].startswith("report.qmd:2: ") and "re-wrap" in problems[0]
    head, tail = line.rsplit(" ", 1)[0], line.rsplit(" ", 1)[1]  # a word moved to the next line
    assert text_problems(f"{head.rsplit(' ', 1)[0]}\n{head.rsplit(' ', 1)[1]} {tail}\n") == []


def test_other_quarto_rules():
    problems = text_problems("\n".join([
        "{{< var alone >}}",                          # a block: splits the paragraph in Quarto
        "Text {{< include x.md >}} here.",            # include not alone
        "{{< include a.md b.md >}}",                  # include takes one path
        "A {{< pagebreak >}} and {{< var 'x >}}.",    # unknown to the pandoc path; unmatched quote
        "Fine: {{< var a.b >}} and {{< meta title >}}; escaped {{{< var x >}}}.",
    ]), "f.qmd")
    problems.sort(key=lambda p: int(p.split(":")[1]))
    assert [p.split(":")[1] for p in problems] == ["1", "2", "3", "4", "4"], problems
    assert "alone on its line" in problems[0] and "stand alone" in problems[1] and "one path" in problems[2]


def test_includes_stay_in_the_render_folder(tmp_path):
    work = tmp_path / "work"
    (work / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret")
    (work / "sub" / "ok.md").write_text("fine\n")
    (work / "link.md").symlink_to(tmp_path / "secret.txt")
    (work / "report.qmd").write_text("{{< include sub/ok.md >}}\n\n{{< include ../secret.txt >}}\n\n"
                                     "{{< include /../secret.txt >}}\n\n{{< include link.md >}}\n")
    problems = quarto_syntax.source_problems(work, "report.qmd", {})
    assert [p.split(":")[1] for p in problems] == ["3", "5", "7"], problems
    assert all("outside the render folder" in p for p in problems)


# --- var values --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["> 1.25", "# x", "- x", "* x", "+ x", "| x", "1. x", "2) x", "a. x",
                                   "``` x", "~~~", ":::", "% x", "<div>x", "  > x"])
def test_values_that_start_a_block_are_escaped_and_then_pass(value):
    assert quarto_syntax.value_problems("k", value), value
    written = render.var_text(value)
    assert quarto_syntax.value_problems("k", written) == []
    assert quarto_syntax.metadata_changes({"k": written}, render.pandoc_path()) == []


def test_pandoc_reads_a_quote_marker_differently_as_metadata():
    """The check behind value_problems, with pandoc: '> 1.25' loses its sign as metadata (what
    Quarto's var gets), not as text; escaped it is the same both ways."""
    pandoc = render.pandoc_path()
    assert quarto_syntax.metadata_changes({"a": "> 1.25", "b": "\\> 1.25", "c": "*x* and @sec-x"}, pandoc) == ["a"]


def test_values_with_line_breaks_or_shortcodes_are_refused():
    assert "line break" in quarto_syntax.value_problems("k", "a\nb")[0]
    assert "shortcode opener" in quarto_syntax.value_problems("k", "a {{< var b >}}")[0]


# --- the report's own source -------------------------------------------------------------------


@pytest.mark.parametrize("qmd", sorted(p.name for p in (REPO / "report").glob("*.qmd")))
def test_every_qmd_follows_quartos_rules(qmd):
    assert text_problems((REPO / "report" / qmd).read_text(), qmd) == []


def _old_file(path):
    proc = subprocess.run(["git", "-C", str(REPO), "show", f"{OLD}:{path}"], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"commit {OLD} is not in this clone (shallow?): {proc.stderr.strip()}")
    return proc.stdout


def test_the_source_before_the_check_fails_it():
    old = {name: _old_file(f"report/{name}") for name in ("report.qmd", "beyond.qmd")}
    problems = [p for name, text in old.items() for p in text_problems(text, name)]
    assert problems[0].startswith("report.qmd:68: Quarto reads this whole line as one shortcode")
    lines = {p.split(": ")[0] for p in problems}
    assert lines == {"report.qmd:68", "report.qmd:174", "report.qmd:190", "report.qmd:193", "report.qmd:211",
                     "beyond.qmd:93"}


def test_the_quick_reports_render_folder_passes(quick_run):
    """Every file of a quick-config render (the qmd copies, the generated includes, _variables.yml)
    as Quarto reads them; the check rule report ran is run again here, and the values that began
    with '>' now keep their sign."""
    work = quick_run / "results" / "report" / "work"
    render.check_source(work, "report.qmd")
    variables = yaml.safe_load((work / "_variables.yml").read_text())
    values = dict(quarto_syntax.leaves(variables))
    signed = {k: v for k, v in values.items() if v.lstrip("\\").startswith(">")}
    assert len(signed) >= 5 and all(v.startswith("\\> ") for v in signed.values()), signed
    reached = set()
    for line in (work / "report.qmd").read_text().splitlines():
        if (target := quarto_syntax.include_target(line)):
            reached.add(target)
    assert "beyond.qmd" in reached and "_generated/config.md" in reached
