from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model

from waardevol.text import CleanTextAdminMixin

User = get_user_model()


# Names typed in the admin are cleaned like names typed anywhere else.
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(CleanTextAdminMixin, auth_admin.UserAdmin):
    pass
