"""`DELETE /api/v1/me` (docs/api.md): the password again (and a second-factor code when the account has one),
the choice about public posts; 202 with the date; the account's tokens stop working at once."""

from datetime import timedelta

import pyotp
import pytest

from api_client import Api
from fixtures import PASSWORD, make_site
from sns.models import AccountDeletion, ApiToken
from sns.models.base import utcnow
from sns.services import second_factor


@pytest.fixture(scope="module")
async def site(tmp_path_factory):
    async with make_site(tmp_path_factory.mktemp("leaving_api"), account_deletion_days=7) as s:
        yield s


async def test_a_wrong_password_is_refused_and_the_token_keeps_working(api):
    user, client = await api.resident("apiwaverer")
    refused = await client.request("DELETE", "/api/v1/me", json={"password": "wrong password here"})
    assert refused.status_code == 400 and refused.json()["field"] == "password"
    assert (await client.get("/api/v1/me")).status_code == 200
    malformed = await client.request("DELETE", "/api/v1/me", json={"password": 12, "keep_public_posts": "maybe"})
    assert malformed.status_code == 400
    assert not await AccountDeletion.filter(user_ref=user.id).exists()


async def test_asking_answers_202_with_the_date_and_ends_every_token(api):
    user, client = await api.resident("apileaver")
    other = api.client(await api.token(user, "second"))
    asked = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "keep_public_posts": False})
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert body["state"] == "waiting" and body["keep_public_posts"] is False
    deletion = await AccountDeletion.get(user_ref=user.id)
    assert abs((deletion.due_at - utcnow()) - timedelta(days=7)) < timedelta(minutes=1)
    assert body["due_at"].startswith(deletion.due_at.isoformat()[:16])
    assert (await client.get("/api/v1/me")).status_code == 401
    assert (await other.get("/api/v1/me")).status_code == 401
    assert not await ApiToken.filter(user_id=user.id).exists()


async def test_an_account_with_a_second_factor_gives_a_code(api, site):
    user, client = await api.resident("apiguarded")
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    await second_factor.add_totp(await site.ctx_for(user), user, "phone", secret, totp.now())
    without = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert without.status_code == 400 and without.json()["field"] == "code"
    wrong = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "code": "000000"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "code"
    later = totp.at(utcnow() + timedelta(seconds=30))  # the next step: the one add_totp took is used
    asked = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD, "code": later})
    assert asked.status_code == 202, asked.text
    assert (await AccountDeletion.get(user_ref=user.id)).keep_public is True  # the default


async def test_a_visitor_is_refused(api):
    assert (await api.client().request("DELETE", "/api/v1/me", json={"password": PASSWORD})).status_code == 401


async def test_guessing_the_password_is_stopped_by_the_sign_in_limit(tmp_path):
    async with make_site(tmp_path, login_attempts_per_15min=3) as other:
        api = Api(other)
        user, client = await api.resident("apiguesser")
        answers = [(await client.request("DELETE", "/api/v1/me", json={"password": f"guess number {n}"})).status_code
                   for n in range(5)]
        assert answers[:3] == [400, 400, 400] and answers[3:] == [429, 429]
        right = await client.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
        assert right.status_code == 429  # not even the right one, until the window has passed
        assert not await AccountDeletion.filter(user_ref=user.id).exists()
