"""Moved to ``syrmak.cli.tools``; this name stays while command modules written before the
move (``syrmak.cli_*``) are merged. New code imports ``syrmak.cli.tools``."""

from syrmak.cli.tools import (  # noqa: F401
    friendly,
    identity_file_option,
    keyring_option,
    new_keeper,
    open_study,
    unlock,
)
