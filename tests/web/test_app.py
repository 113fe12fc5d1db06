"""The workspace over HTTP: who may come in, CSRF, roles, headers, offsets, languages."""

from __future__ import annotations

import re

import pytest

from syrmak.qual.coding import codings_frame
from tests.web.conftest import client, post, sign_in
from tests.workspace.conftest import TEXT

STRONG = "correct horse battery staple 7"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_strangers_are_sent_to_sign_in(app):
    c = client(app)
    for path in ("/", "/documents/talk", "/codes", "/report/download/html"):
        response = c.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == "/login"
    assert c.get("/login").status_code == 200
    assert c.get("/static/app.css").status_code == 200


def test_one_time_link_works_once(app):
    from syrmak.web.app import login_link

    link = login_link(app, "anna", "")
    first, second = client(app), client(app)
    assert first.get(link, follow_redirects=False).status_code == 303
    assert "syrmak_session" in first.cookies
    refused = second.get(link, follow_redirects=False)
    assert refused.status_code == 403 and "syrmak_session" not in second.cookies


def test_session_cookie_flags_and_security_headers(app):
    from syrmak.web.app import login_link

    c = client(app)
    response = c.get(login_link(app, "anna", ""), follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    page = c.get("/documents/talk")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["cache-control"] == "no-store"
    # No inline script and no inline style attribute on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert " style=" not in page.text and "<style" not in page.text
    assert not re.search(r"\son[a-z]+=", page.text)


def test_password_login_and_throttling(app, desk_study):
    from syrmak.workspace import people

    study, _ = desk_study
    people.update_researcher(study, "bob", password=STRONG)
    c = client(app)

    def attempt(password: str):
        form = c.get("/login").text
        token = re.search(r'name="pre_token" value="([^"]+)"', form).group(1)
        return c.post("/login", data={"name": "bob", "password": password, "pre_token": token},
                      follow_redirects=False)

    assert attempt(STRONG).status_code == 303
    c.cookies.clear()
    for _ in range(5):
        assert attempt("wrong password").status_code == 401
    blocked = attempt(STRONG)  # even the right one, until the window passes
    assert blocked.status_code == 429 and "Too many" in blocked.text


def test_login_form_needs_its_double_submit_token(app):
    c = client(app)
    c.get("/login")
    response = c.post("/login", data={"name": "bob", "password": "x", "pre_token": "forged"})
    assert response.status_code == 403


def test_post_without_csrf_token_is_refused(app, desk_study):
    study, _ = desk_study
    c = sign_in(app, "anna")
    response = c.post("/documents/talk/code", data={"start": 0, "end": 5, "code": 1},
                      headers={"HX-Request": "true"})
    assert response.status_code == 403 and "CSRF" in response.text
    forged = c.post("/documents/talk/code", data={"start": 0, "end": 5, "code": 1},
                    headers={"X-CSRF-Token": "forged"})
    assert forged.status_code == 403
    cross = post(c, "/documents/talk/code", {"start": 0, "end": 5, "code": 1},
                 Origin="http://evil.example")
    assert cross.status_code == 403
    assert codings_frame(study).empty


def test_viewer_post_is_refused_by_the_library(app, desk_study):
    study, _ = desk_study
    c = sign_in(app, "vera")
    response = post(c, "/documents/talk/code", {"start": 0, "end": 5, "code": 1})
    assert response.status_code == 403 and "may not" in response.text
    assert post(c, "/codes", {"name": "Sneaky"}).status_code == 403
    assert codings_frame(study).empty
    page = c.get("/documents/talk")
    assert 'id="picker"' not in page.text  # and the page offers no coding


@pytest.mark.parametrize("words", [
    "Мы 😀 выгорели",            # an emoji: two UTF-16 units, one code point
    "қ ғ ә ү",                   # Kazakh letters
    "мы\u0301 закрыли",         # a combining accent (no precomposed form)
    "😀 выгорели, қ ғ ә ү; мы\u0301",
])
def test_browser_offsets_become_code_points(app, desk_study, words):
    study, _ = desk_study
    c = sign_in(app, "anna")
    start = TEXT.index(words)
    response = post(c, "/documents/talk/code", {"start": utf16(TEXT[:start]),
                                                "end": utf16(TEXT[:start + len(words)]),
                                                "code": 1})
    assert response.status_code == 200, response.text
    assert 'hx-swap-oob="true"' in response.text
    row = codings_frame(study).iloc[0]
    assert (row.start, row.end) == (start, start + len(words))
    from syrmak.qual.coding import get_coding

    assert get_coding(study, int(row.id)).text == words


def test_document_page_gives_browser_offsets(app):
    c = sign_in(app, "anna")
    page = c.get("/documents/talk").text
    offsets = [int(x) for x in re.findall(r'data-o="(\d+)"', page)]
    # The second paragraph starts after the first and its newline, in UTF-16 units.
    assert utf16(TEXT[:TEXT.index("Респондент")]) - 1 in offsets or \
        utf16(TEXT[:TEXT.index("Респондент")]) in offsets
    assert offsets == sorted(offsets)


@pytest.mark.parametrize(("header", "preference", "expected"), [
    ("ru-RU,ru;q=0.9,en;q=0.8", None, "Документы"),
    ("en-US,en;q=0.9", None, "Documents"),
    ("en-US,en;q=0.9", "ru", "Документы"),
    ("ru", "en", "Documents"),
])
def test_interface_language(app, desk_study, header, preference, expected):
    from syrmak.workspace import people

    study, team = desk_study
    if preference:
        people.set_preferences(study, team["anna"], language=preference)
    c = sign_in(app, "anna")
    page = c.get("/", headers={"Accept-Language": header})
    assert expected in page.text
    assert f'<html lang="{"ru" if expected == "Документы" else "en"}">' in page.text


def test_every_page_renders(app, desk_study):
    from syrmak.workspace import desk

    study, team = desk_study
    desk.code_passage(study, team["anna"], "talk", 0, 10, code="Funding")
    desk.code_passage(study, team["bob"], "talk", 0, 12, code="Funding")
    c = sign_in(app, "olga")
    for path in ("/", "/documents/talk?at=40", "/documents/notes", "/codes", "/codes.css",
                 "/segments?q=Funding", "/segments?q=Funding&where=doc_kind%3Dtranscript",
                 "/search?q=выгор*", "/matrix?variable=doc_kind",
                 "/matrix?variable=doc_kind&kind=quotes",
                 "/review?document=talk&a=anna&b=bob", "/report", "/users"):
        response = c.get(path)
        assert response.status_code == 200, (path, response.text[-500:])
    assert c.get("/translations").status_code == 400  # no report.yaml in this study


def test_owner_merges_and_moves_codes(app, desk_study):
    from syrmak.qual.codebook import codebook

    study, _ = desk_study
    c = sign_in(app, "olga")
    ids = {code.path: code.id for code in codebook(study).codes}
    assert post(c, f"/codes/{ids['Funding']}", {"parent": str(ids["Difficulties"])}
                ).status_code == 204
    assert post(c, "/codes", {"name": "Money", "colour": "#00aa00"}).status_code == 204
    money = {code.path: code.id for code in codebook(study).codes}["Money"]
    assert post(c, f"/codes/{money}/merge", {"target": str(ids["Funding"])}).status_code == 204
    assert "Difficulties/Funding" in codebook(study).paths()
    assert "Money" not in codebook(study).paths()
    coder = sign_in(app, "anna")
    assert post(coder, f"/codes/{ids['Funding']}/merge",
                {"target": str(ids["Difficulties"])}).status_code == 403


def test_team_page_is_the_owners(app):
    assert client_get(sign_in(app, "anna"), "/users").status_code == 403
    assert "vera" in client_get(sign_in(app, "olga"), "/users").text


def test_document_memo_is_listed_at_once(app):
    c = sign_in(app, "anna")
    response = post(c, "/documents/talk/memo", {"text": "Check the date."})
    assert response.status_code == 200
    assert 'id="doc-memos" hx-swap-oob="beforeend"' in response.text
    assert "Check the date." in c.get("/documents/talk").text


def client_get(c, path):
    return c.get(path, headers={"HX-Request": "true"})


def test_matrix_page_draws_the_published_code_table(app, desk_study):
    """The workspace's code matrix is laid out by render.published, as the report's code
    tables are: a count linking to its segments and its share per group, the groups'
    sizes under their names."""
    from syrmak.qual.matrices import code_matrix
    from syrmak.workspace import desk

    study, team = desk_study
    desk.code_passage(study, team["anna"], "talk", 0, 10, code="Funding")
    c = sign_in(app, "olga")
    page = c.get("/matrix?variable=doc_kind").text
    matrix = code_matrix(study, "doc_kind")
    table = page[page.index('<table class="grid matrix">'):page.index("</table>")]
    heads = re.findall(r'<th class="number">(.*?)<br><small>n = (\d+)</small>', table)
    assert heads == [(str(g), str(int(matrix.bases[g]))) for g in matrix.counts.columns]
    row = table[table.index('<th class="label">Funding</th>'):]
    row = row[:row.index("</tr>")]
    n = int(matrix.counts.loc["Funding", "Total"])
    share = round(float(matrix.percents.loc["Funding", "Total"]))
    assert n >= 1 and f'">{n}</a> <small class="muted">{share}%</small>' in row
    assert "/segments?q=Funding" in row


def test_search_page_shows_a_page_of_hits_and_counts_them_all(app, desk_study, monkeypatch):
    from syrmak.qual import documents as qd
    from syrmak.qual import search
    from syrmak.web.routes import analysis as routes

    study, _ = desk_study
    qd.add_text(study, "many", "Мы выгорали. " * 7)
    monkeypatch.setattr(routes, "PAGE", 3)
    everything = search.search(study, "выгорать")
    assert everything.total > 3
    c = sign_in(app, "olga")
    seen = []
    first = 0
    while True:
        page = c.get(f"/search?q=выгорать&from={first}").text
        assert f"{everything.total} hits" in page
        rows = re.findall(r'<td class="match"><mark>(.*?)</mark>', page)
        assert len(rows) == min(3, everything.total - first)
        seen += rows
        if "Next</a>" not in page:
            break
        first += 3
    assert seen == [h["match"] for h in everything.rows]
