"""Moved to ``syrmak.cli.tools``; this name stays while command modules written before the
move (``syrmak.cli_*``) are merged. New code imports ``syrmak.cli.tools``."""

from syrmak.cli.tools import (  # noqa: F401
    audit_export,
    friendly,
    identity_file_option,
    keyring_option,
    new_keeper,
    open_study,
    publishable,
    unlock,
)
