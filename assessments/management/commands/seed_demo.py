"""Demo data: a municipality with a bewerker, a lezer and a VNG editor, and a few projects.

Idempotent: running it again changes nothing that is already there.
"""

import time
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from assessments import readmodel, services
from assessments.management.bulk import bulk_seed
from assessments.models import AnswerKind, Assessment, Municipality, Project, Role, Status
from perspectives.models import Perspective, Question
from waardevol.accounts import services as accounts_services
from waardevol.benchmark import services as benchmark_services
from waardevol.examples import services as example_services
from waardevol.examples.models import PublishedExample

# Other municipalities for the national comparison, so that the demo shows its figures (a figure
# needs five municipalities): small, opted in, their assessments spread over three years.
BENCHMARK_PEERS = 6
BENCHMARK_PEER_PROJECTS = 16
BENCHMARK_PEER_CODE = 7000
DEMO_PEER_NAMES = ("Noord", "Oost", "Zuid", "West", "Midden", "Kust")

DEMO_PASSWORD = "waardevol-demo"
DEMO_USERS = [
    # username, first, last, role (None = VNG editor without municipality), is_manager
    ("bewerker", "Bea", "Bewerker", Role.EDITOR, True),
    ("lezer", "Lex", "Lezer (wethouder)", Role.READER, False),
    ("vng", "Vera", "VNG-beheerder", None, False),
]


def _demo_answer(index: int) -> services.AnswerValues:
    """A varied but deterministic answer, with notes, 'weet ik niet' and a reasoned n.v.t."""
    pattern = [3, 2, 4, 1, 3, 0, 2, 4, 3, 2, 1, 3]
    if index % 11 == 5:
        return services.AnswerValues(AnswerKind.UNKNOWN, note="Navragen bij de leverancier.")
    if index % 13 == 7:
        return services.AnswerValues(AnswerKind.NOT_APPLICABLE,
                                     na_reason="Speelt in deze fase van het project nog niet.")
    note = "Vastgelegd in het projectplan." if index % 3 == 0 else ""
    return services.AnswerValues(AnswerKind.SCORE, score=pattern[index % len(pattern)], note=note)


class Command(BaseCommand):
    help = "Create a demo municipality, users and projects (idempotent); optionally bulk data."

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=0,
                            help="Also create this many bulk municipalities (for load tests).")
        parser.add_argument("--projects", type=int, default=20,
                            help="Projects per bulk municipality, each with assessments.")
        parser.add_argument("--address", default="http://127.0.0.1:8000",
                            help="Where the site runs, for the login address it prints "
                                 "(`make run` passes its HOST and PORT).")

    def handle(self, *args, municipalities: int = 0, projects: int = 20,
               address: str = "http://127.0.0.1:8000", **options):
        self._demo(address.rstrip("/"))
        if municipalities:
            started = time.perf_counter()
            result = bulk_seed(municipalities=municipalities, projects=projects,
                               password=DEMO_PASSWORD)
            self.stdout.write(
                f"Bulk data: {result.municipalities} municipalities, {result.projects} projects, "
                f"{result.assessments} assessments, {result.answers} answers in "
                f"{time.perf_counter() - started:.1f} s (logins bench0001-bewerker etc., "
                f"password {DEMO_PASSWORD})."
            )

    @transaction.atomic
    def _demo(self, address: str):
        municipality, _ = Municipality.objects.get_or_create(
            cbs_code="GM9999", defaults={"name": "Demogemeente Waardevol"}
        )
        users = {}
        User = get_user_model()
        for username, first, last, role, manager in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last,
                          "email": f"{username}@demo.waardevol.invalid"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                if role is None:
                    user.is_staff = True
                user.save()
                if role is None:
                    user.groups.add(Group.objects.get(name="VNG-beheerder"))
                else:
                    accounts_services.membership_create(user=user, municipality=municipality, role=role,
                                               is_manager=manager)
            users[username] = user
        if not Question.objects.exists():
            self.stderr.write("No content loaded: run `manage.py load_content` first.")
            return
        editor = users["bewerker"]
        self._completed_project(municipality, editor)
        self._concept_project(municipality, editor)
        if not Project.objects.filter(municipality=municipality,
                                      name="Living lab Stationsplein").exists():
            services.project_create(
                municipality=municipality, owner=editor, name="Living lab Stationsplein",
                description="Proef met sensoren voor drukte en luchtkwaliteit op het "
                            "Stationsplein, samen met de hogeschool.",
                phase="idee", is_experiment=True, in_public_space=True, involves_partners=True,
                citizens_participate=True, citizens_affected=True,
            )
        self._benchmark_peers(municipality, editor)
        self._example()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Log in at "
                                             f"{address}/account/login/ with:"))
        for username, _first, _last, role, _manager in DEMO_USERS:
            label = role.label if role else "VNG-beheerder (admin: /beheer/)"
            self.stdout.write(f"  {username:<10} / {DEMO_PASSWORD}   ({label})")

    def _benchmark_peers(self, municipality, editor):
        bulk_seed(municipalities=BENCHMARK_PEERS, projects=BENCHMARK_PEER_PROJECTS,
                  password=DEMO_PASSWORD, first_code=BENCHMARK_PEER_CODE, prefix="landelijk",
                  spread_days=3 * 365)
        peers = Municipality.objects.filter(cbs_code__in=[
            f"GM{BENCHMARK_PEER_CODE + n:04d}" for n in range(BENCHMARK_PEERS)])
        # Fictitious names, so that the demo's library and benchmark read as a municipality would
        # see them (the bulk data's "Benchgemeente 0001" is for load tests).
        for n, peer in enumerate(peers.order_by("cbs_code")):
            peer_name = f"Demogemeente {DEMO_PEER_NAMES[n % len(DEMO_PEER_NAMES)]}"
            if peer.name != peer_name:
                Municipality.objects.filter(pk=peer.pk).update(name=peer_name)
        for participant in [municipality, *peers]:
            if not hasattr(participant, "benchmark_participation"):
                # The demo municipality's beheerder chose it, as its history then says.
                benchmark_services.participation_set(
                    municipality=participant, opted_in=True,
                    user=editor if participant == municipality else None)

    def _example(self):
        """One published example from another municipality, so the library is not empty."""
        if PublishedExample.objects.exists():
            return
        source = (Assessment.objects.filter(
            status=Status.COMPLETED, project__uses_ai=True,
            project__municipality__cbs_code=f"GM{BENCHMARK_PEER_CODE:04d}")
            .select_related("completed_by").order_by("pk").first())
        if source is None:
            return
        example_services.example_publish(
            assessment=source, user=source.completed_by,
            title="Chatbot voor vragen over afval en grofvuil",
            description="Een chatbot op de website die vragen over afvalinzameling beantwoordt. "
                        "We leerden vooral van de DPIA-pre-scan en van het gesprek met de "
                        "leverancier over het gebruik van de gesprekken.",
            include_notes=False)

    def _answer_all(self, assessment, user, limit=None):
        result = readmodel.assessment_result(assessment)
        applicable = [q for q in result.questions if q.applicable][:limit]
        for index, view in enumerate(applicable):
            services.answer_save(assessment=assessment, question=Question.objects.get(pk=view.id),
                                 user=user, values=_demo_answer(index),
                                 base_version=view.answer.version if view.answer else 0)

    def _completed_project(self, municipality, editor):
        name = "Slimme lantaarnpalen Centrum"
        if Project.objects.filter(municipality=municipality, name=name).exists():
            return
        project = services.project_create(
            municipality=municipality, owner=editor, name=name,
            description="Lantaarnpalen met sensoren die licht dimmen en drukte meten in het "
                        "centrum, met een externe leverancier.",
            phase="experiment", is_experiment=True, in_public_space=True,
            processes_personal_data=True, citizens_affected=True, involves_partners=True,
        )
        assessment = services.assessment_start(project=project, user=editor, language="nl")
        self._answer_all(assessment, editor)
        services.assessment_complete(assessment=assessment, user=editor)
        perspectives = {p.number: p for p in Perspective.objects.all()}
        today = date.today()
        services.action_create(
            assessment=assessment, user=editor, perspective=perspectives[4],
            description="Informatieborden plaatsen en een meldpunt openen voor bewoners.",
            owner="Projectleider openbare ruimte", due_date=today + timedelta(days=30),
        )
        services.action_create(
            assessment=assessment, user=editor, perspective=perspectives[7],
            description="DPIA laten uitvoeren voor de drukte-sensoren.",
            owner="Privacy officer", due_date=today + timedelta(days=60), status="bezig",
        )

    def _concept_project(self, municipality, editor):
        name = "Chatbot Burgerzaken"
        if Project.objects.filter(municipality=municipality, name=name).exists():
            return
        project = services.project_create(
            municipality=municipality, owner=editor, name=name,
            description="Een chatbot die vragen over paspoorten en verhuizingen beantwoordt.",
            phase="implementatie", processes_personal_data=True, uses_ai=True,
            citizens_affected=True, has_public_channel=True, involves_partners=True,
        )
        assessment = services.assessment_start(project=project, user=editor, language="nl")
        self._answer_all(assessment, editor, limit=14)
        services.assessment_set_step(assessment=assessment, step=4)
