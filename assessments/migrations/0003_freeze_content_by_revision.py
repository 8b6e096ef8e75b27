"""Completed assessments point to a shared ContentRevision instead of carrying their own copy."""

import django.db.models.deletion
from django.db import migrations, models


def move_snapshots(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    ContentRevision = apps.get_model("perspectives", "ContentRevision")
    for assessment in Assessment.objects.exclude(content_snapshot=None).iterator():
        snapshot = dict(assessment.content_snapshot)
        characteristics = snapshot.pop("characteristics", [])
        revision, _created = ContentRevision.objects.get_or_create(
            revision=snapshot["revision"], defaults={"snapshot": snapshot})
        assessment.content = revision
        assessment.characteristics = characteristics
        assessment.save(update_fields=["content", "characteristics"])


def restore_snapshots(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.exclude(content=None).select_related("content"):
        snapshot = dict(assessment.content.snapshot, characteristics=assessment.characteristics)
        assessment.content_snapshot = snapshot
        assessment.content_revision = assessment.content.revision
        assessment.save(update_fields=["content_snapshot", "content_revision"])


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0002_action_updated_at'),
        ('perspectives', '0003_content_revision'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='characteristics',
            field=models.JSONField(blank=True, default=list, verbose_name='kenmerken bij afronden'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='content',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessments', to='perspectives.contentrevision', verbose_name='inhoudsversie'),
        ),
        migrations.RunPython(move_snapshots, restore_snapshots),
        migrations.RemoveField(
            model_name='assessment',
            name='content_revision',
        ),
        migrations.RemoveField(
            model_name='assessment',
            name='content_snapshot',
        ),
    ]
