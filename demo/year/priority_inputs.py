"""Priority inputs that spread the schools over high, medium and low: pupils and the PIP/KIP
share where the register does not know them, zero cases where the demo made none, no working
TPPK at the neediest (the cases and visits made before count too),
then the register's own recompute. Last, every dashboard partition is marked changed."""

from peksos.core import tallies
from schools import priority
from schools.models import PriorityBand, School

# (pupils, share of pupils receiving PIP/KIP in percent): high, medium and low need
NEEDS = [((950, 1400), (70, 95)), ((300, 700), (25, 50)), ((30, 150), (0, 8))]


def make(year) -> None:
    rng = year.rng
    schools = list(School.objects.order_by("npsn"))
    for school in schools:
        # About a third large and poor, a third in between, a third small and better off.
        need = rng.randrange(len(NEEDS))
        pupils, share = NEEDS[need]
        if school.students is None:
            school.students = rng.randint(*pupils)
        if school.socioeconomic_share is None:
            school.socioeconomic_share = rng.randint(*share)
        if school.cases_24m is None:
            school.cases_24m = 0  # true: no case of the demo at this school
        if need == 0 and school.has_sos_desk is None:
            school.has_sos_desk = False  # the neediest have no working TPPK yet
    School.objects.bulk_update(
        schools, ["students", "socioeconomic_share", "cases_24m", "has_sos_desk"], batch_size=500
    )
    priority.recompute()
    tallies.changed(School.tally_domains, [s.pk for s in schools])
    bands = School.objects.values_list("priority_band", flat=True)
    for band in (PriorityBand.HIGH, PriorityBand.MEDIUM, PriorityBand.LOW):
        year.counts[f"sekolah prioritas {band.value}"] = sum(b == band for b in bands)
