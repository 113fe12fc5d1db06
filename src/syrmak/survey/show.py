"""Plain-text description of a questionnaire, for ``syrmak questionnaire show``."""

from __future__ import annotations

from syrmak.survey.instrument import Questionnaire


def describe(form: Questionnaire, lang: str | None = None) -> str:
    lang = form.language(lang)
    lines = [f"{form.title}  [{form.form_id}{', version ' + form.version if form.version else ''}]",
             f"languages: {', '.join(form.languages)} (default {form.default_language})", ""]
    section = object()
    for q in form.questions:
        if q.section != section:
            section = q.section
            if section:
                lines.append(f"== {form.section(section).label(lang)} ({section})")
        flags = [flag for flag, on in (("required", q.required), ("personal data -> vault", q.personal_data),
                                       ("or other", q.or_other)) if on]
        if q.relevant:
            flags.append(f"if {q.relevant}")
        suffix = f"  [{'; '.join(flags)}]" if flags else ""
        lines.append(f"  {q.name} ({q.type}): {q.label(lang)}{suffix}")
        for c in q.choices:
            lines.append(f"      - {c.name}: {c.label(lang)}")
    return "\n".join(lines)
