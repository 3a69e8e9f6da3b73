"""The dashboard's figures as tables (what the page shows, the CSV holds and the chart draws), in the reader's
language: `department_tables` (requests, answer times, appointments) and `site_tables` (active residents,
new members, posts, moderation). A cell is text, the same on the page and in the CSV."""

from __future__ import annotations

from sns.i18n import current_locale, gettext
from sns.services.dashboard import CHANNELS, DepartmentFigures, Timing, median_days, share
from sns.services.dashboard_charts import Chart, Table
from sns.services.dashboard_periods import Periods
from sns.services.dashboard_site import POST_KINDS, SiteFigures, suppress
from sns.services.departments import department_name

NONE = "-"


def _cell(value) -> str:
    return NONE if value is None else str(value)


def _people(count: int) -> str:
    shown = suppress(count)
    return gettext("fewer than %(n)s", n=5) if shown is None else str(shown)


def _department_name(figures: DepartmentFigures) -> str:
    return department_name(figures.department, current_locale())


def _channel_label(channel: str) -> str:
    return {"web": gettext("Requests on the web"), "mail": gettext("Requests by mail"),
            "phone": gettext("Requests by phone"), "counter": gettext("Requests at a counter"),
            "reports": gettext("Street reports")}[channel]


def _target(days: int) -> str:
    return str(days) if days else NONE


def department_tables(figures: list[DepartmentFigures], months: Periods) -> list[Table]:
    labels, department, month = list(months.labels), gettext("Department"), gettext("Month (city time)")
    received = Table("requests", gettext("Requests received"),
                     gettext("Requests each department received per month, by channel (inquiries on the web, by "
                             "mail, phone or at a counter, and street reports)."),
                     [department, month, *(_channel_label(c) for c in (*CHANNELS, "reports")),
                      gettext("All requests")], [], Chart("stacked", labels))
    answers = Table("answer_times", gettext("Answer times"),
                    gettext("Median days to the first answer and to closing, per month the requests arrived, "
                            "against the department's targets in working days, and the share on time."),
                    [department, month, gettext("Answered"), gettext("Median days to first answer"),
                     gettext("Target (working days)"), gettext("First answer on time (percent)"), gettext("Closed"),
                     gettext("Median days to closing"), gettext("Target (working days)"),
                     gettext("Closed on time (percent)")], [], Chart("line", labels))
    appointments = Table("appointments", gettext("Appointments at the counters"),
                         gettext("Appointments booked at each department's counters per month, and the residents "
                                  "who did not come."),
                         [department, month, gettext("Appointments booked"), gettext("No-shows")], [],
                         Chart("bar", labels))
    for f in figures:
        name, totals, medians, booked = _department_name(f), [], [], []
        for i, month in enumerate(labels):
            counts = [f.received.get((i, c), 0) for c in (*CHANNELS, "reports")]
            received.rows.append([name, month, *map(str, counts), str(sum(counts))])
            totals.append(sum(counts))
            t = f.timing.get(i, Timing())
            first = median_days(t.first)
            answers.rows.append([name, month, str(len(t.first)), _cell(first), _target(f.department.first_answer_days),
                                 _cell(share(t.first_judged)), str(len(t.closed)), _cell(median_days(t.closed)),
                                 _target(f.department.close_days), _cell(share(t.close_judged))])
            medians.append(first)
            b, no_shows = f.appointments.get(i, (0, 0))
            appointments.rows.append([name, month, str(b), str(no_shows)])
            booked.append(b)
        received.chart.series.append((name, totals))
        answers.chart.series.append((name, medians))
        appointments.chart.series.append((name, booked))
    return [received, answers, appointments]


def site_tables(site: SiteFigures) -> list[Table]:
    weeks, week = list(site.weeks.labels), gettext("Week (from Monday)")
    names = [(d, n or gettext("No district given")) for d, n in site.districts]
    tables = []
    for name, title, summary, counts in (
            ("active", gettext("Active residents per week"),
             gettext("Residents who used the site each week, per district (counted in aggregate, nobody named)."),
             site.active),
            ("members", gettext("New members per week"), gettext("Residents who joined each week, per district."),
             site.members)):
        table = Table(name, title, summary, [week, gettext("District"), gettext("Residents counted")], [],
                      Chart("bar", weeks))
        totals: list[float | None] = []
        for i, label in enumerate(weeks):
            for district, district_name in names:
                if (i, district) in counts:
                    table.rows.append([label, district_name, _people(counts[(i, district)])])
            totals.append(suppress(sum(n for (w, _), n in counts.items() if w == i)))
        table.chart.series.append((gettext("All districts"), totals))
        tables.append(table)
    kinds = {"diaries": gettext("Diaries"), "topics": gettext("Topics"), "replies": gettext("Replies")}
    posts = Table("posts", gettext("Posts per week"), gettext("Diaries, topics and replies written here each week."),
                  [week, *(kinds[k] for k in POST_KINDS)], [], Chart("stacked", weeks))
    for i, label in enumerate(weeks):
        posts.rows.append([label, *(str(site.posts.get((i, k), 0)) for k in POST_KINDS)])
    for k in POST_KINDS:
        posts.chart.series.append((kinds[k], [site.posts.get((i, k), 0) for i in range(len(weeks))]))
    moderation = Table("moderation", gettext("Moderation queue times"),
                       gettext("Flags decided each week, and the median hours from a flag to its decision."),
                       [week, gettext("Flags decided"), gettext("Median hours to a decision")], [],
                       Chart("line", weeks))
    medians = []
    for i, label in enumerate(weeks):
        decided, hours = site.moderation.get(i, (0, None))
        moderation.rows.append([label, str(decided), _cell(hours)])
        medians.append(hours)
    moderation.chart.series.append((gettext("Median hours to a decision"), medians))
    return [*tables, posts, moderation]
