from django.contrib import admin

from .models import Desk, StageDeadlines


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ("school", "sk_number", "term_end", "public_code", "accepts_reports")
    search_fields = ("school__name", "school__npsn")


@admin.register(StageDeadlines)
class StageDeadlinesAdmin(admin.ModelAdmin):
    list_display = ("received_hours", "verifying_hours", "handling_days", "police_hours")


# Cases are deliberately not in the admin: every view of a case must be audited (docs/design.md §3).
