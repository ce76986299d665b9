"""The locust mix of bench/locustfile.py for `bench/cluster.py`, plus one write that crosses
every process: a Koordinator asks for a city report now and then (web -> outbox -> beat or the
nudge -> the reports worker -> the PDF in the bucket), and opens its page."""

import re

from locust import between, task
from locustfile import PASSWORD, TOKEN, Koordinator, LoggedIn, Parent, Peksos, Pupil

__all__ = ["Koordinator", "Parent", "Peksos", "Pupil", "ReportAsker"]
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


class ReportAsker(LoggedIn):
    weight = 1
    username = "bench_koordinator"
    password = PASSWORD
    wait_time = between(20, 40)

    @task
    def ask_for_a_report(self) -> None:
        page = self.client.get("/laporan/minta/", name="report, form").text
        data = {
            "csrfmiddlewaretoken": TOKEN.search(page).group(1),
            "idempotency_key": KEY.search(page).group(1),
            "kind": "kota",
            "period": "tahun",
            "school_year": "2025",
        }
        with self.client.post(
            "/laporan/minta/",
            data,
            headers={"Referer": self.host + "/laporan/minta/"},
            name="report, ask (write)",
            catch_response=True,
        ) as response:
            if "/laporan/minta/" in response.url:
                response.failure("the report form was refused")
