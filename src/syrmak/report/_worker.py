"""A chart-drawing worker process (``python -m syrmak.report._worker``).

Reads one pickled list of ``(index, job)`` on stdin and writes one length-prefixed pickled
``(index, (svg, png))`` per chart on stdout as soon as it is drawn. A plain child process
rather than a multiprocessing pool: a pool's "spawn" start re-imports the caller's main
script, which re-runs an unguarded script's top level (a notebook or a quick script that
calls ``build_report``), and "fork" is unsafe beside the progress bar's thread.
"""

from __future__ import annotations

import pickle
import struct
import sys


def main() -> None:
    from syrmak.report.charts import render_both

    jobs = pickle.load(sys.stdin.buffer)
    out = sys.stdout.buffer
    for index, job in jobs:
        data = pickle.dumps((index, render_both(job)), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(struct.pack(">Q", len(data)))
        out.write(data)
        out.flush()


if __name__ == "__main__":
    main()
