from tortoise import migrations
from tortoise.migrations import operations as ops
from sns.ids import uuid7
from sns.models.base import utcnow
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0008_alerts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DisasterEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('name', fields.CharField(max_length=200)),
                ('kind', fields.CharField(default='other', max_length=16)),
                ('drill', fields.BooleanField(default=False)),
                ('live', fields.CharField(null=True, max_length=2)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_by', fields.ForeignKeyField('models.User', source_field='started_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('ended_by', fields.ForeignKeyField('models.User', source_field='ended_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'disaster_events', 'app': 'models', 'unique_together': (('origin', 'live'),), 'indexes': [Index(fields=['ended_at', 'started_at'])], 'pk_attr': 'id', 'table_description': 'A disaster (or a drill) the site was switched into. At most one is active per origin: `live` is'},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='DisasterPost',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('event', fields.ForeignKeyField('models.DisasterEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('body', fields.TextField(unique=False)),
                ('place', fields.CharField(default='', max_length=200)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('state', fields.CharField(default='published', max_length=16)),
                ('client_token', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'disaster_posts', 'app': 'models', 'unique_together': (('author', 'client_token'),), 'indexes': [Index(fields=['event_id', 'state', 'id'])], 'pk_attr': 'id', 'table_description': "A resident's report of damage on the disaster board: text, optional photos and place. Public once"},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='SafetyCheckin',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('event', fields.ForeignKeyField('models.DisasterEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='checkins', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('message', fields.TextField(default='', unique=False)),
                ('place', fields.CharField(default='', max_length=200)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('current', fields.BooleanField(default=True)),
                ('client_token', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'safety_checkins', 'app': 'models', 'unique_together': (('user', 'client_token'),), 'indexes': [Index(fields=['event_id', 'current', 'user_id']), Index(fields=['user_id', 'event_id', 'current'])], 'pk_attr': 'id', 'table_description': 'One check-in of a resident during an event. The newest one counts (`current`), the earlier ones stay'},
            bases=['Replicated'],
        ),
    ]
