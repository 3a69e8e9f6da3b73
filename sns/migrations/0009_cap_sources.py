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
    dependencies = [('models', '0008_alerts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CapSource',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('url', fields.CharField(unique=True, max_length=1000)),
                ('label', fields.CharField(max_length=100)),
                ('enabled', fields.BooleanField(default=True)),
                ('poll_seconds', fields.IntField(null=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_polled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_success_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error_code', fields.CharField(default='', max_length=16)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('imported', fields.IntField(default=0)),
                ('changes', fields.IntField(default=0)),
                ('refused', fields.IntField(default=0)),
                ('etag', fields.CharField(default='', max_length=500)),
                ('last_modified', fields.CharField(default='', max_length=100)),
                ('seen_links', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cap_sources', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A URL serving one CAP 1.2 document or an Atom feed of them, polled by the `cap_poll` job.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CapPollLog',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('source', fields.ForeignKeyField('models.CapSource', source_field='source_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('url', fields.CharField(default='', max_length=1000)),
                ('code', fields.CharField(default='', max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cap_poll_log', 'app': 'models', 'indexes': [Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': 'One refused document or failed poll (the newest few hundred are kept), for the administrator.'},
            bases=['Model'],
        ),
    ]
