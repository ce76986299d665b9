"""A mixed load of PEKSOS's users for `bench/national.py load` (locust, headless).

Weights follow who uses the application most: parents and teachers reading the forum on
phones, pupils opening the public report pages, programme staff on their lists and the
Koordinator on the dashboard and the figures. Every user logs in through the login form
(the data set's users from `bench/national.py generate`). The writes of the run come from
bench/writes.py beside it (bench/load.py): through the services, at a steady rate, so that
the public form's flood marking is not what is measured (the F1 drill measures it).

Every page is checked, not only timed: a response that carries the "figures are being
prepared" placeholder (`figures-preparing`) is a failure of that name (issue 22: a register-
wide figure must always be there).
"""

import re

from locust import HttpUser, between, task

PASSWORD = "bench-kata-sandi-2026"  # noqa: S105  # the generator's synthetic users
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PLACEHOLDER = "figures-preparing"


def get(user: HttpUser, path: str, name: str) -> None:
    """GET `path`, a failure if it is not 200 or carries the placeholder."""
    with user.client.get(path, name=name, catch_response=True) as response:
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")
        elif PLACEHOLDER in response.text:
            response.failure(PLACEHOLDER)
        else:
            response.success()


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
        get(self, "/", "home (dashboard)")

    @task(2)
    def compliance(self) -> None:
        get(self, "/kunjungan/kepatuhan/", "visits, compliance")

    @task(2)
    def figures(self) -> None:
        get(self, "/sosdesk/angka/", "SOS Desk, figures")

    @task(2)
    def schools(self) -> None:
        get(self, "/sekolah/?level=SD", "schools, level=SD")

    @task(1)
    def reports(self) -> None:
        get(self, "/laporan/", "reports, list")


class Peksos(LoggedIn):
    weight = 3
    username = "bench_peksos"

    @task(3)
    def visits(self) -> None:
        get(self, "/kunjungan/", "visits, list")

    @task(2)
    def activities(self) -> None:
        get(self, "/kegiatan/", "activities, list")

    @task(2)
    def cases(self) -> None:
        get(self, "/sosdesk/", "SOS Desk, cases")

    @task(2)
    def children(self) -> None:
        get(self, "/pemantauan/", "monitoring, children")

    @task(1)
    def school(self) -> None:
        get(self, "/sekolah/10807637/", "school detail")


class Psikolog(LoggedIn):
    weight = 1
    username = "bench_psikolog"

    @task
    def caseload(self) -> None:
        get(self, "/pemantauan/", "monitoring, caseload")


class Parent(LoggedIn):
    weight = 4
    username = "bench_ortu"

    @task(4)
    def forum(self) -> None:
        get(self, "/forum/", "forum, questions")

    @task(1)
    def search(self) -> None:
        get(self, "/forum/?q=anak", "forum, search")


class Pupil(HttpUser):
    weight = 2
    wait_time = between(1, 3)

    @task(2)
    def start_page(self) -> None:  # not `start`: that is locust's own User.start
        get(self, "/lapor/", "public report, start")

    @task(1)
    def search_school(self) -> None:
        get(self, "/lapor/?q=metro", "public report, find the school")
