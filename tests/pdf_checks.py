"""What a reader of the PDF sees, checked through poppler's pdftotext: tables whose rows print
whole and in order (``-layout``), and no word printed over another (``-bbox``)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest


def require_poppler():
    """Install Debian's poppler-utils when missing (as root); fail under CI, skip elsewhere, if impossible."""
    import os

    import debian

    reason = debian.cannot_install_reason(["pdftotext", "pdftoppm"])
    if reason:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    debian.ensure(["poppler-utils"], ["pdftotext", "pdftoppm"])
    assert shutil.which("pdftotext") and shutil.which("pdftoppm")


def layout_text(pdf: Path) -> str:
    """``pdftotext -layout`` of the whole PDF, non-breaking spaces as spaces."""
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    return out.stdout.replace("\xa0", " ")


def markdown_rows(table_md: str) -> list[list[str]]:
    """The body rows of a generated pipe table, each a list of cells as printed (no markup)."""
    rows = []
    for line in table_md.splitlines():
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [re.sub(r"\\(.)", r"\1", c.strip().replace("`", "")).replace("\xa0", " ")  # escapes printed bare
                 for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
        rows.append(cells)
    return rows[1:]  # without the header


def rows_in_order(text: str, rows: list[list[str]]) -> list[str]:
    """Problems: a row whose cells are not all on one line (in order), or rows out of order."""
    lines = text.splitlines()
    problems, last = [], -1
    for row in rows:
        pattern = re.compile(r"\s+".join(re.escape(c) for c in row if c))
        found = [i for i, line in enumerate(lines) if pattern.search(line)]
        after = [i for i in found if i > last]
        if not found:
            problems.append(f"row not printed whole on one line: {row}")
        elif not after:
            problems.append(f"row out of order: {row}")
        else:
            last = after[0]
    return problems


def overprinted_words(pdf: Path, tolerance: float = 1.0) -> list[str]:
    """Pairs of words whose boxes overlap by more than ``tolerance`` points both ways, per page."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    problems = []
    for number, page in enumerate(re.split(r"<page ", out)[1:], 1):
        words = [(float(a), float(b), float(c), float(d), html.unescape(w)) for a, b, c, d, w in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', page)
            if not _math_glyphs(html.unescape(w))]
        words.sort(key=lambda w: w[1])
        for i, (x0, y0, x1, y1, text) in enumerate(words):
            for u0, v0, u1, v1, other in words[i + 1:]:
                if v0 > y1 - tolerance:
                    break
                overlap_x = min(x1, u1) - max(x0, u0)
                overlap_y = min(y1, v1) - max(y0, v0)
                if overlap_x > tolerance and overlap_y > tolerance:
                    problems.append(f"page {number}: {text!r} overprints {other!r}")
    return problems


def _math_glyphs(word: str) -> bool:
    """Radicals, big operators and math italic letters: their boxes span lines by design."""
    return all(unicodedata.category(c) == "Sm" or 0x1D400 <= ord(c) <= 0x1D7FF or c in "‖∑∏∫" for c in word)


def page_texts(pdf: Path) -> list[str]:
    """Each page's ``pdftotext -layout`` text."""
    return layout_text(pdf).split("\f")[:-1]


APPENDIX_HEADING = re.compile(r"^\s*\d+\s+Appendix\b", re.M)


def first_appendix_page(pages: list[str]) -> int:
    """The 1-based number of the page where the first appendix's heading is printed (the table of
    contents' lines, which end in dot leaders and a page number, do not count)."""
    for number, text in enumerate(pages, 1):
        for m in APPENDIX_HEADING.finditer(text):
            line = text[m.start():text.find("\n", m.start())]
            if not re.search(r"(?:\.\s*){3}", line):  # a table of contents line has dot leaders
                return number
    raise AssertionError("no appendix heading in the PDF")


def blank_fractions(pdf: Path, dpi: int = 30) -> list[float]:
    """Per page, the tallest band of blank rows inside the text area as a fraction of that area's
    height, from ``pdftoppm`` renders. The text area runs from the highest first ink on any page to
    just above the page numbers (the lowest ink, the same on every page)."""
    import tempfile

    from PIL import Image

    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(pdf), f"{folder}/p"], check=True)
        rows = []
        for path in sorted(Path(folder).glob("p-*.png")):
            with Image.open(path) as opened:
                im = opened.convert("L")
                width, height = im.size
                pixels = im.load()
                rows.append([any(pixels[x, y] < 200 for x in range(width)) for y in range(height)])
    inked = [[y for y, ink in enumerate(page) if ink] for page in rows]
    top = min(ys[0] for ys in inked if ys)
    number_top = min(_last_block(page) for page in rows if any(page))  # the page number's first row
    body_bottom = max(y for ys, page in zip(inked, rows) for y in ys if y < _last_block(page))
    height = body_bottom - top + 1
    fractions = []
    for page in rows:
        longest = run = 0
        for y in range(top, body_bottom + 1):
            run = 0 if page[y] else run + 1
            longest = max(longest, run)
        fractions.append(longest / height)
    assert number_top > body_bottom
    return fractions


def _last_block(page: list[bool]) -> int:
    """The first row of the lowest run of inked rows (the page number)."""
    y = max(i for i, ink in enumerate(page) if ink)
    while y > 0 and page[y - 1]:
        y -= 1
    return y
