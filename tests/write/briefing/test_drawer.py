"""With workers, a briefing's charts are drawn in the calling process (one V8 for all of
them) and the worker gets HTML with the SVG already in it."""

from __future__ import annotations

import pytest

from reporter.errors import OutputError
from reporter.theme import DEFAULT
from reporter.write.briefing import charts
from reporter.write.briefing.pool import Batch, Renderers
from reporter.write.briefing.render import Job, with_charts

BARS = {
    "mark": "bar",
    "encoding": {
        "x": {"field": "n", "type": "quantitative"},
        "y": {"field": "who", "type": "nominal"},
    },
    "data": {"values": [{"who": "Ada", "n": 3}, {"who": "Bo", "n": 1}]},
}


def job(tmp_path, segment: str, drawing: charts.Chart) -> Job:
    html = f"<h1>{segment}</h1><p>{charts.placeholder('bars')}</p>"
    target = str(tmp_path / f"{segment}.pdf")
    return Job(segment, html, (), tmp_path.as_uri() + "/", (), target, charts=(("bars", drawing),))


def test_with_charts_puts_the_same_svg_where_the_placeholder_was(tmp_path):
    drawing = charts.chart(BARS, DEFAULT)
    drawn = with_charts(job(tmp_path, "East", drawing))
    assert drawn.charts == ()  # nothing left for the worker to draw
    assert charts.placeholder("bars") not in drawn.html
    # the very SVG the chart engine draws, between the template's own tags
    assert drawn.html == f"<h1>East</h1><p>{charts.draw(drawing)}</p>"
    assert ">Ada</text>" in drawn.html and ">Bo</text>" in drawn.html


def test_a_chart_that_cannot_be_drawn_fails_its_briefing_by_name(tmp_path):
    broken = charts.Chart(shape="{not json", rows="[]")
    with Renderers(2) as renderers:
        batch = Batch(renderers)
        batch.add([job(tmp_path, "West", charts.chart(BARS, DEFAULT))])
        batch.add([job(tmp_path, "North", broken)])
        with pytest.raises(OutputError, match="briefing 'North' failed to render"):
            batch.wait()
    assert (tmp_path / "West.pdf").is_file()  # the good one was drawn and rendered
    assert not (tmp_path / "North.pdf").exists()


def test_a_dropped_briefing_is_not_drawn_or_rendered(tmp_path):
    with Renderers(2) as renderers:
        batch = Batch(renderers)
        batch.add([job(tmp_path, f"S{i}", charts.chart(BARS, DEFAULT)) for i in range(6)])
        batch.cancel()  # returns once nothing is drawing or rendering any more
        assert all(f.done() for f in batch.futures)
        finished = {
            f.result().target for f in batch.futures if not f.cancelled() and f.exception() is None
        }
    # the drawer starts V8 first, so the batch is dropped before most are even drawn
    assert len(finished) < 6
    # a PDF exists exactly for each briefing that finished: none half-written, none late
    assert {str(p) for p in tmp_path.glob("*.pdf")} == finished
