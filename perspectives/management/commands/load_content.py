from django.core.management.base import BaseCommand

from perspectives.services import content_load


class Command(BaseCommand):
    help = ("Load the processes, perspectives, questions, advice, instruments and public values "
            "from fixtures/content/ (a new release retires the previous release's questions).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--update", action="store_true",
            help="Overwrite existing content with the fixture texts (undoes editors' changes).",
        )

    def handle(self, *args, update: bool = False, **options):
        result = content_load(update=update)
        self.stdout.write(
            f"Content: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} left as they were"
            + (f", {result.retired} questions of the previous release retired." if result.retired
               else ".")
        )
