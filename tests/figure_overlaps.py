"""Where the text of a drawn matplotlib figure collides with something else it shows.

After ``fig.canvas.draw()`` every artist has a box in display pixels (``get_window_extent``).
A *text box* is one of: a visible, non-empty ``Text`` (titles, axis labels, tick labels, offset
texts, annotations, the figure's title) or a whole legend (its frame, handles and entries as one
box; the entries inside it are not checked on their own). A text box, shrunk by ``TOLERANCE`` px on
every side so that boxes which merely touch do not count, *collides* when

1. it intersects another text box (two texts printed over each other); or
2. it intersects the plot area of an axes it does not belong to (a legend or label drawn into the
   neighbouring panel; a figure-level text belongs to no axes); or
3. inside the plot area of any axes it crosses that axes' data: a line's drawn path (``ax.lines``:
   curves, reference lines, whiskers; its markers count as squares of the marker size), a marker of
   a scatter (``PathCollection``), a segment of a ``LineCollection`` (error bars), a bar
   (``ax.patches``). Translucent bands (collections with alpha < 0.5, e.g. min–max bands of
   ``fill_between``) are background shading and do not count; grid lines do not count; or
4. it crosses a visible spine of an axes other than the one whose tick labels or axis label it is
   (a legend struck through by an axis line).

Tick labels of an axes are checked against text and other axes only (rules 1, 2 and 4), not
against that axes' own data, which they never enter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.path import Path
from matplotlib.transforms import Bbox

TOLERANCE = 1.0  # px each side


@dataclass
class Box:
    name: str
    bbox: Bbox
    axes: object  # the axes the text belongs to, or None for figure-level text
    tick: bool = False  # a tick label or offset text: lies outside its axes by construction


def _shrunk(b: Bbox) -> Bbox:
    return Bbox.from_extents(b.x0 + TOLERANCE, b.y0 + TOLERANCE, b.x1 - TOLERANCE, b.y1 - TOLERANCE)


def _overlap(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def _axes_texts(ax):
    """(text, is a tick label or offset text) for every text ``ax`` draws outside its legend."""
    texts = [(t, False) for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label)]
    texts += [(t, False) for t in ax.texts]  # annotations and ax.text
    for axis in (ax.xaxis, ax.yaxis):
        for tick in axis._update_ticks():  # the ticks inside the view, the ones drawn
            texts += [(tick.label1, True), (tick.label2, True)]
        texts.append((axis.get_offset_text(), True))
    return texts


def text_boxes(fig, renderer) -> list[Box]:
    """Every text box of ``fig`` (see the module's definition)."""
    boxes = []
    for leg in [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_visible())]:
        if leg is not None and leg.get_visible():
            ax = leg.axes if leg in [a.get_legend() for a in fig.axes] else None
            names = [t.get_text() for t in leg.get_texts()][:3]
            boxes.append(Box(f"legend {names}", leg.get_window_extent(renderer), ax))
    texts = [(t, False, None) for t in fig.texts]
    texts += [(t, False, None) for t in (getattr(fig, "_suptitle", None), getattr(fig, "_supxlabel", None),
                                         getattr(fig, "_supylabel", None)) if t is not None]
    texts += [(t, tick, ax) for ax in fig.axes if ax.get_visible() for t, tick in _axes_texts(ax)]
    seen = set()  # the figure's title is in fig.texts too
    for t, tick, ax in texts:
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.get_visible() and t.get_text().strip():
            boxes.append(Box(f"text {t.get_text()!r}", t.get_window_extent(renderer), ax, tick=tick))
    return boxes


def _segments_hit(points: np.ndarray, box: Bbox) -> bool:
    """Whether the polyline through ``points`` (n x 2, display px) enters ``box``."""
    points = points[np.all(np.isfinite(points), axis=1)]
    if len(points) == 0:
        return False

    if len(points) == 1:
        return box.contains(*points[0])
    return Path(points).intersects_bbox(box, filled=False)


def _marker_hit(points: np.ndarray, half: float, box: Bbox) -> bool:
    points = points[np.all(np.isfinite(points), axis=1)]
    return bool(np.any((points[:, 0] + half > box.x0) & (points[:, 0] - half < box.x1)
                       & (points[:, 1] + half > box.y0) & (points[:, 1] - half < box.y1)))


def data_hits(ax, box: Bbox, renderer) -> list[str]:
    """The data artists of ``ax`` that enter ``box`` within the plot area."""
    area = ax.patch.get_window_extent(renderer)
    if not _overlap(box, area):
        return []
    box = Bbox.intersection(box, area)
    if box is None:
        return []
    px = ax.figure.dpi / 72.0
    hits = []
    for line in ax.lines:
        if not line.get_visible():
            continue
        xy = line.get_transform().transform(line.get_xydata())
        style = line.get_linestyle()
        if style not in ("None", "none", "", " ") and line.get_linewidth() > 0 and _segments_hit(xy, box):
            hits.append(f"line {line.get_label()!r}")
            continue
        if line.get_marker() not in (None, "None", "none", "", " ") and _marker_hit(xy, line.get_markersize() * px / 2, box):
            hits.append(f"markers of {line.get_label()!r}")
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        alpha = coll.get_alpha()
        face = coll.get_facecolor()
        if alpha is None and len(face):
            alpha = float(np.max(face[:, 3]))
        if isinstance(coll, PathCollection):
            offsets = coll.get_offset_transform().transform(coll.get_offsets())
            sizes = coll.get_sizes()
            half = (np.sqrt(sizes.max()) if len(sizes) else 6.0) * px / 2
            if len(offsets) and _marker_hit(np.asarray(offsets), half, box):
                hits.append(f"scatter {coll.get_label()!r}")
        elif isinstance(coll, LineCollection):
            tr = coll.get_transform()
            if any(_segments_hit(tr.transform(p.vertices), box) for p in coll.get_paths()):
                hits.append(f"segments {coll.get_label()!r}")
        elif alpha is not None and alpha >= 0.5:
            if _overlap(coll.get_window_extent(renderer), box):
                hits.append(f"collection {coll.get_label()!r}")
    for patch in ax.patches:
        if patch.get_visible() and _overlap(patch.get_window_extent(renderer), box):
            hits.append(f"bar {patch.get_label()!r}")
    return hits


def spine_hits(ax, box: Bbox, renderer) -> list[str]:
    hits = []
    for name, spine in ax.spines.items():
        if not spine.get_visible():
            continue
        xy = spine.get_transform().transform(spine.get_path().vertices)
        if _segments_hit(xy, box):
            hits.append(f"spine {name}")
    return hits


def collisions(fig) -> list[str]:
    """Every collision of ``fig``'s text (see the module's definition), as readable lines."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = text_boxes(fig, renderer)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    found = []
    for i, a in enumerate(boxes):
        small = _shrunk(a.bbox)
        if small.width <= 0 or small.height <= 0:
            continue
        for b in boxes[i + 1:]:
            if _overlap(small, _shrunk(b.bbox)):
                found.append(f"{a.name} overlaps {b.name}")
        for ax in axes:
            own = ax is a.axes
            if not own and _overlap(small, ax.patch.get_window_extent(renderer)):
                found.append(f"{a.name} lies in the plot area of {ax.get_title() or 'another axes'!r}")
                continue
            if not a.tick:
                found.extend(f"{a.name} crosses {hit}" for hit in data_hits(ax, small, renderer))
            if not own or not a.tick and a.name.startswith("legend"):
                found.extend(f"{a.name} crosses {hit} of {ax.get_title()!r}" for hit in spine_hits(ax, small, renderer))
    return found
