"""A mixed load of PEKSOS's users for `bench/national.py load` (locust, headless).

Weights follow who uses the application most: parents and teachers reading the forum on
phones, pupils opening the public report pages, programme staff on their lists and the
Koordinator on the dashboard and the figures. Every user logs in through the login form
(the data set's users from `bench/national.py generate`). Reads only: filing reports at this
rate would trip the public form's flood marking and is measured by the F1 drill instead.
"""

import re

from locust import HttpUser, between, task

PASSWORD = "bench-kata-sandi-2026"  # noqa: S105  # the generator's synthetic users
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class LoggedIn(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        page = self.client.get("/masuk/", name="login form")
        token = TOKEN.search(page.text).group(1)
        response = self.client.post(
            "/masuk/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD},
            headers={"Referer": self.host + "/masuk/"},
            name="login",
        )
        if response.url.rstrip("/").endswith("/masuk"):
            raise RuntimeError(f"{self.username} could not log in")


class Koordinator(LoggedIn):
    weight = 1
    username = "bench_koordinator"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/", name="home (dashboard)")

    @task(2)
    def compliance(self) -> None:
        self.client.get("/kunjungan/kepatuhan/", name="visits, compliance")

    @task(2)
    def figures(self) -> None:
        self.client.get("/sosdesk/angka/", name="SOS Desk, figures")

    @task(2)
    def schools(self) -> None:
        self.client.get("/sekolah/?level=SD", name="schools, level=SD")

    @task(1)
    def reports(self) -> None:
        self.client.get("/laporan/", name="reports, list")


class Peksos(LoggedIn):
    weight = 3
    username = "bench_peksos"

    @task(3)
    def visits(self) -> None:
        self.client.get("/kunjungan/", name="visits, list")

    @task(2)
    def activities(self) -> None:
        self.client.get("/kegiatan/", name="activities, list")

    @task(2)
    def cases(self) -> None:
        self.client.get("/sosdesk/", name="SOS Desk, cases")

    @task(2)
    def children(self) -> None:
        self.client.get("/pemantauan/", name="monitoring, children")

    @task(1)
    def school(self) -> None:
        self.client.get("/sekolah/10807637/", name="school detail")


class Parent(LoggedIn):
    weight = 4
    username = "bench_ortu"

    @task(4)
    def forum(self) -> None:
        self.client.get("/forum/", name="forum, questions")

    @task(1)
    def search(self) -> None:
        self.client.get("/forum/?q=anak", name="forum, search")


class Pupil(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    @task(2)
    def start_page(self) -> None:  # not `start`: that is locust's own User.start
        self.client.get("/lapor/", name="public report, start")

    @task(1)
    def search_school(self) -> None:
        self.client.get("/lapor/?q=metro", name="public report, find the school")
