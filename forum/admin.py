"""For technical staff only: the forum's workflows happen in its own pages (docs/design.md §3)."""

from django.contrib import admin

from .models import Category, InviteCode


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "jenjang", "position", "is_active")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(InviteCode)
class InviteCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "school", "label", "is_active", "created_at")
    search_fields = ("code", "school__name", "school__npsn")
    raw_id_fields = ("school",)


# Questions and answers are deliberately not in the admin: moderation is audited in its pages.
