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
    dependencies = [('models', '0015_trust')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Counter',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
                ('name_ja', fields.CharField(default='', max_length=100)),
                ('place', fields.CharField(default='', max_length=200)),
                ('what_to_bring', fields.TextField(default='', unique=False)),
                ('hours', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('slot_minutes', fields.IntField(default=15)),
                ('capacity', fields.IntField(default=1)),
                ('book_days_ahead', fields.IntField(default=28)),
                ('active', fields.BooleanField(default=True)),
                ('position', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'counters', 'app': 'models', 'pk_attr': 'id', 'table_description': 'One counter of a department ("Resident registration, window 3"): when it is open and how it books.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Appointment',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('counter', fields.ForeignKeyField('models.Counter', source_field='counter_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('resident', fields.ForeignKeyField('models.User', source_field='resident_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('booked_by', fields.ForeignKeyField('models.User', source_field='booked_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('name', fields.CharField(default='', max_length=100)),
                ('phone', fields.CharField(default='', max_length=40)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('state', fields.CharField(default='booked', max_length=16)),
                ('note', fields.CharField(default='', max_length=500)),
                ('cancel_reason', fields.CharField(default='', max_length=500)),
                ('visit_id', fields.CharField(null=True, max_length=36)),
                ('remind_email', fields.BooleanField(default=True)),
                ('remind_push', fields.BooleanField(default=False)),
                ('client_token', fields.CharField(null=True, max_length=64)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'appointments', 'app': 'models', 'unique_together': (('resident', 'client_token'),), 'indexes': [Index(fields=['counter_id', 'start']), Index(fields=['resident_id', 'start'])], 'pk_attr': 'id', 'table_description': "A resident's appointment (or one staff booked for someone who phoned: `resident` may be None, then"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ClosedDay',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('day', fields.DateField()),
                ('name', fields.CharField(default='', max_length=100)),
                ('counter', fields.ForeignKeyField('models.Counter', source_field='counter_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'closed_days', 'app': 'models', 'indexes': [Index(fields=['day'])], 'pk_attr': 'id', 'table_description': "A day the city's counters are closed: a holiday of the city's list (no counter: every counter, and not"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DocumentReminder',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('expires_on', fields.DateField()),
                ('email', fields.BooleanField(default=True)),
                ('push', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'document_reminders', 'app': 'models', 'indexes': [Index(fields=['user_id']), Index(fields=['expires_on'])], 'pk_attr': 'id', 'table_description': '"My passport expires on ...": reminded 3 months and 1 month before.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GarbageDay',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('district', fields.ForeignKeyField('models.District', source_field='district_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('what', fields.CharField(max_length=200)),
                ('what_ja', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'garbage_days', 'app': 'models', 'unique_together': (('district', 'day'),), 'pk_attr': 'id', 'table_description': "One collection day of a district's calendar, as the city publishes it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GarbageReminder',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('user', fields.OneToOneField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('district', fields.ForeignKeyField('models.District', source_field='district_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('email', fields.BooleanField(default=True)),
                ('push', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'garbage_reminders', 'app': 'models', 'pk_attr': 'id', 'table_description': "A resident's wish to be reminded the evening before their district's collection days."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IncomingMail',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('message_id', fields.CharField(default='', max_length=255)),
                ('via', fields.CharField(default='smtp', max_length=8)),
                ('mail_from', fields.CharField(default='', max_length=320)),
                ('from_addr', fields.CharField(default='', max_length=320)),
                ('to_addr', fields.CharField(default='', max_length=320)),
                ('subject', fields.CharField(default='', max_length=300)),
                ('size', fields.IntField(default=0)),
                ('state', fields.CharField(default='accepted', max_length=16)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('inquiry', fields.ForeignKeyField('models.Inquiry', source_field='inquiry_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('raw_name', fields.CharField(default='', max_length=100)),
                ('received_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'incoming_mail', 'app': 'models', 'indexes': [Index(fields=['message_id']), Index(fields=['received_at'])], 'pk_attr': 'id', 'table_description': 'One message received by the SMTP server or fetched over IMAP, and what was done with it. A quarantined'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlotTaken',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('counter', fields.ForeignKeyField('models.Counter', source_field='counter_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('taken', fields.IntField(default=0)),
            ],
            options={'table': 'slots_taken', 'app': 'models', 'unique_together': (('counter', 'start'),), 'pk_attr': 'id', 'table_description': 'How many places of one slot are taken: raised with one conditional UPDATE (`taken < capacity`), so'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Telling',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('key', fields.CharField(max_length=200)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('subject', fields.CharField(max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('url', fields.CharField(default='', max_length=500)),
                ('state', fields.CharField(default='pending', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_try_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claim', fields.CharField(default='', max_length=36)),
                ('last_error', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tellings', 'app': 'models', 'unique_together': (('key', 'user', 'channel'),), 'indexes': [Index(fields=['state', 'next_try_at'])], 'pk_attr': 'id', 'table_description': 'One thing to tell one resident on one channel (sns/services/telling.py). `key` names the occasion'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WeeklyActivity',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('week', fields.DateField()),
                ('district_id', fields.CharField(default='', max_length=36)),
                ('residents', fields.IntField(default=0)),
            ],
            options={'table': 'weekly_activity', 'app': 'models', 'unique_together': (('week', 'district_id'),), 'pk_attr': 'id', 'table_description': 'Residents active in one week, per district ("" for none): counted by a job in aggregate only, no row'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AlertSubscription',
            name='notice_email',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='AlertSubscription',
            name='notice_push',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Department',
            name='close_days',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Department',
            name='first_answer_days',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddField(
            model_name='Department',
            name='mail_address',
            field=fields.CharField(default='', db_default='', max_length=320),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='channel',
            field=fields.CharField(default='web', db_default='web', max_length=16),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='closed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='contact_email',
            field=fields.CharField(default='', db_default='', max_length=320),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='contact_name',
            field=fields.CharField(default='', db_default='', max_length=100),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='first_answered_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='logged_by',
            field=fields.ForeignKeyField('models.User', source_field='logged_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Inquiry',
            name='mail_key',
            field=fields.CharField(null=True, unique=True, max_length=40),
        ),
        ops.AddField(
            model_name='InquiryEntry',
            name='channel',
            field=fields.CharField(default='web', db_default='web', max_length=16),
        ),
        ops.AddField(
            model_name='InquiryEntry',
            name='mail_message_id',
            field=fields.CharField(default='', db_default='', max_length=255),
        ),
        ops.AddIndex(
            model_name='InquiryEntry',
            index=Index(fields=['mail_message_id']),
        ),
        ops.AddField(
            model_name='Notice',
            name='category',
            field=fields.CharField(default='', db_default='', max_length=32),
        ),
        ops.AddField(
            model_name='Notice',
            name='district_ids',
            field=fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Notice',
            name='lat',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Notice',
            name='lon',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Notice',
            name='radius_m',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Notice',
            name='scope',
            field=fields.CharField(default='town', db_default='town', max_length=16),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='attachments',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        ops.AddField(
            model_name='OutboxMail',
            name='headers',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
    ]
