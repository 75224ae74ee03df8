"""How Quarto (>= 1.9) reads the report's source, checked without Quarto.

Quarto reads shortcodes twice, and each reading has rules that plain pandoc does not have:

* **Lines, before pandoc** (quarto-cli ``src/core/lib/break-quarto-md.ts`` and
  ``src/core/handlers/base.ts``): every line that matches ``BLOCK_LINE`` (it *starts* with
  ``{{< `` and *ends* with `` >}}``) is one block shortcode; its text is parsed with the grammar
  of ``parseShortcodeCapture`` in ``src/core/lib/parse-shortcode.ts`` (a name, then bare,
  ``name=value``, ``"double"`` or ``'single'`` quoted parameters), and a parse error stops the
  render. So ``{{< var a >}}, the book's {{< var b >}}`` is read as *one* shortcode whose
  parameters hold an unmatched quote. Include shortcodes are expanded there, on every line of
  every cell, code blocks included; the others split the paragraph they stand in.
* **Inline, in the qmd reader** (``src/resources/pandoc/datadir/lpegshortcode.lua``, used by
  ``readqmd.lua``): ``{{<`` then parameters (bare words that do not start with a quote, ``}`` or
  ``>``; quoted strings without escapes; ``key=value``) then ``>}}``; ``{{{< x >}}}`` and
  ``{{</* x */>}}`` are escapes. Text that does not parse ends the parse there.
* **var values** (``src/resources/filters/quarto-pre/shortcodes-handlers.lua``, ``processValue``):
  ``_variables.yml`` is metadata, read as Markdown, so a value that is a block (``> 1.25``, a
  quote) comes back as its inlines, without the marker.

:func:`source_problems` applies these rules (and that includes stay in the render folder) to a
render folder; :func:`variable_problems` to the variables. Rule ``report`` runs both before
either engine renders, so the pandoc path fails where Quarto would.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# isBlockShortcode in parse-shortcode.ts, verbatim (JavaScript and Python agree on this pattern)
BLOCK_LINE = re.compile(r"^\s*\{\{< (?!/\*)(.+?)(?<!\*/) >\}\}\s*$")
KNOWN = ("var", "meta", "include")  # what the report uses, and what the pandoc path expands
LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# A value that starts a Markdown block: a quote, heading, list item, line block, fence, title
# block or raw HTML block. Quarto prints such a var value without its marker.
BLOCK_START = re.compile(r"^ {0,3}(?:>|#{1,6}(?=\s|$)|[-*+](?=\s|$)|(?:\d{1,9}|[#a-zA-Z])[.)](?=\s|$)|"
                         r"\|(?=\s|$)|`{3}|~{3}|:{3}|%|<[A-Za-z/!?])")


class ShortcodeSyntaxError(ValueError):
    """Text that Quarto's shortcode grammar rejects."""


@dataclass
class Shortcode:
    name: str
    params: list[str] = field(default_factory=list)
    named: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the source text, {{< ... >}}


# --------------------------------------------------------------------------- the two grammars


def parse_block(capture: str) -> Shortcode:
    """``parseShortcodeCapture`` of parse-shortcode.ts: the text between ``{{< `` and `` >}}``."""
    name = re.match(r"/?[a-zA-Z0-9_]+", capture)
    if not name:
        raise ShortcodeSyntaxError(f"invalid shortcode: {capture}")
    result = Shortcode(name.group(0), text="{{< " + capture + " >}}")
    rest = capture[name.end():].strip()
    while rest:
        named = (re.match(r'[a-zA-Z0-9_-]+="[^"]*"', rest) or re.match(r"[a-zA-Z0-9_-]+='[^']*'", rest)
                 or re.match(r"""[a-zA-Z0-9_-]+=[^"'\s]+""", rest))
        bare = None if named else re.match(r"""[^"'\s]+""", rest)
        quoted = None if named or bare else (re.match(r'"[^"]*"', rest) or re.match(r"'[^']*'", rest))
        if named:
            key, value = named.group(0).split("=", 1)
            result.named[key] = value
        elif bare:
            result.params.append(bare.group(0))
        elif quoted:
            result.params.append(quoted.group(0)[1:-1])
        else:
            raise ShortcodeSyntaxError(f"invalid shortcode: {capture}")
        rest = rest[(named or bare or quoted).end():].strip()
    return result


def inline_shortcodes(text: str) -> list[tuple[int, Shortcode | ShortcodeSyntaxError]]:
    """``(offset, shortcode or error)`` for every shortcode of ``text``, read as lpegshortcode.lua
    reads it; escaped shortcodes are skipped, nested ones are listed after their parent."""
    found, i = [], 0
    while (i := _next_opener(text, i)) >= 0:
        if text.startswith("{{{<", i):
            end = text.find(">}}}", i)
            i = len(text) if end < 0 else end + 4
            continue
        if text.startswith("{{</*", i):
            end = text.find("*/>}}", i)
            i = len(text) if end < 0 else end + 5
            continue
        try:
            end, codes = _inline_at(text, i)
            found += [(i, c) for c in codes]
            i = end
        except ShortcodeSyntaxError as exc:
            found.append((i, exc))
            i += 3
    return found


def _next_opener(text, start):
    hits = [h for h in (text.find("{{{<", start), text.find("{{<", start)) if h >= 0]
    return min(hits) if hits else -1


def _inline_at(text: str, i: int) -> tuple[int, list[Shortcode]]:
    """Parse the shortcode opening at ``i``; return (end offset, [it, nested...])."""
    j, words, nested = _skip_space(text, i + 3), [], []
    while True:
        if text.startswith(">}}", j) and words:
            break
        if text.startswith("{{<", j):
            j, inner = _inline_at(text, j)
            nested += inner
            words.append((inner[0].text, True))
        elif j < len(text) and text[j] in "\"'":
            close = text.find(text[j], j + 1)
            if close < 0:
                raise ShortcodeSyntaxError(f"unmatched {text[j]} in {text[i:i + 80]!r}")
            words.append((text[j + 1:close], True))
            j = close + 1
        elif j < len(text) and text[j] not in "}> \t\n":
            start = j
            while j < len(text) and text[j] not in " \t\n" and not text.startswith(">}}", j):
                j += 1
            words.append((text[start:j], False))
        else:
            raise ShortcodeSyntaxError(f"no closing >}} or a parameter starting with {text[j:j + 1]!r} in "
                                       f"{text[i:i + 80]!r}")
        j = _skip_space(text, j)
    code = Shortcode(words[0][0], text=text[i:j + 3])
    for word, quoted in words[1:]:
        key, eq, value = word.partition("=")
        if eq and not quoted and re.fullmatch(r"[^:/?=\s]+", key):
            code.named[key] = value.strip("\"'")
        else:
            code.params.append(word)
    return j + 3, [code] + nested


def _skip_space(text, j):
    while j < len(text) and text[j] in " \t\n":
        j += 1
    return j


# --------------------------------------------------------------------------- a render folder


def include_target(line: str) -> str | None:
    """The path of the include that Quarto reads on this line (a block shortcode), else None."""
    m = BLOCK_LINE.match(line.rstrip("\n"))
    if not m:
        return None
    try:
        code = parse_block(m.group(1))
    except ShortcodeSyntaxError:
        return None
    return code.params[0] if code.name == "include" and code.params else None


def resolve_include(work: Path, including: Path, target: str) -> Path:
    """Where an include points (``/x``: from the project root, else from the including file's
    folder); ValueError if that is outside ``work`` (symbolic links followed)."""
    base = Path(work).resolve()
    path = (base / target.lstrip("/")) if target.startswith("/") else (including.parent / target)
    path = path.resolve()
    if base not in path.parents:
        raise ValueError(f"include {target!r} is outside the render folder {base}")
    return path


def source_problems(work, main: str, variables: dict, meta: dict | None = None) -> list[str]:
    """What Quarto would reject or misread in ``work/main`` and every file it includes."""
    work = Path(work).resolve()
    problems: list[str] = []
    _file_problems(work, work / main, variables, meta, problems, stack=())
    return problems


def text_problems(text: str, name: str = "") -> list[str]:
    """What Quarto rejects or misreads in one file's text, includes and keys aside: lines that
    start and end with shortcodes, block shortcodes other than include, shortcodes that do not
    parse, unknown shortcodes, includes that do not stand alone."""
    return [p for _, _, p in _scan(text, name) if p]


def _scan(text: str, name: str):
    """``(kind, detail, problem)`` of :func:`text_problems`, plus ``("include", (where, path), None)``
    and ``("key", (where, shortcode), None)`` for the includes and var/meta shortcodes found."""
    for lineno, line in enumerate(text.splitlines(), 1):
        where = f"{name}:{lineno}"
        m = BLOCK_LINE.match(line)
        if not m:
            continue
        try:
            code = parse_block(m.group(1))
        except ShortcodeSyntaxError:
            yield "line", where, (f"{where}: Quarto reads this whole line as one shortcode (it starts with one "
                                  f"and ends with another) and cannot parse it; re-wrap the line: {line.strip()[:120]}")
            continue
        if "{{<" in m.group(1) or ">}}" in m.group(1):
            yield "line", where, (f"{where}: the line starts with a shortcode and ends with another, which "
                                  f"Quarto reads as one; re-wrap the line: {line.strip()[:120]}")
        elif code.name != "include":
            yield "line", where, (f"{where}: a {code.name} shortcode alone on its line is a block for Quarto "
                                  "(it splits the paragraph); put text beside it")
        elif len(code.params) != 1 or code.named:
            yield "line", where, f"{where}: an include takes one path: {line.strip()}"
        else:
            yield "include", (where, code.params[0]), None
    for offset, code in inline_shortcodes(text):
        where = f"{name}:{text.count(chr(10), 0, offset) + 1}"
        if isinstance(code, ShortcodeSyntaxError):
            yield "inline", where, f"{where}: Quarto cannot parse this shortcode: {code}"
        elif code.name not in KNOWN:
            yield "inline", where, f"{where}: unknown shortcode {code.name!r} in {code.text[:80]}"
        elif code.name in ("var", "meta"):
            yield "key", (where, code), None
        elif include_target(_line_at(text, offset)) is None:
            yield "inline", where, f"{where}: an include shortcode must stand alone on its line: {code.text[:80]}"


def _file_problems(work: Path, path: Path, variables, meta, problems, stack):
    name = path.relative_to(work).as_posix()
    if path in stack:
        problems.append(f"{name}: include cycle via {' -> '.join(p.name for p in stack)}")
        return
    for kind, detail, problem in _scan(path.read_text(encoding="utf-8"), name):
        if problem:
            problems.append(problem)
        elif kind == "key":
            where, code = detail
            problems += _key_problems(where, code, variables if code.name == "var" else meta)
        else:
            where, include = detail
            try:
                target = resolve_include(work, path, include)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if not target.is_file():
                problems.append(f"{where}: included file {include!r} not found")
            else:
                _file_problems(work, target, variables, meta, problems, stack + (path,))


def _line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start:] if end < 0 else text[start:end]


def _key_problems(where, code: Shortcode, tree) -> list[str]:
    if len(code.params) != 1 or code.named:
        return [f"{where}: {code.name} takes one key: {code.text}"]
    if tree is None:
        return []
    node = tree
    for part in code.params[0].split("."):
        if not isinstance(node, dict) or part not in node:
            return [f"{where}: unknown {code.name} key {code.params[0]!r} in {code.text}"]
        node = node[part]
    if isinstance(node, (dict, list)) or node is None:
        return [f"{where}: {code.name} key {code.params[0]!r} is a mapping or list, not a value"]
    return []


# --------------------------------------------------------------------------- variables


def leaves(tree, prefix=""):
    """``(dotted key, value)`` of every leaf of a nested dict."""
    for key, value in tree.items():
        if isinstance(value, dict):
            yield from leaves(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def inline_value(text: str) -> str:
    """``text`` with a leading block marker escaped (``> 1.25`` -> ``\\> 1.25``): it prints the
    same in running text, and Quarto's var shortcode keeps the marker."""
    m = BLOCK_START.match(text)
    if not m:
        return text
    k = next(i for i in range(m.start(), len(text)) if text[i] not in " 0123456789")
    if text[k].isalpha():  # a fancy list marker "a." / "B)": escape its punctuation
        k += 1
    return text[:k] + "\\" + text[k:]


def value_problems(key: str, value: str) -> list[str]:
    """Why a var value would not print as itself in running text, in Quarto or pandoc."""
    problems = []
    if LINE_BREAKS.search(value):
        problems.append(f"var {key}: holds a line break (the rest would start a line of its own)")
    if "{{<" in value:
        problems.append(f"var {key}: holds a shortcode opener {{{{< (config text must be escaped)")
    if BLOCK_START.match(value):
        problems.append(f"var {key}: starts a Markdown block ({value[:20]!r}): Quarto drops the marker")
    return problems


def variable_problems(variables: dict) -> list[str]:
    """:func:`value_problems` of every leaf (written as Quarto reads ``_variables.yml``)."""
    return [p for key, value in leaves(variables) for p in value_problems(key, str(value))]


def metadata_changes(values: dict[str, str], pandoc: str) -> list[str]:
    """Keys whose value pandoc reads differently as metadata (as Quarto's var shortcode gets it)
    than as running text (as the pandoc path prints it): ``pandoc`` is the executable."""
    single = {k: v for k, v in values.items() if not LINE_BREAKS.search(v)}
    keys = list(single)
    front = yaml.safe_dump({f"v{i}": single[k] for i, k in enumerate(keys)}, allow_unicode=True)
    body = "\n".join(f"::: {{#v{i}}}\nX {single[k]}\n:::\n" for i, k in enumerate(keys))
    proc = subprocess.run([pandoc, "-f", "markdown", "-t", "json"], input=f"---\n{front}---\n\n{body}",
                          capture_output=True, text=True, check=True)
    doc = json.loads(proc.stdout)
    inline = {}
    for block in doc["blocks"]:
        if block["t"] == "Div" and block["c"][1] and block["c"][1][0]["t"] in ("Para", "Plain"):
            inline[block["c"][0][0]] = block["c"][1][0]["c"][2:]  # drop "X" and the space after it
    changed = []
    for i, key in enumerate(keys):
        meta = doc["meta"].get(f"v{i}", {})
        as_meta = meta.get("c") if meta.get("t") == "MetaInlines" else meta
        if _without_counters(as_meta) != _without_counters(inline.get(f"v{i}")):
            changed.append(key)
    return changed


def _without_counters(node):
    """A pandoc JSON tree without the citation counters that depend on the position in the file."""
    if isinstance(node, dict):
        return {k: _without_counters(v) for k, v in node.items() if k not in ("citationNoteNum", "citationHash")}
    if isinstance(node, list):
        return [_without_counters(v) for v in node]
    return node
