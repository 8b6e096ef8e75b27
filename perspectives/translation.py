from modeltranslation.translator import TranslationOptions, register

from .models import Advice, Instrument, Perspective, Process, PublicValue, Question


@register(PublicValue)
class PublicValueTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Process)
class ProcessTranslation(TranslationOptions):
    fields = ("title", "summary", "explanation")


@register(Perspective)
class PerspectiveTranslation(TranslationOptions):
    fields = ("title", "summary", "explanation")


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "short_name", "help_text", "scale_0", "scale_1", "scale_2", "scale_3", "scale_4",
              "report_basis", "legal_basis", "minimum_action", "next_step_0", "next_step_1")


@register(Advice)
class AdviceTranslation(TranslationOptions):
    fields = ("text",)


@register(Instrument)
class InstrumentTranslation(TranslationOptions):
    fields = ("name", "purpose", "applies", "legal_basis")
