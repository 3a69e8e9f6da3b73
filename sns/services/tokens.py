"""Personal API tokens (`Authorization: Bearer TOKEN`)."""

from __future__ import annotations

from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import ApiToken, User
from sns.models.base import utcnow
from sns.policies import is_signed_in
from sns.security import new_token, token_hash
from sns.services import account_log
from sns.services.base import clean_text, require, transaction

MAX_TOKENS = 20


async def create_token(ctx: Ctx, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and stored only hashed."""
    require(is_signed_in(ctx.viewer))
    name = clean_text(name, field="name", max_chars=64, required=False, single_line=True)
    if await ApiToken.filter(user_id=ctx.user.id).count() >= MAX_TOKENS:
        raise Invalid(N_("You have too many tokens; revoke one first."), field="name")
    secret = "sns_" + new_token()
    async with transaction() as tx:
        token = await ApiToken.create(user_id=ctx.user.id, name=name, token_hash=token_hash(secret), using_db=tx)
        await account_log.record(ctx.user.id, "token_created", ip=ctx.client_ip, detail=name, conn=tx)
    return token, secret


async def revoke_token(ctx: Ctx, token_id: str) -> None:
    require(is_signed_in(ctx.viewer))
    async with transaction() as tx:
        token = await ApiToken.filter(id=token_id or "", user_id=ctx.user.id).using_db(tx).first()
        if token is None:
            return
        await ApiToken.filter(id=token.id).using_db(tx).delete()
        await account_log.record(ctx.user.id, "token_revoked", ip=ctx.client_ip, detail=token.name, conn=tx)


async def user_for_token(secret: str) -> User | None:
    token = await ApiToken.get_or_none(token_hash=token_hash(secret)).select_related("user")
    if token is None or token.user.state != "active" or token.user.deleted_at is not None:
        return None
    if token.last_used_at is None or (utcnow() - token.last_used_at).total_seconds() > 300:
        await ApiToken.filter(id=token.id).update(last_used_at=utcnow())
    return token.user
