"""Bar charts for the PDF reports, laid out in Python and drawn as inline SVG by `pdf/partials/bar_chart.html`.

No JavaScript and no chart library: WeasyPrint draws the SVG itself. Every bar carries its label and its number
as text, so no meaning rests on colour; the report also gives each chart's figures as a table for screen readers.
"""

from dataclasses import dataclass

# In SVG user units (CSS pixels, 96 to the inch): 640 fits A4's width inside the report's margins.
WIDTH = 640
LABEL_WIDTH = 250
NUMBER_ROOM = 40  # after the longest bar, for its number
ROW = 22
BAR = 14


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    top: int  # the bar's top edge
    length: float

    @property
    def text_y(self):
        return self.top + BAR - 3  # the text's baseline, level with the bar

    @property
    def number_x(self):
        return LABEL_WIDTH + self.length + 5


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list
    height: int
    width: int = WIDTH
    label_x: int = LABEL_WIDTH - 8  # labels end here, right-aligned
    bar_x: int = LABEL_WIDTH
    bar_height: int = BAR


def bar_chart(title, rows):
    """A horizontal bar chart of `rows` ((label, value) pairs, in the order given), scaled to the largest value."""
    largest = max((value for _, value in rows), default=0) or 1
    room = WIDTH - LABEL_WIDTH - NUMBER_ROOM
    bars = [
        Bar(label=label, value=value, top=i * ROW + (ROW - BAR) // 2, length=round(room * value / largest, 1))
        for i, (label, value) in enumerate(rows)
    ]
    return BarChart(title=title, bars=bars, height=max(len(bars), 1) * ROW)
