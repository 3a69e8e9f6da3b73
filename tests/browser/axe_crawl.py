"""The accessibility gate's tools: run axe-core (shipped by `axe-playwright-python`) on a page, and crawl the
pages a signed-in person can reach, one page per kind of address.

axe's script is put into the page with Playwright's `evaluate` (DevTools' own evaluation, which the site's
strict Content-Security-Policy does not govern), so the site's CSP stays as it is in the test too.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

from axe_playwright_python.base import AXE_SCRIPT

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe's tags; 2.2 adds AA rules only).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Parts of pages that axe must not judge, each with why no template or script of ours can fix it.
EXCLUDED: list[str] = []

# A11Y_EVERY_PAGE=1: judge every page visited, also those whose shape was judged (slow; to check the shortcut).
JUDGE_EVERY_PAGE = os.environ.get("A11Y_EVERY_PAGE") == "1"

# Addresses that are not pages to check: downloads, feeds, photos, the machines' endpoints.
SKIPPED_ENDINGS = (".ics", ".csv", ".atom", ".json", ".svg", ".txt", ".jpg", ".jpeg", ".png", ".webp", ".gif",
                   ".xml", ".geojson", ".zip", ".js", ".css")
SKIPPED_PREFIXES = ("/static/", "/photos/", "/api/", "/healthz", "/readyz", "/metrics", "/live", "/logout")
SKIPPED_PARTS = ("/photos/", "/download", "/thumb")
# A path segment that names one record: a UUID (v7) or another long id, a number, a username.
ID_SEGMENT = re.compile(r"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-zA-Z_-]{20,}|\d+)$")
# Segments after which the next one is a name of one thing (a person, a city), not a page of the site.
NAMED_AFTER = {"people", "users", "mirror", "join", "reset", "feed"}


# The shape of a page's parts, as axe's rules see it: each element's tag, the attributes that change what a
# rule decides (with their values), whether the others and the element's own text are empty or not. Ids, links,
# numbers and the words themselves are left out: a page whose header, main part and footer each have a shape
# already judged (another record of the same kind, the same page for another person, the other language's
# words) is not judged again. `lang` is kept, and so is every region's shape, so a new header (another
# person's menu) or a new main part is always judged with the whole page around it.
SHAPE_SCRIPT = """() => {
  const KEPT = new Set(["role", "type", "class", "lang", "dir", "tabindex", "hidden", "disabled", "required",
    "multiple", "scope", "open", "controls", "autocomplete", "aria-hidden", "aria-live", "aria-invalid",
    "aria-expanded", "aria-current", "aria-modal", "rel", "target"]);
  const shape = (root) => {
    if (!root) return "";
    const out = [];
    for (const el of [root, ...root.querySelectorAll("*")]) {
      const attrs = [...el.attributes].map(a => KEPT.has(a.name) ? a.name + "=" + a.value
        : a.name + (a.value.trim() ? "*" : "")).sort().join(" ");
      const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) ? "T" : "";
      out.push(el.tagName + "[" + attrs + "]" + text);
    }
    return out.join("|");
  };
  const regions = ["header", "main", "footer"].map(s => shape(document.querySelector("body > " + s)
    || document.querySelector(s)));
  const rest = [...document.body.children].filter(el => !["HEADER", "MAIN", "FOOTER"].includes(el.tagName))
    .map(shape);
  const page = "lang=" + document.documentElement.lang + (document.title.trim() ? " titled" : "");
  return [page, ...regions, rest.join("#")].map((shape, i) => i + ":" + shape);
}"""


@dataclass(frozen=True)
class Finding:
    """One element that breaks one rule on one page, for one person in one language."""
    rule: str
    impact: str
    url: str
    target: str
    who: str
    language: str
    help: str

    def line(self) -> str:
        return f"{self.rule} ({self.impact}) on {self.url} [{self.who}, {self.language}] at {self.target}: {self.help}"


def audit(page, who: str, language: str) -> list[Finding]:
    """axe's WCAG A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    context = {"exclude": [[s] for s in EXCLUDED]} if EXCLUDED else {"include": [["html"]]}
    result = page.evaluate(
        "([context, options]) => axe.run(context, options)",
        [context, {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}])
    path = _path(page.url)
    return [Finding(v["id"], v.get("impact") or "", path, " ".join(map(str, node["target"])), who, language,
                    v["help"])
            for v in result["violations"] for node in v["nodes"]]


def pattern(url: str) -> str:
    """The kind of page an address is: its path with ids replaced, and whether it has a query string
    (one of each is checked: one diary, one community, one filtered list)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    out = []
    for i, segment in enumerate(segments):
        named = i > 0 and segments[i - 1] in NAMED_AFTER
        out.append("{id}" if segment and (named or ID_SEGMENT.match(segment)) else segment)
    return "/".join(out) + ("?" if parts.query else "")


def checkable(url: str, origin: str) -> bool:
    """Whether a link leads to a page of this site worth checking (GET, HTML, not a download)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin:
        return False
    path = parts.path.lower()
    return not (path.endswith(SKIPPED_ENDINGS) or path.startswith(SKIPPED_PREFIXES)
                or any(p in path for p in SKIPPED_PARTS))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    """What one crawl (or several sharing `shapes`) has seen: pages visited, pages judged by axe, findings."""
    visited: list[str] = field(default_factory=list)
    judged: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    shapes: set[str] = field(default_factory=set)

    def check(self, page, who: str, language: str) -> None:
        """Judge the page unless every part of it has a shape already judged (see SHAPE_SCRIPT)."""
        shapes = set(page.evaluate(SHAPE_SCRIPT))
        if shapes <= self.shapes and not JUDGE_EVERY_PAGE:
            return
        page.wait_for_load_state("load")  # styles and images: colour contrast is judged as a person sees it
        if page.locator(".leaflet-container").count():
            page.wait_for_load_state("networkidle")  # a map's markers and tiles come after the page
        self.findings.extend(audit(page, who, language))
        self.judged.append(_path(page.url))
        self.shapes |= shapes


def crawl(page, origin: str, start: list[str], who: str, language: str, seen: Crawl, cap: int = 150) -> list[str]:
    """Breadth first from `start` (paths) over same-origin links, one page per `pattern`, at most `cap`
    pages, each checked with `seen.check`. Returns the paths visited. A page that does not answer 200 is a
    finding of its own ("page-error"): the crawl follows only links the site shows."""
    queue = deque(origin + p for p in start)
    patterns: set[str] = set()
    visited: list[str] = []
    while queue and len(visited) < cap:
        url = urldefrag(queue.popleft())[0]
        kind = pattern(url)
        if kind in patterns or not checkable(url, origin):
            continue
        patterns.add(kind)
        response = page.goto(url, wait_until="domcontentloaded")
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue  # not a page (a redirect to a file, a stream)
        if not response.ok:
            seen.findings.append(Finding("page-error", str(response.status), _path(url), "", who, language,
                                         "a link the site shows leads to an error page"))
        if not checkable(page.url, origin):
            continue  # redirected away
        visited.append(_path(page.url))
        seen.check(page, who, language)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href)[0]
            if checkable(href, origin) and pattern(href) not in patterns:
                queue.append(href)
    seen.visited += visited
    return visited


def report(findings: list[Finding]) -> str:
    """The findings as a readable list: one line per rule, page and element, grouped by rule."""
    lines = [f"{len(findings)} accessibility violations (WCAG A/AA, axe-core):"]
    for f in sorted(set(findings), key=lambda f: (f.rule, f.url, f.who, f.language, f.target)):
        lines.append("  " + f.line())
    return "\n".join(lines)
