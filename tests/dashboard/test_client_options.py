"""The client filter of the session list, the risk inbox and search (``{% client_options %}``): every
assigned client once, in order, the chosen one selected, every id escaped."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from ifemotion.accounts.identity import assign_client
from ifemotion.accounts.models import User
from tests.support import AVA, BEN, login


def options(ids: list[str], selected: str) -> str:
    template = Template("{% load client_options %}{% client_options ids selected %}")
    return template.render(Context({"ids": ids, "selected": selected}))


def test_each_id_is_an_escaped_option_and_only_the_chosen_one_is_selected() -> None:
    hostile = 'x"><script>alert(1)</script>&'
    escaped = "x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;"
    assert options(["client-a", hostile, "client-b"], "client-b") == (
        '<option value="client-a">client-a</option>'
        f'<option value="{escaped}">{escaped}</option>'
        '<option value="client-b" selected>client-b</option>'
    )
    assert options([hostile], hostile) == f'<option value="{escaped}" selected>{escaped}</option>'
    assert options([], "") == ""


@pytest.mark.parametrize("page", ["sessions:list", "risk:inbox", "sessions:search"])
def test_the_filter_offers_the_assigned_clients_and_keeps_the_choice(page: str, alice: User) -> None:
    assign_client(therapist=alice, client_id=BEN)
    client = login(alice)
    html = client.get(reverse(page), {"client": BEN}).content.decode()
    select = re.search(r'<select name="client" id="id_client">(.*?)</select>', html, re.S)
    assert select is not None
    found = re.findall(r'<option value="([^"]*)"( selected)?>', select.group(1))
    assert found == [("", ""), (AVA, ""), (BEN, " selected")]
