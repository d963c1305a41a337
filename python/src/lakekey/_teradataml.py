"""Keeping teradataml's token fresh.

teradataml (20.0.0.12, the version tested) keeps the token that
``set_auth_token(base_url=..., auth_token=...)`` was given in an ``_AuthToken`` object, and
builds every request's ``Authorization`` header from its ``get_valid_token()``. For a token it
did not obtain itself that method never refreshes. LakeKey replaces the method on that one
object with its own, which asks the ``lakekey`` CLI for a new token when the current one nears
its expiry. It relies on three internals, checked before anything is changed: that
``set_auth_token`` returns an object with ``_auth_token``, that the header comes from
``get_valid_token()``, and that ``_AuthToken.value`` can be set.
"""

import importlib
import threading
import time
import warnings
from typing import Any, Callable, Optional, Tuple

from .errors import TeradatamlError

TESTED_VERSIONS = ("20.0.0.12",)
# Renew this long before expiry (teradataml itself renews 40 s before), but never more than half
# a token's life, so an identity provider issuing 20 s tokens is not asked on every request.
MARGIN = 60


def install_fresh_token(profile: str, base_url: str, issue: Callable[[int], dict]) -> bool:
    """``issue(min_valid)`` is ``lakekey token --json`` for the profile."""
    teradataml = _teradataml()
    issued = issue(MARGIN)
    result = teradataml.set_auth_token(base_url=base_url, auth_token=issued["token"])
    held = getattr(result, "_auth_token", None)
    if held is None or getattr(held, "value", None) != issued["token"]:
        raise TeradatamlError(
            "teradataml_unsupported",
            f"teradataml {_version(teradataml)} took the token, but not where LakeKey can keep it fresh.",
            f"Use one of the tested teradataml versions ({', '.join(TESTED_VERSIONS)}), or call lakekey.set_auth_token() again when the token nears expiry.",
        )
    held.get_valid_token = FreshToken(profile, held, issued, issue)
    return True


class FreshToken:
    """Stands in for ``_AuthToken.get_valid_token`` on one object: the current token, renewed
    through LakeKey when it nears expiry. teradataml may call it from several threads."""

    def __init__(self, profile: str, held: Any, issued: dict, issue: Callable[[int], dict]) -> None:
        self.profile = profile
        self._held = held
        self._issue = issue
        self._lock = threading.Lock()
        self._expires_at, self._margin = _schedule(issued)

    def __repr__(self) -> str:
        return f"<lakekey fresh token for profile {self.profile!r}>"

    def __call__(self) -> str:
        with self._lock:
            if self._expires_at is not None and time.time() >= self._expires_at - self._margin:
                issued = self._issue(self._margin)
                self._held.value = issued["token"]
                self._expires_at, self._margin = _schedule(issued)
            return self._held.value


def _schedule(issued: dict) -> Tuple[Optional[float], int]:
    """When the token expires (None: never, as far as LakeKey knows) and how early to renew it:
    :data:`MARGIN`, or half the lifetime of the tokens the identity provider issues if that is
    shorter."""
    expires_at, lifetime = issued.get("expires_at"), issued.get("lifetime")
    margin = MARGIN
    if isinstance(lifetime, int) and lifetime > 0:
        margin = max(1, min(MARGIN, lifetime // 2))
    return (float(expires_at) if isinstance(expires_at, (int, float)) else None), margin


def _teradataml() -> Any:
    try:
        import teradataml
    except ImportError:
        raise TeradatamlError(
            "teradataml_missing",
            "teradataml is not installed in this Python environment.",
            f"pip install 'teradataml=={TESTED_VERSIONS[-1]}', or use lakekey.token() and lakekey.base_url() with your own client.",
        ) from None
    try:
        held = importlib.import_module("teradataml.scriptmgmt.auth_token")._AuthToken
    except (ImportError, AttributeError):
        held = None
    value = getattr(held, "value", None)
    if held is None or not callable(getattr(held, "get_valid_token", None)) or not isinstance(value, property) or value.fset is None:
        raise TeradatamlError(
            "teradataml_unsupported",
            f"teradataml {_version(teradataml)} has no token object LakeKey can keep fresh.",
            f"Use one of the tested teradataml versions ({', '.join(TESTED_VERSIONS)}); lakekey.token() works with any version.",
        )
    if _numbers(_version(teradataml)) not in [_numbers(v) for v in TESTED_VERSIONS]:
        warnings.warn(
            f"LakeKey has not been tested with teradataml {_version(teradataml)} (tested: {', '.join(TESTED_VERSIONS)}).",
            RuntimeWarning,
            stacklevel=3,
        )
    return teradataml


def _version(teradataml: Any) -> str:
    return str(getattr(teradataml, "__version__", "(unknown version)"))


def _numbers(version: str) -> Tuple[int, ...]:
    """teradataml writes 20.00.00.12 where PyPI says 20.0.0.12: compare the numbers."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()
