from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)
from reversion.admin import VersionAdmin

from .models import Advice, Perspective, Process, PublicValue, Question


class ContentAdmin(VersionAdmin, TranslationAdmin):
    """Translated fields side by side, with django-reversion's history and revert."""

    history_latest_first = True


class QuestionInline(TranslationStackedInline):
    model = Question
    extra = 0
    fields = [
        ("code", "order", "weight", "is_active"), "applies_when", "text", "help_text",
        "scale_0", "scale_1", "scale_2", "scale_3", "scale_4", "public_values",
    ]
    filter_horizontal = ["public_values"]
    show_change_link = True


class AdviceInline(TranslationTabularInline):
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


@admin.register(Question)
class QuestionAdmin(ContentAdmin):
    list_display = ["code", "text", "perspective", "weight", "applies_when", "is_active"]
    list_filter = ["perspective__process", "perspective", "is_active", "applies_when"]
    search_fields = ["code", "text_nl", "text_en"]
    ordering = ["perspective__number", "order"]
    filter_horizontal = ["public_values"]
    list_select_related = ["perspective"]

    def view_on_site(self, obj: Question) -> str:
        return obj.perspective.get_absolute_url()


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
