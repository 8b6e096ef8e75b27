"""Page query counts must not grow with the number of questions, answers or projects."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from perspectives.models import Perspective, Question
from perspectives.selectors import content_snapshot_forget
from waardevol.benchmark import services as benchmark_services

from .base import BaseTestCase, completed_assessment
from .test_benchmark import seed_municipalities


class QueryCountTests(BaseTestCase):
    def count_queries(self, url):
        self.client.get(url)  # the first visit of a step records it as the resume point
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def add_questions(self, perspective_number, n):
        perspective = Perspective.objects.get(number=perspective_number)
        for i in range(n):
            Question.objects.create(
                perspective=perspective, code=f"extra-{perspective_number}-{i}", order=50 + i,
                text_nl="Extra vraag?", text_en="Extra question?", help_text_nl="Hulp",
                help_text_en="Help", **{f"scale_{lvl}_nl": f"n{lvl}" for lvl in range(5)},
                **{f"scale_{lvl}_en": f"e{lvl}" for lvl in range(5)},
            )

    def test_step_results_and_overview_queries_are_constant(self):
        self.client.force_login(self.alice)
        project = self.make_project(self.utrecht, self.alice)
        assessment = Assessment.objects.create(project=project, started_by=self.alice)
        self.answer_all(assessment, self.alice)
        services.action_create(assessment=assessment, user=self.alice,
                               perspective=Perspective.objects.get(number=1),
                               description="Actie", owner="Iemand")
        urls = [
            reverse("assessments:step", args=[assessment.pk, 3]),
            reverse("assessments:step", args=[assessment.pk, 11]),
            reverse("assessments:results", args=[assessment.pk]),
            reverse("assessments:overview"),
            reverse("assessments:overview") + "?sort=-score",
        ]
        small = [self.count_queries(url) for url in urls]

        # Grow everything: more questions and answers, more projects, assessments and actions.
        self.add_questions(3, 6)
        self.add_questions(7, 4)
        self.answer_all(assessment, self.alice, score=2)
        for i in range(15):
            other = self.make_project(self.utrecht, self.alice, name=f"Project {i}")
            extra = Assessment.objects.create(project=other, started_by=self.alice)
            services.action_create(assessment=extra, user=self.alice,
                                   perspective=Perspective.objects.get(number=2),
                                   description=f"Actie {i}", owner="Iemand")
        for _ in range(3):
            services.action_create(assessment=assessment, user=self.alice,
                                   perspective=Perspective.objects.get(number=5),
                                   description="Nog een actie", owner="Iemand")
        large = [self.count_queries(url) for url in urls]
        self.assertEqual(small, large)
        self.assertTrue(all(n < 25 for n in large), large)


class LibraryQueryCountTests(BaseTestCase):
    def test_library_queries_are_constant_in_the_number_of_examples(self):
        from tests.base import completed_assessment
        from waardevol.examples import services as example_services

        def publish(i, municipality, user):
            assessment = completed_assessment(municipality, user, f"Project {i}",
                                              uses_ai=i % 2 == 0)
            example_services.example_publish(assessment=assessment, user=user,
                                             title=f"Voorbeeld {i}", description="d",
                                             include_notes=False)

        self.client.force_login(self.charlie)
        urls = [reverse("examples:library"), reverse("examples:library") + "?kenmerk=ai&q=voor"]
        publish(0, self.utrecht, self.alice)
        small = []
        for url in urls:
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url).status_code, 200)
            small.append(len(queries))
        for i in range(1, 8):
            publish(i, self.amersfoort if i % 3 else self.utrecht,
                    self.charlie if i % 3 else self.alice)
        large = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(url)
            self.assertGreater(len(response.context["library"].rows), 1)
            large.append(len(queries))
        self.assertEqual(small, large)
        self.assertTrue(all(n < 12 for n in large), large)

    def test_example_page_reads_no_assessment(self):
        from tests.base import completed_assessment
        from waardevol.examples import services as example_services

        assessment = completed_assessment(self.utrecht, self.alice)
        example = example_services.example_publish(assessment=assessment, user=self.alice,
                                                   title="V", description="d",
                                                   include_notes=False)
        self.client.force_login(self.charlie)
        url = reverse("examples:detail", args=[example.pk])
        self.client.get(url)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        self.assertNotIn("assessments_assessment", sql)
        self.assertNotIn("assessments_answer", sql)
        self.assertLess(len(queries), 10)
class BenchmarkQueryCountTests(BaseTestCase):
    """The national page and the results page's comparison: aggregates in one query each."""

    def count(self, url):
        cache.clear()  # the aggregates themselves are counted, not a cached copy
        content_snapshot_forget()  # nor a process's parsed content revisions
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_queries_do_not_grow_with_the_data(self):
        benchmark_services.participation_set(municipality=self.utrecht, opted_in=True, user=self.alice)
        completed = completed_assessment(self.utrecht, self.alice, "Wijkpanel")
        seed_municipalities(2, projects=2)
        urls = [reverse("benchmark:national"),
                reverse("benchmark:national") + "?fase=idee&kenmerk=ai&kenmerk=partners"]
        self.client.force_login(self.vng)
        small = [self.count(url) for url in urls]
        self.client.force_login(self.bob)
        small_results = self.count(reverse("assessments:results", args=[completed.pk]))
        seed_municipalities(6, first=2, projects=12)
        self.client.force_login(self.vng)
        self.assertEqual([self.count(url) for url in urls], small)
        self.client.force_login(self.bob)
        self.assertEqual(self.count(reverse("assessments:results", args=[completed.pk])),
                         small_results)
        self.assertTrue(all(n <= 12 for n in small), small)

    def test_a_cached_results_page_computes_no_aggregate(self):
        benchmark_services.participation_set(municipality=self.utrecht, opted_in=True, user=self.alice)
        completed = completed_assessment(self.utrecht, self.alice, "Wijkpanel")
        self.client.force_login(self.bob)
        url = reverse("assessments:results", args=[completed.pk])
        cache.clear()
        with CaptureQueriesContext(connection) as uncached:
            self.client.get(url)
        with CaptureQueriesContext(connection) as cached:
            self.client.get(url)

        def aggregates(queries):
            return [q for q in queries if "percentile_cont" in q["sql"] or "ROW_NUMBER" in q["sql"]]

        self.assertEqual(len(aggregates(uncached)), 1)
        self.assertEqual(aggregates(cached), [])
