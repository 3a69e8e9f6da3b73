"""Telling residents of an alert: what posting costs, and how fast the job writes and sends the notices.

    .venv/bin/python benchmarks/alert_notices.py                 # 10,000 residents who asked to be told
    .venv/bin/python benchmarks/alert_notices.py --people 2000   # a quick run
    SNS_BENCH_DATABASE_URL=postgres://u:p@127.0.0.1/postgres .venv/bin/python benchmarks/alert_notices.py

1. A fresh town (SQLite in a temporary directory, or a fresh PostgreSQL database), residents added with
   bulk INSERTs, each asking for their district or for alerts within 1 to 5 km of a home point spread
   over about 20 km, by e-mail.
2. Posting an alert through the service (as the form and the API do), p50 over several posts, against
   the same posts with nobody subscribed (the baseline, same run): posting must not depend on how many
   are told (ratio near 1).
3. One round of the job: the steps turned into outbox rows (recipients computed) and the mails sent to a
   real SMTP server (aiosmtpd on loopback): rows per second.
4. Prints one JSON line of figures, then a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


async def _posts(site, fire, n: int, districts: list[str]) -> list[float]:
    from sns.services import alerts

    times = []
    for i in range(n):
        started = time.perf_counter()
        await alerts.post_alert(fire, kind="fire", title=f"Bench fire {uuid.uuid4().hex[:6]}", description="",
                                instruction="Stay away.", lat=32.5 + random.uniform(-0.05, 0.05),
                                lon=130.6 + random.uniform(-0.05, 0.05), radius_m=300, districts=districts)
        times.append((time.perf_counter() - started) * 1000)
    return times


async def main(people: int, posts: int) -> dict:
    from fixtures import make_site, smtp_server
    from sns.models import District, User
    from sns.models.alert_notices import AlertNotice, AlertSubscription
    from sns.services.alert_notices import collect
    from sns.services.alert_sending import send_due
    from sns.services.site import set_districts

    logging.disable(logging.WARNING)
    pg = os.environ.get("SNS_BENCH_DATABASE_URL")
    if pg:
        os.environ["SNS_TEST_DATABASE_URL"] = pg
    with smtp_server() as (controller, inbox):
        async with make_site(Path(tempfile.mkdtemp(prefix="sns-bench-notices-")), smtp_host="127.0.0.1",
                             smtp_port=controller.port, posts_per_10min=10_000) as site:
            admin = await site.user("benchadmin", role="admin")
            await set_districts(await site.ctx_for(admin), "\n".join(f"District {i}" for i in range(20)))
            districts = [d.id for d in await District.all()]
            fire = await site.ctx_for(await site.user("benchfire", role="fire"))
            baseline = await _posts(site, fire, posts, districts[:1])
            await collect(site.settings)  # nobody asked: the steps are handled, nothing written
            users = [User(username=f"r{i}", display_name=f"R{i}", email=f"r{i}@example.org",
                          origin=site.settings.origin, district_id=random.choice(districts)) for i in range(people)]
            await User.bulk_create(users, batch_size=1000)
            subs = []
            for u in users:
                near = random.random() < 0.5
                subs.append(AlertSubscription(user_id=u.id, by_district=not near, email=True, push=False,
                                              home_lat=32.5 + random.uniform(-0.09, 0.09) if near else None,
                                              home_lon=130.6 + random.uniform(-0.1, 0.1) if near else None,
                                              radius_km=random.uniform(1, 5) if near else None))
            await AlertSubscription.bulk_create(subs, batch_size=1000)
            told = await _posts(site, fire, posts, districts[:1])
            started = time.perf_counter()
            written = await collect(site.settings)
            collect_s = time.perf_counter() - started
            started = time.perf_counter()
            sent = 0
            while True:
                claimed = await send_due(site.settings)
                if not claimed:
                    break
                sent += claimed
            send_s = time.perf_counter() - started
            delivered = len(inbox.messages)
            left = await AlertNotice.filter(state="pending").count()
    return {"benchmark": "alert_notices", "database": "postgresql" if pg else "sqlite", "people": people,
            "posts": posts, "post_p50_ms_nobody_told": round(statistics.median(baseline), 2),
            "post_p50_ms_with_subscribers": round(statistics.median(told), 2),
            "post_ratio": round(statistics.median(told) / statistics.median(baseline), 2),
            "notices_written": written, "collect_s": round(collect_s, 3),
            "rows_per_s": round(written / collect_s) if collect_s else None,
            "mails_sent": sent, "mails_delivered": delivered, "send_s": round(send_s, 3),
            "mails_per_s": round(sent / send_s) if send_s else None, "left_pending": left}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=5)
    args = parser.parse_args()
    figures = asyncio.run(main(args.people, args.posts))
    print(json.dumps(figures))
    for key, value in figures.items():
        print(f"{key:32} {value}")
