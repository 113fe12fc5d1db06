"""A study with the small form of tests/forms.py published, and OpenRosa submissions
built from the published XForm the way ODK Collect or Web Forms fill it."""

from __future__ import annotations

import uuid

import pytest
from defusedxml.ElementTree import fromstring

from syrmak.collect import forms

XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture
def published(study, form_path):
    """(study, the published FormVersion)."""
    return study, forms.publish(study, form_path)


def submission(study, answers: dict, instance_id: str | None = None, number: int = 1) -> bytes:
    """The XML of a filled form: the published version's instance with ``answers``."""
    from xml.etree.ElementTree import tostring

    root = fromstring(forms.xform(study, number).encode())
    template = next(iter(root.iter(f"{XF}instance")))[0]
    for element in template.iter():
        name = element.tag.replace(XF, "")
        element.tag = name
        if name in answers:
            element.text = str(answers[name])
        elif name == "instanceID":
            element.text = f"uuid:{instance_id or uuid.uuid4()}"
    return tostring(template, encoding="utf-8")


GOOD = {"kind": "cso", "sphere": "rights eco", "staff": "12", "budget": "3.5",
        "founded": "2015-03-01", "trust": "agree", "story": "Трудно работать онлайн.",
        "contact": "+7 701 555 12 34"}
