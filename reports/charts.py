"""Bar charts drawn on the server as SVG: no script, no style attribute, colours from the stylesheet's classes.

Each chart comes with the table it draws (on the page, or in the chart's own hidden table), so screen readers
read numbers, not pictures.
"""

from dataclasses import dataclass

WIDTH = 640
LABEL_WIDTH = 250
BAR_HEIGHT = 22
GAP = 8
VALUE_SPACE = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    y: int
    width: float
    text_y: int
    value_x: float
    shown: str
    series: int = 0
    # What the hidden table names the bar by (the label, or the label and the series for a grouped chart).
    description: str = ""


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    label_width: int = LABEL_WIDTH


def _shown(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def bar_chart(key: str, title: str, rows: list[tuple[str, float]], *, series: int = 0) -> Chart | None:
    """A horizontal bar chart of ``rows`` (label, value); None when there is nothing to draw."""
    rows = [(label, value) for label, value in rows if value is not None]
    if not rows or not any(value for _label, value in rows):
        return None
    top = max(value for _label, value in rows)
    room = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    for index, (label, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        width = room * value / top if top else 0
        shown_label = label if len(label) <= 38 else label[:37] + "…"
        bars.append(
            Bar(
                label=shown_label,
                value=value,
                y=y,
                width=round(width, 1),
                text_y=y + BAR_HEIGHT - 6,
                value_x=round(LABEL_WIDTH + width + 6, 1),
                shown=_shown(value),
                series=series,
                description=label,
            )
        )
    return Chart(key=key, title=title, bars=bars, height=GAP + len(rows) * (BAR_HEIGHT + GAP))


def grouped(key: str, title: str, rows: list[tuple[str, float, float]], series: tuple[str, str]) -> Chart | None:
    """Two values per label (e.g. median and 90th percentile), drawn as two bars each; ``series`` names them."""
    flat = []
    for label, first, second in rows:
        flat.append((label, first, 0))
        flat.append(("", second, 1))
    descriptions = [f"{label}: {name}" for label, _first, _second in rows for name in series]
    values = [value for _l, value, _s in flat]
    if not values or not any(values):
        return None
    top = max(values)
    room = WIDTH - LABEL_WIDTH - VALUE_SPACE
    bars = []
    for index, (label, value, series) in enumerate(flat):
        y = GAP + index * (BAR_HEIGHT + 2) + (index // 2) * GAP
        width = room * value / top if top else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                y=y,
                width=round(width, 1),
                text_y=y + BAR_HEIGHT - 6,
                value_x=round(LABEL_WIDTH + width + 6, 1),
                shown=_shown(value),
                series=series,
                description=descriptions[index],
            )
        )
    height = GAP + len(flat) * (BAR_HEIGHT + 2) + (len(flat) // 2) * GAP
    return Chart(key=key, title=title, bars=bars, height=height)
