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
    dependencies = [('models', '0016_city_answers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ActorKey',
            fields=[
                ('actor', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('private_pem', fields.TextField(unique=False)),
                ('public_pem', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_actor_keys', 'app': 'models', 'pk_attr': 'actor', 'table_description': 'One local actor\'s RSA key pair (HTTP Signatures as Mastodon checks them): the city ("city") or a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BlockedServer',
            fields=[
                ('host', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('blocked_by', fields.ForeignKeyField('models.User', source_field='blocked_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_blocked_servers', 'app': 'models', 'pk_attr': 'host', 'table_description': 'A server an administrator refuses: its follows and posts are refused, nothing is delivered to it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('actor', fields.CharField(max_length=64)),
                ('inbox', fields.CharField(max_length=500)),
                ('host', fields.CharField(max_length=255)),
                ('activity', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_try_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_deliveries', 'app': 'models', 'indexes': [Index(fields=['state', 'next_try_at']), Index(fields=['host', 'state'])], 'pk_attr': 'id', 'table_description': "One activity to one receiving server's inbox (its shared inbox when it has one), signed by `actor` when"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follower',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('actor', fields.CharField(max_length=64)),
                ('remote_actor', fields.CharField(max_length=500)),
                ('inbox', fields.CharField(max_length=500)),
                ('shared_inbox', fields.CharField(default='', max_length=500)),
                ('host', fields.CharField(max_length=255)),
                ('follow_id', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_followers', 'app': 'models', 'unique_together': (('actor', 'remote_actor'),), 'indexes': [Index(fields=['host']), Index(fields=['actor', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A remote actor following one of ours (accepted): where to deliver to them.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InboxRefusal',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('received_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('host', fields.CharField(default='', max_length=255)),
                ('key_id', fields.CharField(default='', max_length=500)),
                ('reason', fields.CharField(max_length=64)),
                ('detail', fields.CharField(default='', max_length=300)),
                ('size', fields.IntField(default=0)),
            ],
            options={'table': 'fedi_inbox_refusals', 'app': 'models', 'indexes': [Index(fields=['received_at'])], 'pk_attr': 'id', 'table_description': 'An inbox post we refused (unsigned, badly signed, replayed, too large, from a blocked server...).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerKey',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('name', fields.CharField(max_length=100)),
                ('key_hash', fields.CharField(unique=True, max_length=64)),
                ('prefix', fields.CharField(default='', max_length=12)),
                ('account', fields.ForeignKeyField('models.User', source_field='account_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'partner_keys', 'app': 'models', 'pk_attr': 'id', 'table_description': "One partner's Open311 API key. Reports it files are written by `account` (a system account of the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PfifNote',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('note_record_id', fields.CharField(unique=True, max_length=500)),
                ('person_record_id', fields.CharField(max_length=500)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('event', fields.ForeignKeyField('models.DisasterEvent', source_field='event_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('source', fields.CharField(default='', max_length=255)),
                ('author_name', fields.CharField(default='', max_length=200)),
                ('status', fields.CharField(default='', max_length=32)),
                ('author_made_contact', fields.BooleanField(null=True)),
                ('last_known_location', fields.CharField(default='', max_length=500)),
                ('text', fields.TextField(default='', unique=False)),
                ('source_date', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('entry_date', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('expiry_date', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('imported_by', fields.ForeignKeyField('models.User', source_field='imported_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('imported_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'pfif_notes', 'app': 'models', 'indexes': [Index(fields=['user_id', 'expiry_date'])], 'pk_attr': 'id', 'table_description': 'One PFIF note imported from a partner registry. `user` is the resident it is about when its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RemoteActor',
            fields=[
                ('key_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=500)),
                ('actor', fields.CharField(max_length=500)),
                ('inbox', fields.CharField(default='', max_length=500)),
                ('shared_inbox', fields.CharField(default='', max_length=500)),
                ('public_pem', fields.TextField(unique=False)),
                ('fetched_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_remote_actors', 'app': 'models', 'pk_attr': 'key_id', 'table_description': "Another server's actor whose key we fetched to check a signature (kept, fetched again when it fails)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SeenSignature',
            fields=[
                ('digest', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('seen_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fedi_seen_signatures', 'app': 'models', 'indexes': [Index(fields=['seen_at'])], 'pk_attr': 'digest', 'table_description': 'A signature already accepted (its digest), kept while its Date is within the allowed skew: the same'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='SafetyCheckin',
            name='share_pfif',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='StreetReport',
            name='channel',
            field=fields.CharField(default='web', db_default='web', max_length=16),
        ),
        ops.AddField(
            model_name='StreetReport',
            name='contact_email',
            field=fields.CharField(default='', db_default='', max_length=254),
        ),
        ops.AddField(
            model_name='StreetReport',
            name='contact_phone',
            field=fields.CharField(default='', db_default='', max_length=30),
        ),
        ops.AddField(
            model_name='StreetReport',
            name='contact_name',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddField(
            model_name='StreetReport',
            name='partner_key_id',
            field=fields.CharField(null=True, max_length=36),
        ),
        ops.AddField(
            model_name='User',
            name='fediverse_followable',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
