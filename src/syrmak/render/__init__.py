"""Laying results out as tables, for people and for programs.

- ``render.grid``: the one table model, ``Grid`` (column groups and headings, cell kinds,
  rows, total rows, notes), and ``to_cells``, the header and body cells with their spans
  that the HTML and Word reports draw;
- ``render.results``: analysis results (frequencies, crosstabs, banners, Likert) laid out
  in full as a grid, written as a terminal table (rich, sized to the window), CSV, XLSX,
  JSON or Markdown;
- ``render.published``: results laid out as the compact tables of reports and web pages
  (one cell per category, totals and bases, cells hidden by disclosure control);
- ``render.frames``: any other result frame (documents, codes, segments, matrices,
  agreement, responses) in the same formats, the terminal one a table sized to the window.

Pure functions of what they are given: nothing here reads a study. The command line, the
reports and the web pages use them; ``FORMATS`` is the one vocabulary of ``--format``.
"""

from __future__ import annotations

#: What ``--format`` accepts everywhere ("md" is still read, as "markdown").
FORMATS = ("table", "csv", "json", "markdown", "xlsx")
