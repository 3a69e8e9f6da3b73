from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0012_acting_on_behalf')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ViewVersion',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('n', fields.BigIntField(default=0)),
            ],
            options={'table': 'view_versions', 'app': 'models', 'pk_attr': 'key', 'table_description': 'A number bumped in the same transaction as any change to what some readers see (sns/view_versions.py).'},
            bases=['Model'],
        ),
    ]
