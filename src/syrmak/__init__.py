"""syrmak: an offline, privacy-first workbench for mixed-methods social research."""

from syrmak.errors import SyrmakError

__version__ = "0.1.0"

__all__ = ["Study", "SyrmakError", "__version__"]


def __getattr__(name: str):
    # Study pulls in SQLAlchemy and pandas; load it on first use so `import syrmak`
    # stays cheap for the CLI's --help and never touches a web stack.
    if name == "Study":
        from syrmak.study import Study

        return Study
    raise AttributeError(name)
