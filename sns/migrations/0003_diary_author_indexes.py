from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_page_indexes')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Diary',
            name=None,
            fields=['author_id', 'id'],
        ),
        ops.AddIndex(
            model_name='Diary',
            index=Index(fields=['author_id', 'id', 'deleted_at', 'state', 'visibility']),
        ),
        ops.AddIndex(
            model_name='Diary',
            index=Index(fields=['author_id', 'created_at']),
        ),
    ]
