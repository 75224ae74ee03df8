"""Template leftovers in a rendered report's prose: what a writer would never leave in a sentence.

- a ``(s)`` plural ("1 seed(s)"): the template did not choose the number;
- a doubled word ("the the") or two prepositions of place in a row ("within inside");
- a code name: a snake_case identifier ("cross_entropy", "mu_max", "μ_max") in the text, except a
  file name (``depth_accuracy.csv``), a command, a token with digits (``x86_64``) or a section of
  the configuration that the text names as one (``depth_accuracy`` in "differs from config/config.yaml in …").

The prose is the HTML's text without ``<pre>``, ``<script>``, ``<style>``, ``<math>``, ``<svg>``, tables and the
*Reproduce* box (commands and paths are code there by right); the tables' cells are read apart
(:func:`table_cells`), without the reproducibility appendix's (package names and configuration keys
are code there by right).
"""

from __future__ import annotations

import html
import re

DROP = re.compile(r"<(pre|script|style|math|svg|table)\b.*?</\1>", re.S | re.I)
DIV = re.compile(r"<(/?)div\b", re.I)
TAG = re.compile(r"<[^>]+>")
PLURAL = re.compile(r"\b\w+\(s\)")
PLACE = r"(?:in|inside|within|into|at|on|onto)"
DOUBLED = re.compile(rf"\b(?:(\w+) \1|{PLACE} {PLACE})\b", re.I)
CODE_NAME = re.compile(r"(?<![\w./-])[^\W\d_]+(?:_[^\W\d_]+)+(?![\w/-])(?!\.(?:csv|json|png|svg|yaml|py|md|html|pdf|npz)\b)")
ALLOWED_DOUBLES = {"that that", "had had"}


def _without_reproduce_box(page_html: str) -> str:
    """``page_html`` without the ``<div>`` (with its nested ones) that holds "Reproduce this report"."""
    at = page_html.find("Reproduce this report")
    start = page_html.rfind('<div class="callout ', 0, at)  # the callout, not its title
    if at < 0 or start < 0:
        return page_html
    depth = 0
    for m in DIV.finditer(page_html, start):
        depth += -1 if m[1] else 1
        if depth == 0:
            return page_html[:start] + page_html[page_html.index(">", m.end()) + 1:]
    return page_html[:start]


def prose(page_html: str) -> str:
    """The running text of a rendered HTML page (see the module's definition)."""
    text = _without_reproduce_box(DROP.sub(" ", page_html))
    return re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", text)))


def leftovers(text: str, names=()) -> list[str]:
    """Every leftover in ``text`` with its context, e.g. ``'(s) plural: … 1 seed(s) …'``; the code
    names in ``names`` are allowed (the sections of the configuration, which the text names as such)."""
    found = []
    for kind, pattern in (("(s) plural", PLURAL), ("doubled word", DOUBLED), ("code name", CODE_NAME)):
        for m in pattern.finditer(text):
            if kind == "doubled word" and m[0].lower() in ALLOWED_DOUBLES or kind == "code name" and m[0] in names:
                continue
            found.append(f"{kind}: …{text[max(0, m.start() - 50):m.end() + 30]}…")
    return found


CELL = re.compile(r"<(td|th)\b[^>]*>(.*?)</\1>", re.S | re.I)
CODE = re.compile(r"<code\b.*?</code>", re.S | re.I)


def table_cells(page_html: str) -> str:
    """The text of every table cell before the reproducibility appendix (``id="sec-reproducibility"``),
    one cell after another, with code spans and math left out."""
    end = page_html.find('id="sec-reproducibility"')
    text = page_html if end < 0 else page_html[:end]
    text = re.sub(r"<(script|style|math|svg)\b.*?</\1>", " ", text, flags=re.S | re.I)
    cells = [CODE.sub(" ", m[2]) for m in CELL.finditer(text)]
    return re.sub(r"\s+", " ", html.unescape(TAG.sub(" ", " | ".join(cells))))
