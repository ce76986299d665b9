"""The PPKSP procedure of a case (Permendikbudristek 46/2023, docs/domain.md §3): its parties,
the examination (interviews, evidence), the conclusion and recommendation approved by the
desk's chair, the follow-up decision and its execution, the victim's recovery from the day of
receipt, the step clocks, transfers to another desk or PEKSOS, and the case documents.

One module per step; the views are in `sosdesk/views/procedure_*.py`.
"""
