import functools
import threading
from unittest import skipUnless

from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import connection, connections
from django.forms import DateTimeField, SplitDateTimeField
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from reversion.models import Version

from perspectives.models import Advice, Instrument, Perspective, Process, PublicValue, Question
from waardevol.admin_guards import (
    INLINE_NEW_ROWS_MAX,
    GuardedAdminMixin,
    validate_datetime_year,
)

from .base import PASSWORD, BaseTestCase, recorded_sql
from .htmlforms import form_data

CONTENT = [Process, Perspective, Question, Advice, PublicValue]


class VngEditorAdminTests(BaseTestCase):
    def setUp(self):
        self.client.force_login(self.vng)

    def _change_url(self, obj):
        return reverse(f"admin:perspectives_{obj._meta.model_name}_change", args=[obj.pk])

    def _edit_and_save(self, obj, field, value):
        url = self._change_url(obj)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        data = form_data(page.content.decode(), form_id=f"{obj._meta.model_name}_form")
        data[field] = value
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None)
                         and response.context.get("errors"))
        obj.refresh_from_db()
        return obj

    def test_editor_can_edit_and_save_each_content_type(self):
        edits = [
            (Process.objects.get(code="waarderen"), "title_en", "Valuing (edited)"),
            (Perspective.objects.get(number=2), "summary_nl", "Nieuwe samenvatting."),
            (Question.objects.get(code="3.1"), "help_text_en", "Better help text."),
            (Advice.objects.filter(perspective__number=5).first(), "text_nl", "Nieuw *advies*."),
            (PublicValue.objects.get(code="privacy"), "description_en", "Edited."),
            (Instrument.objects.get(code="dpia"), "purpose_nl", "Nieuwe omschrijving."),
        ]
        for obj, field, value in edits:
            with self.subTest(model=obj._meta.model_name):
                saved = self._edit_and_save(obj, field, value)
                self.assertEqual(getattr(saved, field), value)
                versions = Version.objects.get_for_object(saved)
                self.assertEqual(versions[0].revision.user, self.vng)

    def test_perspective_page_lists_its_questions_as_links_and_stacks_its_advice(self):
        perspective = Perspective.objects.get(number=4)
        response = self.client.get(self._change_url(perspective))
        html = response.content.decode()
        self.assertIn('name="title_nl"', html)
        self.assertIn('name="title_en"', html)
        # Questions are edited on their own page, not inline.
        self.assertNotIn('name="questions-0-text_en"', html)
        for question in perspective.questions.all():
            self.assertIn(reverse("admin:perspectives_question_change", args=[question.pk]),
                          html)
        self.assertIn(reverse("admin:perspectives_question_add") + f"?perspective={perspective.pk}",
                      html)
        risks = self.client.get(self._change_url(Perspective.objects.get(number=7)))
        self.assertContains(risks, "minimumeis vanaf niveau 3 (Art. 35 en 36 AVG)")
        self.assertIn('name="advice-0-text_nl"', html)
        self.assertNotIn("tabular", html.split('id="advice-group"')[1][:400])
        self.assertIn('class="viewsitelink"', html)
        self.assertIn(reverse("admin:perspectives_publication_preview_perspective", args=[4]),
                      html)
        self.assertEqual(perspective.get_absolute_url(), "/#perspectief-4")

    def test_explanations_and_advice_show_a_markdown_preview(self):
        perspective = Perspective.objects.get(number=1)
        perspective.explanation_nl = "Een *nadruk* en\n\n- een lijst"
        perspective.save()
        html = self.client.get(self._change_url(perspective)).content.decode()
        self.assertIn("<em>nadruk</em>", html)
        self.assertIn("<li>een lijst</li>", html)
        advice = Advice.objects.get(perspective=perspective, band="aandacht")
        advice.text_nl = "**Vet** advies <script>alert(1)</script>"
        advice.save()
        html = self.client.get(self._change_url(advice)).content.decode()
        self.assertIn("<strong>Vet</strong> advies", html)
        self.assertNotIn("<script>alert(1)", html)

    def test_links_to_public_values_and_instruments_are_checkboxes(self):
        html = self.client.get(self._change_url(Question.objects.get(code="7.5"))).content.decode()
        self.assertIn('type="checkbox" name="public_values"', html)
        self.assertIn('type="checkbox" name="instruments"', html)
        self.assertNotIn("selectfilter", html)

    def test_question_page_shows_its_basis_in_the_report_and_in_law(self):
        question = Question.objects.get(code="7.5")
        html = self.client.get(self._change_url(question)).content.decode()
        self.assertIn("Tekst van de zichtlijn in het rapport", html)
        self.assertIn("Heb oog voor de risico", html)  # the perspective's own text
        self.assertIn('name="report_basis_nl"', html)
        self.assertIn("Zichtlijn 7", html)
        self.assertIn('name="legal_basis_nl"', html)
        self.assertIn("Art. 35 en 36 AVG", html)
        self.assertIn('name="applies_when" value="personal_data"', html)
        self.assertIn('name="next_step_0_role"', html)

    def test_editor_makes_a_question_a_minimum_requirement_only_with_basis_and_action(self):
        question = Question.objects.get(code="1.1")
        url = self._change_url(question)
        data = form_data(self.client.get(url).content.decode(), form_id="question_form")
        data["minimum_level"] = "3"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)  # the form is shown again with errors
        self.assertContains(response, "Verplicht bij een minimumeis.")
        data.update(legal_basis_nl="Art. 35 AVG", legal_basis_en="Article 35 GDPR",
                    basis_kind="law", minimum_action_nl="Doe eerst een pre-scan.",
                    minimum_action_en="Do a pre-scan first.")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        question.refresh_from_db()
        self.assertEqual(question.minimum_level, 3)

    def test_history_shows_who_changed_and_can_revert(self):
        perspective = Perspective.objects.get(number=1)
        original = perspective.title_nl
        self._edit_and_save(perspective, "title_nl", "Tijdelijke titel")
        history = self.client.get(
            reverse("admin:perspectives_perspective_history", args=[perspective.pk])
        )
        self.assertContains(history, "vng")
        oldest = Version.objects.get_for_object(perspective).order_by("pk").first()
        revert_url = reverse("admin:perspectives_perspective_revision",
                             args=[perspective.pk, oldest.pk])
        page = self.client.get(revert_url)
        self.assertEqual(page.status_code, 200)
        response = self.client.post(
            revert_url, form_data(page.content.decode(), form_id="perspective_form")
        )
        self.assertEqual(response.status_code, 302)
        perspective.refresh_from_db()
        self.assertEqual(perspective.title_nl, original)

    def test_changelists_search_and_filter(self):
        url = reverse("admin:perspectives_perspective_changelist")
        process = Process.objects.get(code="experimenteren")
        response = self.client.get(url, {"process__id__exact": process.pk})
        self.assertContains(response, "Regel de ethiek van het living lab")
        self.assertNotContains(response, "Innoveer vanuit maatschappelijk")
        response = self.client.get(reverse("admin:perspectives_question_changelist"),
                                   {"q": "4.3"})
        self.assertEqual(response.status_code, 200)
        # Columns an editor can read beside the filters on a laptop (the perspective is in the code).
        self.assertNotContains(response, 'class="field-perspective')
        self.assertContains(response, 'class="field-active"')
        # Yes/no icons say so in Dutch to a screen reader (Django's own alt is "True").
        for url in (reverse("admin:perspectives_question_changelist"),
                    reverse("admin:perspectives_instrument_changelist")):
            with self.subTest(url=url):
                listing = self.client.get(url)
                self.assertContains(listing, 'alt="ja"')
                self.assertNotContains(listing, 'alt="True"')
                self.assertNotContains(listing, 'alt="False"')

    def test_question_with_answers_cannot_be_deleted(self):
        from assessments import services
        from assessments.models import AnswerKind

        project = self.make_project(self.utrecht, self.alice)
        assessment = services.assessment_start(project=project, user=self.alice, language="nl")
        question = Question.objects.get(code="1.1")
        services.answer_save(assessment=assessment, question=question, user=self.alice,
                             values=services.AnswerValues(AnswerKind.SCORE, score=2),
                             base_version=0)
        self.client.force_login(User.objects.create_superuser("root", "r@example.org", "x" * 12))
        url = reverse("admin:perspectives_question_delete", args=[question.pk])
        self.client.post(url, {"post": "yes"})
        self.assertTrue(Question.objects.filter(pk=question.pk).exists())

    def test_no_content_can_be_deleted_not_even_by_a_superuser(self):
        root = User.objects.create_superuser("root", "r@example.org", "x" * 12)
        for user in (self.vng, root):
            self.client.force_login(user)
            for model in [*CONTENT, Instrument]:
                obj = model.objects.first()
                name = model._meta.model_name
                with self.subTest(user=user.username, model=name):
                    change = self.client.get(self._change_url(obj))
                    self.assertNotContains(change, "deletelink")
                    changelist = self.client.get(
                        reverse(f"admin:perspectives_{name}_changelist"))
                    self.assertNotContains(changelist, "delete_selected")
                    delete = reverse(f"admin:perspectives_{name}_delete", args=[obj.pk])
                    self.assertEqual(self.client.post(delete, {"post": "yes"}).status_code, 403)
                    self.assertTrue(model.objects.filter(pk=obj.pk).exists())
        self.assertFalse(self.vng.groups.first().permissions.filter(
            codename__startswith="delete_").exists())

    def test_an_editor_sees_waardevol_and_dutch_only(self):
        pages = [
            reverse("admin:index"),
            reverse("admin:perspectives_perspective_changelist"),
            self._change_url(Perspective.objects.get(number=1)),
            self._change_url(Question.objects.get(code="7.5")),
            self._change_url(Advice.objects.first()),
            reverse("admin:perspectives_perspective_history",
                    args=[Perspective.objects.get(number=1).pk]),
            reverse("admin:perspectives_publication_changelist"),
            reverse("admin:perspectives_publication_publish"),
            reverse("admin:examples_publishedexample_changelist"),
        ]
        for url in pages:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                html = response.content.decode()
                self.assertIn("Waardevol", html)
                for unwanted in ("Django", "Choose ", "Loaded from", "Delete", "deletelink",
                                 "Herstel verwijderde", "selectfilter",
                                 # a screen reader's column headings on the index (Django 5.2's
                                 # Dutch lacks them: locale/nl)
                                 "Model name", "Add link", "Change or view list link"):
                    self.assertNotIn(unwanted, html)

    def test_the_history_of_loaded_content_is_in_dutch(self):
        from django.utils import translation

        from perspectives.services import content_load

        perspective = Perspective.objects.get(number=1)
        Perspective.objects.filter(pk=perspective.pk).update(title_nl="Anders")
        with translation.override("en"):
            content_load(update=True)
        history = self.client.get(
            reverse("admin:perspectives_perspective_history", args=[perspective.pk]))
        self.assertContains(history, "Geladen uit de inhoudsbestanden")
        self.assertNotContains(history, "Loaded from")

    def test_editor_cannot_reach_user_or_municipality_administration(self):
        for name in ["admin:auth_user_changelist", "admin:auth_group_changelist",
                     "admin:assessments_municipality_changelist",
                     "admin:assessments_project_changelist"]:
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(name)).status_code, 403)
        index = self.client.get(reverse("admin:index")).content.decode()
        self.assertNotIn("auth/user", index)
        self.assertIn("perspectives/perspective", index)

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        response = self.client.get(reverse("admin:perspectives_perspective_changelist"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/login/", response["Location"])

    def test_municipal_editor_without_staff_cannot_use_admin(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("admin:perspectives_perspective_changelist"))
        self.assertEqual(response.status_code, 302)


class AdminGuardTests(BaseTestCase):
    """What Django's admin passes to the database unchecked gives a message or an error on the
    form, never a 500 (waardevol/admin_guards.py; found by fuzzing every admin page)."""

    HUGE = "9" * 25

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.root = User.objects.create_superuser("root", "root@example.org", PASSWORD)

    def get(self, user, url, params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def test_every_registered_admin_is_guarded(self):
        self.assertGreater(len(admin.site._registry), 10)
        for model, model_admin in admin.site._registry.items():
            self.assertIsInstance(model_admin, GuardedAdminMixin, model)

    def test_a_date_and_time_outside_the_readable_years_is_an_error_on_the_form(self):
        """01-01-0001 00:00 in Amsterdam is year 0 in UTC: stored, it made every later read of
        the user a 500 on PostgreSQL."""
        user = User.objects.get(pk=self.bob.pk)
        url = reverse("admin:auth_user_change", args=[user.pk])
        self.client.force_login(self.root)
        data = form_data(self.client.get(url).content.decode(), form_id="user_form")
        before = user.last_login
        for day in ("01-01-0001", "31-12-9999", "31-12-1899"):
            with self.subTest(day=day):
                data.update({"last_login_0": day, "last_login_1": "00:00:00"})
                response = self.client.post(url, data)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Kies een jaar van 1900 tot en met 9998.")
        user.refresh_from_db()
        self.assertEqual(user.last_login, before)
        self.assertEqual(self.client.get(reverse("admin:auth_user_changelist")).status_code, 200)
        data.update({"last_login_0": "24-11-2026", "last_login_1": "09:30:00"})
        self.assertRedirects(self.client.post(url, data), reverse("admin:auth_user_changelist"))
        user.refresh_from_db()
        self.assertEqual((user.last_login.year, user.last_login.month), (2026, 11))

    def test_every_date_and_time_an_admin_form_edits_is_bounded(self):
        """The year guard sits on every registered admin (guard_every_admin) but not on their
        inlines: none edits a date and time today, and this test notices one that does."""
        request = RequestFactory().get("/beheer/")
        request.user = self.root
        for model, model_admin in admin.site._registry.items():
            obj = model._default_manager.first()  # a change form differs from the add form
            forms = [model_admin.get_form(request), model_admin.get_form(request, obj)]
            forms += [inline.get_formset(request, obj).form
                      for inline in model_admin.get_inline_instances(request, obj)]
            for form in forms:
                for name, field in form.base_fields.items():
                    if isinstance(field, DateTimeField | SplitDateTimeField):
                        with self.subTest(model=model.__name__, field=name):
                            self.assertIn(validate_datetime_year, field.validators)

    def test_no_one_reads_a_users_second_factor_in_the_admin(self):
        device = TOTPDevice.objects.create(user=self.bob, name="telefoon")
        static = StaticDevice.objects.create(user=self.bob, name="herstelcodes")
        static.token_set.create(token="herstel-1234")
        self.client.force_login(self.root)
        for pk in (device.pk, 0, self.HUGE):
            for view in ("config", "qrcode"):
                with self.subTest(pk=pk, view=view):
                    response = self.client.get(f"/beheer/otp_totp/totpdevice/{pk}/{view}/")
                    self.assertIn(response.status_code, (403, 404))
        page = self.client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, device.key)
        page = self.client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "herstel-1234")
        # Nor does anyone make one for someone else: the add form would show its key.
        for name in ("admin:otp_totp_totpdevice_add", "admin:otp_static_staticdevice_add"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 403)

    def test_a_selection_that_cannot_be_a_row_is_told(self):
        changelists = [(self.vng, "admin:examples_publishedexample_changelist", "withdraw"),
                       (self.root, "admin:assessments_membership_changelist", "delete_selected"),
                       (self.root, "admin:auth_group_changelist", "delete_selected")]
        for user, name, action in changelists:
            for selected in ("x", "", self.HUGE, "-1"):
                with self.subTest(name=name, selected=selected):
                    self.client.force_login(user)
                    response = self.client.post(reverse(name), {
                        "action": action, "_selected_action": selected, "index": "0"},
                        follow=True)
                    self.assertEqual(response.status_code, 200)
                    messages = [str(m) for m in response.context["messages"]]
                    self.assertTrue(any("selectie" in m or "geselecteerd" in m
                                        for m in messages), messages)

    def test_filter_values_the_database_cannot_hold_show_the_list_unfiltered(self):
        cases = [(self.vng, "admin:perspectives_question_changelist", {"id__in": self.HUGE}),
                 (self.root, "admin:assessments_project_changelist",
                  {"created_at__year": self.HUGE}),
                 (self.root, "admin:audit_auditevent_changelist", {"created_at__year": "9999"}),
                 (self.root, "admin:audit_auditevent_changelist",
                  {"created_at__year": "9999", "created_at__month": "12"})]
        for user, name, params in cases:
            with self.subTest(name=name, params=params):
                response = self.get(user, reverse(name), params)
                if connection.vendor == "postgresql" and "id__in" in params:
                    # PostgreSQL compares the number as it is: no row matches, an empty list.
                    self.assertContains(response, "0 vragen")
                else:
                    self.assertRedirects(response, reverse(name) + "?e=1")

    def test_a_search_is_cut_to_a_sensible_length(self):
        url = reverse("admin:perspectives_question_changelist")
        response = self.get(self.vng, url, {"q": "A" * 100_000})
        self.assertEqual(response.status_code, 200)
        response = self.get(self.vng, url, {"q": "DPIA " + " ".join(["x"] * 500)})
        self.assertEqual(response.status_code, 200)

    def test_a_link_to_content_that_cannot_exist_is_a_form_error(self):
        perspective = Perspective.objects.get(number=1)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        self.client.force_login(self.vng)
        data = form_data(self.client.get(url).content.decode(), form_id="perspective_form")
        data["public_values"] = self.HUGE
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "errorlist")

    def test_a_second_advice_for_a_band_is_a_form_error(self):
        perspective = Perspective.objects.get(number=1)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        self.client.force_login(self.vng)
        data = form_data(self.client.get(url).content.decode(), form_id="perspective_form")
        # The stored advice posted as new rows (as a colleague's addition meanwhile would be).
        data["advice-INITIAL_FORMS"] = "0"
        for key in [k for k in data if k.startswith("advice-") and k.endswith("-id")]:
            data[key] = ""
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Er is al een advies voor deze scoreband.")
        self.assertEqual(Advice.objects.filter(perspective=perspective).count(), 3)

    def test_an_inline_builds_no_more_forms_than_stored_rows_and_fifty(self):
        url = reverse("admin:assessments_municipality_change", args=[self.utrecht.pk])
        self.client.force_login(self.root)
        data = form_data(self.client.get(url).content.decode(), form_id="municipality_form")
        stored = self.utrecht.memberships.count()
        self.assertGreater(stored, 0)
        data["memberships-TOTAL_FORMS"] = "1000"
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        formset = next(f.formset for f in response.context["inline_admin_formsets"]
                       if f.formset.prefix == "memberships")
        self.assertEqual(len(formset.forms), stored + INLINE_NEW_ROWS_MAX)
        self.assertIn(f"maximaal {stored + INLINE_NEW_ROWS_MAX}",
                      " ".join(formset.non_form_errors()))
        # The form as it was loaded still saves: the limit counts the stored rows.
        data["memberships-TOTAL_FORMS"] = str(stored)
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("admin:assessments_municipality_changelist"))

    def _sql_of(self, request):
        with recorded_sql() as sql:
            response = request()
        return response, sql

    def _assert_locked_before_writes(self, sql):
        writes = [i for i, q in enumerate(sql) if q.startswith(("UPDATE", "INSERT"))]
        self.assertTrue(writes)
        if connection.vendor == "postgresql":
            locks = [i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q]
            self.assertTrue(locks, "the content is not locked")
            self.assertLess(locks[0], writes[0])
        else:
            # SQLite: every transaction takes the database's one write lock when it begins.
            self.assertEqual(connection.settings_dict["OPTIONS"]["transaction_mode"],
                             "IMMEDIATE")

    def test_content_edits_take_turns_with_one_lock_before_they_write(self):
        """A save, a revert and a history preview (which reverts the whole revision and rolls
        it back) wrote rows in orders of their own, and side by side PostgreSQL ended one with
        a deadlock (a 500, the edit lost). Each takes the content lock before its first write."""
        perspective = Perspective.objects.get(number=1)
        url = reverse("admin:perspectives_perspective_change", args=[perspective.pk])
        self.client.force_login(self.vng)
        data = form_data(self.client.get(url).content.decode(), form_id="perspective_form")
        data["advice-0-text_nl"] = data["advice-0-text_nl"] + " Bewerkt."
        response, sql = self._sql_of(lambda: self.client.post(url, data))
        self.assertRedirects(response, reverse("admin:perspectives_perspective_changelist"))
        self._assert_locked_before_writes(sql)

        version = Version.objects.get_for_object(perspective).last()
        revision_url = reverse("admin:perspectives_perspective_revision",
                               args=[perspective.pk, version.pk])
        preview, sql = self._sql_of(lambda: self.client.get(revision_url))
        self.assertEqual(preview.status_code, 200)
        self._assert_locked_before_writes(sql)
        perspective.refresh_from_db()
        self.assertTrue(perspective.advice.filter(text_nl__endswith=" Bewerkt.").exists(),
                        "a preview changed the content")

        revert = form_data(preview.content.decode(), form_id="perspective_form")
        response, sql = self._sql_of(lambda: self.client.post(revision_url, revert))
        self.assertEqual(response.status_code, 302)
        self._assert_locked_before_writes(sql)
        self.assertFalse(perspective.advice.filter(text_nl__endswith=" Bewerkt.").exists())

    def test_a_history_preview_asks_for_permission_before_it_reverts(self):
        """django-reversion reverted the revision and only then found in the change form that
        the user may not see it: a staff user without any right made writes (rolled back)."""
        perspective = Perspective.objects.get(number=1)
        version = Version.objects.get_for_object(perspective).last()
        url = reverse("admin:perspectives_perspective_revision",
                      args=[perspective.pk, version.pk])
        nobody = User.objects.create_user("staff-zonder-rechten", password=PASSWORD,
                                          is_staff=True)
        self.client.force_login(nobody)
        for method in (self.client.get, self.client.post):
            with self.subTest(method=method.__name__):
                response, sql = self._sql_of(functools.partial(method, url))
                self.assertEqual(response.status_code, 403)
                writes = [q for q in sql if q.startswith(("UPDATE", "INSERT", "DELETE"))
                          and '"perspectives_' in q]
                self.assertEqual(len(writes), 0, writes[:1])

    def test_a_revert_puts_back_its_own_object_and_inline_rows_only(self):
        """The first version of every text is the load's revision of all 118: reverting one
        perspective to it put back every text editors had changed since, anywhere."""
        perspective = Perspective.objects.get(number=1)
        load = Version.objects.get_for_object(perspective).last()
        self.assertGreater(load.revision.version_set.count(), 100)
        question = Question.objects.get(code="5.1")
        question.text_nl += " Bewerkt."
        question.save()
        other = Perspective.objects.get(number=2)
        other.summary_nl += " Bewerkt."
        other.save()
        advice = perspective.advice.get(band="aandacht")
        advice.text_nl += " Bewerkt."
        advice.save()
        perspective.summary_nl += " Bewerkt."
        perspective.save()
        url = reverse("admin:perspectives_perspective_revision", args=[perspective.pk, load.pk])
        self.client.force_login(self.vng)
        preview, sql = self._sql_of(lambda: self.client.get(url))
        self.assertEqual(preview.status_code, 200)
        written = {q.split('"')[1] for q in sql if q.startswith(("UPDATE", "INSERT"))
                   and '"perspectives_' in q}
        self.assertEqual(written, {"perspectives_perspective", "perspectives_advice"})
        self.assertNotContains(preview, " Bewerkt.")  # the old version is what it shows
        response = self.client.post(url, form_data(preview.content.decode(),
                                                   form_id="perspective_form"))
        self.assertEqual(response.status_code, 302)
        for obj in (perspective, advice, question, other):
            obj.refresh_from_db()
        self.assertFalse(perspective.summary_nl.endswith(" Bewerkt."))
        self.assertFalse(advice.text_nl.endswith(" Bewerkt."))
        self.assertTrue(question.text_nl.endswith(" Bewerkt."), "another text was reverted")
        self.assertTrue(other.summary_nl.endswith(" Bewerkt."), "another text was reverted")

    def test_a_view_only_editor_sees_an_old_version_but_cannot_revert_to_it(self):
        perspective = Perspective.objects.get(number=1)
        version = Version.objects.get_for_object(perspective).last()
        url = reverse("admin:perspectives_perspective_revision",
                      args=[perspective.pk, version.pk])
        reader = User.objects.create_user("alleen-lezen", password=PASSWORD, is_staff=True)
        reader.user_permissions.add(Permission.objects.get(codename="view_perspective"))
        self.client.force_login(reader)
        self.assertEqual(self.client.get(url).status_code, 200)
        response, sql = self._sql_of(functools.partial(self.client.post, url, {}))
        self.assertEqual(response.status_code, 403)
        self.assertEqual([q for q in sql if q.startswith(("UPDATE", "INSERT", "DELETE"))
                          and '"perspectives_' in q], [])

    @skipUnless(connection.vendor == "postgresql", "an advisory lock of PostgreSQL")
    def test_a_second_content_writer_waits_for_the_first(self):
        from perspectives.services import CONTENT_LOCK_KEY, content_locked

        taken = []

        def other_writer():
            try:
                with connections["default"].cursor() as cursor:
                    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CONTENT_LOCK_KEY])
                    taken.append(cursor.fetchone()[0])
            finally:
                connections["default"].close()

        with content_locked():
            thread = threading.Thread(target=other_writer)
            thread.start()
            thread.join()
        self.assertEqual(taken, [False])

    def test_history_urls_with_ids_that_cannot_be_rows_are_not_found(self):
        perspective = Perspective.objects.get(number=1)
        version = Version.objects.get_for_object(perspective).last()
        self.client.force_login(self.vng)
        base = "/beheer/perspectives/perspective/"
        for url in (f"{base}%00/history/", f"{base}1%00/history/",
                    f"{base}%00/history/{version.pk}/",
                    f"{base}{perspective.pk}/history/{'9' * 30}/",
                    f"{base}recover/", f"{base}recover/{version.pk}/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(f"{base}{perspective.pk}/history/").status_code, 200)

    def test_axes_broken_cleanup_action_is_not_offered(self):
        response = self.get(self.root, reverse("admin:axes_accessattempt_changelist"), {})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "cleanup_expired_attempts")
