"""The report's section on the children receiving support (counts by tier, no child)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from monitoring.models import ChildRecord

from .base import Scope, Section, Table


def children_section(scope: Scope) -> Section:

    records = scope.of(ChildRecord.objects.without_identity())
    supported = records.filter(created_at__lt=scope.moment(scope.end, end=True)).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=scope.moment(scope.start))
    )
    tiers = dict(supported.order_by().values_list("tier").annotate(n=Count("pk")))
    sexes = dict(supported.order_by().values_list("sex").annotate(n=Count("pk")))
    closed_in_period = records.filter(
        closed_at__range=(scope.moment(scope.start), scope.moment(scope.end, end=True))
    )
    outcomes = dict(closed_in_period.order_by().values_list("outcome").annotate(n=Count("pk")))
    overdue = records.overdue(scope.now).count()
    total = sum(tiers.values())
    shown_tiers = scope.parts({key: tiers.get(key, 0) for key in ChildRecord.Tier.values})
    shown_sexes = scope.parts({key: sexes.get(key, 0) for key in ChildRecord.Sex.values})
    section = Section(
        "children",
        _("Children receiving support"),
        intro=_("Children with a support record open at some time in the period (Tier 2 and 3)."),
        headlines=[
            (_("Children supported"), scope.count(total)),
            (_("Follow-ups overdue now"), scope.count(overdue)),
        ],
    )
    section.tables.append(
        Table(
            _("Children by tier"),
            [_("Tier"), _("Children")],
            [[str(label), shown_tiers[key]] for key, label in ChildRecord.Tier.choices],
        )
    )
    section.tables.append(
        Table(
            _("Children by sex"),
            [_("Sex"), _("Children")],
            [[str(label), shown_sexes[key]] for key, label in ChildRecord.Sex.choices],
        )
    )
    section.tables.append(
        Table(
            _("Support closed in the period, by outcome"),
            [_("Outcome"), _("Children")],
            [
                [str(label), scope.count(outcomes.get(key, 0))]
                for key, label in ChildRecord.Outcome.choices
            ],
        )
    )
    return section
