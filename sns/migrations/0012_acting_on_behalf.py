from tortoise import migrations
from tortoise.migrations import operations as ops
from sns.ids import uuid7
from sns.models.base import utcnow
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_alert_source_name')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ActingSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('origin', fields.CharField(max_length=255)),
                ('user_id', fields.CharField(max_length=36)),
                ('username', fields.CharField(max_length=32)),
                ('role', fields.CharField(max_length=16)),
                ('code_id', fields.CharField(max_length=36)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'acting_sessions', 'app': 'models', 'unique_together': (('origin', 'code_id'),), 'pk_attr': 'id', 'table_description': 'Local to the neighbour: someone of `origin` signed in here with a standby code to act for it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StandbyCode',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('lookup', fields.CharField(max_length=8)),
                ('code_hash', fields.CharField(max_length=255)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('used_on', fields.CharField(default='', max_length=255)),
                ('made_by_id', fields.CharField(null=True, max_length=36)),
            ],
            options={'table': 'standby_codes', 'app': 'models', 'indexes': [Index(fields=['user_id', 'lookup'])], 'pk_attr': 'id', 'table_description': 'One one-time code of a staff member, kept as an Argon2 hash, revoked by its tombstone.'},
            bases=['Replicated'],
        ),
        ops.AddField(
            model_name='Alert',
            name='posted_via',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='AlertUpdate',
            name='posted_via',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Notice',
            name='posted_via',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddField(
            model_name='Peer',
            name='acts_for_them',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Peer',
            name='behalf_cursor',
            field=fields.BigIntField(default=0, db_default=0),
        ),
    ]
