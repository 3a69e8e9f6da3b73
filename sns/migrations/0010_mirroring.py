from tortoise import migrations
from tortoise.migrations import operations as ops
from sns.ids import uuid7
from sns.models.base import utcnow
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_alert_sources_notices_disaster')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MirrorLog',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('peer', fields.CharField(default='', max_length=255)),
                ('direction', fields.CharField(max_length=8)),
                ('what', fields.CharField(max_length=32)),
                ('detail', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'mirror_log', 'app': 'models', 'indexes': [Index(fields=['at'])], 'pk_attr': 'id', 'table_description': 'One refusal or failure in mirroring, either side: what, from or to whom, and why (newest kept).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Peer',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(unique=True, max_length=255)),
                ('url', fields.CharField(max_length=500)),
                ('name', fields.CharField(default='', max_length=200)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('public_key', fields.CharField(max_length=64)),
                ('backup_key', fields.CharField(default='', max_length=64)),
                ('state', fields.CharField(default='active', max_length=16)),
                ('acts_for_us', fields.BooleanField(default=True)),
                ('added_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_attempt_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_ok_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_entry_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('head_seq', fields.BigIntField(default=0)),
                ('failures', fields.IntField(default=0)),
                ('last_error', fields.CharField(default='', max_length=500)),
            ],
            options={'table': 'mirror_peers', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A neighbour: its URL, its origin, and the Ed25519 key whose fingerprint our administrator confirmed.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='JournalEntry',
            name='sealed',
            field=fields.TextField(null=True, unique=False),
        ),
    ]
