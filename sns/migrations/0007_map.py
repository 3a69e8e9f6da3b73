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
    dependencies = [('models', '0006_search')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MapLayer',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('name', fields.CharField(max_length=100)),
                ('name_ja', fields.CharField(default='', max_length=100)),
                ('description', fields.CharField(default='', max_length=500)),
                ('geojson', fields.TextField(unique=False)),
                ('features', fields.IntField(default=0)),
                ('vertices', fields.IntField(default=0)),
                ('west', fields.FloatField()),
                ('south', fields.FloatField()),
                ('east', fields.FloatField()),
                ('north', fields.FloatField()),
                ('position', fields.IntField(default=0)),
                ('shown', fields.BooleanField(default=True)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'map_layers', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A layer an administrator uploaded as GeoJSON (hazard zones, evacuation routes), shown as it is.'},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='ReportCategory',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('name', fields.CharField(max_length=100)),
                ('name_ja', fields.CharField(default='', max_length=100)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('position', fields.IntField(default=0)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'report_categories', 'app': 'models', 'pk_attr': 'id', 'table_description': "One kind of street report (pothole, fallen tree...): the city's own list, each sent to a department."},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='Shelter',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('name', fields.CharField(max_length=200)),
                ('address', fields.CharField(default='', max_length=300)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('capacity', fields.IntField(null=True)),
                ('hazards', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('remark', fields.CharField(default='', max_length=500)),
                ('status', fields.CharField(default='closed', max_length=16)),
                ('status_changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'shelters', 'app': 'models', 'indexes': [Index(fields=['lat', 'lon']), Index(fields=['name'])], 'pk_attr': 'id', 'table_description': "A designated evacuation site from the city's list, with its status now."},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='StreetReport',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('category', fields.ForeignKeyField('models.ReportCategory', source_field='category_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('department', fields.ForeignKeyField('models.Department', source_field='department_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=200)),
                ('body', fields.TextField(default='', unique=False)),
                ('place', fields.CharField(default='', max_length=200)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('status', fields.CharField(default='received', max_length=16)),
                ('state', fields.CharField(default='published', max_length=16)),
                ('last_activity_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('client_token', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'street_reports', 'app': 'models', 'unique_together': (('author', 'client_token'),), 'indexes': [Index(fields=['lat', 'lon']), Index(fields=['category_id', 'status']), Index(fields=['department_id', 'status', 'last_activity_at']), Index(fields=['author_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A resident\'s report of something wrong in the street ("machikado reporter"). Public once published.'},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='ReportFollow',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('report', fields.ForeignKeyField('models.StreetReport', source_field='report_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'report_follows', 'app': 'models', 'unique_together': (('report', 'user'),), 'pk_attr': 'id', 'table_description': 'Someone told of each change to a report (the reporter follows their own).'},
            bases=['Replicated'],
        ),
        ops.CreateModel(
            name='ReportUpdate',
            fields=[
                ('id', fields.CharField(primary_key=True, default=uuid7, unique=True, db_index=True, max_length=36)),
                ('origin', fields.CharField(db_index=True, max_length=255)),
                ('version', fields.IntField(default=1)),
                ('created_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(default=utcnow, auto_now=False, auto_now_add=False)),
                ('deleted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('report', fields.ForeignKeyField('models.StreetReport', source_field='report_id', db_constraint=True, to_field='id', related_name='updates', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('status', fields.CharField(max_length=16)),
                ('comment', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'report_updates', 'app': 'models', 'indexes': [Index(fields=['report_id', 'id'])], 'pk_attr': 'id', 'table_description': "One step in a report's public history: a status change and the department's public comment."},
            bases=['Replicated'],
        ),
        ops.AddIndex(
            model_name='Diary',
            index=Index(fields=['lat', 'lon']),
        ),
        ops.AddIndex(
            model_name='Event',
            index=Index(fields=['lat', 'lon']),
        ),
    ]
