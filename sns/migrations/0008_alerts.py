from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from sns.ids import uuid7
from sns.models.base import utcnow
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_map')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('kind', fields.CharField(default='fire', max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(default='', unique=False)),
                ('instruction', fields.TextField(default='', unique=False)),
                ('address', fields.CharField(default='', max_length=300)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('radius_m', fields.IntField(null=True)),
                ('polygon', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('severity', fields.CharField(default='Severe', max_length=16)),
                ('urgency', fields.CharField(default='Immediate', max_length=16)),
                ('certainty', fields.CharField(default='Observed', max_length=16)),
                ('status', fields.CharField(default='outbreak', max_length=16)),
                ('exercise', fields.BooleanField(default=False)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('sender', fields.CharField(max_length=255)),
                ('identifier', fields.CharField(max_length=255)),
                ('source', fields.CharField(default='', max_length=255)),
                ('sent_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('client_token', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'alerts', 'app': 'models', 'unique_together': (('sender', 'identifier'),), 'indexes': [Index(fields=['status', 'sent_at']), Index(fields=['lat', 'lon'])], 'pk_attr': 'id', 'table_description': 'An official alert: posted here by the fire or disaster staff, or imported from a CAP source.'},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='AlertUpdate',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('alert', fields.ForeignKeyField('models.Alert', source_field='alert_id', db_constraint=True, to_field='id', related_name='updates', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('status', fields.CharField(max_length=16)),
                ('note', fields.TextField(default='', unique=False)),
                ('cap_identifier', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'alert_updates', 'app': 'models', 'indexes': [Index(fields=['alert_id', 'created_at'])], 'pk_attr': 'id', 'table_description': "One step of an alert's visible history: posted, a status change, a correction, a cancellation."},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='StaffActionLog',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=32)),
                ('target_kind', fields.CharField(max_length=32)),
                ('target_id', fields.CharField(default='', max_length=36)),
                ('detail', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'staff_action_log', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'Append-only, local: who posted, changed or switched what (alerts, disaster mode), and when.'},
            bases=['Model'],
        ),
    ]
