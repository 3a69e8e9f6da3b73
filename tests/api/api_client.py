"""API test helpers: personal tokens and JSON clients on a site."""

import httpx

from sns.services.tokens import create_token


class Api:
    def __init__(self, site) -> None:
        self.site = site

    async def token(self, user, name: str = "test") -> str:
        _, secret = await create_token(await self.site.ctx_for(user), name)
        return secret

    def client(self, token: str | None = None, **headers) -> httpx.AsyncClient:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.site.app, client=("127.0.0.1", 50001)),
                                 base_url="http://test.example", headers=headers)

    async def resident(self, username: str, role: str = "resident") -> tuple[object, httpx.AsyncClient]:
        """A new user and a client that carries their token."""
        user = await self.site.user(username, role=role)
        return user, self.client(await self.token(user))
