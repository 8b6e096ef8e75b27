"""What the Django admin takes from the address or a form unchecked, checked for every admin.

Django's admin passes some input straight to the database, and a value the database cannot hold
became a 500 (found by fuzzing every admin page):
- the list's selected rows (`_selected_action`) and a link's checkboxes go into `pk__in`, which
  has no overflow guard: "x" raised ValueError, a 25-digit id OverflowError on SQLite;
- a list's filters come from the query string (`?id__in=…`, `?created_at__year=…`) and are only
  run when the list counts its rows; the date hierarchy computes the next year or month of the
  one asked for without a check (9999 → "year 10000 is out of range");
- the search box has no length limit: 100,000 characters were "LIKE or GLOB pattern too
  complex" on SQLite, and a very long ILIKE over every search field on PostgreSQL;
- a date and time is any the calendar widget parses: a superuser set a user's last login to
  01-01-0001 00:00, which is year 0 in UTC; PostgreSQL stored it and every later read of the
  row failed (the user list, the memberships, that user's login);
- an inline's form count (`TOTAL_FORMS`) is the client's, capped only at 1,000 forms more than
  its `max_num`: a municipality posted with 1,000 membership rows took 8.8 s to build and
  validate.

`guard_every_admin` gives every registered admin, ours and those of the packages we use (auth,
axes, django-otp, django-tasks-db), the mixin below, so a new admin is covered without anyone
remembering to.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db import DataError, models
from django.utils.translation import gettext as _

from .forms import IdMultipleChoiceField, is_database_id

# A search longer than this is cut: nobody types it, and each word is an OR over every
# search field.
SEARCH_MAX = 200
SEARCH_WORDS_MAX = 10

# New rows one save of an inline may add. Nobody adds more by hand; the rows already stored
# always fit.
INLINE_NEW_ROWS_MAX = 50

# The years a date and time in the admin may have: wide enough for any real one, narrow enough
# that no time zone moves it out of the years Python can read back.
DATETIME_YEARS = (1900, 9998)

# django-axes 8.3's "Clean up expired attempts" reads an attribute only its own middleware sets
# on a login request, so in the admin it always failed (AttributeError). Attempts expire by
# themselves (AXES_COOLOFF_TIME).
BROKEN_ACTIONS = {"cleanup_expired_attempts"}


def validate_datetime_year(value) -> None:
    first, last = DATETIME_YEARS
    if value is not None and not first <= value.year <= last:
        raise ValidationError(_("Kies een jaar van %(first)s tot en met %(last)s."),
                              code="year", params={"first": first, "last": last})


class GuardedAdminMixin:
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField):
            kwargs["validators"] = [*kwargs.get("validators", ()), validate_datetime_year]
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_actions(self, request):
        actions = super().get_actions(request)
        for name in BROKEN_ACTIONS & actions.keys():
            del actions[name]
        return actions

    def response_action(self, request, queryset):
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        if not all(is_database_id(value) for value in selected):
            # As Django answers an empty selection: a message, and the list again.
            self.message_user(request, _("Deze selectie bestaat niet. Kies rijen in de lijst."),
                              messages.WARNING)
            return None
        return super().response_action(request, queryset)

    def get_changelist_instance(self, request):
        # The list counts its rows while it is made, so a filter value the database cannot
        # hold fails here; Django then shows the list without the filters ("?e=1").
        try:
            return super().get_changelist_instance(request)
        except (OverflowError, ValueError, DataError) as exc:
            raise IncorrectLookupParameters(exc) from exc

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            yield _bounded_formset(formset, inline, request, obj), inline

    def get_search_results(self, request, queryset, search_term):
        words = search_term[:SEARCH_MAX].split()[:SEARCH_WORDS_MAX]
        return super().get_search_results(request, queryset, " ".join(words))


def _bounded_formset(formset, inline, request, obj):
    """The inline's formset class, taking at most the stored rows and INLINE_NEW_ROWS_MAX more.

    A larger `TOTAL_FORMS` is cut to that and told on the form ("at most N"), as Django does at
    its own limit."""
    fk = getattr(formset, "fk", None)
    if fk is None or request.method != "POST":  # only a POST says how many forms to build
        return formset
    stored = 0
    if obj is not None and obj.pk is not None:
        stored = inline.get_queryset(request).filter(**{fk.name: obj}).count()
    limit = stored + INLINE_NEW_ROWS_MAX
    if formset.absolute_max <= limit:
        return formset
    return type(formset.__name__, (formset,), {
        "absolute_max": limit, "max_num": min(formset.max_num, limit)})


def guard_every_admin(site: admin.AdminSite) -> None:
    """Re-register each ModelAdmin of `site` as a subclass with GuardedAdminMixin in front."""
    for model, model_admin in list(site._registry.items()):
        admin_class = type(model_admin)
        if issubclass(admin_class, GuardedAdminMixin):
            continue
        guarded = type(admin_class.__name__, (GuardedAdminMixin, admin_class),
                       {"__module__": admin_class.__module__})
        site.unregister(model)
        site.register(model, guarded)
