"""Word lists as plain text, the form administrators edit and exchange.

One entry a line; blank lines and `#` comments (whole line, or after a space)
are ignored::

    # insults
    idiot = 1          a term with its severity (0..4)
    fuck               a term with the default severity (2)
    allow: cum laude   an allow-list entry: a match inside it is not a match

Severities: 0 noted only (never flags: ordinary words some lists carry),
1 mild, 2 insult or profanity, 3 strong (slurs, explicit), 4 threats and hate.
"""

from __future__ import annotations

import re
from importlib import resources

DEFAULT_SEVERITY = 2
MAX_SEVERITY = 4
ALLOW_PREFIX = "allow:"
_SEVERITY = re.compile(r"\s=\s*(\d+)\s*$")
_COMMENT = re.compile(r"(?:^|\s)#.*$")


def parse(text: str) -> tuple[dict[str, int], list[str]]:
    """Read a list: ({term: severity}, [allowed phrases]). Later lines win."""
    words: dict[str, int] = {}
    allow: list[str] = []
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw).strip()
        if not line:
            continue
        if line.lower().startswith(ALLOW_PREFIX):
            phrase = line[len(ALLOW_PREFIX):].strip()
            if phrase and phrase not in allow:
                allow.append(phrase)
            continue
        severity = DEFAULT_SEVERITY
        m = _SEVERITY.search(line)
        if m:
            severity = min(int(m.group(1)), MAX_SEVERITY)
            line = line[: m.start()].strip()
        if line:
            words[line] = severity
    return words, allow


def format_list(words: dict[str, int], allow: list[str] | tuple[str, ...] = (), *, header: str = "") -> str:
    """Write a list that `parse` reads back to the same words and allow-list."""
    lines = [f"# {h}" if h else "#" for h in header.splitlines()] if header else []
    for term in sorted(words, key=lambda t: (-words[t], t)):
        lines.append(term if words[term] == DEFAULT_SEVERITY else f"{term} = {words[term]}")
    lines.extend(f"{ALLOW_PREFIX} {phrase}" for phrase in allow)
    return "\n".join(lines) + "\n"


def read_data(name: str) -> str:
    """The text of one of the lists shipped in moderation/data/."""
    return resources.files("moderation").joinpath("data", name).read_text(encoding="utf-8")


def parse_leet(text: str) -> dict[str, str]:
    """Read data/leet.txt: lines `a: @ * 4` -> {"a": "@*4"} (what may stand for a letter)."""
    table: dict[str, str] = {}
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw).strip()
        if ":" not in line:
            continue
        letter, _, subs = line.partition(":")
        table[letter.strip()] = table.get(letter.strip(), "") + "".join(subs.split())
    return table
