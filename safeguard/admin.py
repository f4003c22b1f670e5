"""The admin is read-only, for every model, even to a superuser: audited data, people and roles change only
through the product's pages and commands, which use the policy's services and leave a trace.

Pupils and case records are not registered here at all: a system administrator is not on a need-to-know list.
Two-factor secrets are never shown (OTP_ADMIN_HIDE_SENSITIVE_DATA), and the admin's sign-in refuses the public
demo password on a live system, as the site's does.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .forms import AdminSignInForm
from .models import AccessLog, InsetDay, Membership, OutboxMessage, School, Term, Trust


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    pass


@admin.register(Trust)
class TrustAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name"]


@admin.register(School)
class SchoolAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "urn", "trust", "nation"]


@admin.register(Term)
class TermAdmin(ReadOnlyHistoryAdmin):
    list_display = ["school", "name", "starts_on", "ends_on", "withdrawn_at"]
    list_select_related = ["school"]


@admin.register(InsetDay)
class InsetDayAdmin(ReadOnlyHistoryAdmin):
    list_display = ["school", "day", "description", "withdrawn_at"]
    list_select_related = ["school"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyHistoryAdmin):
    list_display = ["user", "role", "school", "trust", "starts_on", "ends_on", "ended_at"]
    list_filter = ["role"]
    list_select_related = ["user", "school", "trust"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "content_type", "object_id"]
    list_select_related = ["user", "content_type"]


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "task", "handed_over_at", "done_at", "attempts", "last_error"]
    list_filter = ["task", ("done_at", admin.EmptyFieldListFilter)]
    exclude = ["kwargs"]  # a job's arguments are for its task, not for reading in the admin


# The admins the libraries register (users and groups, two-factor devices, lockouts) are made read-only the same
# way: registered earlier (their apps come first in INSTALLED_APPS), each is replaced by a read-only subclass.
for _model, _model_admin in list(admin.site._registry.items()):
    if not isinstance(_model_admin, ReadOnlyMixin):
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"ReadOnly{type(_model_admin).__name__}", (ReadOnlyMixin, type(_model_admin)), {})
        )

admin.site.login_form = AdminSignInForm
