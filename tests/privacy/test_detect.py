"""The contact detector: what it flags, what it leaves alone, and that it stays linear."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syrmak.privacy import detect
from syrmak.privacy.detect import MASK, contact_kind, findings, safe, shown

POSITIVES = [
    # e-mail addresses, also spelt out
    ("aigerim.activist@example.org", "email"),
    ("пишите mira@example.org после работы", "email"),
    ("Телеграм @erlan_kz, erlan@example.kz", "handle"),
    ("name at mail dot ru", "email"),
    ("Name AT Mail DOT Ru", "email"),
    ("name [at] mail [dot] ru", "email"),
    ("name(at)mail.ru", "email"),
    ("name (at) gmail (dot) com", "email"),
    ("name{at}gmail{dot}com", "email"),
    ("aigerim собака mail точка ru", "email"),
    # handles and profile links
    ("@handle", "handle"),
    ("@tg_handle", "handle"),
    ("мой телеграм: @aigerim.kz", "handle"),
    ("t.me/handle", "link"),
    ("https://t.me/+AbCdEf123", "link"),
    ("https://www.instagram.com/aigerim.kz/", "link"),
    ("instagram.com/x_y", "link"),
    ("vk.com/id123", "link"),
    ("m.vk.com/durov", "link"),
    ("wa.me/77011234567", "link"),
    ("facebook.com/some.one", "link"),
    # phone numbers
    ("+7 701 999 88 77", "phone"),
    ("+77019998877", "phone"),
    ("+7 (701) 999-88-77", "phone"),
    ("звоните +7 777 123 45 67", "phone"),
    ("8 (727) 300-20-10", "phone"),
    ("8.701.555.66.77", "phone"),
    ("8-701-555-66-77", "phone"),
    ("87015556677", "phone"),
    ("тел.8 701 555 66 77", "phone"),
    ("8 (7172) 55-66-77", "phone"),
    ("701 555 66 77", "phone"),
    ("WhatsApp: 8 701 555 66 77 (после 18:00)", "phone"),
    ("(202) 555-0143", "phone"),
    ("call +1 (202) 555-0143 after six", "phone"),
    ("+44 20 7946 0958", "phone"),
    ("+996 555 123 456", "phone"),
    ("+998 90 123 45 67", "phone"),
]
NEGATIVES = [
    "12", "2021", "34", "1 000 000", "1 000 000 000", "1 500 000,50", "1500000000",
    "3.1415926535", "0.87015556677", "1234567890123", "88888888888", "+7 700 000 00 00",
    "в 2021-09-15 10:23 было 1234 человека", "15.09.2021 10:23", "2019-2021, 2022",
    "возраст 34, стаж 12 лет", "Это было в 2020 году, 10 000 человек",
    "ИИН 900101300123", "карта 4400 4301 2345 6789", "ISBN 978-3-16-148410-0",
    "192.168.100.10", "тел. не дам", "Обычный ответ",
    "look at this", "at home", "I read the news at lenta.ru", "an email at work",
    "meet @ 5pm", "We met @ the office", "@5pm", "price 5@10", "user@localhost", "@SUM(A1)",
    "e-mail", "www.example.org", "example.org/page", "a.b", "Права человека, юридическая помощь",
]


@pytest.mark.parametrize("text, kind", POSITIVES)
def test_contacts_are_found(text, kind):
    assert contact_kind(text) == kind


@pytest.mark.parametrize("text", NEGATIVES)
def test_ordinary_text_and_numbers_are_left_alone(text):
    assert contact_kind(text) is None


def test_findings_name_lines_and_kinds_only():
    text = "Интервью\nмой номер 8 701 555 66 77\n\nпочта: A at B dot COM\nвсё"
    found = findings(text)
    assert [(f.line, f.kind) for f in found] == [(2, "phone"), (4, "email")]
    assert "701" not in repr(found) and "B dot" not in repr(found)


def test_messages_mask_contacts():
    assert shown("@tg_handle") == MASK and shown("+7 701 999 88 77") == MASK
    assert shown("cso") == "'cso'" and shown("x" * 50, 10) == "'xxxxxxxxxx…'"
    assert safe("t.me/someone") is None and safe("cso") == "cso" and safe(12) == 12


def _best_of(runs: int, func) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


RATIO = 50
#: Measures, in a child process (a runaway regex cannot be interrupted in this one),
#: the floor and the detector on the same text.
_CHILD = """
import sys, time
from syrmak.privacy.detect import contact_kind
from tests.privacy.test_detect import _best_of
text = sys.argv[1] * int(sys.argv[2])
print(_best_of(3, text.split), _best_of(2, lambda: contact_kind(text)))
"""


@pytest.mark.parametrize("unit, times", [
    pytest.param("a", 10_000_000, id="a*10M"),
    pytest.param("a.", 5_000_000, id="a.*5M"),
    pytest.param("1 ", 5_000_000, id="1 *5M"),
])
def test_a_10_mb_cell_costs_a_few_passes_over_it(unit, times):
    """The old e-mail pattern took 29 s on 80 KB and never ended on 10 MB: each start
    position rescanned the rest of the text. The budget is a ratio to str.split on the
    same text, so a slow or busy machine slows both."""
    text = unit * times
    outer_floor = _best_of(3, text.split)
    del text
    limit = 3 * RATIO * outer_floor + 10  # seconds, with room for the child to start
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, unit, str(times)],
                              capture_output=True, text=True, timeout=limit, check=True,
                              cwd=Path(__file__).parents[2])
    except subprocess.TimeoutExpired:
        pytest.fail(f"the detector did not finish a 10 MB text in {limit:.0f} s")
    floor, spent = map(float, done.stdout.split())
    assert spent <= RATIO * floor, f"{spent:.3f} s is {spent / floor:.0f} x str.split ({floor:.4f} s)"


def test_many_texts_at_once_give_the_same_kinds():
    """``contact_kinds`` rules texts out with cheap tests first: it must never rule out a
    text the patterns would flag."""
    texts = [t for t, _ in POSITIVES] + list(NEGATIVES) + [
        "Name AT mail DOT ru", "x [AT] y [.] kz", "T.ME/somebody", "call 8-701-555-66-77 now",
        "that was at noon", "data at rest", "", "abc"]
    assert detect.contact_kinds(texts) == [detect.contact_kind(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("at dotк@0123456789 .-()[]/+собакаtme")),
               max_size=40))
def test_contact_kinds_agrees_with_contact_kind(text):
    assert detect.contact_kinds([text]) == [detect.contact_kind(text)]
