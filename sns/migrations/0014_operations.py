from tortoise import migrations
from tortoise.migrations import operations as ops
from sns.ids import uuid7
from sns.models.base import utcnow
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0013_view_versions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobLease',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('holder', fields.CharField(default='', max_length=128)),
                ('expires_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('runs', fields.BigIntField(default=0)),
                ('failures', fields.IntField(default=0)),
                ('last_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'job_leases', 'app': 'models', 'pk_attr': 'name', 'table_description': "One background job's lease. The machine holding it runs the job's rounds until `expires_at`, renewing"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxMail',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('message_id', fields.CharField(max_length=255)),
                ('to_addr', fields.CharField(max_length=320)),
                ('subject', fields.CharField(max_length=998)),
                ('body', fields.TextField(unique=False)),
                ('state', fields.CharField(default='queued', db_index=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_at', fields.DatetimeField(default=utcnow, db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=128)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'mail_outbox', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A mail to send, written in the same transaction as what caused it, which the mail job claims, sends and'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RateCount',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('window_start', fields.BigIntField(default=0)),
                ('hits', fields.IntField(default=0)),
            ],
            options={'table': 'rate_counts', 'app': 'models', 'pk_attr': 'key', 'table_description': 'Rate-limit counts shared by every process and machine when there is no Redis (sns/security.py),'},
            bases=['Model'],
        ),
    ]
