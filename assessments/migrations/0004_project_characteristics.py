"""Project characteristics that each mean one thing (questionnaire release 2026-11).

"Gebruikt algoritmes of AI" becomes "algoritme dat besluiten over mensen beïnvloedt" and "gebruikt
AI"; "betrekt burgers direct" becomes "inwoners denken of doen mee" and "raakt inwoners direct";
"vindt plaats in de publieke ruimte / is een living lab" becomes "in de openbare ruimte" and
"experiment, pilot of living lab"; "website, app of chatbot voor inwoners" is new. Existing
projects keep the stricter reading: a project that ticked an old box gets both new ones, so no
question (and no minimum requirement) silently stops applying; a project in its pilot phase is an
experiment too. Project leaders can untick what does not fit.
"""

from django.db import migrations, models


def split_characteristics(apps, schema_editor):
    Project = apps.get_model("assessments", "Project")
    Project.objects.filter(uses_impactful_algorithm=True).update(uses_ai=True)
    Project.objects.filter(citizens_participate=True).update(citizens_affected=True)
    Project.objects.filter(phase="experiment").update(is_experiment=True)
    Project.objects.filter(in_public_space=True).update(is_experiment=True)


def merge_characteristics(apps, schema_editor):
    Project = apps.get_model("assessments", "Project")
    Project.objects.filter(uses_ai=True).update(uses_impactful_algorithm=True)
    Project.objects.filter(citizens_affected=True).update(citizens_participate=True)


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0003_freeze_content_by_revision'),
    ]

    operations = [
        migrations.RenameField(model_name='project', old_name='uses_algorithms',
                               new_name='uses_impactful_algorithm'),
        migrations.RenameField(model_name='project', old_name='involves_citizens',
                               new_name='citizens_participate'),
        migrations.AddField(model_name='project', name='is_experiment',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='project', name='uses_ai',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='project', name='citizens_affected',
                            field=models.BooleanField(default=False)),
        migrations.AddField(model_name='project', name='has_public_channel',
                            field=models.BooleanField(default=False)),
        migrations.RunPython(split_characteristics, merge_characteristics),
    ]
