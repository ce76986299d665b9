"""For technical staff only (docs/design.md §3): daily work on memberships is on /pengguna/."""

from django.contrib import admin

from .models import SchoolMembership


@admin.register(SchoolMembership)
class SchoolMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "school", "since")
    list_filter = ("user__role",)
    search_fields = ("user__username", "user__email", "school__npsn", "school__name")
    raw_id_fields = ("user", "school")
    list_select_related = ("user", "school")
