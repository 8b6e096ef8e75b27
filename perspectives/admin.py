"""The admin for VNG editors: the content models are their draft; users see it once published."""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.forms.models import BaseInlineFormSet, _get_foreign_key
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline
from reversion.admin import VersionAdmin

from waardevol.forms import is_database_id
from waardevol.text import CleanCharField, is_free_text

from . import services
from .markdown import render_markdown
from .models import (
    PUBLICATION_NOTE_MAX,
    Advice,
    Characteristic,
    Instrument,
    Perspective,
    Phase,
    Process,
    Publication,
    PublicValue,
    Question,
)
from .presenters import PerspectiveIndexPresenter, draft_changes
from .selectors import content_draft_snapshot, content_publications, content_snapshot

admin.site.site_header = _("Waardevol – beheer van de inhoud")
admin.site.site_title = _("Waardevol-beheer")
admin.site.index_title = _("Inhoud van Waardevol")


class CleanTextMixin:
    """Editors' texts are cleaned like everyone's (waardevol.text): no control or bidi-override
    characters, and line breaks as \n, so a browser's \r\n is not recorded as a change.

    Links to other content are checkboxes: a handful of choices each, and Django's two-list
    widget speaks English in parts and needs JavaScript."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_free_text(db_field):
            kwargs.setdefault("form_class", CleanCharField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class NoDeleteMixin:
    """Content is never deleted: answers, completed assessments and publications refer to it.
    A question or instrument is deactivated instead; other texts are rewritten."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def markdown_preview(text: str) -> str:
    if not (text or "").strip():
        return "–"
    return format_html('<div class="wv-admin-preview">{}</div>', render_markdown(text))


class ContentAdmin(NoDeleteMixin, CleanTextMixin, VersionAdmin, TranslationAdmin):
    """Translated fields side by side, with django-reversion's history and revert."""

    history_latest_first = True
    # django-reversion's list offers to recover deleted objects; nothing is ever deleted.
    change_list_template = "admin/change_list.html"

    # Edits of the content take turns (services.content_locked): a save writes the object and
    # then its inline rows, and so do a revert and a history preview (django-reversion shows
    # an old version by reverting to it and rolling back).
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method != "POST":
            return super().changeform_view(request, object_id, form_url, extra_context)
        with services.content_locked():
            return super().changeform_view(request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion reverts the revision first and asks for permission only after, in
        # the change form: an editor without the right made the writes all the same (rolled
        # back). Ask first. A preview is a GET and needs only the right to view.
        if not (is_database_id(object_id) and is_database_id(version_id)):
            raise Http404
        obj = self.get_object(request, object_id)
        allowed = (self.has_change_permission(request, obj) if request.method == "POST"
                   else self.has_view_or_change_permission(request, obj))
        if not allowed:
            raise PermissionDenied
        with services.content_locked():
            return super().revision_view(request, object_id, version_id, extra_context)

    def _reversion_revisionform_view(self, request, version, template_name, extra_context=None):
        # django-reversion shows and reverts an old version by reverting its whole revision. A
        # load of the content is one revision of all 118 texts, the first version of each: a
        # revert of one perspective to it put back every text that editors had changed since,
        # in every perspective, unasked. Only this object and its inline rows are reverted, as
        # its change form would save them; nothing is deleted (nothing ever is).
        scoped = self._versions_to_revert(version)
        version.revision.revert = lambda delete=False: [v.revert() for v in scoped]
        return super()._reversion_revisionform_view(request, version, template_name,
                                                    extra_context)

    def _versions_to_revert(self, version) -> list:
        """The versions in `version`'s revision of its object (first) and of its inline rows."""
        inline_keys = {}
        for inline in self.inlines:
            key = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            inline_keys[ContentType.objects.get_for_model(inline.model).pk] = key.attname
        own, rows = [], []
        for other in version.revision.version_set.all():
            if (other.content_type_id, other.object_id) == (version.content_type_id,
                                                            version.object_id):
                own.append(other)
            elif other.content_type_id in inline_keys:
                parent = other.field_dict.get(inline_keys[other.content_type_id])
                if str(parent) == version.object_id:
                    rows.append(other)
        return own + rows

    def history_view(self, request, object_id, extra_context=None):
        # django-reversion looks the id up as text: a NUL in it was a DataError on PostgreSQL.
        if not is_database_id(object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    # Nothing is ever deleted, so there is nothing to recover; and a recover of a version of
    # an existing object would be a revert past the checks above.
    def recoverlist_view(self, request, extra_context=None):
        raise Http404

    def recover_view(self, request, version_id, extra_context=None):
        raise Http404


class AdviceFormSet(BaseInlineFormSet):
    """One advice per band (a database constraint the inline's forms do not check, as they
    leave out the perspective): a second one for a band is a form error, not an IntegrityError,
    for a colleague who added it meanwhile or a form posted as new."""

    def clean(self):
        super().clean()
        stored = dict(Advice.objects.filter(perspective=self.instance)
                      .values_list("band", "pk")) if self.instance.pk else {}
        seen = set()
        for form in self.forms:
            band = getattr(form, "cleaned_data", {}).get("band")
            if not band:
                continue
            if band in seen or stored.get(band) not in (None, form.instance.pk):
                form.add_error("band", _("Er is al een advies voor deze scoreband. Pas dat "
                                         "advies aan in plaats van een tweede toe te voegen."))
            seen.add(band)


class AdviceInline(NoDeleteMixin, CleanTextMixin, TranslationStackedInline):
    """Stacked, not tabular: two long texts side by side made the page scroll sideways."""

    model = Advice
    formset = AdviceFormSet
    extra = 0
    max_num = 3
    fields = ["band", "text", "text_preview"]
    readonly_fields = ["text_preview"]

    @admin.display(description=_("voorbeeld (Nederlands, zoals opgeslagen)"))
    def text_preview(self, obj: Advice) -> str:
        return markdown_preview(obj.text_nl if obj.pk else "")


def question_conditions(obj: Question) -> str:
    """A short summary of when a question applies and whether it is a minimum requirement."""
    parts = [str(Characteristic(code).label) for code in obj.applies_when or []
             if code in Characteristic.values]
    parts += [str(Phase(code).label) for code in obj.phases or [] if code in Phase.values]
    text = "; ".join(parts) if parts else str(_("elk project, elke fase"))
    if obj.minimum_level is not None:
        text += " · " + str(_("minimumeis vanaf niveau %(level)s (%(basis)s)") % {
            "level": obj.minimum_level, "basis": obj.legal_basis})
    return text


def preview_url(perspective_number: int | None = None) -> str:
    if perspective_number is None:
        return reverse("admin:perspectives_publication_preview")
    return reverse("admin:perspectives_publication_preview_perspective",
                   args=[perspective_number])


@admin.register(Process)
class ProcessAdmin(ContentAdmin):
    list_display = ["order", "title", "code"]
    list_display_links = ["title"]
    search_fields = ["title_nl", "title_en", "code"]
    ordering = ["order"]
    readonly_fields = ["explanation_preview"]

    @admin.display(description=_("voorbeeld van de toelichting (Nederlands, zoals opgeslagen)"))
    def explanation_preview(self, obj: Process) -> str:
        return markdown_preview(obj.explanation_nl if obj.pk else "")

    def view_on_site(self, obj: Process) -> str:
        return preview_url() + f"#proces-{obj.code}"


@admin.register(Perspective)
class PerspectiveAdmin(ContentAdmin):
    list_display = ["number", "title", "process", "active_question_count"]
    list_display_links = ["title"]
    list_filter = ["process"]
    search_fields = ["title_nl", "title_en", "summary_nl", "summary_en"]
    ordering = ["number"]
    readonly_fields = ["explanation_preview", "question_list"]
    fieldsets = [
        (None, {"fields": ["number", "process", "title", "summary", "explanation",
                           "explanation_preview", "public_values"]}),
        (_("Vragen"), {"fields": ["question_list"],
                       "description": _("Elke vraag heeft een eigen pagina: kies de code om haar "
                                        "te bewerken.")}),
    ]
    inlines = [AdviceInline]

    @admin.display(description=_("actieve vragen"))
    def active_question_count(self, obj: Perspective) -> int:
        return sum(1 for q in obj.questions.all() if q.is_active)

    @admin.display(description=_("voorbeeld van de toelichting (Nederlands, zoals opgeslagen)"))
    def explanation_preview(self, obj: Perspective) -> str:
        return markdown_preview(obj.explanation_nl if obj.pk else "")

    @admin.display(description=_("vragen van dit perspectief"))
    def question_list(self, obj: Perspective) -> str:
        if obj.pk is None:
            return _("Sla het perspectief eerst op; daarna kunt u er vragen aan toevoegen.")
        rows = format_html_join(
            "", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>',
            ((reverse("admin:perspectives_question_change", args=[q.pk]), q.code, q.text,
              question_conditions(q), _("actief") if q.is_active else _("niet actief"))
             for q in obj.questions.all()),
        )
        add = reverse("admin:perspectives_question_add") + f"?perspective={obj.pk}"
        return format_html(
            '<table class="wv-admin-questions"><thead><tr><th scope="col">{}</th>'
            '<th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th></tr></thead>'
            '<tbody>{}</tbody></table><p><a class="addlink" href="{}">{}</a></p>',
            _("code"), _("vraag"), _("wanneer"), _("status"), rows, add,
            _("Vraag toevoegen aan dit perspectief"))

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("process").prefetch_related("questions")

    def view_on_site(self, obj: Perspective) -> str:
        return preview_url(obj.number)


class IsMinimumFilter(admin.SimpleListFilter):
    title = _("minimumeis")
    parameter_name = "minimum"

    def lookups(self, request, model_admin):
        return [("yes", _("Ja")), ("no", _("Nee"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(minimum_level__isnull=False)
        if self.value() == "no":
            return queryset.filter(minimum_level__isnull=True)
        return queryset


def yes_no_icon(value: bool) -> str:
    """Django's icon for a yes/no column, with a Dutch text alternative: Django's own is the
    English "True"/"False", which a screen reader reads out on a Dutch page."""
    return format_html('<img src="{}" alt="{}">',
                       static(f"admin/img/icon-{'yes' if value else 'no'}.svg"),
                       _gettext("ja") if value else _gettext("nee"))


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    # No perspective column: the code names it (4.3 is perspective 4's), and its title pushed
    # the last columns off a 1280 px screen. The filter lists the perspectives by title.
    list_display = ["code", "text", "weight", "conditions", "is_minimum", "active"]
    list_filter = ["perspective__process", "perspective", "is_active", IsMinimumFilter]
    search_fields = ["code", "text_nl", "text_en"]
    ordering = ["perspective__number", "order"]
    list_select_related = ["perspective"]
    readonly_fields = ["perspective_text"]
    fieldsets = [
        (_("Vraag"), {"fields": [("perspective", "code", "order"), ("weight", "is_active"),
                                 "text", "short_name", "help_text"],
                      "description": _("Een vraag met antwoorden wordt niet verwijderd: zet "
                                       "‘actief’ uit, dan verdwijnt ze bij de volgende "
                                       "publicatie uit de vragenlijst.")}),
        (_("Schaal"), {"fields": ["scale_0", "scale_1", "scale_2", "scale_3", "scale_4"],
                       "description": _("Elk niveau volledig uitgeschreven, controleerbaar en "
                                        "duidelijk meer dan het vorige.")}),
        (_("Wanneer van toepassing"), {"fields": ["applies_when", "phases"]}),
        (_("Minimumeis"), {
            "fields": ["minimum_level", "basis_kind", "legal_basis", "minimum_action"],
            "description": _("Alleen voor verplichtingen die echt bestaan en voor gemeenten "
                             "gelden. Zeg in de hulptekst wanneer iets goede praktijk is en "
                             "geen wet."),
        }),
        (_("Volgende stappen bij een laag antwoord"), {
            "fields": ["next_step_0", "next_step_0_role", "next_step_1", "next_step_1_role"]}),
        (_("Herkomst en koppelingen"), {
            "fields": ["report_basis", "perspective_text", "public_values", "instruments"]}),
    ]

    @admin.display(description=_("wanneer"))
    def conditions(self, obj: Question) -> str:
        return question_conditions(obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # The question and its levels are sentences, not one-line values: edit them in full.
        if db_field.name.startswith(("text_", "scale_", "legal_basis_")):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("minimumeis"))
    def is_minimum(self, obj: Question) -> str:
        return yes_no_icon(obj.minimum_level is not None)

    @admin.display(description=_("actief"), ordering="is_active")
    def active(self, obj: Question) -> str:
        return yes_no_icon(obj.is_active)

    @admin.display(description=_("tekst van de zichtlijn in het rapport"))
    def perspective_text(self, obj: Question) -> str:
        if obj.perspective_id is None:
            return "–"
        return format_html("<strong>{}</strong>{}", str(obj.perspective),
                           render_markdown(obj.perspective.explanation))

    def view_on_site(self, obj: Question) -> str:
        return preview_url(obj.perspective.number)


@admin.register(Instrument)
class InstrumentAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["order", "name", "code", "legal_basis", "active"]
    list_display_links = ["name"]
    list_filter = ["is_active"]
    search_fields = ["code", "name_nl", "name_en"]
    ordering = ["order"]
    fieldsets = [
        (None, {"fields": [("code", "order", "is_active"), "name", "purpose", "applies"]}),
        (_("Grondslag en bron"), {"fields": ["legal_basis", "url", "applies_when"],
                                  "description": _("Laat de grondslag leeg als het instrument "
                                                   "goede praktijk is en geen wettelijke "
                                                   "plicht.")}),
    ]

    @admin.display(description=_("actief"), ordering="is_active")
    def active(self, obj: Instrument) -> str:
        return yes_no_icon(obj.is_active)


@admin.register(Advice)
class AdviceAdmin(ContentAdmin):
    list_display = ["perspective", "band"]
    list_filter = ["perspective__process", "band"]
    search_fields = ["text_nl", "text_en"]
    list_select_related = ["perspective"]
    readonly_fields = ["text_preview"]
    fields = ["perspective", "band", "text", "text_preview"]

    @admin.display(description=_("voorbeeld (Nederlands, zoals opgeslagen)"))
    def text_preview(self, obj: Advice) -> str:
        return markdown_preview(obj.text_nl if obj.pk else "")

    def view_on_site(self, obj: Advice) -> str:
        return preview_url(obj.perspective.number)


@admin.register(PublicValue)
class PublicValueAdmin(ContentAdmin):
    list_display = ["order", "name", "code"]
    list_display_links = ["name"]
    search_fields = ["name_nl", "name_en", "code"]


class PublishForm(forms.Form):
    note = CleanCharField(
        label=_("Wat is er veranderd?"), max_length=PUBLICATION_NOTE_MAX,
        help_text=_("Een korte zin voor collega’s, bijvoorbeeld ‘Vraag 4.2 verduidelijkt’."),
    )
    # The draft the editor reviewed: publishing refuses a draft changed since.
    draft = forms.CharField(widget=forms.HiddenInput, max_length=20)


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    """The list of publications, the page that publishes the draft and the draft's preview."""

    list_display = ["number", "published_at", "published_by", "note"]
    list_display_links = None
    ordering = ["-number"]
    change_list_template = "admin/perspectives/publication/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(number__isnull=False).select_related(
            "published_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("publiceren/", view(self.publish_view), name="perspectives_publication_publish"),
            path("voorbeeld/", view(self.preview_view), name="perspectives_publication_preview"),
            path("voorbeeld/perspectief/<int:number>/", view(self.preview_perspective_view),
                 name="perspectives_publication_preview_perspective"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "may_publish": request.user.has_perm("perspectives.publish_content")}
        return super().changelist_view(request, extra_context)

    def _context(self, request: HttpRequest, **context) -> dict:
        return {**self.admin_site.each_context(request), "opts": self.model._meta, **context}

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("perspectives.publish_content"):
            raise PermissionDenied
        draft = content_draft_snapshot()
        published = content_snapshot()
        form = PublishForm(request.POST or None, initial={"draft": draft["revision"]})
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                publication = services.content_publish(user=request.user,
                                                       note=form.cleaned_data["note"],
                                                       reviewed=form.cleaned_data["draft"])
            except services.DraftChanged:
                draft = content_draft_snapshot()
                form = PublishForm(initial={"draft": draft["revision"],
                                            "note": form.cleaned_data["note"]})
                messages.warning(request, _gettext(
                    "De inhoud is gewijzigd terwijl u deze pagina bekeek. Bekijk de wijzigingen "
                    "hieronder opnieuw en publiceer dan."))
                status = 409
            except services.NothingToPublish:
                messages.info(request, _gettext("Er is niets gewijzigd sinds de laatste "
                                                "publicatie."))
            else:
                messages.success(request, _gettext(
                    "Publicatie %(number)s staat online: gebruikers zien de nieuwe inhoud "
                    "nu.") % {"number": publication.number})
                return redirect("admin:perspectives_publication_changelist")
        elif form.errors:
            status = 400
        return TemplateResponse(request, "admin/perspectives/publication/publish.html",
                                self._context(request, title=_gettext("Inhoud publiceren"),
                                              form=form,
                                              changes=draft_changes(draft, published),
                                              latest=content_publications().first()),
                                status=status)

    def _may_preview(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """The public perspectives page as it will look once the draft is published."""
        self._may_preview(request)
        page = PerspectiveIndexPresenter(content_draft_snapshot(), get_language() or "nl")
        return render(request, "perspectives/preview.html", {"page": page})

    def preview_perspective_view(self, request: HttpRequest, number: int) -> HttpResponse:
        """A perspective's questions and advice as the questionnaire will show them."""
        self._may_preview(request)
        page = PerspectiveIndexPresenter(content_draft_snapshot(), get_language() or "nl")
        perspective = page.perspective(number)
        if perspective is None:
            raise Http404
        return render(request, "perspectives/preview_perspective.html",
                      {"page": page, "perspective": perspective})
