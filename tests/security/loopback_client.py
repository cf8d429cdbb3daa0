"""A small HTTP(S) client for production-like tests: chooses its loopback source address (so nginx sees
different clients: 127.0.0.2, 127.0.0.3, ...), keeps cookies and sends what a browser sends for CSRF."""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from tests.security.production import insecure_tls

HOST = "clinic.example.org"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class LoopbackClient:
    port: int
    source: str = "127.0.0.1"
    tls: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        if self.tls:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0), context=insecure_tls()
            )
        else:
            conn = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
            )
        scheme = "https" if self.tls else "http"
        sent = {"Host": HOST, "Referer": f"{scheme}://{HOST}{path}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Origin"] = f"{scheme}://{HOST}"
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    cookie = value.split(";", 1)[0]
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            conn.close()

    def log_in(self, username: str, password: str) -> Answer:
        page = self.request("GET", "/accounts/login/")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert match is not None, page.status
        return self.request(
            "POST",
            "/accounts/login/",
            form={
                "csrfmiddlewaretoken": match.group(1),
                "username": username,
                "password": password,
                "next": "",
            },
        )
