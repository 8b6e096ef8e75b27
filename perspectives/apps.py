from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerspectivesConfig(AppConfig):
    name = "perspectives"
    verbose_name = _("Inhoud (perspectieven)")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import (
            Advice,
            ContentRelease,
            Instrument,
            Perspective,
            Process,
            PublicValue,
            Question,
        )
        from .selectors import content_changed

        # Invalidation only: the cached content snapshot must follow every content change.
        for model in (Process, Perspective, Question, Advice, PublicValue, Instrument,
                      ContentRelease):
            post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
            post_delete.connect(content_changed, sender=model,
                                dispatch_uid=f"content-del-{model}")
        for through in (Perspective.public_values.through, Question.public_values.through,
                        Question.instruments.through):
            m2m_changed.connect(content_changed, sender=through,
                                dispatch_uid=f"content-m2m-{through}")
