"""The dashboard's charts and downloads: each figure as an SVG chart made on the server with pygal, and as CSV.

A chart is an image that needs no script: pygal's JavaScript is switched off (`js=[]`) and the configuration
script it still writes is taken out of the tree before it is serialized (`_accessible`, one of pygal's
`add_xml_filter`), which also gives the SVG a role, an aria-label, a `<title>` and a `<desc>` stating the figure.
The SVG scales to its container (no fixed size), and its colours (`STYLE`) contrast with the white ground; its
title is the page's heading above it, so the drawing keeps its room for the bars and labels.
The CSV is UTF-8 with a byte order mark (so spreadsheet programs read Japanese text), a header row, and the
very rows of the table shown beside the chart."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

import pygal
from pygal.style import Style

# dark colours, each at least 4.5:1 against white (WCAG AA for text, also for the legend's labels)
COLOURS = ("#1f4e9c", "#a3361b", "#1d6b3a", "#6a3d9a", "#7a5500", "#00607a", "#8b1c62", "#3c3c3c")
FONTS = 'system-ui, "Hiragino Sans", "Noto Sans JP", "Yu Gothic", sans-serif'  # the site's, for Japanese names
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1a1a1a", foreground_strong="#000000",
              foreground_subtle="#595959", colors=COLOURS, font_family=FONTS, title_font_size=22,
              legend_font_size=18, label_font_size=17, major_label_font_size=17, value_font_size=17,
              opacity=".9", opacity_hover="1")


@dataclass
class Chart:
    kind: str  # "bar", "stacked", "line"
    labels: list[str]  # the x axis (months or weeks)
    series: list[tuple[str, list[float | None]]] = field(default_factory=list)


@dataclass
class Table:
    """One figure: what the page shows as a table, the CSV holds, and the chart draws."""

    name: str  # in its address: /city/dashboard/<name>.svg, .csv
    title: str  # translated
    summary: str  # translated: what the figure says, the chart's text alternative
    header: list[str]
    rows: list[list[str]]
    chart: Chart


def _accessible(title: str, summary: str):
    def xml_filter(root):
        for parent in list(root.iter()):
            for child in list(parent):
                if isinstance(child.tag, str) and child.tag.rsplit("}", 1)[-1] == "script":
                    parent.remove(child)
        root.set("role", "img")
        root.set("aria-label", f"{title}. {summary}")
        for position, (tag, text) in enumerate((("title", title), ("desc", summary))):
            node = root.makeelement(tag, {})
            node.text = text
            root.insert(position, node)
        return root
    return xml_filter


def svg(table: Table) -> str:
    """The chart as a standalone SVG document (no XML declaration, no script)."""
    chart = table.chart
    kinds = {"bar": pygal.Bar, "stacked": pygal.StackedBar, "line": pygal.Line}
    graph = kinds[chart.kind](
        js=[], disable_xml_declaration=True, explicit_size=False, width=480, height=360, style=STYLE,
        legend_at_bottom=True, legend_at_bottom_columns=1, x_label_rotation=30,
        truncate_legend=36, print_values=False, include_x_axis=True, show_minor_y_labels=False,
        no_data_text=table.summary)
    graph.add_xml_filter(_accessible(table.title, table.summary))
    graph.x_labels = chart.labels
    for name, values in chart.series:
        graph.add(name, values)
    return graph.render(is_unicode=True)


def csv_text(table: Table) -> str:
    """The table as CSV: a byte order mark, the header, the rows (CRLF line ends, as spreadsheets expect)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return out.getvalue()
