"""The text pane's HTML, written in Python rather than a Jinja loop.

A 500,000-character transcript with 5,000 codings is some 12,000 pieces; a template loop
spends ~50 µs on each, string formatting here a few. The markup is the same a template
would give: one ``<div class="turn">`` per paragraph with its margin (time, speaker), and
one ``<span data-o="N">`` per piece, N being the browser (UTF-16) offset of its first
character (``web.offsets``), with the classes of its innermost coding's code and its
overlap depth, and the ids of every coding covering it.
"""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from syrmak.web.offsets import OffsetMap
from syrmak.web.render import clock
from syrmak.workspace.desk import DocumentView


def turns_html(view: DocumentView, *, oob: bool = False) -> Markup:
    offsets = OffsetMap(view.text)
    # The innermost coding gives a piece its colour: the latest start, then the earliest end.
    rank = {m.id: (m.start, -m.end) for m in view.marks}
    code_of = {m.id: m.code_id for m in view.marks}
    text = view.text
    swap = ' hx-swap-oob="true"' if oob else ""
    out: list[str] = []
    add = out.append
    for turn in view.turns:
        add(f'<div class="turn" id="turn-{turn.start}"{swap}><div class="margin" '
            'aria-hidden="true">')
        if turn.time_ms is not None:
            add(f'<span class="time">{clock(turn.time_ms)}</span>')
        if turn.speaker:
            add(f'<span class="speaker">{escape(turn.speaker)}</span>')
        add('</div><div class="words">')
        has_label = turn.label_end > turn.start
        for piece in turn.pieces:
            words = escape(text[piece.start:piece.end], quote=False)
            o = offsets.to_browser(piece.start)
            label = " label" if has_label and piece.end <= turn.label_end else ""
            marks = piece.marks
            if marks:
                top = marks[0] if len(marks) == 1 else max(marks, key=rank.__getitem__)
                ids = " ".join(map(str, marks))
                add(f'<span data-o="{o}" class="hl k{code_of[top]} d{min(len(marks), 3)}'
                    f'{label}" data-c="{ids}">{words}</span>')
            elif label:
                add(f'<span data-o="{o}" class="label">{words}</span>')
            else:
                add(f'<span data-o="{o}">{words}</span>')
        add("</div></div>")
    return Markup("".join(out))
