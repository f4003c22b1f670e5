"""The admin shows the school structure read-only: audited data changes only through services.

Pupils and case records are not registered here at all: a system administrator is not on a need-to-know list.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, InsetDay, Membership, School, Term, Trust


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
