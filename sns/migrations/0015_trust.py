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
    dependencies = [('models', '0014_operations')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AccountDeletion',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('user_ref', fields.CharField(max_length=36)),
                ('keep_public', fields.BooleanField(default=True)),
                ('state', fields.CharField(default='waiting', max_length=16)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_deletions', 'app': 'models', 'indexes': [Index(fields=['state', 'due_at'])], 'pk_attr': 'id', 'table_description': 'Delete my account: done after a grace period (account_deletion_days), cancelled by signing in meanwhile.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AccountEvent',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=200)),
                ('detail', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'account_events', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at']), Index(fields=['created_at'])], 'pk_attr': 'id', 'table_description': "The account's own security log: sign-ins, and every change to its password, second factors, recovery"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DataExport',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('state', fields.CharField(default='waiting', max_length=16)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('file_name', fields.CharField(default='', max_length=128)),
                ('size', fields.BigIntField(default=0)),
                ('error', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'data_exports', 'app': 'models', 'indexes': [Index(fields=['user_id', 'created_at']), Index(fields=['state'])], 'pk_attr': 'id', 'table_description': 'Download my data: one archive, made in the background (sns/services/data_export.py).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FactorReset',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('asked_by', fields.ForeignKeyField('models.User', source_field='asked_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('reason', fields.CharField(default='', max_length=200)),
                ('state', fields.CharField(default='waiting', max_length=16)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'factor_resets', 'app': 'models', 'pk_attr': 'id', 'table_description': "Removing someone's second factors (a lost phone): asked by one administrator, done only when a second,"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='KnownBrowser',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('browser_hash', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'known_browsers', 'app': 'models', 'unique_together': (('user_id', 'browser_hash'),), 'pk_attr': 'id', 'table_description': 'A browser an account has signed in from (a long-lived cookie, stored hashed): a sign-in from any other'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code_hash', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'recovery_codes', 'app': 'models', 'pk_attr': 'id', 'table_description': "One of an account's ten one-time recovery codes, stored hashed (shown once, when made)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SecondFactor',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='second_factors', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('name', fields.CharField(default='', max_length=64)),
                ('secret', fields.CharField(default='', max_length=255)),
                ('last_step', fields.BigIntField(default=0)),
                ('credential_id', fields.CharField(null=True, unique=True, max_length=255)),
                ('public_key', fields.TextField(default='', unique=False)),
                ('sign_count', fields.BigIntField(default=0)),
                ('transports', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'second_factors', 'app': 'models', 'indexes': [Index(fields=['user_id', 'kind'])], 'pk_attr': 'id', 'table_description': 'An authenticator app (TOTP) or a passkey or security key (WebAuthn) of one account, with its name.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Session',
            name='how',
            field=fields.CharField(default='', db_default='', max_length=16),
        ),
        ops.AddField(
            model_name='Session',
            name='ip',
            field=fields.CharField(default='', db_default='', max_length=64),
        ),
        ops.AddField(
            model_name='Session',
            name='stage',
            field=fields.CharField(default='signed_in', db_default='signed_in', max_length=16),
        ),
    ]
