"""The redaction page in Debian's chromium over the example study: find proposals, accept
one, reject one, reveal the accepted one; the store and the audit trail say so."""

from __future__ import annotations

from syrmak.privacy import audit, redaction
from tests.web.test_browser import (  # noqa: F401 - module fixtures and helpers
    browser,
    example,
    open_as,
    pytestmark,
    server,
    shot,
)


def test_accept_one_reject_one_and_reveal_on_the_example(example, server, browser):  # noqa: F811
    context, page, watch = open_as(browser, server, "viktoriya")  # a coder
    page.goto(server[1] + "/redaction?document=interview-15")
    page.click("[data-testid=propose] button")
    page.wait_for_selector("[data-testid=proposal]")
    found = redaction.proposals(example, "interview-15")
    assert found and {p.status for p in found} == {"proposed"}
    first, second = found[0], found[1]
    rows = page.locator("[data-testid=proposal]")
    assert rows.count() == len(found)
    shot(page, "redaction-proposed")

    page.locator(f"#redaction-{first.id} [data-testid=accept]").click()
    page.wait_for_selector(f"#redaction-{first.id}.accepted")
    page.locator(f"#redaction-{second.id} [data-testid=reject]").click()
    page.wait_for_selector(f"#redaction-{second.id}.rejected")
    page.wait_for_selector("[data-testid=counts]:has-text('Accepted: 1 · Rejected: 1')")
    states = {p.id: p for p in redaction.proposals(example, "interview-15")}
    assert states[first.id].status == "accepted" and states[second.id].status == "rejected"
    assert {p.status for i, p in states.items() if i not in (first.id, second.id)} == {
        "proposed"}
    # The accepted row shows the pseudonym; the original comes back only on request.
    stretch = page.locator(f"#redaction-{first.id} [data-testid=stretch]").inner_text()
    assert stretch == states[first.id].pseudonym and stretch.startswith("[")
    before = len(audit.entries(example, action="redaction-reveal"))
    page.locator(f"#redaction-{first.id} [data-testid=reveal]").click()
    page.wait_for_selector(f"#redaction-{first.id} [data-testid=revealed]")
    original = page.locator(f"#redaction-{first.id} [data-testid=revealed]").inner_text()
    text = example.engine.connect().exec_driver_sql(
        "SELECT text FROM documents WHERE name = 'interview-15'").scalar()
    assert original == text[first.start:first.end]
    entries = audit.entries(example, action="redaction-reveal")
    assert len(entries) == before + 1 and entries[-1].actor == "viktoriya"
    shot(page, "redaction-decided")

    page.goto(server[1] + "/redaction/text/interview-15")
    body = page.locator("[data-testid=redacted-text]").inner_text()
    assert stretch in body
    shot(page, "redaction-text")
    assert watch.errors == [] and watch.off_host == []
    context.close()
