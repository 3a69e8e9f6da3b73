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
            name='AlertNotice',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('step_id', fields.CharField(max_length=36)),
                ('alert_id', fields.CharField(max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('target', fields.CharField(max_length=48)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_try_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claim', fields.CharField(default='', max_length=36)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_notices', 'app': 'models', 'unique_together': (('step_id', 'user_id', 'target'),), 'indexes': [Index(fields=['state', 'next_try_at']), Index(fields=['alert_id']), Index(fields=['claim'])], 'pk_attr': 'id', 'table_description': 'One notice to send: (step, resident, channel) is unique, so a repeated round or a second worker'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertNoticeStep',
            fields=[
                ('step_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=36)),
                ('alert_id', fields.CharField(max_length=36)),
                ('what', fields.CharField(max_length=16)),
                ('step_created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('handled_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_notice_steps', 'app': 'models', 'indexes': [Index(fields=['step_created_at'])], 'pk_attr': 'step_id', 'table_description': 'An alert history step (AlertUpdate) the notice job has handled: `what` is posting, change or quiet.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AlertSubscription',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('by_district', fields.BooleanField(default=False)),
                ('home_lat', fields.FloatField(null=True)),
                ('home_lon', fields.FloatField(null=True)),
                ('radius_km', fields.FloatField(null=True)),
                ('email', fields.BooleanField(default=True)),
                ('push', fields.BooleanField(default=True)),
                ('drills', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'alert_subscriptions', 'app': 'models', 'pk_attr': 'id', 'table_description': 'What one resident wants to be told of: alerts for their district and/or within `radius_km` of a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(unique=True, max_length=1000)),
                ('p256dh', fields.CharField(max_length=200)),
                ('auth', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'push_subscriptions', 'app': 'models', 'indexes': [Index(fields=['user_id'])], 'pk_attr': 'id', 'table_description': "One browser's Web Push subscription (its push service endpoint and keys, RFC 8291)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Alert',
            name='districts',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
