from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from assessments.report import render_report_pdf


class Command(BaseCommand):
    help = "Render the PDF advice report of one assessment (for admins and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--output", "-o", required=True, help="Where to write the PDF.")

    def handle(self, *args, assessment_id: int, output: str, **options):
        try:
            assessment = Assessment.objects.select_related(
                "project", "project__municipality", "started_by", "completed_by"
            ).get(pk=assessment_id)
        except Assessment.DoesNotExist as exc:
            raise CommandError(f"Assessment {assessment_id} does not exist.") from exc
        pdf = render_report_pdf(assessment)
        Path(output).write_bytes(pdf)
        self.stdout.write(f"Wrote {len(pdf)} bytes to {output}")
