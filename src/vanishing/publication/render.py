"""Render the Quarto report: with Quarto when it is installed, with pandoc otherwise.

The report source (``report/``: ``_quarto.yml``, ``report.qmd``, ``references.bib``) is a
Quarto project written in documented Quarto syntax only. Pipeline numbers enter through
``{{< var key.path >}}`` (read from a ``_variables.yml`` that :func:`render_report` writes
into a copy of the project) and generated tables through ``{{< include _generated/x.md >}}``.

:func:`render_report` copies the project into a work directory (under ``results/``, so no
intermediate file lands in ``report/``), writes the variables and generated files, then

* with Quarto (found like the ``quarto`` wrapper does: ``QUARTO_PATH``, then ``PATH``) runs
  ``quarto render`` to a self-contained HTML (and ``--to typst`` for a PDF), checking the
  exit status and that the output exists;
* otherwise expands the ``var``/``include``/``meta`` shortcodes here, in Python (an unknown
  key is an error), and runs the pandoc of ``pypandoc-binary`` with the Lua filter
  ``pandoc/quarto_compat.lua`` (figure/table/equation/section numbers and cross-references,
  callouts), ``--citeproc``, ``--mathml`` and ``--embed-resources``, into the project's own
  template and stylesheet (``pandoc/template.html``, ``pandoc/publication.css``: a title block,
  the table of contents in a sidebar, a readable text column, ruled tables); the PDF goes
  through ``pandoc -t typst`` and the ``typst`` Python package.

Either way the render folder is first checked as Quarto reads it (:func:`check_source`, the
rules of :mod:`vanishing.publication.quarto_syntax`), and the HTML with :func:`check_html` before it is moved
into place.
"""

from __future__ import annotations

import html.parser
import numbers
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import yaml

from vanishing.publication import quarto_syntax
from vanishing.pipeline.iofiles import atomic_path

PANDOC_DIR = Path(__file__).with_name("pandoc")
FILTER = PANDOC_DIR / "quarto_compat.lua"
TEMPLATE = PANDOC_DIR / "template.html"  # title block, sidebar TOC, text column
STYLESHEET = PANDOC_DIR / "publication.css"  # the look of Quarto's default HTML, before report.css
TYPST_PREAMBLE = PANDOC_DIR / "publication.typ"  # ruled, breakable tables in the PDF
QUARTO_MIN_VERSION = (1, 9)
OUT_SUBDIR = "_render_out"  # where Quarto writes, inside the work dir
MARKER = ".vanishing-render-workdir"  # marks a work dir that render_report may wipe
IGNORED = (".quarto", "_freeze", "_site", OUT_SUBDIR)  # Quarto's own output and caches


class RenderError(RuntimeError):
    """The report could not be rendered, or the result failed :func:`check_html`."""


# --------------------------------------------------------------------------- public API


def render_report(
    source_dir,
    work_dir,
    out_html,
    variables: dict,
    generated: dict[str, str] | None = None,
    pdf=None,
    engine: str = "auto",
    log=print,
    *,
    main: str = "report.qmd",
    assets: dict | None = None,
) -> str:
    """Render ``source_dir/main`` to ``out_html`` (and ``pdf`` if given); return the engine.

    ``variables`` is the nested dict behind ``{{< var a.b >}}`` (leaves are scalars,
    written as strings so both engines print the same text). ``generated`` maps paths
    relative to the project (e.g. ``_generated/table.md``) to text; ``assets`` maps such
    paths to existing files (figures) to copy. ``engine`` is ``"auto"``, ``"quarto"`` or
    ``"pandoc"``. Returns ``"quarto"`` or ``"pandoc"``; raises :class:`RenderError`.
    """
    start = time.monotonic()
    work = prepare_workdir(source_dir, work_dir, variables, generated or {}, assets or {}, main)
    check_source(work, main)  # what Quarto would reject or misread fails both engines
    text = expand_shortcodes(work, main, variables)  # fails on unknown keys for both engines
    chosen, quarto = choose_engine(engine, log)
    if chosen == "quarto":
        version = _render_quarto(quarto, work, main, Path(out_html), pdf and Path(pdf))
    else:
        version = _render_pandoc(work, main, text, Path(out_html), pdf and Path(pdf))
    log(f"render: {main} rendered by {chosen} {version} in {time.monotonic() - start:.1f} s -> {out_html}"
        + (f" and {pdf}" if pdf else ""))
    return chosen


def check_html(path) -> list[str]:
    """Return the problems of a rendered HTML file (empty list: fine).

    Flags images or scripts not embedded, anything (http, file, relative) that the page
    would load when opened, unresolved cross-references (``??``, ``?@fig-x``, leftover
    ``@fig-x`` text, Quarto's ``?var:key``), citations that citeproc could not resolve
    (shown as ``<strong>key?</strong>`` linking to a missing ``#ref-key``) and internal
    links without a target. Hyperlinks (``<a href>``) to the web are fine.
    """
    source = Path(path).read_text(encoding="utf-8")
    scan = _HtmlScan()
    scan.feed(source)
    scan.close()
    problems = [f"not embedded: <{tag} {attr}={url[:80]!r}>" for tag, attr, url in scan.loads]
    problems += [f"link to a missing anchor: #{t}" for t in sorted(set(scan.anchors) - scan.ids)]
    problems += [f"unresolved citation: {c!r}" for c in scan.bad_citations]
    text = " ".join(scan.text)
    for pattern, what in _TEXT_PROBLEMS:
        problems += [f"{what}: {m.group(0)!r}" for m in re.finditer(pattern, text)]
    return problems


def find_quarto() -> str | None:
    """The quarto executable as the ``quarto`` wrapper finds it, or None if absent.

    ``quarto.quarto.path()`` returns ``$QUARTO_PATH`` if set (unchecked), else
    ``shutil.which("quarto")``; a path that is not an executable file counts as absent.
    """
    from quarto.quarto import path as quarto_path

    found = quarto_path()
    if found and os.path.isfile(found) and os.access(found, os.X_OK):
        return found
    return None


def choose_engine(engine: str = "auto", log=print) -> tuple[str, str | None]:
    """Return ``(engine, quarto_path)``: Quarto if requested or found (>= 1.9), else pandoc."""
    if engine not in ("auto", "quarto", "pandoc"):
        raise ValueError(f"engine must be auto, quarto or pandoc, not {engine!r}")
    if engine == "pandoc":
        return "pandoc", None
    quarto = find_quarto()
    if quarto is None:
        if engine == "quarto":
            raise RenderError("engine='quarto' but no quarto found (QUARTO_PATH or PATH)")
        log("render: quarto not found (QUARTO_PATH, PATH); using pandoc")
        return "pandoc", None
    version = quarto_version(quarto)
    if _version_tuple(version) < QUARTO_MIN_VERSION:
        message = f"quarto {version} at {quarto} is older than {'.'.join(map(str, QUARTO_MIN_VERSION))}"
        if engine == "quarto":
            raise RenderError(message)
        log(f"render: {message}; using pandoc")
        return "pandoc", None
    return "quarto", quarto


def quarto_version(quarto: str) -> str:
    """``quarto --version`` (e.g. ``1.9.12``); RenderError if it does not run."""
    proc = _run([quarto, "--version"], cwd=None, what="quarto --version")
    return proc.stdout.strip()


def pandoc_path() -> str:
    """The pandoc executable shipped by pypandoc-binary."""
    import pypandoc

    return pypandoc.get_pandoc_path()


def pandoc_version() -> str:
    """Version number of the pandoc used by the fallback (e.g. ``3.9``)."""
    proc = _run([pandoc_path(), "--version"], cwd=None, what="pandoc --version")
    return proc.stdout.split()[1]


# --------------------------------------------------------------------------- work dir


def prepare_workdir(source_dir, work_dir, variables, generated, assets, main="report.qmd") -> Path:
    """Copy the project to ``work_dir`` (wiped first) and write variables and generated files."""
    source, work = Path(source_dir).resolve(), Path(work_dir).resolve()
    if not (source / "_quarto.yml").is_file() or not (source / main).is_file():
        raise RenderError(f"{source} must hold _quarto.yml and {main} (a Quarto project)")
    if (source / "_variables.yml").exists():
        raise RenderError(f"{source}/_variables.yml exists; it is written by the pipeline only")
    if work == source or source in work.parents or work in source.parents:
        raise RenderError(f"work dir {work} must not contain or be inside {source}")
    _wipe_workdir(work)
    shutil.copytree(source, work, ignore=_copy_ignore(source, Path(main).stem))
    (work / MARKER).write_text("created by vanishing.publication.render; deleted on each render\n")
    (work / "_variables.yml").write_text(variables_yaml(variables), encoding="utf-8")
    for rel, text in generated.items():
        _inside(work, rel).parent.mkdir(parents=True, exist_ok=True)
        _inside(work, rel).write_text(text, encoding="utf-8")
    for rel, src in assets.items():
        _inside(work, rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, _inside(work, rel))
    return work


def _copy_ignore(source: Path, stem: str):
    """copytree filter: skip Quarto caches and outputs left in the source by a manual render."""
    top_level = {f"{stem}.html", f"{stem}.pdf", f"{stem}_files", MARKER}

    def ignore(folder, names):
        skip = {n for n in names if n in IGNORED}
        return skip | (top_level & set(names) if Path(folder) == source else set())

    return ignore


def _wipe_workdir(work: Path):
    """Delete a previous work dir, but only one that render_report made (or an empty one)."""
    if not work.exists():
        return
    if not (work / MARKER).is_file() and any(work.iterdir()):
        raise RenderError(f"refusing to delete {work}: not a render work dir (no {MARKER})")
    shutil.rmtree(work)


def _inside(root: Path, rel: str) -> Path:
    """``root/rel``, refusing absolute paths and paths that leave ``root``."""
    path = (root / rel).resolve()
    if Path(rel).is_absolute() or root not in path.parents:
        raise RenderError(f"generated path {rel!r} must be relative and inside the project")
    return path


def variables_yaml(variables: dict) -> str:
    """The ``_variables.yml`` text: the nested dict with every leaf written as a string."""
    return yaml.safe_dump(_stringify_leaves(variables, ""), sort_keys=False, allow_unicode=True)


def _stringify_leaves(node, where):
    if isinstance(node, dict):
        for key in node:
            if not isinstance(key, str) or not key or "." in key:
                raise RenderError(f"variable key {key!r} under {where or 'the top'} must be a str without dots")
        return {key: _stringify_leaves(value, f"{where}.{key}".lstrip(".")) for key, value in node.items()}
    return var_text(node, where)


def var_text(value, key="") -> str:
    """How a variable value is printed: strings as is (a leading block marker such as ``>``
    escaped, so that Quarto keeps it), numbers by ``repr``, bools lower case.

    Pre-format numbers in the pipeline (e.g. ``f"{acc:.1%}"``) to control the digits.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quarto_syntax.inline_value(value)
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    raise RenderError(f"variable {key!r} must be a string or a number, not {type(value).__name__}")


def check_source(work, main: str = "report.qmd"):
    """RenderError unless ``work`` (a prepared render folder) reads the same in Quarto as here:
    :func:`vanishing.publication.quarto_syntax.source_problems` on ``main`` and its includes, and every value
    of ``_variables.yml`` inline text (:func:`~vanishing.publication.quarto_syntax.variable_problems`, and
    read alike by pandoc as metadata and as running text)."""
    work = Path(work)
    variables = yaml.safe_load((work / "_variables.yml").read_text(encoding="utf-8")) or {}
    front, _ = split_front_matter((work / main).read_text(encoding="utf-8"))
    meta = effective_metadata(_project_metadata(work), front, "html")
    problems = quarto_syntax.source_problems(work, main, variables, meta)
    static = quarto_syntax.variable_problems(variables)
    problems += static
    flat = {key: str(value) for key, value in quarto_syntax.leaves(variables)
            if not any(p.startswith(f"var {key}:") for p in static)}
    problems += [f"var {key}: pandoc reads {flat[key][:40]!r} differently as metadata (Quarto's var) and as text"
                 for key in quarto_syntax.metadata_changes(flat, pandoc_path())]
    if problems:
        raise RenderError("report source errors (Quarto would fail or print them otherwise):\n  "
                          + "\n  ".join(problems[:50]))


# --------------------------------------------------------------------------- shortcodes

_SHORTCODE = re.compile(r"\{\{\{<(?P<escaped>.*?)>\}\}\}|\{\{<(?P<body>.*?)>\}\}")
_CODE_CELL = re.compile(r"^\s*```+\s*\{[A-Za-z]", re.MULTILINE)


def expand_shortcodes(work, main: str, variables: dict) -> str:
    """The text of ``work/main`` with ``var``, ``meta`` and ``include`` shortcodes expanded.

    Follows Quarto's rules: an include is a line that is one shortcode (as Quarto reads lines,
    :mod:`vanishing.publication.quarto_syntax`), its path relative to the including file's folder (or to
    the project root with a leading ``/``) and inside the render folder; shortcodes in the
    front matter are expanded in its values (the YAML stays valid whatever they hold).
    ``{{{< x >}}}`` stays as the literal ``{{< x >}}``. Any unknown variable, missing or outside
    file or unsupported shortcode is collected, and all are raised in one RenderError.
    """
    work = Path(work).resolve()
    errors: list[str] = []
    front, _ = split_front_matter((work / main).read_text(encoding="utf-8"))
    meta = effective_metadata(_project_metadata(work), front, "html")
    text = _expand_file(work, work / main, variables, meta, errors, stack=())
    if errors:
        raise RenderError("report source errors:\n  " + "\n  ".join(errors))
    return text


_FRONT_MATTER = re.compile(r"---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|$)", re.DOTALL)


def _expand_file(work, path: Path, variables, meta, errors, stack) -> str:
    """Expand one file (recursively through includes)."""
    name = path.relative_to(work).as_posix()
    if path in stack:
        errors.append(f"{name}: include cycle via {' -> '.join(p.name for p in stack)}")
        return ""
    text = path.read_text(encoding="utf-8")
    if _CODE_CELL.search(text):
        errors.append(f"{name}: executable code cells are not supported (numbers come from var shortcodes)")
    lines, first = [], 1
    front = _FRONT_MATTER.match(text)
    if front:
        values = _expand_values(yaml.safe_load(front.group(1)) or {}, variables, meta, errors, f"{name}:front matter")
        lines.append("---\n" + yaml.safe_dump(values, sort_keys=False, allow_unicode=True) + "---\n")
        first, text = 1 + front.group(0).count("\n"), text[front.end():]
    for lineno, line in enumerate(text.splitlines(keepends=True), first):
        where = f"{name}:{lineno}"
        include = _include_target(line, where, errors)
        if include is not None:
            try:
                target = quarto_syntax.resolve_include(work, path, include)
            except ValueError as exc:
                errors.append(f"{where}: {exc}")
                continue
            if not target.is_file():
                errors.append(f"{where}: included file {include!r} not found")
                continue
            lines.append(_expand_file(work, target, variables, meta, errors, stack + (path,)).rstrip("\n") + "\n")
            continue
        lines.append(_SHORTCODE.sub(lambda m: _shortcode(m, variables, meta, errors, where), line))
    return "".join(lines)


def _expand_values(node, variables, meta, errors, where):
    """Shortcodes expanded inside every string of a front matter value."""
    if isinstance(node, dict):
        return {k: _expand_values(v, variables, meta, errors, where) for k, v in node.items()}
    if isinstance(node, list):
        return [_expand_values(v, variables, meta, errors, where) for v in node]
    if isinstance(node, str):
        return _SHORTCODE.sub(lambda m: _shortcode(m, variables, meta, errors, where), node)
    return node


def _include_target(line: str, where: str, errors) -> str | None:
    """The path of the include shortcode that ``line`` is (Quarto's line rule), else None; an
    include anywhere else on a line is an error."""
    target = quarto_syntax.include_target(line)
    if target is not None:
        return target
    if any(m.group("body") and _words(m.group("body"))[:1] == ["include"] for m in _SHORTCODE.finditer(line)):
        errors.append(f"{where}: an include shortcode must stand alone on its line with one path")
    return None


def _words(body: str) -> list[str]:
    """Name and parameters of a shortcode body, by Quarto's grammar."""
    try:
        code = quarto_syntax.parse_block(body.strip())
    except quarto_syntax.ShortcodeSyntaxError:
        return body.split()
    return [code.name, *code.params, *(f"{k}={v}" for k, v in code.named.items())]


def _shortcode(match, variables, meta, errors, where) -> str:
    """Replacement text of one (non-include) shortcode."""
    if match.group("escaped") is not None:
        return "{{<" + match.group("escaped") + ">}}"
    words = _words(match.group("body"))
    name, args = (words[0], words[1:]) if words else ("", [])
    if name in ("var", "meta") and len(args) == 1:
        value = _lookup(variables if name == "var" else meta, args[0])
        if value is _MISSING:
            errors.append(f"{where}: unknown {name} key {args[0]!r} in {match.group(0)}")
            return match.group(0)
        if isinstance(value, (dict, list)):
            errors.append(f"{where}: key {args[0]!r} is a mapping or list, not a value")
            return ""
        return var_text(value, args[0])
    errors.append(f"{where}: unsupported shortcode {match.group(0)} (the pandoc fallback knows var, meta, include)")
    return match.group(0)


_MISSING = object()


def _lookup(tree, dotted: str):
    """``tree[a][b]`` for ``"a.b"``, or _MISSING."""
    node = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return _MISSING if node is None else node


# --------------------------------------------------------------------------- metadata


def _project_metadata(work: Path) -> dict:
    """The project's ``_quarto.yml`` as a dict."""
    return yaml.safe_load((work / "_quarto.yml").read_text(encoding="utf-8")) or {}


def split_front_matter(text: str) -> tuple[dict, str]:
    """``(front_matter_dict, body)`` of a qmd/markdown text (empty dict if none)."""
    m = re.match(r"---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|$)", text, re.DOTALL)
    if not m:
        return {}, text
    return yaml.safe_load(m.group(1)) or {}, text[m.end():]


def effective_metadata(project: dict, front: dict, fmt: str) -> dict:
    """Quarto's precedence: project < project ``format.<fmt>`` < document < document format."""
    merged: dict = {}
    for layer in (project, front):
        top = {k: v for k, v in layer.items() if k not in ("project", "format")}
        formats = layer.get("format") or {}
        options = formats.get(fmt) if isinstance(formats, dict) else None
        merged.update(top)
        merged.update(options if isinstance(options, dict) else {})
    return merged


def _pandoc_metadata(meta: dict, stem: str) -> dict:
    """Metadata for pandoc: Quarto's defaults for what pandoc would otherwise leave out.

    Quarto's ``date: today`` / ``last-modified`` become this day's ISO date, as Quarto prints.
    """
    meta = dict(meta)
    meta.setdefault("link-citations", True)
    if str(meta.get("date", "")).strip() in ("today", "now", "last-modified"):
        meta["date"] = time.strftime("%Y-%m-%d")
    if meta.get("toc"):
        meta.setdefault("toc-title", "Table of contents")
    if not meta.get("title"):
        meta.setdefault("pagetitle", stem)
    return meta


def _pandoc_options(meta: dict) -> list[str]:
    """Command-line options from the format options that pandoc takes as flags."""
    options = []
    if meta.get("toc"):
        options += ["--toc", f"--toc-depth={int(meta.get('toc-depth', 3))}"]
    css = meta.get("css") or []
    options += [f"--css={sheet}" for sheet in ([css] if isinstance(css, str) else css)]
    return options


# --------------------------------------------------------------------------- pandoc engine


def _render_pandoc(work: Path, main: str, text: str, out_html: Path, pdf: Path | None) -> str:
    """Render the expanded text with pandoc (HTML, and PDF through Typst); return the version."""
    front, body = split_front_matter(text)
    stem = Path(main).stem
    source = work / f"_{stem}.expanded.md"
    source.write_text(body, encoding="utf-8")
    project = _project_metadata(work)
    html_meta = _pandoc_metadata(effective_metadata(project, front, "html"), stem)
    with atomic_path(out_html, suffix=".html") as tmp:
        _pandoc(work, source, html_meta, tmp, ["-t", "html5", "--standalone", "--embed-resources", "--mathml",
                                               f"--template={TEMPLATE}", f"--css={STYLESHEET}"])
        _raise_problems(tmp)
    if pdf is not None:
        typ_meta = _pandoc_metadata(effective_metadata(project, front, "typst"), stem)
        typ = work / f"_{stem}.typ"
        _pandoc(work, source, _with_typst_preamble(typ_meta), typ, ["-t", "typst", "--standalone"])
        _typst_compile(work, typ, pdf)
    return pandoc_version()


def _with_typst_preamble(meta: dict) -> dict:
    """``meta`` with publication.typ added to its header-includes as a raw Typst block
    (``--include-in-header`` would replace the header-includes that the Lua filter adds)."""
    raw = "```{=typst}\n" + TYPST_PREAMBLE.read_text(encoding="utf-8") + "```\n"
    existing = meta.get("header-includes") or []
    return {**meta, "header-includes": ([existing] if isinstance(existing, str) else list(existing)) + [raw]}


def _pandoc(work: Path, source: Path, meta: dict, output: Path, args: list[str]):
    """One pandoc run in ``work`` with the compat filter and citeproc; warnings are errors."""
    meta_file = work / f"_{output.suffix.lstrip('.') or 'out'}.metadata.yml"
    meta_file.write_text(yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8")
    # --columns: pipe tables wider than pandoc's 72 columns would get fixed relative widths
    command = [pandoc_path(), "--from", "markdown", "--columns=2000", *args, *_pandoc_options(meta),
               "--metadata-file", str(meta_file), "--lua-filter", str(FILTER), "--citeproc",
               "--resource-path", str(work), "--fail-if-warnings", "-o", str(output), str(source)]
    _run(command, cwd=work, what="pandoc")
    if not output.is_file() or output.stat().st_size == 0:
        raise RenderError(f"pandoc exited 0 but wrote no {output}")


def _typst_compile(work: Path, typ: Path, pdf: Path):
    """Compile a Typst file to ``pdf`` with the typst Python package (root: the work dir)."""
    import typst

    with atomic_path(pdf, suffix=".pdf") as tmp:
        try:
            typst.compile(str(typ), output=str(tmp), root=str(work))
        except Exception as exc:  # typst raises its own TypstError
            raise RenderError(f"typst failed on {typ}: {exc}") from exc
        if tmp.read_bytes()[:5] != b"%PDF-":
            raise RenderError(f"typst wrote no PDF for {typ}")


# --------------------------------------------------------------------------- quarto engine


def _render_quarto(quarto: str, work: Path, main: str, out_html: Path, pdf: Path | None) -> str:
    """Render with the quarto CLI (HTML, and PDF with ``--to typst``); return its version."""
    version = quarto_version(quarto)
    # embed-resources alone leaves MathJax on a CDN; MathML needs nothing from the network
    html = _quarto_render(quarto, work, main, "html",
                          ["-M", "embed-resources:true", "-M", "html-math-method:mathml"])
    with atomic_path(out_html, suffix=".html") as tmp:
        shutil.copyfile(html, tmp)
        _raise_problems(tmp)
    if pdf is not None:
        produced = _quarto_render(quarto, work, main, "typst", [])
        with atomic_path(pdf, suffix=".pdf") as tmp:
            shutil.copyfile(produced, tmp)
            if tmp.read_bytes()[:5] != b"%PDF-":
                raise RenderError(f"quarto render --to typst wrote {produced}, which is not a PDF")
    return version


def _quarto_render(quarto: str, work: Path, main: str, to: str, extra: list[str]) -> Path:
    """``quarto render main --to <to>`` in ``work``; the output path, checked to exist."""
    expected = work / OUT_SUBDIR / (Path(main).stem + (".pdf" if to == "typst" else ".html"))
    expected.unlink(missing_ok=True)
    # Quarto (Deno) colours its log even into a pipe unless NO_COLOR is set
    proc = _run([quarto, "render", main, "--to", to, "--output-dir", OUT_SUBDIR, *extra], cwd=work,
                what=f"quarto render --to {to}", env={**os.environ, "NO_COLOR": "1"})
    warnings = quarto_log_problems(proc.stdout + proc.stderr)
    if warnings:
        raise RenderError(f"quarto render --to {to} warned or reported errors:\n  " + "\n  ".join(warnings))
    if not expected.is_file() or expected.stat().st_size == 0:
        raise RenderError(f"quarto render --to {to} exited 0 but did not write {expected}")
    return expected


# --------------------------------------------------------------------------- helpers


_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LOG_PROBLEM = re.compile(r"^(?:WARN|ERROR|\((?:W|E)\))")


def quarto_log_problems(log: str) -> list[str]:
    """The lines of a Quarto log that report a warning or an error, ANSI colour codes removed:
    ``WARN``/``WARNING``/``ERROR`` (Quarto's logger) and ``(W)``/``(E)`` (its Lua filters)."""
    lines = (_ANSI.sub("", line).strip() for line in log.splitlines())
    return [line for line in lines if _LOG_PROBLEM.match(line)]


def _run(command: list[str], cwd, what: str, env=None) -> subprocess.CompletedProcess:
    """Run a command, capturing output; RenderError with its stderr if it fails."""
    try:
        proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False, env=env)
    except OSError as exc:
        raise RenderError(f"{what} could not start: {exc}") from exc
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip())[-4000:]
        raise RenderError(f"{what} failed (exit {proc.returncode}):\n{detail}")
    return proc


def _raise_problems(html_path: Path):
    problems = check_html(html_path)
    if problems:
        raise RenderError(f"rendered HTML has {len(problems)} problem(s):\n  " + "\n  ".join(problems[:50]))


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", text)[:3]) or (0,)


# Text that means an unresolved reference: pandoc-crossref/Quarto leftovers, Quarto's ?var:
_TEXT_PROBLEMS = [
    (r"\?\?+", "unresolved reference"),
    (r"\?@[\w:-]+", "unresolved cross-reference"),
    (r"(?<![\w.])@(?:fig|tbl|eq|sec|lst)-[\w-]+", "cross-reference left as text"),
    (r"\?(?:var|meta|env):[\w.-]*", "unresolved Quarto shortcode"),
    (r"\{\{<[^>]*>\}\}", "shortcode left as text"),
]

# (tag, attribute) pairs whose URL the browser loads when the page opens
_LOADED = {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"), ("source", "src"),
           ("source", "srcset"), ("img", "srcset"), ("video", "src"), ("video", "poster"),
           ("audio", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("track", "src"),
           ("image", "href"), ("image", "xlink:href"), ("use", "href"), ("use", "xlink:href")}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_CSS_URL = re.compile(r"url\(\s*['\"]?(?!data:|#)([^)'\"\s]+)")


class _HtmlScan(html.parser.HTMLParser):
    """Collects what check_html needs: loaded URLs, ids, anchors, citations, visible text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.loads, self.anchors, self.ids, self.text, self.bad_citations = [], [], set(), [], []
        self._open: list[tuple[str, list[str]]] = []  # open non-void tags and their classes
        self._strong: list[str] | None = None  # text of a <strong> inside a citation

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        for url_tag, attr in _LOADED:
            url = attrs.get(attr, "").strip()
            if tag == url_tag and url and not url.startswith(("data:", "#")):
                self.loads.append((tag, attr, url))
        self.loads += [(tag, "style", url) for url in _CSS_URL.findall(attrs.get("style", ""))]
        href = attrs.get("href", "")
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.anchors.append(href[1:])
        if tag == "strong" and "citation" in self._classes_open():
            self._strong = []
        if tag not in _VOID:
            self._open.append((tag, attrs.get("class", "").split()))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == "strong" and self._strong is not None:
            if "".join(self._strong).rstrip().endswith("?"):
                self.bad_citations.append("".join(self._strong))
            self._strong = None
        while self._open:  # tolerate unclosed tags: pop up to the matching one
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data):
        inside = [t for t, _ in self._open]
        if "style" in inside:
            self.loads += [("style", "url()", url) for url in _CSS_URL.findall(data)]
        elif "script" not in inside:
            self.text.append(data)
            if self._strong is not None:
                self._strong.append(data)

    def _classes_open(self) -> set[str]:
        return {c for _, classes in self._open for c in classes}
