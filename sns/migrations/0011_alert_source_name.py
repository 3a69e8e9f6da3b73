from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_mirroring')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Alert',
            name='source_name',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
    ]
