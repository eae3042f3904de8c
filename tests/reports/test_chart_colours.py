"""Report charts: one colour per meaning on every chart (done and suppressed were both orange)."""

import re
from pathlib import Path

from reports.metrics.base import Chart, Table
from reports.metrics.colours import SERIES_COLOURS, series_colour

METRICS = Path(__file__).resolve().parents[2] / "reports" / "metrics"


def _series_keys() -> list[tuple[str, ...]]:
    """Every chart's series keys, as the metrics modules declare them."""
    charts = []
    for source in METRICS.glob("*.py"):
        for series, line in re.findall(
            r"series=\(([^)]*)\)(?:, line_series=\(([^)]*)\))?", source.read_text(encoding="utf-8")
        ):
            charts.append(tuple(re.findall(r'"([^"]+)"', series + line)))
    return charts


def test_every_series_of_every_chart_has_a_colour_of_its_own_meaning():
    charts = _series_keys()
    assert len(charts) >= 9
    for keys in charts:
        assert all(key in SERIES_COLOURS for key in keys), keys
        colours = [series_colour(key) for key in keys]
        assert len(set(colours)) == len(colours), keys  # told apart within one chart


def test_done_and_suppressed_differ_and_done_is_the_same_green_wherever_it_appears():
    assert series_colour("done") != series_colour("suppressed")
    assert series_colour("done") == series_colour("closed") == series_colour("reached")
    assert series_colour("failed") == series_colour("bad")


def test_the_chart_data_carries_each_series_colour():
    table = Table(
        key="t",
        title="t",
        columns=[("tier", "Tier"), ("done", "Done"), ("suppressed", "Suppressed")],
        rows=[{"tier": "sms", "done": 3, "suppressed": 1}],
        chart=Chart("bar", "tier", series=("done", "suppressed"), stacked=True),
    )
    colours = {s["label"]: s["colour"] for s in table.chart_data()["series"]}
    assert colours == {"Done": series_colour("done"), "Suppressed": series_colour("suppressed")}
