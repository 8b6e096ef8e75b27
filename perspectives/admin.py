from django import forms
from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.admin import VersionAdmin

from waardevol.text import CleanCharField, is_free_text

from .markdown import render_markdown
from .models import Advice, Instrument, Perspective, Process, PublicValue, Question


class CleanTextMixin:
    """Editors' texts are cleaned like everyone's (waardevol.text): no control or bidi-override
    characters, and line breaks as \n, so a browser's \r\n is not recorded as a change."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if is_free_text(db_field):
            kwargs.setdefault("form_class", CleanCharField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ContentAdmin(CleanTextMixin, VersionAdmin, TranslationAdmin):
    """Translated fields side by side, with django-reversion's history and revert."""

    history_latest_first = True


class QuestionInline(CleanTextMixin, TranslationStackedInline):
    """The questions of a perspective at a glance; each opens in full on its own page."""

    model = Question
    extra = 0
    fields = [("code", "order", "weight", "is_active"), "short_name", "text", "conditions"]
    readonly_fields = ["conditions"]
    show_change_link = True

    @admin.display(description=_("wanneer en minimumeis"))
    def conditions(self, obj: Question) -> str:
        return question_conditions(obj)

    def has_add_permission(self, request, obj=None) -> bool:
        # A new question needs its help text, five levels and next steps: the question page.
        return False


def question_conditions(obj: Question) -> str:
    """A short summary of when a question applies and whether it is a minimum requirement."""
    from .models import Characteristic, Phase

    parts = [str(Characteristic(code).label) for code in obj.applies_when or []
             if code in Characteristic.values]
    parts += [str(Phase(code).label) for code in obj.phases or [] if code in Phase.values]
    text = "; ".join(parts) if parts else str(_("elk project, elke fase"))
    if obj.minimum_level is not None:
        text += " · " + str(_("minimumeis vanaf niveau %(level)s (%(basis)s)") % {
            "level": obj.minimum_level, "basis": obj.legal_basis})
    return text


class AdviceInline(CleanTextMixin, TranslationTabularInline):
    model = Advice
    extra = 0
    max_num = 3


@admin.register(Process)
class ProcessAdmin(ContentAdmin):
    list_display = ["order", "title", "code"]
    list_display_links = ["title"]
    search_fields = ["title_nl", "title_en", "code"]
    ordering = ["order"]


@admin.register(Perspective)
class PerspectiveAdmin(ContentAdmin):
    list_display = ["number", "title", "process", "active_question_count"]
    list_display_links = ["title"]
    list_filter = ["process"]
    search_fields = ["title_nl", "title_en", "summary_nl", "summary_en"]
    ordering = ["number"]
    filter_horizontal = ["public_values"]
    inlines = [QuestionInline, AdviceInline]

    @admin.display(description=_("actieve vragen"))
    def active_question_count(self, obj: Perspective) -> int:
        return sum(1 for q in obj.questions.all() if q.is_active)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("process").prefetch_related("questions")


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


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["code", "text", "perspective", "weight", "conditions", "is_minimum",
                    "is_active"]
    list_filter = ["perspective__process", "perspective", "is_active", IsMinimumFilter]
    search_fields = ["code", "text_nl", "text_en"]
    ordering = ["perspective__number", "order"]
    filter_horizontal = ["public_values", "instruments"]
    list_select_related = ["perspective"]
    readonly_fields = ["perspective_text"]
    fieldsets = [
        (_("Vraag"), {"fields": [("perspective", "code", "order"), ("weight", "is_active"),
                                 "text", "short_name", "help_text"]}),
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

    @admin.display(description=_("minimumeis"), boolean=True)
    def is_minimum(self, obj: Question) -> bool:
        return obj.minimum_level is not None

    @admin.display(description=_("tekst van de zichtlijn in het rapport"))
    def perspective_text(self, obj: Question) -> str:
        if obj.perspective_id is None:
            return "–"
        return format_html("<strong>{}</strong>{}", str(obj.perspective),
                           render_markdown(obj.perspective.explanation))

    def view_on_site(self, obj: Question) -> str:
        return obj.perspective.get_absolute_url()


@admin.register(Instrument)
class InstrumentAdmin(ContentAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["order", "name", "code", "legal_basis", "is_active"]
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


@admin.register(Advice)
class AdviceAdmin(ContentAdmin):
    list_display = ["perspective", "band"]
    list_filter = ["perspective__process", "band"]
    search_fields = ["text_nl", "text_en"]
    list_select_related = ["perspective"]

    def view_on_site(self, obj: Advice) -> str:
        return obj.perspective.get_absolute_url()


@admin.register(PublicValue)
class PublicValueAdmin(ContentAdmin):
    list_display = ["order", "name", "code"]
    list_display_links = ["name"]
    search_fields = ["name_nl", "name_en", "code"]
