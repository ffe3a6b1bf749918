"""Charts for the weekly digest: PNG pictures drawn with matplotlib, headless and reproducible.

Pure: a chart is a function of its numbers and labels; the same input gives the same bytes
(no timestamp or software version is written into the PNG).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # no display: the bot runs on servers and in containers

from matplotlib.figure import Figure

from jobs.planning.standing import STANDING_TEXT, Standing
from jobs.text.i18n import Translator

# The states a unit is in for one duty (jobs.planning.standing: one meaning each), in the order the
# bars are stacked: on time, done late, overdue, not yet due.
STATES = ("on_time", "late", "overdue", "open")
_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "overdue": "#c62828", "open": "#9e9e9e"}
_LABELS = {"on_time": STANDING_TEXT[Standing.on_time], "late": STANDING_TEXT[Standing.late],
           "overdue": STANDING_TEXT[Standing.overdue], "open": STANDING_TEXT[Standing.not_due]}
_LABEL_WIDTH = 30  # characters per line of a duty's title beside its bar
_DPI = 100


@dataclass(frozen=True)
class DutyCount:
    """How many units are on time, done late, overdue and not yet due for one duty."""

    duty_key: str
    title: str  # in the recipient's language
    on_time: int
    late: int
    overdue: int
    open: int

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.open


@dataclass(frozen=True)
class Chart:
    """A PNG picture and the numbers its bars show, read back from the drawing."""

    png: bytes
    # One (title, on time, late, overdue, open) per bar, top to bottom, as drawn.
    bars: tuple[tuple[str, int, int, int, int], ...]


def status_chart(counts: Sequence[DutyCount], tr: Translator, *, title: str | None = None
                 ) -> Chart:
    """One horizontal bar per duty, stacked on time / done late / overdue / not yet due,
    labelled in ``tr``'s language."""
    labels = {state: tr._(text) for state, text in _LABELS.items()}
    rows = list(counts)
    height = 1.6 + 0.55 * max(len(rows), 1)
    figure = Figure(figsize=(9, height), dpi=_DPI)
    ax = figure.add_subplot()
    positions = list(range(len(rows)))
    left = [0] * len(rows)
    for state in STATES:
        values = [getattr(row, state) for row in rows]
        bars = ax.barh(positions, values, left=left, color=_COLOURS[state], label=labels[state],
                       height=0.6)
        for bar, value in zip(bars, values, strict=True):
            if value:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2,
                        str(value), ha="center", va="center", color="white", fontsize=9)
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(positions, [textwrap.fill(row.title, _LABEL_WIDTH) for row in rows],
                  fontsize=8)
    ax.invert_yaxis()  # the catalog's first duty on top
    ax.set_xlabel(tr._("Units"))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlim(0, max([*left, 1]) * 1.05)
    if title:
        ax.set_title(title, fontsize=11, pad=26)  # room for the legend below it
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=4, frameon=False, fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    stream = io.BytesIO()
    # No "Software" (matplotlib's version) and no creation time: the same chart, the same bytes.
    figure.savefig(stream, format="png", metadata={"Software": None})
    return Chart(stream.getvalue(), _drawn(ax, rows))


def _drawn(ax, rows: Sequence[DutyCount]) -> tuple[tuple[str, int, int, int, int], ...]:
    """The widths of the bars as drawn, per duty and state."""
    widths = {state: [round(patch.get_width()) for patch in container]
              for state, container in zip(STATES, ax.containers, strict=True)}
    return tuple(
        (row.title, *(widths[state][i] for state in STATES)) for i, row in enumerate(rows))
