"""The constraint itself, after 0006 resolved the extra concepts.

A separate migration: on PostgreSQL an index cannot be built in the transaction that just deleted
rows with deferred foreign-key checks still pending.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('assessments', '0006_one_concept_per_project'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'concept')), fields=('project',), name='one_concept_per_project'),
        ),
    ]
