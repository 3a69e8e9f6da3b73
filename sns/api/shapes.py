"""How records look in the API: plain dicts of what the caller may see, nothing more.

Callers pass only records the services already let the viewer see; profile
fields are filtered here with the same predicate the profile page uses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, create_model

from sns.api.declare import Output
from sns.api.fields import Coord, Id, MaybeUrl, Next, TextState, Time, Url, Visibility
from sns.api.http import absolute
from sns.context import Ctx
from sns.markup import render_markdown
from sns import models
from sns.models import PROFILE_FIELDS, User
from sns.policies import (
    can_comment, can_delete_comment, can_delete_diary, can_edit_diary, can_view_profile_field,
)

ROLE_GROUPS = {"staff": "municipal_staff", "fire": "municipal_staff", "disaster": "municipal_staff",
               "moderator": "site_team", "admin": "site_team"}


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def html(source: str) -> str:
    return str(render_markdown(source))


def person_brief(ctx: Ctx, user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "url": absolute(ctx, f"/people/{user.username}"),
        "api_url": absolute(ctx, f"/api/v1/people/{user.username}"),
    }


def photo_json(ctx: Ctx, photo: models.Photo) -> dict[str, Any]:
    return {
        "id": photo.id,
        "url": absolute(ctx, f"/photos/{photo.id}.jpg"),
        "thumbnail_url": absolute(ctx, f"/photos/{photo.id}.thumb.jpg"),
        "width": photo.width,
        "height": photo.height,
    }


def diary_json(ctx: Ctx, diary: models.Diary, photos: list[models.Photo], *, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": diary.id,
        "url": absolute(ctx, f"/diaries/{diary.id}"),
        "api_url": absolute(ctx, f"/api/v1/diaries/{diary.id}"),
        "title": diary.title,
        "body": diary.body,
        "body_html": html(diary.body),
        "visibility": diary.visibility,
        "state": diary.state,
        "lat": diary.lat,
        "lon": diary.lon,
        "author": person_brief(ctx, diary.author),
        "photos": [photo_json(ctx, p) for p in photos],
        "origin": diary.origin,
        "created_at": when(diary.created_at),
        "updated_at": when(diary.updated_at),
    }
    if detail:
        v = ctx.viewer
        out["permissions"] = {"edit": can_edit_diary(v, diary), "delete": can_delete_diary(v, diary),
                              "comment": can_comment(v, diary)}
        out["comments_url"] = absolute(ctx, f"/api/v1/diaries/{diary.id}/comments")
    return out


def comment_json(ctx: Ctx, comment: models.Comment, diary: models.Diary) -> dict[str, Any]:
    return {
        "id": comment.id,
        "diary_id": diary.id,
        "author": person_brief(ctx, comment.author),
        "body": comment.body,
        "body_html": html(comment.body),
        "state": comment.state,
        "created_at": when(comment.created_at),
        "permissions": {"delete": can_delete_comment(ctx.viewer, comment, diary)},
    }


def _fields(user: User, shown: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "district" in shown:
        district = user.district if user.district_id else None
        out["district"] = {"id": district.id, "name": district.name} if district else None
    if "introduction" in shown:
        out["introduction"] = user.introduction
        out["introduction_html"] = html(user.introduction)
    return out


def profile_json(ctx: Ctx, user: User, *, relation: str, may_befriend: bool) -> dict[str, Any]:
    """A resident as their profile page shows them to this viewer: hidden fields are absent."""
    shown = {name for name in PROFILE_FIELDS if can_view_profile_field(ctx.viewer, user, name)}
    out = person_brief(ctx, user)
    out["role_group"] = ROLE_GROUPS.get(user.role, "resident")
    out.update(_fields(user, shown))
    if "avatar" in shown:
        out["avatar_url"] = absolute(ctx, f"/photos/{user.avatar_id}.thumb.jpg") if user.avatar_id else None
    out["relation"] = relation
    out["may_befriend"] = may_befriend
    out["diaries_url"] = absolute(ctx, "/api/v1/diaries", author=user.username)
    return out


def me_json(ctx: Ctx, user: User) -> dict[str, Any]:
    """Everything about my own account that I may read back."""
    out = person_brief(ctx, user)
    out.update(role=user.role, email=user.email, locale=user.locale or None)
    out.update(_fields(user, set(PROFILE_FIELDS)))
    out["avatar_url"] = absolute(ctx, f"/photos/{user.avatar_id}.thumb.jpg") if user.avatar_id else None
    out["field_visibility"] = {name: user.visibility_of(name) for name in PROFILE_FIELDS}
    return out


def notice_json(ctx: Ctx, notice: models.Notice, areas: dict[str, str] | None = None) -> dict[str, Any]:
    """A notice and its area (`areas`: id -> its area named, sns/services/notice_areas.py); never whom it concerns."""
    return {
        "id": notice.id,
        "url": absolute(ctx, f"/notices/{notice.id}"),
        "title": notice.title,
        "body": notice.body,
        "body_html": html(notice.body),
        "author": person_brief(ctx, notice.author),
        "created_at": when(notice.created_at),
        "scope": notice.scope,
        "district_ids": list(notice.district_ids or []),
        "lat": notice.lat,
        "lon": notice.lon,
        "radius_m": notice.radius_m,
        "category": notice.category,
        "area": (areas or {}).get(notice.id, ""),
    }


# The shapes above, declared: an operation's answer is checked against these and documented by them.

class Person(Output):
    username: str
    display_name: str
    url: Url
    api_url: Url


class Photo(Output):
    id: Id
    url: Url
    thumbnail_url: Url
    width: int
    height: int


class Permissions(Output):
    edit: bool
    delete: bool
    comment: bool


class Diary(Output):
    id: Id
    url: Url
    api_url: Url
    title: str
    body: str = Field(description="Markdown source.")
    body_html: str = Field(description="The body rendered and cleaned, as the page shows it.")
    visibility: Visibility
    state: TextState
    lat: Coord
    lon: Coord
    author: Person
    photos: list[Photo]
    origin: str = Field(description="Host name of the instance where it was written.")
    created_at: Time
    updated_at: Time


class DiaryDetail(Diary):
    permissions: Permissions
    comments_url: Url


class DiaryPage(Output):
    items: list[Diary]
    next: Next


class CommentPermissions(Output):
    delete: bool


class Comment(Output):
    id: Id
    diary_id: Id
    author: Person
    body: str
    body_html: str
    state: TextState
    created_at: Time
    permissions: CommentPermissions


class CommentList(Output):
    items: list[Comment]


class District(Output):
    id: Id
    name: str


RoleGroup = Literal["resident", "municipal_staff", "site_team"]
Relation = Literal["self", "friend", "requested", "incoming", "blocked", "none"]
FieldVisibility = create_model("FieldVisibility", __base__=Output,
                               **{name: (Visibility, ...) for name in PROFILE_FIELDS})


class Profile(Person):
    """district, introduction and avatar_url are present only when shared with the caller."""

    role_group: RoleGroup
    district: District | None = None
    introduction: str = ""
    introduction_html: str = ""
    avatar_url: MaybeUrl = None
    relation: Relation
    may_befriend: bool
    diaries_url: Url


class Me(Person):
    role: str
    email: str
    locale: str | None
    district: District | None
    introduction: str
    introduction_html: str
    avatar_url: MaybeUrl
    field_visibility: FieldVisibility  # type: ignore[valid-type]


class Friends(Output):
    friends: list[Person]
    incoming: list[Person]
    outgoing: list[Person]
    blocked: list[Person]


class Notice(Output):
    id: Id
    url: Url
    title: str
    body: str
    body_html: str
    author: Person
    created_at: Time
    scope: str = Field(description="town, districts or radius.")
    district_ids: list[str] = Field(description="With scope districts: the districts it is for.")
    lat: float | None = Field(description="With scope radius: the circle's centre (WGS84).")
    lon: float | None
    radius_m: int | None = Field(description="With scope radius: the circle's radius in metres.")
    category: str = Field(description="road_works, permit, water, other, or empty.")
    area: str = Field(description="The area, named in the reader's language.")


class NoticePage(Output):
    items: list[Notice]
    next: Next
