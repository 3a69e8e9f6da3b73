"""The mail and city pages run a fixed number of queries however many conversations, messages and
threads there are (no N+1)."""

from __future__ import annotations

from sns.context import Limits
from sns.services import departments, inquiries, mailbox
from sns.services.shared import public_changed
from test_query_counts import count_queries


async def test_pages_do_not_grow_with_the_mailbox(site):
    me = await site.user("qcmail")
    admin = await site.user("qcadmin", role="admin")
    clerk = await site.user("qcclerk", role="staff")
    actx = await site.ctx_for(admin)
    roads = await departments.save_department(actx, name="Roads")
    await departments.add_staff(actx, roads.id, "qcclerk")
    friends = [await site.user(f"qcpal{n}") for n in range(12)]
    me_client, clerk_client = site.client(), site.client()
    await me_client.login("qcmail")
    await clerk_client.login("qcclerk")

    async def grow(start: int, end: int) -> str:
        ctx = (await site.ctx_for(me)).as_viewer((await site.ctx_for(me)).viewer)
        ctx.limits = Limits.unlimited()  # a bulk writer, not a person typing
        cid = ""
        for n in range(start, end):
            message = await mailbox.start_conversation(ctx, to=f"{friends[n].username} {friends[n + 1].username}",
                                                       subject=f"Subject {n}", body=f"Body {n}")
            cid = message.conversation_id
            for k in range(3):
                await mailbox.reply(await site.ctx_for(friends[n]), cid, f"Reply {k}")
            inquiry = await inquiries.create_inquiry(ctx, department_id=roads.id, subject=f"Thread {n}", body="x")
            await inquiries.reply(await site.ctx_for(clerk), inquiry.id, "Answer", status="answered")
        return cid

    async def counts(cid: str) -> dict[str, int]:
        out = {}
        for name, client, path in (("inbox", me_client, "/mail"), ("sent", me_client, "/mail/sent"),
                                   ("conversation", me_client, f"/mail/{cid}"), ("city", me_client, "/city"),
                                   ("staff inbox", clerk_client, "/city/inbox")):
            public_changed()  # cold shared cache (the alert banner's list): counts do not depend on the test's pace
            with count_queries() as statements:
                assert (await client.get(path)).status_code == 200
            out[name] = len(statements)
        return out

    small = await counts(await grow(0, 2))
    large = await counts(await grow(2, 10))
    assert large == small, (small, large)
