"""The tile server is a setting: its host is the only other one the map page may load from, and its
credit line is shown as text."""

from __future__ import annotations

import re

from fixtures import make_site

INLINE = re.compile(r"<script>(.*?)</script>", re.S)


async def test_tiles_come_from_the_configured_server_and_its_credit_is_text(tmp_path):
    async with make_site(tmp_path, tile_url="https://tiles.example.jp/{z}/{x}/{y}.png",
                         tile_attribution="© Example <b>Tiles</b>") as tiled:
        page = await tiled.client().get("/map")
        assert "img-src 'self' data: https://tiles.example.jp" in page.headers["content-security-policy"]
        script = INLINE.findall(page.text)[0]
        assert "https://tiles.example.jp/{z}/{x}/{y}.png" in script
        assert "<b>" not in script and "\\u0026lt;b\\u0026gt;" in script  # shown as text, not HTML
