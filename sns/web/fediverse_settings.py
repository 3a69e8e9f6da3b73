"""Settings, "Followable from the fediverse" (docs/federation.md): what it means, the choice, how many follow."""

from __future__ import annotations

from starlette.requests import Request

from sns.i18n import N_
from sns.policies.fediverse import can_choose_followable
from sns.services import fediverse_choice
from sns.web.http import form_of, redirect, render, signed_in, text

SWITCHED_ON = N_("You can now be followed from the fediverse. Only your public diary entries are published.")
SWITCHED_OFF = N_("You can no longer be followed from the fediverse. Your followers' servers have been told.")


@signed_in
async def fediverse_page(request: Request, ctx):
    if request.method == "POST":
        if not can_choose_followable(ctx.viewer):
            return await render(request, "error.html", status=403, message=None)
        on = await fediverse_choice.set_followable(ctx, text(form_of(request), "followable") == "1")
        return redirect("/settings/fediverse", SWITCHED_ON if on else SWITCHED_OFF)
    settings = ctx.settings
    host = settings.origin
    response = await render(request, "settings_fediverse.html", may_choose=can_choose_followable(ctx.viewer),
                            address=f"@{ctx.user.username}@{host}", city_address=f"@{settings.fediverse_handle}@{host}",
                            taken=ctx.user.username == settings.fediverse_handle,
                            followers=await fediverse_choice.follower_count(ctx))
    response.headers["Cache-Control"] = "private, no-store"
    return response
