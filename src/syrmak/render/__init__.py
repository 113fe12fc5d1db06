"""Laying results out as tables, for people and for programs.

- ``render.results``: analysis results (frequencies, crosstabs, banners, Likert) as a typed
  grid, written as a text table, CSV, XLSX, JSON or Markdown;
- ``render.frames``: any other result frame (documents, codes, segments, matrices,
  agreement, responses) in the same formats, the terminal one a table sized to the window.

Pure functions of what they are given: nothing here reads a study. The command line uses
both; ``FORMATS`` is the one vocabulary of ``--format``.
"""

from __future__ import annotations

#: What ``--format`` accepts everywhere ("md" is still read, as "markdown").
FORMATS = ("table", "csv", "json", "markdown", "xlsx")
