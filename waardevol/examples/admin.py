"""Published examples in the admin: VNG editors find one and withdraw it; nothing else changes.

Every municipality reads the library, and a publisher can be wrong about its texts holding no
names (the publish form asks them to check). Withdrawing is the same service as the publishing
municipality's own button: the example is gone at once for everyone and the withdrawal, with
the editor's name, is in the source assessment's history.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from waardevol.audit.admin import ReadOnlyAdminMixin

from . import services
from .models import PublishedExample
from .publication import free_texts

FREE_TEXT_LABELS = {"note": pgettext_lazy("free text in an example", "toelichting"),
                    "na_reason": _("reden n.v.t.")}


class PublishedFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("published", _("gepubliceerd")), ("withdrawn", _("ingetrokken"))]

    def queryset(self, request, queryset):
        if self.value() == "published":
            return queryset.filter(withdrawn_at__isnull=True)
        if self.value() == "withdrawn":
            return queryset.filter(withdrawn_at__isnull=False)
        return queryset


@admin.register(PublishedExample)
class PublishedExampleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "municipality", "published_at", "status"]
    list_filter = [PublishedFilter]
    search_fields = ["title", "description", "municipality__name"]
    list_select_related = ["municipality", "withdrawn_by"]
    list_per_page = 50
    actions = ["withdraw"]
    # Who published is left out: the library shows the municipality, never a person.
    fields = ["title", "publisher", "published_at", "status", "description", "include_notes",
              "texts"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The frozen result is the largest column: only the detail page reads it (`texts`).
        return super().get_queryset(request).defer("result")

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Only the status filter and the search: filtering by a publishing user's id in the URL
        # (Django allows any field of the model itself) would group examples by person.
        return lookup == PublishedFilter.parameter_name

    def has_withdraw_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("examples.withdraw_publishedexample")

    def render_change_form(self, request, context, add=False, change=False, form_url="",
                           obj=None):
        # The example the page already read (change_view loads it once, and 404s a bad id).
        context["may_withdraw"] = (obj is not None and obj.is_published
                                   and self.has_withdraw_permission(request))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The municipality as text: a link would lead editors to an admin page they may not open.
    @admin.display(description=_("gemeente"))
    def publisher(self, example: PublishedExample) -> str:
        return example.municipality.name

    @admin.display(description=_("status"))
    def status(self, example: PublishedExample) -> str:
        if example.is_published:
            return _("gepubliceerd")
        user = example.withdrawn_by
        # A VNG editor's name, never a municipal employee's: the one who withdrew it for the
        # municipality is usually the one who published it.
        by = ((user.get_full_name() or user.get_username())
              if user is not None and user.is_staff else _("de gemeente"))
        return _("ingetrokken op %(date)s door %(name)s") % {
            "date": date_format(localtime(example.withdrawn_at), "DATETIME_FORMAT"), "name": by}

    @admin.display(description=_("toelichtingen en redenen in het voorbeeld"))
    def texts(self, example: PublishedExample) -> str:
        texts = free_texts(example.result)
        if not texts:
            return (_("geen") if example.include_notes
                    else _("geen: het voorbeeld is zonder toelichtingen gepubliceerd"))
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} ({}): {}</li>",
            ((code, FREE_TEXT_LABELS[field], text) for code, field, text in texts)))

    @admin.action(description=_("Geselecteerde voorbeelden intrekken"),
                  permissions=["withdraw"])
    def withdraw(self, request: HttpRequest, queryset: QuerySet) -> TemplateResponse | None:
        # First a page that names what goes, as Django's delete does: one click on a list of
        # fifty must not take down examples for every municipality.
        if request.POST.get("post") != "yes":
            selected = list(queryset.select_related("municipality"))
            if any(example.is_published for example in selected):
                return self._withdraw_confirmation(request, selected)
        withdrawn = 0
        for example in queryset:
            if services.example_withdraw(example=example, user=request.user):
                withdrawn += 1
                # Also in the editor's own admin trail ("Mijn acties", the example's history),
                # in Dutch as the rest of the admin: a stored message is not translated later.
                self.log_change(request, example, "Ingetrokken")
        already = queryset.count() - withdrawn
        if withdrawn:
            self.message_user(request, ngettext(
                "%(count)s voorbeeld is ingetrokken: het is voor niemand meer te zien.",
                "%(count)s voorbeelden zijn ingetrokken: ze zijn voor niemand meer te zien.",
                withdrawn) % {"count": withdrawn}, messages.SUCCESS)
        if already:
            self.message_user(request, ngettext(
                "%(count)s voorbeeld was al ingetrokken.",
                "%(count)s voorbeelden waren al ingetrokken.", already) % {"count": already},
                messages.INFO)

    def _withdraw_confirmation(self, request: HttpRequest, selected: list) -> TemplateResponse:
        # It names the examples that go; it sends every selected one back, so that those
        # withdrawn already (or meanwhile, by a colleague) are told as such.
        return TemplateResponse(request, "admin/examples/publishedexample/withdraw_confirmation.html", {
            **self.admin_site.each_context(request),
            "title": _("Voorbeelden intrekken"),
            "opts": self.model._meta,
            "examples": [example for example in selected if example.is_published],
            "selected": selected,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })
