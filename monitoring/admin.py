# Children's records are deliberately not in the Django admin: every look at a record must be
# audited and the name is revealed only on purpose (monitoring/permissions.py, docs/design.md §3).
