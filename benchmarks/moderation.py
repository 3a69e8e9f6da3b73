"""Speed and detections of moderation/ against better_profanity and its Rust drop-ins, in one run.

    .venv/bin/python benchmarks/moderation.py              # 60 posts of ~1 KB (better_profanity needs ~30 s)
    .venv/bin/python benchmarks/moderation.py --posts 20   # quicker

The Rust drop-ins (better-profanity-rs, better-profanity-fast) are benchmark-only:
`.venv/bin/pip install -e '.[bench]'` installs them; without them the script says so
and measures the rest.

Posts are ~1 KB: clean English, clean Japanese, English with better_profanity's
own words spelt with its own leet rules (CHARS_MAPPING), and English with
evasions it does not handle (spaced letters, zero-width characters, full-width,
stretched letters, look-alike letters). Every filter scans the same posts, each
through its "does this post contain a bad word" call (ours: `scan`, theirs:
`contains_profanity`). "Detected" means any match (ours also notes severity-0
words, which do not flag); "missed" counts posts with better_profanity's words
that it detects and we do not (must be 0). What a filter finds in the clean posts
is reported as its false alarms (better_profanity reads room "455" as "a55" = ass).

Our filter is timed "cold", one pass over the posts starting with empty caches (as
just after start-up), "warm", the steady state of a running site where the words
of the town's posts recur, and "unseen": warm caches, but posts it has not read
before (the same corpus and word lists, another seed). The Rust filters are timed
warm, in rounds interleaved with ours so that the machine's drift hits all alike;
each figure is the best round. Then texts of 10 KB, 100 KB and 1 MB show whether
time per KB stays flat (linear). Prints one JSON line, then a short table.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import moderation  # noqa: E402
from better_profanity import profanity  # noqa: E402

RUST = {"better_profanity_rs": "better-profanity-rs", "better_profanity_fast": "better-profanity-fast"}


def _rust_filters() -> dict:
    """name -> contains_profanity of each Rust drop-in that is installed (with its default list)."""
    found = {}
    for module, package in RUST.items():
        try:
            mod = __import__(module)
        except ImportError:
            print(f"{package} is not installed: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
            continue
        # better_profanity_fast's module-level `profanity` starts empty; Profanity() loads its list
        found[package] = (mod.Profanity() if module == "better_profanity_fast" else mod.profanity).contains_profanity
    return found


HERE = Path(__file__).resolve().parents[1]
CORPUS = HERE / "tests" / "moderation"


def _sentences(name: str) -> list[str]:
    lines = (CORPUS / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def _bp_words() -> list[str]:
    return sorted({str(w) for w in profanity.CENSOR_WORDSET if " " not in str(w) and str(w).isalpha()})


def _bp_variant(word: str, rng: random.Random) -> str:
    """A spelling better_profanity itself recognises: one CHARS_MAPPING substitute per letter at most."""
    out = []
    for c in word:
        subs = profanity.CHARS_MAPPING.get(c)
        out.append(rng.choice(subs) if subs and rng.random() < 0.4 else c)
    return "".join(out)


def _evasion(word: str, rng: random.Random) -> str:
    kind = rng.choice(["spaced", "zero-width", "full-width", "stretched", "homoglyph"])
    if kind == "spaced":
        return " ".join(word)
    if kind == "zero-width":
        return "\u200b".join(word)
    if kind == "full-width":
        return "".join(chr(ord(c) + 0xFEE0) for c in word)
    if kind == "stretched":
        i = rng.randrange(len(word))
        return word[:i] + word[i] * 4 + word[i + 1:]
    look = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "s": "ѕ"}
    return "".join(look.get(c, c) for c in word)


def make_posts(n: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    en, ja = _sentences("corpus_ok_en.txt"), _sentences("corpus_ok_ja.txt")
    words = [w for w in _bp_words() if len(w) >= 4]
    posts = []
    for i in range(n):
        kind = ["clean-en", "clean-en", "clean-ja", "bp-leet", "bp-leet", "evasion"][i % 6]
        pool = ja if kind == "clean-ja" else en
        parts: list[str] = []
        while len(" ".join(parts).encode()) < 1000:
            parts.append(rng.choice(pool))
            if kind == "bp-leet" and rng.random() < 0.3:
                parts.append(_bp_variant(rng.choice(words), rng))
            if kind == "evasion" and rng.random() < 0.3:
                parts.append(_evasion(rng.choice(words), rng))
        text = " ".join(parts).encode()[:1024].decode(errors="ignore")
        posts.append((kind, text))
    return posts


def _time(fn, posts: list[str], *, min_seconds: float = 0.2) -> float:
    """Seconds per pass over all posts."""
    passes, start = 0, time.perf_counter()
    while True:
        for p in posts:
            fn(p)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / passes


def _warm_rounds(filters: dict, posts: list[str], rounds: int = 7) -> dict[str, float]:
    """Best seconds per pass of each filter, the filters taking turns round after round."""
    for fn in filters.values():
        _time(fn, posts, min_seconds=0.05)
    best = dict.fromkeys(filters, float("inf"))
    for _ in range(rounds):
        for name, fn in filters.items():
            best[name] = min(best[name], _time(fn, posts))
    return best


def _detections(posts, verdicts, others: dict[str, list[bool]]) -> dict:
    listed = [kind in ("bp-leet", "evasion") for kind, _ in posts]
    by_kind: dict[str, dict[str, int]] = {}
    for i, ((kind, _), v) in enumerate(zip(posts, verdicts)):
        row = by_kind.setdefault(kind, {"posts": 0, "ours": 0, "ours_flagged": 0, **dict.fromkeys(others, 0)})
        row["posts"] += 1
        row["ours"] += bool(v.matches)
        row["ours_flagged"] += v.flagged
        for name, found in others.items():
            row[name] += found[i]
    bp = others["better_profanity"]
    missed = [i for i, (b, v, w) in enumerate(zip(bp, verdicts, listed)) if w and b and not v.matches]
    false = {name: sum(f for f, w in zip(found, listed) if not w) for name, found in others.items()}
    false["ours"] = sum(v.flagged for v, w in zip(verdicts, listed) if not w)
    return {"by_kind": by_kind, "missed": missed, "false_alarms_on_clean": false,
            "detected": {"ours": sum(bool(v.matches) for v in verdicts),
                         "ours_flagged": sum(v.flagged for v in verdicts),
                         **{name: sum(found) for name, found in others.items()}}}


def _linear(filt, texts: list[str]) -> dict[str, float]:
    sizes, mixed = {}, " ".join(texts)
    for size in (1_000, 10_000, 100_000, 1_000_000):
        text = (mixed * (size // len(mixed) + 1))[:size]
        filt.clear_caches()
        start = time.perf_counter()
        filt.scan(text)
        sizes[f"{size // 1000}KB"] = round((time.perf_counter() - start) * 1e6 / (len(text.encode()) / 1024), 1)
    return sizes


def _aim_line(fastest: str | None, as_fast: float | None, missed: int, false_alarms: int, met: bool) -> str:
    """The verdict of the comparison, in one line."""
    if fastest is None:
        return "AIM: not measured (no Rust drop-in installed: .venv/bin/pip install -e '.[bench]')"
    speed = (f"ours warm is {as_fast:.2f}x as fast as the fastest Rust drop-in ({fastest}): "
             + ("at least as fast" if as_fast >= 1 else "SLOWER"))
    return f"AIM {'MET' if met else 'NOT MET'}: {speed}; missed {missed} (max 0); false alarms {false_alarms} (max 0)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=60)
    args = parser.parse_args()

    posts = make_posts(args.posts)
    texts = [t for _, t in posts]
    unseen = [t for _, t in make_posts(args.posts, seed=8)]
    kb = sum(len(t.encode()) for t in texts) / 1024
    filt = moderation.default_filter()
    rust = _rust_filters()

    filt.clear_caches()  # first pass: every word is new to the filter
    start = time.perf_counter()
    for t in texts:
        filt.scan(t)
    ours_cold = time.perf_counter() - start
    warm = _warm_rounds({"ours": filt.scan, **rust}, texts)
    warm["ours_unseen"] = _warm_rounds({"ours": filt.scan}, unseen, rounds=3)["ours"] * kb / (
        sum(len(t.encode()) for t in unseen) / 1024)

    found: dict[str, list[bool]] = {}
    start = time.perf_counter()
    found["better_profanity"] = [profanity.contains_profanity(t) for t in texts]
    bp_seconds = time.perf_counter() - start
    for name, fn in rust.items():
        found[name] = [fn(t) for t in texts]
    det = _detections(posts, [filt.scan(t) for t in texts], found)
    sizes = _linear(filt, texts)

    def figures(seconds: float) -> dict:
        return {"us_per_post": round(seconds * 1e6 / len(texts), 1), "us_per_kb": round(seconds * 1e6 / kb, 1),
                "posts_per_s": round(len(texts) / seconds, 1)}

    times = {"ours (cold)": ours_cold, "ours (warm)": warm["ours"], "ours (warm, unseen posts)": warm["ours_unseen"],
             **{f"{name} (warm)": warm[name] for name in rust}, "better_profanity": bp_seconds}
    fastest = min(rust, key=warm.__getitem__, default=None)
    fastest_rust = warm[fastest] if fastest is not None else None
    as_fast = None if fastest_rust is None else round(fastest_rust / warm["ours"], 2)
    result = {
        "bench": "moderation", "posts": len(texts), "kb": round(kb, 1),
        "filters": {name: figures(seconds) for name, seconds in times.items()},
        "ratio_vs_better_profanity": {name: round(bp_seconds / seconds, 1) for name, seconds in times.items()},
        "ours_warm_vs": {name: round(warm[name] / warm["ours"], 2) for name in rust},
        **{k: v for k, v in det.items() if k != "missed"}, "missed_vs_bp": len(det["missed"]),
        "linear_us_per_kb": sizes,
        "aim": {"fastest_rust": fastest, "ours_warm_times_as_fast_as_fastest_rust": as_fast,
                "ours_warm_at_least_as_fast_as_fastest_rust": None if fastest_rust is None
                else warm["ours"] <= fastest_rust, "missed_max": 0, "false_alarms_ours_max": 0,
                "met": fastest_rust is not None and warm["ours"] <= fastest_rust and not det["missed"]
                and det["false_alarms_on_clean"]["ours"] == 0},
    }
    print(json.dumps(result, ensure_ascii=False))
    print()
    print(f"{'':28}{'us/post':>10}{'us/KB':>10}{'posts/s':>12}{'vs bp':>10}{'ours warm is':>14}")
    for name, seconds in times.items():
        row = result["filters"][name]
        rust_warm = name.endswith("(warm)") and not name.startswith("ours")
        mine = f"{seconds / warm['ours']:.2f}x faster" if rust_warm else ""
        print(f"{name:28}{row['us_per_post']:>10,.1f}{row['us_per_kb']:>10,.1f}{row['posts_per_s']:>12,.1f}"
              f"{bp_seconds / seconds:>9,.1f}x{mine:>14}")
    print()
    names = ["better_profanity", *rust]
    print(f"{'posts':12}{'count':>7}{'ours':>6}{'flagged':>9}" + "".join(f"{n[:22]:>24}" for n in names))
    for kind, row in det["by_kind"].items():
        print(f"{kind:12}{row['posts']:>7}{row['ours']:>6}{row['ours_flagged']:>9}"
              + "".join(f"{row[n]:>24}" for n in names))
    print(f"missed vs better_profanity (posts with its words): {len(det['missed'])}; false alarms on clean posts: "
          + ", ".join(f"{n} {c}" for n, c in det["false_alarms_on_clean"].items()))
    print("time per KB by text size (us): " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    print(_aim_line(fastest, as_fast, len(det["missed"]), det["false_alarms_on_clean"]["ours"], result["aim"]["met"]))
    for i in det["missed"][:5]:
        print("MISSED:", texts[i][:200], file=sys.stderr)


if __name__ == "__main__":
    main()
