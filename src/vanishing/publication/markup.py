"""Config and data text in the report's Markdown as text, never as markup.

Whatever reaches the report from outside the code (a data source or folder from the config, a
platform or processor name, the code version, a package version, the configuration dump) passes
through one of these, so that it prints as itself in HTML and PDF, with pandoc or Quarto:

* :func:`code` — an inline code span whose fence is longer than any backtick run in the value
  (a backtick in the value cannot end it);
* :func:`text` — plain text with every ASCII punctuation character backslash-escaped (pandoc's
  ``all_symbols_escapable``): nothing in it can open emphasis, a link, raw HTML (``<svg ...>``),
  raw Typst (```` `...`{=typst} ````), math, a citation, a list or a quote;
* :func:`code_block` — a fenced block whose fence is longer than any backtick run inside.

All three also make the shortcode opener ``{{<`` inert (a word joiner U+2060 goes between ``{{``
and ``<``: it prints as nothing, and no reader sees a shortcode), because Quarto expands
shortcodes in any text and includes a file named on a line of its own, code blocks included; and
inline values get their line breaks turned into spaces, so no value makes a line of its own.
"""

from __future__ import annotations

import re
import string

WORD_JOINER = "\u2060"
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")


def _clean(value, *, keep_lines=False) -> str:
    """``str(value)`` without control characters (tabs and, unless kept, line breaks become spaces)."""
    s = _CONTROL.sub("\ufffd", str(value).replace("\t", " "))
    return s.replace("\r\n", "\n") if keep_lines else _LINE_BREAK.sub(" ", s)


def inert_shortcodes(s: str) -> str:
    """``{{<`` (and so ``{{{<``) with a word joiner after the braces: no longer a shortcode."""
    return s.replace("{{<", "{{" + WORD_JOINER + "<")


def text(value) -> str:
    """``value`` as literal Markdown text (ASCII punctuation backslash-escaped)."""
    return _PUNCTUATION.sub(r"\\\1", inert_shortcodes(_clean(value)))


def code(value) -> str:
    """``value`` as an inline code span that nothing in it can end."""
    s = inert_shortcodes(_clean(value))
    if not s.strip():
        return text(s)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def code_block(value, lang: str = "") -> str:
    """``value`` (lines kept) as a fenced code block that nothing in it can close."""
    s = inert_shortcodes(_clean(value, keep_lines=True))
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", s)), default=0) + 1)
    return f"{fence}{lang}\n{s.rstrip(chr(10))}\n{fence}\n"
