"""The photo pipeline every kind of post shares (diaries, albums, topics, replies, events, street
reports, inquiries, the disaster board, avatars): uploads re-encoded with Pillow off the event loop
(EXIF and its GPS dropped, thumbnails made, size and pixel limits: `sns.media`), the per-post limit,
the files saved and their Photo rows written in the post's transaction, and an edit's photos kept,
removed or added."""

from __future__ import annotations

import anyio

from sns import media
from sns.context import Ctx
from sns.errors import Invalid
from sns.i18n import N_
from sns.models import Photo
from sns.services.base import save_new, tombstone


async def process_photos(ctx: Ctx, uploads: list[bytes]) -> list[media.ProcessedImage]:
    """A post's photos (the empty file fields left out), refusing more than a post may have."""
    uploads = [u for u in uploads or [] if u]
    if len(uploads) > ctx.settings.max_photos_per_post:
        raise Invalid(N_("At most %(n)d photos per post."), field="photos", n=ctx.settings.max_photos_per_post)
    return await reencode_photos(ctx, uploads)


async def reencode_photos(ctx: Ctx, uploads: list[bytes]) -> list[media.ProcessedImage]:
    """Each upload re-encoded in a worker thread (`media.process_image`), refusing one past the size or
    pixel limits; for an album, which takes more at once than a post, without the per-post limit."""
    s = ctx.settings
    return [
        await anyio.to_thread.run_sync(
            lambda d=data: media.process_image(d, max_bytes=s.max_upload_bytes, max_pixels=s.max_image_pixels)
        )
        for data in uploads
    ]


async def store_photos(ctx: Ctx, images: list[media.ProcessedImage], tx, *, diary_id=None, album_id=None,
                       parent_id=None, purpose="diary", start=0, caption: str = "") -> list[Photo]:
    """Save processed photos (files first, then their rows and journal entries in `tx`), for whatever
    they belong to: a diary or an album (their FK), or a topic, reply, event or inquiry (`parent_id`
    with `purpose` naming the kind; `photo_access` decides who sees them)."""
    photos = []
    for n, image in enumerate(images):
        photo = Photo(owner_id=ctx.user.id, diary_id=diary_id, album_id=album_id, parent_id=parent_id,
                      purpose=purpose, caption=caption, width=image.width, height=image.height,
                      bytes=len(image.full), position=start + n, origin=ctx.origin)
        await anyio.to_thread.run_sync(media.save_photo, ctx.settings.media_dir, photo.id, image)
        photos.append(await save_new(photo, tx))
    return photos


def photos_kept(ctx: Ctx, existing: list[Photo], remove_photos, photos) -> list[Photo]:
    """An edit's photos that stay (those not ticked for removal), refusing an edit past the limit."""
    removing = set(remove_photos or ())
    keep = [p for p in existing if p.id not in removing]
    if len(keep) + len([p for p in photos if p]) > ctx.settings.max_photos_per_post:
        raise Invalid(N_("At most %(n)d photos per post."), field="photos", n=ctx.settings.max_photos_per_post)
    return keep


async def replace_photos(ctx: Ctx, tx, existing: list[Photo], keep: list[Photo], images, **owner) -> None:
    """In an edit's transaction: the photos not kept are removed, the new ones follow the kept ones."""
    for photo in existing:
        if photo not in keep:
            await tombstone(photo, tx)
    await store_photos(ctx, images, tx, start=(keep[-1].position + 1) if keep else 0, **owner)


async def remove_photos(tx, **owner) -> None:
    """In a post's deletion transaction: its photos go with it (tombstones, so that neighbours drop
    them too). `owner` names the post as `store_photos` did: `diary_id=`, or `purpose=` and `parent_id=`."""
    for photo in await Photo.filter(**owner, deleted_at=None).using_db(tx):
        await tombstone(photo, tx)
