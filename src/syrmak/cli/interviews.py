"""`syrmak interviews ...` and `syrmak transcribe`: thin shells over syrmak.interviews."""

from __future__ import annotations

import click

from syrmak.cli.tools import friendly, open_study
from syrmak.errors import SyrmakError


@click.group()
def interviews() -> None:
    """Choose interviewees by criteria, and reach the chosen ones."""


def _split_names(values) -> list[str]:
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


@interviews.command("candidates")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--where", "where", multiple=True, help='A filter, e.g. "interview_consent = yes".')
@click.option("--strata", multiple=True, required=True,
              help="Single-answer variables to stratify by, comma-separated.")
@click.option("--per-stratum", type=int, default=1, show_default=True,
              help="How many to draw from each stratum.")
@click.option("--seed", type=int, help="Seed of the draw (printed; give it to repeat the draw).")
@click.option("--lang", help="Label language.")
@friendly
def candidates_command(directory, where, strata, per_stratum, seed, lang):
    """The strata grid of the candidates, the empty strata, and a reproducible draw.

    Example: syrmak interviews candidates my-study --where "interview_consent = yes" --strata respondent_type,political,region_kind --seed 7
    """
    from syrmak.interviews.selection import candidates

    result = candidates(open_study(directory), where=list(where), strata=_split_names(strata),
                        per_stratum=per_stratum, seed=seed, lang=lang)
    click.echo(result.to_frame().to_string(index=False))
    click.echo(f"\n{result.total} candidates; seed {result.seed}; "
               f"{len(result.empty)} empty strata.")
    for stratum in result.empty:
        click.echo(f"Empty: {' / '.join(stratum.values)}")
    click.echo(f"Drawn: {' '.join(map(str, result.shortlist)) or '(nobody)'}")


@interviews.command("select")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("numbers", nargs=-1, type=int, required=True)
@click.option("--reason", required=True, help="Why these respondents (kept with the choice).")
@click.option("--where", "where", multiple=True, help="The filter the candidates met.")
@click.option("--strata", multiple=True, help="The criteria they were chosen by.")
@click.option("--seed", type=int, help="The seed of the draw, if they were drawn.")
@friendly
def select_command(directory, numbers, reason, where, strata, seed):
    """Put respondents on the interview shortlist, with the reason and the criteria.

    Example: syrmak interviews select my-study 6 13 15 25 26 --reason "one per stratum"
    """
    from syrmak.interviews.selection import select

    criteria = {"where": list(where), "strata": _split_names(strata), "seed": seed}
    chosen = select(open_study(directory), numbers, reason=reason, criteria=criteria)
    click.echo(f"Shortlisted {len(chosen)}: {' '.join(str(s.number) for s in chosen)}")


@interviews.command("shortlist")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def shortlist_command(directory):
    """Who is on the interview shortlist, chosen by whom, when and why (no contacts).

    Example: syrmak interviews shortlist my-study
    """
    from syrmak.interviews.selection import shortlist

    chosen = shortlist(open_study(directory))
    if not chosen:
        click.echo("Nobody is on the shortlist yet.")
    for s in chosen:
        click.echo(f"{s.number}\t{s.selected_by}\t{s.selected_at:%Y-%m-%d}\t{s.reason}")


@interviews.command("contacts")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@click.option("--question", "questions", multiple=True,
              help="Only this personal-data question (e.g. the interview contact); repeatable.")
@friendly
def contacts_command(directory, identity_file, questions):
    """The shortlisted respondents' contact details (asks for the vault passphrase; each
    decryption is logged).

    Example: syrmak interviews contacts my-study --question interview_contact
    """
    from syrmak.cli.tools import unlock
    from syrmak.interviews.selection import contacts

    study = open_study(directory)
    table = contacts(study, unlock(study, identity_file), questions=questions)
    for problem in table.attrs.get("damaged", ()):
        click.secho(f"Warning: {problem}", fg="yellow", err=True)
    click.echo(table.to_string(index=False) if len(table) else
               "The shortlisted respondents left no contact.")


@interviews.command("derive")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("name")
@click.option("--from", "source", required=True, help="The source question.")
@click.option("--category", "categories", multiple=True, required=True,
              help="NAME=CHOICE,CHOICE (first match wins); repeat for each category.")
@click.option("--otherwise", help="Category of everyone else who answered the source.")
@friendly
def derive_command(directory, name, source, categories, otherwise):
    """Define a derived variable (a recode of one question) usable in --where, crosstabs
    and strata.

    Example: syrmak interviews derive my-study region_kind --from regions --category big_city=KZ-ALA,KZ-AST,KZ-SHY,national --otherwise region
    """
    from syrmak.survey.derived import derive, parse_categories

    variable = derive(open_study(directory), name, source, parse_categories(categories),
                      otherwise=otherwise)
    click.echo(f"Defined {variable.name}: "
               f"{', '.join(c.name for c in variable.categories)} (from {variable.source})")


@interviews.command("edit")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("document")
@click.argument("corrected", type=click.Path(exists=True, dir_okay=False))
@click.option("--editor", help="Who corrects (default: your user name).")
@click.option("--drop-lost", is_flag=True,
              help="Delete codings whose words the correction deletes (listed).")
@friendly
def edit_command(directory, document, corrected, editor, drop_lost):
    """Replace a transcript's text with a corrected version; codings follow their words.

    Example: syrmak interviews edit my-study interview-26 interview-26-corrected.txt
    """
    from pathlib import Path

    from syrmak.interviews.editing import edit_text

    result = edit_text(open_study(directory), document,
                       Path(corrected).read_text(encoding="utf-8"), editor=editor,
                       drop_lost=drop_lost)
    click.echo(f"Corrected; {result.kept} codings kept, {result.moved} of them moved.")
    for lost in result.lost:
        click.secho(f"Dropped: {lost}", fg="yellow")


def _report_change(change) -> None:
    for lost in change.lost:
        click.secho(f"Dropped: {lost}", fg="yellow")


@interviews.command("split")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("document")
@click.argument("segment", type=int)
@click.option("--before", "words", required=True,
              help="Split before these words of the segment (their first occurrence).")
@click.option("--at", "at_seconds", type=float,
              help="Time of the split in seconds (default: in proportion to the words).")
@friendly
def split_command(directory, document, segment, words, at_seconds):
    """Split a transcript segment in two (numbers as in 'syrmak docs show --segments');
    no text changes, codings stay.

    Example: syrmak interviews split my-study interview-26 3 --before "Было трудно" --at 12.4
    """
    from syrmak.interviews.segments import split, transcript

    study = open_study(directory)
    line = next((x for x in transcript(study, document).lines if x.position == segment), None)
    at = line.text.find(words) if line is not None else -1
    if line is not None and at < 0:
        raise SyrmakError(f"segment {segment} does not contain '{words}'.",
                          "copy the words from 'syrmak docs show DIR DOC --segments'.",
                          code="bad-split", value=words)
    split(study, document, segment, (line.start + at) if line else 0,
          at_ms=round(at_seconds * 1000) if at_seconds is not None else None)
    click.echo(f"Split segment {segment} of {document}.")


@interviews.command("merge")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("document")
@click.argument("segment", type=int)
@click.option("--drop-lost", is_flag=True,
              help="Delete codings of the speaker label that the merge removes (listed).")
@friendly
def merge_command(directory, document, segment, drop_lost):
    """Merge a transcript segment with the next one; codings stay on their words.

    Example: syrmak interviews merge my-study interview-26 3
    """
    from syrmak.interviews.segments import merge

    _report_change(merge(open_study(directory), document, segment, drop_lost=drop_lost))
    click.echo(f"Merged segments {segment} and {segment + 1} of {document}.")


@interviews.command("speaker")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("document")
@click.argument("old")
@click.argument("new")
@click.option("--segment", type=int, help="Only this segment (default: everywhere).")
@click.option("--interviewer", is_flag=True, help="Also mark NEW as the interviewer.")
@friendly
def speaker_command(directory, document, old, new, segment, interviewer):
    """Rename a transcript's speaker everywhere, or give one segment to another speaker.

    Example: syrmak interviews speaker my-study interview-26 "Speaker 1" Interviewer --interviewer
    """
    from syrmak.interviews.segments import (
        mark_interviewer,
        relabel_segment,
        rename_speaker,
        transcript,
    )

    study = open_study(directory)
    if segment is not None:
        line = next((x for x in transcript(study, document).lines if x.position == segment),
                    None)
        if line is not None and line.speaker != old:
            raise SyrmakError(f"segment {segment} is {line.speaker or 'nobody'}'s, not {old}'s.",
                              "check the number with 'syrmak docs show DIR DOC --segments'.",
                              code="unknown-speaker", value=old)
    if segment is None:
        _report_change(rename_speaker(study, document, old, new))
    else:
        _report_change(relabel_segment(study, document, segment, new))
    if interviewer:
        mark_interviewer(study, document, new)
    click.echo(f"{old} -> {new}" + (f" in segment {segment}" if segment is not None else "")
               + (" (the interviewer)" if interviewer else "") + ".")


@interviews.group("guide")
def guide_group() -> None:
    """The interview guide: store, print, and read answers question by question."""


@guide_group.command("set")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@friendly
def guide_set(directory, file):
    """Store the interview guide (numbered questions in a UTF-8 text file).

    Example: syrmak interviews guide set my-study guide.txt
    """
    from syrmak.interviews.guide import set_guide

    click.echo(f"Stored the guide: {len(set_guide(open_study(directory), file))} questions.")


@guide_group.command("show")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@friendly
def guide_show(directory):
    """Print the interview guide.

    Example: syrmak interviews guide show my-study
    """
    from syrmak.interviews.guide import guide

    for q in guide(open_study(directory)):
        click.echo(f"{q.number}. {q.text}")


@guide_group.command("answers")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.argument("number", type=int)
@friendly
def guide_answers(directory, number):
    """What every interviewee answered to guide question NUMBER.

    Example: syrmak interviews guide answers my-study 7
    """
    from syrmak.interviews.guide import answers

    found = answers(open_study(directory), number)
    if not found:
        click.echo("No interviewer turn asks this question in the transcripts.")
    for a in found:
        who = f"respondent {a.respondent}" if a.respondent else a.document
        click.echo(f"[{a.document} {a.start}-{a.end}, {who}] {a.text}\n")


@click.command("transcribe")
@click.argument("directory")
@click.argument("recordings", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--respondent", type=int, help="The respondent interviewed.")
@click.option("--language", default="ru", show_default=True, help="Language spoken.")
@click.option("--speaker", "speakers", multiple=True,
              help="Speaker of each track, in order (one track per participant); with "
                   "--speakers, the names in the order they first speak.")
@click.option("--speakers", "count", type=int, default=1, show_default=True,
              help="People speaking in a single mixed recording; above 1 they are told apart "
                   "by syrmak[diarize] (senko) when it is installed.")
@click.option("--interviewer",
              help="Which speaker is the interviewer (default with --speakers: the first to "
                   "speak).")
@click.option("--name", help="Name of the transcript document (default: the file name).")
@click.option("--prompt", help="Context for the speech model: the study's topic and words it "
                               "should expect (organisations, jargon), not text to transcribe; "
                               "default: [transcribe] prompt in syrmak.toml.")
@click.option("--here", is_flag=True,
              help="On a team store, transcribe in this process instead of queueing a job.")
@friendly
def transcribe_command(directory, recordings, respondent, language, speakers, count,
                       interviewer, name, prompt, here):
    """Transcribe a recording offline into a timed transcript; the recording is kept with
    the study, encrypted. Several files are one track per speaker.

    Example: syrmak transcribe my-study zoom-26.m4a --respondent 26 --language ru --speakers 2
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from syrmak.interviews.jobs import transcribe_here

    study = open_study(directory)
    if study.engine.dialect.name == "postgresql" and not here:
        from syrmak.interviews.jobs import submit_transcription

        job = submit_transcription(study, recordings, respondent=respondent,
                                   language=language, speakers=speakers,
                                   interviewer=interviewer, name=name, count=count,
                                   prompt=prompt)
        click.echo(f"Queued job {job.id}; a 'syrmak worker' on any machine with the vault "
                   f"key takes it. Follow it with: syrmak jobs {directory}")
        return
    with Progress(TextColumn("Transcribing"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeRemainingColumn(), transient=True) as bar:
        task = bar.add_task("transcribe", total=None)

        def progress(done, total):
            bar.update(task, completed=done, total=total)

        # Recorded as a job too, so the workspace's jobs page shows the progress.
        result = transcribe_here(study, recordings, respondent=respondent, language=language,
                                 speakers=speakers, interviewer=interviewer, name=name,
                                 progress=progress, count=count, prompt=prompt)
    click.echo(f"Stored transcript '{result.name}': {result.segments} segments, "
               f"{len(result.speakers)} speaker(s), {result.duration:.0f} s of audio; "
               f"recording(s) {', '.join(map(str, result.recordings))} sealed in the store.")
    if result.interviewer:
        click.echo(f"Interviewer: {result.interviewer}.")
    if result.notice:
        click.echo(f"Note: {result.notice}")


@click.command("worker")
@click.argument("directory")
@click.option("--once", is_flag=True, help="Stop when the queue is empty.")
@click.option("--identity-file", type=click.Path(),
              help="Where the vault key file is, if it is kept as a file.")
@friendly
def worker_command(directory, once, identity_file):
    """Take transcription jobs from a team store's queue (needs the vault key).

    Example: syrmak worker postgresql://lab@db.example.org/study
    """
    from syrmak.cli.tools import unlock
    from syrmak.interviews.jobs import work

    study = open_study(directory)
    work(study, unlock(study, identity_file), once=once)


@click.command("jobs")
@click.argument("directory")
@friendly
def jobs_command(directory):
    """Background jobs of a team store and their progress.

    Example: syrmak jobs postgresql://lab@db.example.org/study
    """
    from syrmak.interviews.jobs import jobs

    found = jobs(open_study(directory))
    if not found:
        click.echo("No jobs.")
    for j in found:
        line = f"{j.id}\t{j.kind}\t{j.status}\t{100 * j.fraction:.0f}%"
        click.echo(line + (f"\t{j.error}" if j.error else "")
                   + (f"\t{j.worker}" if j.worker else ""))


COMMANDS = [interviews, transcribe_command, worker_command, jobs_command]
