"""The full-text search index (sns/search/schema.py): hand-written, because neither an FTS5 table
nor a tsvector column with a GIN index is a Tortoise model. Existing diaries, communities, topics,
replies and events are indexed on the way up (the same code as `sns search reindex`)."""

from tortoise import migrations
from tortoise.migrations import operations as ops


async def create_search_index(apps, schema_editor) -> None:
    from sns.search.rebuild import rebuild

    await rebuild(schema_editor.client)


async def drop_search_index(apps, schema_editor) -> None:
    from sns.search.schema import drop_search_schema

    await drop_search_schema(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('models', '0005_communities')]

    initial = False

    operations = [
        ops.RunPython(create_search_index, drop_search_index),
    ]
