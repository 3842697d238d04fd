"""Charts drawn on the server as inline SVG: the geometry here, the markup in templates/includes/*_chart.html.

No script and no outside service: the page carries the picture, and a table beside it carries the figures.
"""

import math
from dataclasses import dataclass

LABEL_CHARACTERS = 42


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    text_y: float
    value_x: float


@dataclass(frozen=True)
class Line:
    name: str
    css_class: str
    points: str  # the polyline's "x,y x,y …"
    dots: list  # [(x, y, value), …]


def shorten(text, limit=LABEL_CHARACTERS):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def round_up(value):
    """The smallest 1, 2 or 5 × 10ⁿ at least `value` (at least 1): the top of a readable scale."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def bar_chart(items, *, width=720, label_width=300, row_height=22, gap=8):
    """Horizontal bars for (label, value) pairs, in the order given."""
    value_room = 70
    plot_width = width - label_width - value_room
    largest = max((value for _, value in items), default=0) or 1
    bars = []
    for number, (label, value) in enumerate(items):
        y = number * (row_height + gap)
        length = plot_width * value / largest
        bars.append(
            Bar(
                label=shorten(label),
                value=value,
                y=y,
                width=round(length, 1),
                text_y=y + row_height * 0.7,
                value_x=round(label_width + length + 6, 1),
            )
        )
    return {
        "width": width,
        "height": max(len(items) * (row_height + gap) - gap, row_height),
        "label_width": label_width,
        "label_x": label_width - 8,
        "row_height": row_height,
        "bars": bars,
    }


def line_chart(labels, series, *, width=720, height=240, most_labels=8):
    """Lines over the same x labels: `series` is [(name, css_class, values)], each as long as `labels`."""
    left, right, top, bottom = 56, 16, 12, 28
    plot_width, plot_height = width - left - right, height - top - bottom
    baseline = top + plot_height
    top_value = round_up(max((max(values, default=0) for _, _, values in series), default=0))
    count = len(labels)

    def x(index):
        return round(left + (plot_width / 2 if count == 1 else plot_width * index / (count - 1)), 1)

    def y(value):
        return round(baseline - plot_height * value / top_value, 1)

    lines = []
    for name, css_class, values in series:
        dots = [(x(index), y(value), value) for index, value in enumerate(values)]
        lines.append(Line(name, css_class, " ".join(f"{dot_x},{dot_y}" for dot_x, dot_y, _ in dots), dots))
    step = max(1, math.ceil(count / most_labels))
    return {
        "width": width,
        "height": height,
        "left": left,
        "axis_x": left - 6,
        "right": width - right,
        "baseline": baseline,
        "grid": [(y(value), value) for value in sorted({0, top_value // 2, top_value})],
        "x_labels": [(x(index), label) for index, label in enumerate(labels) if index % step == 0],
        "label_y": height - 8,
        "lines": lines,
    }
