"""Plain-text description of a questionnaire, for ``syrmak questionnaire show``.

Each question shows what its answer is stored as (``select_one``, ``geopoint``, ``media``,
...) and, where the form's own type says more, that type as pyxform resolved it (``range``,
``phone number``, ``select_one_from_file cities.csv``). Groups are nested by indentation;
a repeat group is marked with its name, since its questions are answered once per repeat
and analysed as records of their own (``syrmak freq DIR question`` counts records).
"""

from __future__ import annotations

from syrmak.survey.instrument import Question, Questionnaire

_INDENT = "  "


def describe(form: Questionnaire, lang: str | None = None) -> str:
    lang = form.language(lang)
    lines = [f"{form.title}  [{form.form_id}{', version ' + form.version if form.version else ''}]",
             f"languages: {', '.join(form.languages)} (default {form.default_language})", ""]
    section = object()
    for q in form.questions:
        depth = q.section.count("/") + 1 if q.section else 0
        if q.section != section:
            section = q.section
            if section:
                lines.append(_section_line(form, section, lang, depth - 1))
        pad = _INDENT * depth  # a question outside any group is not indented
        lines.append(f"{pad}{q.name} ({_type(q)}): {q.label(lang)}{_flags(q)}")
        for c in q.choices:
            seen = "  (seen in the data)" if c.from_data else ""
            lines.append(f"{pad}    - {c.name}: {c.label(lang)}{seen}")
        if q.open_choices and not q.choices:
            lines.append(f"{pad}    (options from {_list_file(q)}: the codes the data "
                         "holds, once imported)")
    return "\n".join(lines)


def _section_line(form: Questionnaire, name: str, lang: str | None, depth: int) -> str:
    section = form.section(name)
    text = f"{_INDENT * depth}== {section.label(lang)} ({name})"
    if section.repeat:
        return text + f"  [repeat group '{name}': one record per repeat, analysed as records]"
    outer = form.parent_repeat(name + "/")
    if outer is not None:
        return text + f"  [in repeat group '{outer}']"
    return text


def _type(q: Question) -> str:
    """The stored type, then the form's type where it says more."""
    if q.source_type and q.source_type != q.type:
        return f"{q.type}; form type: {q.source_type}"
    return q.type


def _list_file(q: Question) -> str:
    source = q.source_type or ""
    if "_from_file " in source:
        return f"the file {source.split('_from_file ', 1)[1]}"
    return "an external list"


def _flags(q: Question) -> str:
    flags = [flag for flag, on in (("required", q.required),
                                   ("personal data -> vault", q.personal_data),
                                   ("or other", q.or_other)) if on]
    if q.relevant:
        flags.append(f"if {q.relevant}")
    return f"  [{'; '.join(flags)}]" if flags else ""
