"""Deleting my account over JSON: `DELETE /api/v1/me` (docs/api.md, docs/privacy.md "Leaving").

The same as Settings, "Delete my account": the password again (and a second-factor code when the account
has one), the choice about public posts. The account is signed out everywhere at once, its API tokens
included (this request's token too); during the grace period the person cancels by signing in on the site."""

from __future__ import annotations

from pydantic import Field

from sns.api.declare import WRITE, Input, Operations, Output
from sns.api.fields import text
from sns.api.shapes import when
from sns.context import Ctx
from sns.services import leaving

API = Operations("people")


class DeletionAsk(Input):
    password: text(1024, 1) = Field(description="The account's password, again.")  # type: ignore[valid-type]
    keep_public_posts: bool = Field(
        True, description="True: public and members-only posts stay under \"a former resident\"; "
                          "false: they go with the account.")
    code: text(40) = Field("", description="A code from the authenticator app, or a recovery code, "  # type: ignore[valid-type]
                                           "when the account has a second factor.")


class DeletionAsked(Output):
    state: str = Field(description="\"waiting\": the deletion is carried out at `due_at`.")
    due_at: str = Field(description="When the account is deleted (ISO 8601). Signing in on the site before "
                                    "then cancels it.")
    keep_public_posts: bool


@API.delete("/api/v1/me", answer=DeletionAsked, status=202, body=DeletionAsk, auth=True, errors=(*WRITE, 429),
            refuses=("password", "code"))
async def delete_me(ctx: Ctx, body: DeletionAsk):
    """Ask for my account to be deleted after the grace period (`account_deletion_days`). The account is
    signed out everywhere at once, API tokens included."""
    deletion = await leaving.ask_deletion(ctx, password=body.password, code=body.code,
                                          keep_public=body.keep_public_posts)
    return {"state": deletion.state, "due_at": when(deletion.due_at), "keep_public_posts": deletion.keep_public}
