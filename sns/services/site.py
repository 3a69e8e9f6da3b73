"""Per-instance choices an administrator edits: town name, map centre, districts, sign-up."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sns import events
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_, gettext
from sns.models import District, SiteSetting
from sns.policies import can_administer
from sns.services import audit
from sns.services.base import clean_text, require, save_change, save_new, tombstone, transaction
from sns.services.shared import public_changed


DEFAULT_TOWN_NAME = N_("Our Town")


@dataclass
class SiteConfig:
    town_name: str = DEFAULT_TOWN_NAME
    town_name_ja: str = ""
    map_lat: float = 32.5073
    map_lon: float = 130.6016
    map_zoom: int = 13
    open_signup: bool = False  # off: invitation only, as in Open Gorotto
    welcome: str = ""

    def name_for(self, locale: str) -> str:
        if locale == "ja" and self.town_name_ja:
            return self.town_name_ja
        if self.town_name == DEFAULT_TOWN_NAME:  # not chosen yet: at least in the reader's language
            return gettext(DEFAULT_TOWN_NAME)
        return self.town_name


_cache: dict[str, SiteConfig] = {}  # this process's copy, forgotten on SITE_CHANGED from any process
SITE_CHANGED = "site.changed"


async def load_site() -> SiteConfig:
    if "site" in _cache:
        return _cache["site"]
    row = await SiteSetting.get_or_none(key="site")
    known = SiteConfig.__dataclass_fields__
    config = SiteConfig(**{k: v for k, v in (row.value if row else {}).items() if k in known})
    _cache["site"] = config
    return config


def forget_cached_site() -> None:
    _cache.clear()
    public_changed()  # feeds carry the town's name


def _number(value, field: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Invalid(N_("Please enter a number."), field=field) from None
    if not low <= number <= high:
        raise Invalid(N_("Please enter a number between %(low)s and %(high)s."), field=field, low=low, high=high)
    return number


async def update_site(ctx: Ctx, **values) -> SiteConfig:
    require(can_administer(ctx.viewer))
    config = SiteConfig(
        town_name=clean_text(values.get("town_name"), field="town_name", max_chars=100, single_line=True),
        town_name_ja=clean_text(values.get("town_name_ja"), field="town_name_ja", max_chars=100,
                                required=False, single_line=True),
        map_lat=_number(values.get("map_lat"), "map_lat", -90, 90),
        map_lon=_number(values.get("map_lon"), "map_lon", -180, 180),
        map_zoom=int(_number(values.get("map_zoom"), "map_zoom", 1, 19)),
        open_signup=bool(values.get("open_signup")),
        welcome=clean_text(values.get("welcome"), field="welcome", max_chars=2000, required=False),
    )
    before = asdict(await load_site())
    changed = [name for name, value in asdict(config).items() if before.get(name) != value]
    async with transaction() as tx:
        await SiteSetting.update_or_create(key="site", defaults={"value": asdict(config)}, using_db=tx)
        if changed:
            await audit.record(tx, ctx, "site.settings", "site", "site", ", ".join(changed))
    forget_cached_site()
    await events.publish(SITE_CHANGED, {})  # every other worker and machine forgets its copy (sns/services/live.py)
    return config


async def district_of(user) -> District | None:
    """The district a resident chose in their profile (None when none)."""
    return await District.get_or_none(id=user.district_id) if user is not None and user.district_id else None


async def districts() -> list[District]:
    return await District.filter(deleted_at=None).order_by("position", "name")


async def set_districts(ctx: Ctx, names_text: str) -> list[District]:
    """Replace the list from one name per line; residents keep districts that stay."""
    require(can_administer(ctx.viewer))
    names = []
    for line in (names_text or "").splitlines():
        name = clean_text(line, field="districts", max_chars=100, required=False, single_line=True)
        if name and name not in names:
            names.append(name)
    if len(names) > 500:
        raise Invalid(N_("At most %(n)d districts."), field="districts", n=500)
    async with transaction() as tx:
        current = {d.name: d for d in await District.filter(deleted_at=None).using_db(tx)}
        added = [name for name in names if name not in current]
        for position, name in enumerate(names):
            if name in current:
                d = current.pop(name)
                if d.position != position:
                    d.position = position
                    await save_change(d, tx)
            else:
                await save_new(District(name=name, position=position, origin=ctx.origin), tx)
        for gone in current.values():
            await tombstone(gone, tx)
        if added or current:
            await audit.record(tx, ctx, "site.districts", "site", "districts",
                               f"+{len(added)} -{len(current)}: " + ", ".join(added + [f"-{d}" for d in current]))
    return await districts()
