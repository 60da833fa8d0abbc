"""Charts of the knowledge base as SVG (matplotlib): a timeline of first publications and
parameters against date on a log scale, coloured by architecture. Every point links to
its model's page and names the model when hovered."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Callable, Iterable
from datetime import date as Date

ARCHITECTURES = ("encoder", "decoder", "encoder-decoder", "state-space", "unknown")
COLOURS = {
    "encoder": "#1b9e77",
    "decoder": "#d95f02",
    "encoder-decoder": "#7570b3",
    "state-space": "#e7298a",
    "unknown": "#b0b0b0",
}
CHARTS = ("timeline", "params", "lineage")
# The cards a chart draws: the date each card shows, its largest size, its architecture.
# params_primary: whether a primary source (paper, arXiv record, docs) states the size.
SQL = """select c.model_id, c.name, c.date, c.params, c.architecture, m.origin,
  (select e.primary_source from evidence e where e.id = c.params_fact_id) as params_primary,
  s.in_scope
from cards c join models m on m.id = c.model_id join model_scope s on s.model_id = c.model_id
where c.date is not null
order by c.name collate nocase, c.model_id"""
# Language models before the Transformer (Epoch lists some from the 1950s) would squeeze
# the years everyone writes about into a corner: out of scope ([scope] since) by default.
SINCE = 2017


def points(rows: Iterable[dict], since: int | None = None, everything: bool = False) -> list[dict]:
    """Rows of ``SQL`` as points: a date as a day (a month's or year's middle), the
    largest size, the architecture ('unknown' when no source states one). Out-of-scope
    models (see the ``model_scope`` view) are left out unless ``everything``, and with
    ``since`` the models first published before that year too."""
    found = []
    for row in rows:
        day = _day(row["date"])
        if day is None or (since is not None and day.year < since):
            continue
        if not everything and row.get("in_scope") == 0:
            continue
        sizes = json.loads(row["params"]) if row["params"] else []
        architecture = row["architecture"] if row["architecture"] in COLOURS else "unknown"
        found.append(
            {
                "id": row["model_id"],
                "name": row["name"],
                "date": row["date"],
                "day": day,
                "params": max(sizes) if sizes else None,
                "architecture": architecture,
                "tracked": row["origin"] == "sources.toml",
                "primary": bool(row.get("params_primary")),
            }
        )
    return sorted(found, key=lambda p: (p["day"], p["name"].lower()))


def _day(text: str | None) -> Date | None:
    match = re.match(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$", text or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        return Date(int(year), int(month or 7), int(day or (15 if month else 1)))
    except ValueError:
        return None


def label_rows(points: list[dict], days_per_char: float = 19.0, gap: float = 40.0) -> list[int]:
    """The row of each point's name on the timeline: the first row whose last name ends
    before this point's day (names at 7 pt on an 11-inch axis of some eight years take
    about 19 days a character), so no two names overlap however many models there are."""
    ends: list[float] = []  # per row, the day its last name ends
    rows = [0] * len(points)
    for i in sorted(range(len(points)), key=lambda i: points[i]["day"]):
        day = points[i]["day"].toordinal()
        row = next((r for r, end in enumerate(ends) if end + gap < day), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = day + days_per_char * (len(points[i]["name"]) + 1)
        rows[i] = row
    return rows


def timeline_figure(found: list[dict], link: Callable[[str], str]):
    """Above, how many models each half-year brought, by architecture; below, the
    models of the sources file on their dates, named."""
    plt, dates = _pyplot()
    fig, (bars, names) = plt.subplots(
        2, 1, figsize=(11, 6), sharex=True, gridspec_kw={"height_ratios": [1, 1.6]}
    )
    halves = sorted({_half(p["day"]) for p in found})
    bottom = dict.fromkeys(halves, 0)
    for architecture in ARCHITECTURES:
        counts = {h: 0 for h in halves}
        for p in found:
            if p["architecture"] == architecture:
                counts[_half(p["day"])] += 1
        if not any(counts.values()):
            continue
        bars.bar(
            halves,
            [counts[h] for h in halves],
            width=170,
            bottom=[bottom[h] for h in halves],
            color=COLOURS[architecture],
            label=f"{architecture} ({sum(counts.values())})",
            align="edge",
        )
        for h in halves:
            bottom[h] += counts[h]
    bars.set_ylabel("models per half-year")
    bars.legend(loc="upper left", fontsize=7, frameon=False)
    tracked = [p for p in found if p["tracked"]]
    rows = label_rows(tracked)
    levels = max(7, max(rows, default=0) + 1)
    if levels > 7:
        fig.set_figheight(6 + 0.25 * (levels - 7))
    for p, y in zip(tracked, rows, strict=True):
        dot = names.scatter([p["day"]], [y], s=30, color=COLOURS[p["architecture"]], zorder=3)
        dot.set_urls([link(p["id"])])
        names.plot([p["day"], p["day"]], [-0.5, y], color="#dddddd", linewidth=0.6, zorder=1)
        names.annotate(
            p["name"], (p["day"], y), xytext=(4, 0), textcoords="offset points",
            fontsize=7, va="center", color="#333333", url=link(p["id"]),
        )  # fmt: skip
    names.set_ylim(-0.8, levels)
    names.set_yticks([])
    names.xaxis.set_major_locator(dates.YearLocator())
    names.xaxis.set_major_formatter(dates.DateFormatter("%Y"))
    for ax in (bars, names):
        ax.grid(axis="x", color="#eeeeee")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    names.spines["left"].set_visible(False)
    bars.set_title(
        f"Date of first publication: the {len(found)} models since "
        f"{min(p['day'].year for p in found) if found else SINCE}, the {len(tracked)} of "
        "the sources file named",
        fontsize=10,
    )
    return fig, found


# Where a label may go beside its point (offset points), nearest first.
LABEL_SPOTS = [(4, 3), (4, -9), (4, 11), (4, -17), (4, 19), (4, -25), (-4, 3), (-4, -9)]


def _declutter(fig, ax) -> int:
    """Move each label to the first spot beside its point where it overlaps no label
    placed before it; a label with no free spot is dropped (its point keeps its link
    and hover name). Returns how many were dropped."""
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    placed, dropped = [], 0
    for text in sorted(ax.texts, key=lambda t: t.xy[0]):
        for dx, dy in LABEL_SPOTS:
            text.xyann = (dx, dy)
            text.set_horizontalalignment("left" if dx > 0 else "right")
            box = text.get_window_extent(renderer)
            if not any(box.overlaps(other) for other in placed):
                placed.append(box)
                break
        else:
            text.set_visible(False)
            dropped += 1
    return dropped


def _half(day: Date) -> Date:
    return Date(day.year, 1 if day.month <= 6 else 7, 1)


def params_figure(found: list[dict], link: Callable[[str], str]):
    """Largest size against date, log scale, coloured by architecture."""
    plt, dates = _pyplot()
    sized = [p for p in found if p["params"]]
    fig, ax = plt.subplots(figsize=(11, 5.2))
    for architecture in ARCHITECTURES:
        group = [p for p in sized if p["architecture"] == architecture]
        if not group:
            continue
        # filled: a primary source states the size; hollow: only tables do
        for primary in (True, False):
            some = [p for p in group if p["primary"] == primary]
            if not some:
                continue
            dots = ax.scatter(
                [p["day"] for p in some],
                [p["params"] for p in some],
                s=[34 if p["tracked"] else 16 for p in some],
                color=COLOURS[architecture] if primary else "none",
                edgecolors=COLOURS[architecture],
                linewidths=0.9,
                label=f"{architecture} ({len(group)})"
                if primary or len(some) == len(group)
                else None,
            )
            dots.set_urls([link(p["id"]) for p in some])
        for p in group:
            if p["tracked"]:
                ax.annotate(
                    p["name"],
                    (p["day"], p["params"]),
                    xytext=(4, 3),
                    textcoords="offset points",
                    fontsize=6.5,
                    color="#333333",
                    url=link(p["id"]),
                )
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(plt.FuncFormatter(_size_tick))
    ax.xaxis.set_major_locator(dates.YearLocator())
    ax.xaxis.set_major_formatter(dates.DateFormatter("%Y"))
    ax.set_ylabel("parameters (largest size)")
    ax.grid(color="#eeeeee")
    ax.set_title(
        f"Parameters against date of first publication, {len(sized)} models with a size "
        "(log scale; filled: the paper or docs state it, hollow: only tables do)",
        fontsize=10,
    )
    _declutter(fig, ax)
    ax.legend(loc="upper left", fontsize=7, frameon=False)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, sized


LINEAGE_COLOURS = {
    "fine_tuned_from": "#d95f02",
    "distilled_from": "#1b9e77",
    "extends": "#7570b3",
    "successor_of": "#e7298a",
    "adapter_of": "#66a61e",
    "quantized_from": "#e6ab02",
    "merged_from": "#a6761d",
}


def tree_of(model_id: str, edges: list[dict]) -> list[dict]:
    """The edges of the family tree that holds ``model_id``: every edge reached from it
    through parents and children (a per-model view a reader can read)."""
    near: dict[str, set[str]] = {}
    for e in edges:
        near.setdefault(e["model_id"], set()).add(e["parent_id"])
        near.setdefault(e["parent_id"], set()).add(e["model_id"])
    seen, todo = {model_id}, [model_id]
    while todo:
        for other in near.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return [e for e in edges if e["model_id"] in seen and e["parent_id"] in seen]


def lineage_figure(found: list[dict], edges: list[dict], link: Callable[[str], str]):
    """The family tree: models on their dates, an arrow from each model to the ones made
    from it, coloured by kind (same-family edges left out: a family is not a parent).
    Only the trees that hold a model of the sources file; names never overlap (each
    takes the first free row of its tree)."""
    plt, dates = _pyplot()
    by_id = {p["id"]: p for p in found}
    kept = {
        (e["parent_id"], e["model_id"], e["kind"])
        for e in edges
        if e["kind"] in LINEAGE_COLOURS and e["parent_id"] in by_id and e["model_id"] in by_id
    }
    parent_of = {m: m for pair in kept for m in pair[:2]}

    def root(m: str) -> str:
        while parent_of[m] != m:
            parent_of[m] = parent_of[parent_of[m]]
            m = parent_of[m]
        return m

    for parent, child, _ in kept:
        parent_of[root(child)] = root(parent)
    trees: dict[str, list[dict]] = {}
    for m in parent_of:
        trees.setdefault(root(m), []).append(by_id[m])
    trees = {k: v for k, v in trees.items() if any(p["tracked"] for p in v)}
    ordered = sorted(trees.values(), key=lambda t: min(p["day"] for p in t))
    first = min((p["day"] for t in ordered for p in t), default=Date(2017, 1, 1))
    last = max((p["day"] for t in ordered for p in t), default=Date(2026, 1, 1))
    width = 12.0
    days_per_char = max((last - first).days, 365) * 1.25 / (width * 0.78) * 0.062
    place, row = {}, 0
    for tree in ordered:
        ends: list[int] = []
        for p in sorted(tree, key=lambda p: p["day"]):
            x = (p["day"] - first).days
            free = next((i for i, end in enumerate(ends) if end < x), None)
            if free is None:
                ends.append(0)
                free = len(ends) - 1
            ends[free] = x + int((len(p["name"]) + 3) * days_per_char)
            place[p["id"]] = row + free
        row += len(ends) + 1
    fig, ax = plt.subplots(figsize=(width, max(3.0, 0.24 * row + 1.2)))
    for parent, child, kind in sorted(kept):
        if parent in place and child in place:
            ax.annotate(
                "", xy=(by_id[child]["day"], place[child]),
                xytext=(by_id[parent]["day"], place[parent]),
                arrowprops={"arrowstyle": "->", "color": LINEAGE_COLOURS[kind], "lw": 0.9,
                            "shrinkA": 3, "shrinkB": 3, "connectionstyle": "arc3,rad=0.08"},
            )  # fmt: skip
    shown = [by_id[m] for m in place]
    for architecture in ARCHITECTURES:
        group = [p for p in shown if p["architecture"] == architecture]
        if group:
            dots = ax.scatter(
                [p["day"] for p in group], [place[p["id"]] for p in group], s=22,
                color=COLOURS[architecture], zorder=3, label=f"{architecture}",
            )  # fmt: skip
            dots.set_urls([link(p["id"]) for p in group])
    for p in shown:
        ax.annotate(
            p["name"], (p["day"], place[p["id"]]), xytext=(4, 0), textcoords="offset points",
            fontsize=7, va="center", fontweight="bold" if p["tracked"] else "normal",
            url=link(p["id"]),
        )  # fmt: skip
    for kind, colour in LINEAGE_COLOURS.items():
        if any(k == kind for *_, k in kept):
            ax.plot([], [], color=colour, label=kind.replace("_", " "))
    ax.set_ylim(row, -1)
    ax.set_yticks([])
    ax.xaxis.set_major_locator(dates.YearLocator())
    ax.xaxis.set_major_formatter(dates.DateFormatter("%Y"))
    ax.grid(axis="x", color="#eeeeee")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="lower left", fontsize=7, frameon=False, ncol=4)
    ax.set_title(
        f"Family tree: {len(shown)} models in {len(ordered)} trees, an arrow from each model "
        "to the ones made from it (bold: the sources file's models)",
        fontsize=10,
    )
    return fig, shown


FIGURES = {"timeline": timeline_figure, "params": params_figure}


def render(
    name: str, found: list[dict], link: Callable[[str], str], edges: list[dict] | None = None
) -> str:
    """The chart ``name`` (timeline, params or lineage) as SVG text."""
    plt, _ = _pyplot()
    if name == "lineage":
        fig, drawn = lineage_figure(found, edges or [], link)
    else:
        fig, drawn = FIGURES[name](found, link)
    return _svg(plt, fig, drawn, link)


def save(
    name: str,
    found: list[dict],
    folder,
    link: Callable[[str], str],
    edges: list[dict] | None = None,
) -> list:
    """Write the chart ``name`` as <name>.svg and <name>.png (150 dpi) into ``folder``;
    returns the paths."""
    import io
    from pathlib import Path

    from kbuild.publish.whole_file import write_whole

    plt, _ = _pyplot()
    folder = Path(folder)
    svg = write_whole(folder / f"{name}.svg", render(name, found, link, edges))
    if name == "lineage":
        fig, _ = lineage_figure(found, edges or [], link)
    else:
        fig, _ = FIGURES[name](found, link)
    fig.tight_layout()
    drawn = io.BytesIO()
    fig.savefig(drawn, format="png", dpi=150, metadata={"Software": None})
    plt.close(fig)
    png = write_whole(folder / f"{name}.png", drawn.getvalue())
    return [png, svg]


def _size_tick(value: float, _position: int) -> str:
    for unit, size in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if value >= size:
            return f"{value / size:g}{unit}"
    return f"{value:g}"


def _pyplot():
    # Imported here: matplotlib costs half a second, and only charts need it.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as dates
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"  # text stays text: searchable, selectable
    plt.rcParams["svg.hashsalt"] = "kbuild"  # the same data gives the same file
    plt.rcParams["font.family"] = "DejaVu Sans"
    return plt, dates


def _svg(plt, fig, found: list[dict], link: Callable[[str], str]) -> str:
    fig.tight_layout()
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = out.getvalue()
    # A hover title on each point: matplotlib writes the link, not a tooltip.
    titles = {}
    for p in found:
        size = f", {_size_tick(p['params'], 0)}" if p["params"] else ""
        titles[link(p["id"])] = f"{p['name']} ({p['date']}{size}, {p['architecture']})"

    def titled(match: re.Match) -> str:
        href = html.unescape(match.group(1))
        title = titles.get(href)
        label = f"<title>{html.escape(title)}</title>" if title else ""
        # _top, not matplotlib's _blank: a click inside an <object> opens the model's
        # page in the same tab
        return match.group(0).replace('target="_blank"', 'target="_top"') + label

    text = re.sub(r'<a xlink:href="([^"]*)"[^>]*>', titled, text)
    return text[text.index("<svg") :]
