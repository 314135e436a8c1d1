"""Errors with stable codes: say what went wrong and what to do."""

from __future__ import annotations


class StorylineError(Exception):
    code = "E000"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class InputError(StorylineError):
    """An input file or record could not be read."""

    code = "E100"


class MissingDependency(StorylineError):
    code = "E900"


def require(module: str, extra: str, hint: str = ""):
    """Import an optional dependency, or fail saying how to install it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        msg = f"{module!r} is needed for this feature: pip install 'storyline[{extra}]'"
        if hint:
            msg += f" ({hint})"
        raise MissingDependency(msg) from exc
