"""Write a generated answer frame straight into a study's store, as one import batch.

The analysis and report benchmarks measure reading and building, not importing
(bench_import.py does that), so their large studies skip the importer.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import sqlalchemy as sa

from syrmak.store import schema
from syrmak.store.answers import write_batch


def store_generated(study, frame: pd.DataFrame) -> None:
    """Respondents 1..len(frame) with the stored values in ``frame`` (choice names etc.)."""
    n = len(frame)
    with study.engine.begin() as connection:
        import_id = connection.execute(
            sa.insert(schema.imports).returning(schema.imports.c.id),
            {"file_name": "generated", "file_sha256": "0" * 64, "format": "csv",
             "questionnaire_id": study.questionnaire_id(connection), "rows_read": n,
             "rows_added": n, "imported_at": datetime.now(UTC)}).scalar_one()
        connection.execute(sa.insert(schema.respondents), [
            {"number": i + 1, "submission_key": f"gen:{i}", "submitted_at": None,
             "import_id": import_id, "position": i} for i in range(n)])
        write_batch(connection, import_id, frame, list(range(n)))
