from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Diary',
            name=None,
            fields=['visibility', 'id'],
        ),
        ops.AddIndex(
            model_name='Photo',
            index=Index(fields=['diary_id', 'position']),
        ),
    ]
