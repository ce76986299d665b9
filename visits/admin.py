"""For technical staff only: the workflow lives in the app's own pages (docs/design.md §3)."""

from django.contrib import admin

from .models import CalendarFeedToken, DateChange, PlanRun, StaffCapacity, StaffLeave, Visit


class VisitMemberInline(admin.TabularInline):
    model = Visit.team.through
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["school", "date", "state", "kind", "locked"]
    list_filter = ["state", "kind", "school_year", "semester"]
    raw_id_fields = ["school", "plan", "rescheduled_from", "created_by", "done_by"]
    inlines = [VisitMemberInline]


@admin.register(DateChange)
class DateChangeAdmin(admin.ModelAdmin):
    list_display = ["visit", "kind", "from_date", "to_date", "state"]
    raw_id_fields = ["visit", "proposed_by", "answered_by"]


admin.site.register(PlanRun)
admin.site.register(StaffCapacity)
admin.site.register(StaffLeave)


@admin.register(CalendarFeedToken)
class CalendarFeedTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at", "last_used_at"]
    exclude = ["token_hash"]
