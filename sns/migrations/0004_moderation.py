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
    dependencies = [('models', '0003_diary_author_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Flag',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('kind', fields.CharField(max_length=16)),
                ('target_id', fields.CharField(db_index=True, max_length=36)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharField(default='filter', max_length=16)),
                ('terms', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reporter', fields.ForeignKeyField('models.User', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution', fields.CharField(default='', max_length=16)),
            ],
            options={'table': 'moderation_flags', 'app': 'models', 'indexes': [Index(fields=['resolved_at', 'created_at'])], 'pk_attr': 'id', 'table_description': "One item in the review queue: a text the filter held, a grey person's post, a report, an appeal."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationLog',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('moderator', fields.ForeignKeyField('models.User', source_field='moderator_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=16)),
                ('kind', fields.CharField(max_length=16)),
                ('target_id', fields.CharField(max_length=36)),
                ('subject', fields.ForeignKeyField('models.User', source_field='subject_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('terms', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('note', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'moderation_log', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Append-only: every moderator action, who took it, on what, and why.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='grey_score',
            field=fields.FloatField(default=0.0, db_default=0.0),
        ),
        ops.AddField(
            model_name='User',
            name='grey_updated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
