"""The staff dashboard (/city/dashboard): how fast the city answers, and how the site is used, as tables and
charts; each figure also as `/city/dashboard/<figure>.svg` (the chart, made on the server) and `.csv`.

Who reads what is `sns/policies/dashboard.py`; the figures come from `sns/services/dashboard*.py`. Everything
here is personal to staff work, so it is never kept by a cache (`private, no-store`)."""

from __future__ import annotations

from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sns.i18n import gettext
from sns.models.base import utcnow
from sns.policies.dashboard import can_view_dashboard
from sns.services import dashboard, dashboard_charts, dashboard_periods, dashboard_site, dashboard_tables
from sns.web.departments import name_of
from sns.web.http import render, signed_in_with

NO_STORE = "private, no-store"
# the chart is an image: its own styles (pygal's) and nothing else; no script could run in an <img> anyway
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


async def _tables(request: Request, ctx, which: str = "all"):
    """The months asked for (or the default), whether they were understood, and the figures' tables."""
    q, tz = request.query_params, ZoneInfo(ctx.settings.timezone)
    months, understood = dashboard_periods.month_range(q.get("from", "")[:20], q.get("to", "")[:20], utcnow(), tz)
    tables, departments = [], []
    if which in ("all", "departments"):
        departments = await dashboard.department_figures(ctx, months)
        tables += dashboard_tables.department_tables(departments, months)
    if which in ("all", "site"):
        site = await dashboard_site.site_figures(ctx, dashboard_periods.weeks_of(months, tz))
        tables += dashboard_tables.site_tables(site)
    return months, understood, tables, departments


async def dashboard_page(request: Request):
    ctx, refused = await signed_in_with(request, can_view_dashboard)
    if refused is not None:
        return refused
    months, understood, tables, departments = await _tables(request, ctx)
    query = urlencode({"from": months.labels[0], "to": months.labels[-1]})
    errors = {} if understood else _month_errors(request)
    typed = {name: request.query_params.get(name, "")[:20] for name in ("from", "to")}
    response = await render(request, "dashboard.html", status=200 if understood else 400, months=months,
                            tables=tables, departments=departments, query=query, errors=errors,
                            typed=typed if not understood else {"from": months.labels[0], "to": months.labels[-1]},
                            now=utcnow(), smallest=dashboard_site.SMALLEST, name_of=name_of)
    response.headers["Cache-Control"] = NO_STORE
    return response


def _month_errors(request: Request) -> dict[str, str]:
    """What was wrong with the months asked for, next to the field concerned."""
    q = request.query_params
    wrong = {name: gettext("Give the months as year and month, e.g. 2026-04.") for name in ("from", "to")
             if q.get(name) and dashboard_periods.parse_month(q.get(name, "")[:20]) is None}
    return wrong or {"to": gettext("The last month comes before the first.")}


async def _figure(request: Request, ext: str) -> Response:
    ctx, refused = await signed_in_with(request, can_view_dashboard)
    if refused is not None:
        return refused
    name = request.path_params["name"]
    which = "departments" if name in ("requests", "answer_times", "appointments") else "site"
    _, _, tables, _ = await _tables(request, ctx, which)
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        return await render(request, "error.html", status=404, message=None)
    if ext == "svg":
        return Response(dashboard_charts.svg(table), media_type="image/svg+xml",
                        headers={"Cache-Control": NO_STORE, "Content-Security-Policy": SVG_CSP})
    return Response(dashboard_charts.csv_text(table).encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Cache-Control": NO_STORE,
                             "Content-Disposition": f'attachment; filename="{table.name}-{_span(request)}.csv"'})


def _span(request: Request) -> str:
    q = request.query_params
    return "-".join(v for v in (q.get("from", ""), q.get("to", "")) if dashboard_periods.parse_month(v)) or "recent"


async def figure_svg(request: Request):
    return await _figure(request, "svg")


async def figure_csv(request: Request):
    return await _figure(request, "csv")


ROUTES = [
    Route("/city/dashboard", dashboard_page, methods=["GET"]),
    Route("/city/dashboard/{name}.svg", figure_svg, methods=["GET"]),
    Route("/city/dashboard/{name}.csv", figure_csv, methods=["GET"]),
]
