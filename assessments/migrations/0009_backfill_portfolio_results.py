"""Copy the portfolio's columns out of the frozen results of assessments completed before them.

Reads only the stored result JSON (as services.perspective_results_of does at completion), in
batches, so a large installation does not hold every result in memory at once.
"""

from django.db import migrations

BATCH = 500


def backfill(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    PerspectiveResult = apps.get_model("assessments", "PerspectiveResult")
    done = set(PerspectiveResult.objects.values_list("assessment_id", flat=True).distinct())
    completed = (Assessment.objects.filter(status="afgerond", result__isnull=False)
                 .order_by("pk").values_list("pk", flat=True))
    ids = [pk for pk in completed if pk not in done]
    for start in range(0, len(ids), BATCH):
        rows, counts = [], {}
        for assessment in Assessment.objects.filter(pk__in=ids[start:start + BATCH]).only(
                "pk", "result"):
            result = assessment.result or {}
            counts[assessment.pk] = len(result.get("unmet") or ())
            rows += [PerspectiveResult(assessment_id=assessment.pk, number=int(number),
                                       score=data.get("score"), band=data.get("band") or "")
                     for number, data in (result.get("perspectives") or {}).items()]
        PerspectiveResult.objects.bulk_create(rows)
        for count in set(counts.values()) - {0}:
            Assessment.objects.filter(
                pk__in=[pk for pk, n in counts.items() if n == count]).update(
                unmet_minimum_count=count)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0008_portfolio_result_columns")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
