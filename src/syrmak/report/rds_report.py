"""A respondent-driven sample in the report and on the command line: the ``tree`` and
``rds`` blocks of ``report.yaml``, and the charts ``syrmak rds --chart`` writes.

``tree`` draws the recruitment tree coloured by a categorical question; ``rds`` is the
table of RDS-II estimates (category, sample %, RDS-II %, tree-bootstrap interval, n) with
the recruitment summary as its note. Both are an ordinary numbered figure and table of the
report (``spec.Figure``/``spec.Table`` with the analysis ``tree``/``rds``), so captions,
references, HTML and Word need nothing new. The statistics are
``syrmak.analysis.rds``'s; the degree question is found by
``syrmak.collect.tree.degree_question``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from syrmak.errors import SyrmakError
from syrmak.report import rds_charts as RC
from syrmak.report import spec as S

if TYPE_CHECKING:
    from syrmak.analysis.rds import RdsEstimate
    from syrmak.study import Study

CHARTS = ("tree", "convergence", "bottleneck")
TREE_KEYS = ("caption", "question", "note", "id")
RDS_KEYS = ("caption", "question", "degree", "replicates", "random_seed", "level", "decimals",
            "note", "id")
SUFFIXES = (".svg", ".png")

WORDS = {
    "en": {"category": "Category", "sample": "Sample, %", "estimate": "RDS-II, %",
           "interval": "{level}% interval", "n": "n",
           "summary": "{respondents} respondents from {seeds} seeds, deepest wave {depth}; "
                      "coupon return {returned}; largest tree {dominance} of the sample. "
                      "RDS-II weights each respondent by 1/degree ('{degree}'); tree bootstrap, "
                      "{replicates} replicates, random seed {seed}."},
    "ru": {"category": "Категория", "sample": "Выборка, %", "estimate": "RDS-II, %",
           "interval": "{level}% интервал", "n": "n",
           "summary": "{respondents} респондентов от {seeds} семян, самая дальняя волна "
                      "{depth}; возврат купонов {returned}; крупнейшее дерево — {dominance} "
                      "выборки. RDS-II взвешивает каждого респондента на 1/размер сети "
                      "('{degree}'); бутстреп по дереву, {replicates} повторений, зерно "
                      "{seed}."},
    "kk": {"category": "Санат", "sample": "Іріктеме, %", "estimate": "RDS-II, %",
           "interval": "{level}% аралық", "n": "n",
           "summary": "{respondents} респондент, {seeds} тұқымнан, ең алыс толқын {depth}; "
                      "купондардың қайтуы {returned}; ең үлкен ағаш іріктеменің {dominance}. "
                      "RDS-II әр респондентті 1/желі өлшемі ('{degree}') бойынша өлшейді; "
                      "ағаш бутстрепі, {replicates} қайталау, кездейсоқ сан {seed}."},
}


def word(lang: str | None, key: str, **values) -> str:
    from syrmak.report import i18n

    return i18n.translate(WORDS, lang, key, **values)


# --------------------------------------------------------------------------- library


def _percent0(value: float) -> str:
    return f"{value:.0%}"


def estimate(study: Study, question: str, *, degree: str | None = None,
             lang: str | None = None, replicates: int = 1000, level: float = 0.95,
             random_seed: int = 2026) -> RdsEstimate:
    """RDS-II of ``question`` over the coupon-recruited respondents, categories in the
    questionnaire's order, labels in ``lang``."""
    from syrmak.analysis import rds
    from syrmak.collect.tree import degree_question

    form = study.questionnaire
    q = form.question(question)
    if q.type != "select_one":
        raise SyrmakError(f"'{question}' is a {q.type} question; RDS-II estimates the shares "
                          "of the options of a select_one question.",
                          "name a select_one question.", code="wrong-question-type",
                          value=question)
    degree = degree_question(study, degree)
    tree = _tree(study)
    frame = study.responses(lang, [question, degree])
    values = frame[question]
    return rds.estimate(tree, values, frame[degree], question=question,
                        categories=RC.categories_of(values.reindex(tree.index)),
                        replicates=replicates, level=level, random_seed=random_seed)


def _tree(study: Study):
    from syrmak.collect.tree import recruitment

    tree = recruitment(study)
    if tree.empty:
        raise SyrmakError("no respondent came through a referral coupon, so there is no "
                          "recruitment tree.",
                          "issue seed links ('syrmak coupons seeds DIR') and collect the survey "
                          "online first.", code="no-recruitment")
    return tree


def tree_chart(study: Study, question: str, lang: str | None = None) -> RC.TreeChart:
    """The recruitment tree coloured by the answers to ``question``."""
    form = study.questionnaire
    q = form.question(question)
    if not q.has_choices or q.type != "select_one":
        raise SyrmakError(f"'{question}' is a {q.type} question; the tree is coloured by the "
                          "options of a select_one question.", "name a select_one question.",
                          code="wrong-question-type", value=question)
    tree = _tree(study)
    values = study.responses(lang, [question])[question]
    return RC.tree_chart(tree, values, title=q.label(lang), lang=lang)


def chart(study: Study, kind: str, question: str, *, degree: str | None = None,
          lang: str | None = None, replicates: int = 1000, random_seed: int = 2026):
    """The ``tree``, ``convergence`` or ``bottleneck`` chart of ``question``."""
    if kind == "tree":
        return tree_chart(study, question, lang)
    result = estimate(study, question, degree=degree, lang=lang, replicates=replicates,
                      random_seed=random_seed)
    if kind == "convergence":
        return RC.convergence_chart(result, lang)
    if kind == "bottleneck":
        return RC.bottleneck_chart(result, lang)
    raise SyrmakError(f"unknown RDS chart '{kind}'.", f"use one of: {', '.join(CHARTS)}.",
                      code="bad-argument", value=kind)


def write_chart(chart, path: str | Path) -> Path:
    """Draw ``chart`` to ``path``: SVG or PNG by its suffix."""
    from syrmak.report import write_atomic

    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise SyrmakError(f"cannot tell the chart format of '{path.name}'.",
                          "end the file name in .svg or .png.", code="bad-argument",
                          file=str(path))
    data = RC.render(chart, path.suffix.lower().lstrip("."))
    write_atomic({path: data})
    return path


# --------------------------------------------------------------------------- spec blocks


def _block(r: S._Reader, outer, kind: str, keys: tuple[str, ...]):
    r.only(outer, (kind,), kind)
    block = outer[kind]
    if not isinstance(block, dict):
        raise r.fail(f"'{kind}:' needs its keys below it (caption and question).",
                     f"write '{kind}:' then indented 'caption: ...' and 'question: NAME'.",
                     outer.line)
    r.only(block, keys, kind)
    if "question" not in block:
        raise r.fail(f"the {kind} block has no 'question' field.",
                     "add 'question: NAME' (a select_one question).", block.line)
    return block


def parse_tree(r: S._Reader, outer) -> S.Figure:
    """``- tree: {caption: ..., question: Q}``: the recruitment tree coloured by Q."""
    block = _block(r, outer, "tree", TREE_KEYS)
    analysis = S.Analysis("tree", {"question": r.text(block, "question", True)},
                          block.line_of("question"), {"question": block.line_of("question")})
    return S.Figure(block.line, r.text(block, "caption", True), "rds-tree", analysis,
                    {"_lines": {}}, r.text(block, "note"), r.text(block, "id"))


def parse_rds(r: S._Reader, outer) -> S.Table:
    """``- rds: {caption: ..., question: Q, degree: D}``: the RDS-II table of Q."""
    block = _block(r, outer, "rds", RDS_KEYS)
    args: dict[str, Any] = {"question": r.text(block, "question", True),
                            "degree": r.text(block, "degree"),
                            "replicates": r.integer(block, "replicates", 1000, 50, 100000),
                            "random_seed": r.integer(block, "random_seed", 2026, 0, 2**31)}
    level = block.get("level", 0.95)
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0.5 <= level < 1:
        raise r.fail(f"the rds block's 'level' field must be a share from 0.5 to 0.99, not "
                     f"{level!r}.", "write 'level: 0.95'.", block.line_of("level"),
                     value=str(level))
    args["level"] = float(level)
    lines = {k: block.line_of(k) for k in block}
    return S.Table(block.line, r.text(block, "caption", True),
                   S.Analysis("rds", args, block.line_of("question"), lines),
                   None, r.integer(block, "decimals", 1, 0, 4), None, None,
                   r.text(block, "note"), r.text(block, "id"))


def _fail(builder, block_kind: str, field: str | None, line: int,
          exc: SyrmakError) -> SyrmakError:
    where = f"the {block_kind} block's '{field}' field" if field else f"the {block_kind} block"
    return SyrmakError(f"{where}: {exc.message}", exc.hint, code=exc.code, file=builder.file,
                       line=line, value=exc.location.value)


def figure(builder, block: S.Figure, number: int):
    """The resolved ``tree`` block: a numbered figure of the report."""
    from syrmak.report import model

    a = block.analysis
    question = a.args["question"]
    try:
        builder.study.questionnaire.question(question)
    except SyrmakError as exc:
        raise _fail(builder, "tree", "question", a.line_of("question"), exc) from None
    try:
        drawn = tree_chart(builder.study, question, builder.lang)
    except SyrmakError as exc:
        field = "question" if exc.code == "wrong-question-type" else None
        raise _fail(builder, "tree", field, a.line_of("question") if field else block.line,
                    exc) from None
    return model.FigureBlock(number, block.caption, block.id or f"figure-{number}", drawn,
                             RC.alt(drawn), block.note)


def table(builder, block: S.Table, number: int):
    """The resolved ``rds`` block: a numbered table of the report."""
    from syrmak.analysis import rds
    from syrmak.report import model
    from syrmak.report.build import fmt_percent
    from syrmak.report.model import Cell

    a = block.analysis
    args = a.args
    study, lang = builder.study, builder.lang
    for field in ("question", "degree"):
        if args.get(field):
            try:
                study.questionnaire.question(args[field])
            except SyrmakError as exc:
                raise _fail(builder, "rds", field, a.line_of(field), exc) from None
    try:
        result = estimate(study, args["question"], degree=args.get("degree"), lang=lang,
                          replicates=args["replicates"], level=args["level"],
                          random_seed=args["random_seed"])
    except SyrmakError as exc:
        field = {"no-degree": "degree", "bad-degree": "degree",
                 "wrong-question-type": "question"}.get(exc.code)
        line = a.line_of(field) if field in a.arg_lines else block.line
        raise _fail(builder, "rds", field, line, exc) from None
    summary = rds.summary(_tree(study))
    from syrmak.collect.tree import degree_question

    d = block.decimals
    level = f"{result.level * 100:g}"
    header = (tuple(Cell(t, header=True, kind=k) for t, k in (
        (word(lang, "category"), "label"), (word(lang, "sample"), "number"),
        (word(lang, "estimate"), "number"), (word(lang, "interval", level=level), "number"))),)
    body = []
    for i, category in enumerate(result.categories):
        interval = (f"{fmt_percent(result.lower[i] * 100, d, False)}–"
                    f"{fmt_percent(result.upper[i] * 100, d, False)}")
        body.append((Cell(category, kind="label"), Cell(fmt_percent(result.sample[i] * 100, d)),
                     Cell(fmt_percent(result.estimate[i] * 100, d)), Cell(interval)))
    body.append((Cell(word(lang, "n"), kind="label", header=True),
                 Cell(str(result.n), header=True), Cell(str(result.n), header=True),
                 Cell("", header=True)))
    note = word(lang, "summary", respondents=summary.respondents, seeds=summary.seeds,
                depth=summary.depth, returned=_percent0(summary.coupon_return_rate),
                dominance=_percent0(summary.seed_dominance),
                degree=degree_question(study, args.get("degree")),
                replicates=result.replicates, seed=result.random_seed)
    notes = [block.note, note] if block.note else [note]
    return model.TableBlock(number, block.caption, block.id or f"table-{number}", header,
                            tuple(body), " ".join(notes), result)
