"""Fresh Teradata VantageCloud Lake tokens for teradataml, from LakeKey.

Sign in once with the LakeKey app or CLI; the secrets stay in the OS keychain. Then::

    import lakekey
    lakekey.set_auth_token("prod")   # after teradataml's create_context()

and every request teradataml makes carries a valid token for the life of the process. This
package is pure Python: it runs the installed ``lakekey`` command (on ``PATH``, or
``$LAKEKEY_BIN``), and never prints or logs a token.
"""

import json
import warnings
from typing import Optional

from . import _cli
from .errors import (
    CLINotFoundError,
    InvalidInputError,
    KeychainError,
    LakeKeyError,
    NetworkError,
    NotSignedInError,
    TeradatamlError,
)

__all__ = [
    "token",
    "base_url",
    "set_auth_token",
    "LakeKeyError",
    "NotSignedInError",
    "KeychainError",
    "NetworkError",
    "InvalidInputError",
    "CLINotFoundError",
    "TeradatamlError",
    "ShortLivedTokenWarning",
]
__version__ = "0.1.0"

DEFAULT_MIN_VALID = 60


class ShortLivedTokenWarning(UserWarning):
    """The token lasts less than asked for: the identity provider issues no longer-lived ones."""


def token(profile: Optional[str] = None, min_valid: int = DEFAULT_MIN_VALID) -> str:
    """A bearer token for ``profile`` valid for at least ``min_valid`` seconds, as
    ``lakekey token`` gives it: the stored one, or one refreshed or re-signed just now.

    ``profile`` defaults to ``$LAKEKEY_PROFILE``, then the default profile, then the only one.
    When the identity provider issues tokens shorter than ``min_valid``, the freshest one is
    returned with a :class:`ShortLivedTokenWarning`.
    """
    return _token(profile, min_valid, warn=True)


def _token(profile: Optional[str], min_valid: int, warn: bool) -> str:
    return _issued(profile, min_valid, warn)["token"]


def _issued(profile: Optional[str], min_valid: int, warn: bool) -> dict:
    """`lakekey token --json`: the token, when it expires, and how long a renewed one lives."""
    if isinstance(min_valid, bool) or not isinstance(min_valid, int) or min_valid < 0:
        raise InvalidInputError("invalid_input", f"min_valid must be a whole number of seconds, 0 or more (got {min_valid!r}).")
    stdout, notes = _cli.run(["token", *_profile_args(profile), "--min-valid", str(min_valid), "--json"])
    for note in notes if warn else []:
        warnings.warn(note.replace("lakekey: note: ", ""), ShortLivedTokenWarning, stacklevel=4)
    return json.loads(stdout)


def base_url(profile: Optional[str] = None) -> str:
    """The Lake base URL of ``profile`` (what teradataml's ``set_auth_token`` takes)."""
    return str(_profile(profile)["base_url"])


def set_auth_token(profile: Optional[str] = None) -> bool:
    """Calls teradataml's ``set_auth_token(base_url=..., auth_token=...)`` with ``profile``'s
    base URL and token, and keeps that token fresh for the life of the process: once it nears
    its expiry, teradataml's next request carries a new one from LakeKey, with no further call.

    Call it after ``create_context()``: teradataml starts each new context without a token.
    Returns True, as teradataml's own function does.
    """
    from ._teradataml import install_fresh_token

    resolved = _profile(profile)
    name = str(resolved["name"])
    # No ShortLivedTokenWarning here: renewing short-lived tokens in time is this function's job.
    return install_fresh_token(name, str(resolved["base_url"]), lambda min_valid: _issued(name, min_valid, warn=False))


def _profile(profile: Optional[str]) -> dict:
    stdout, _ = _cli.run(["profile", "show", *([profile] if profile else []), "--json"])
    return json.loads(stdout)


def _profile_args(profile: Optional[str]) -> list:
    return ["--profile", profile] if profile else []
