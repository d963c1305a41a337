"""Keeping teradataml's token fresh.

``teradataml.set_auth_token(base_url=..., auth_token=...)`` keeps the token it is given in an
``_AuthToken`` object, and builds every request's ``Authorization`` header from that object's
``get_header()``. For a token it did not obtain itself it never renews it. LakeKey wraps
``get_header`` on that one object: before teradataml builds a header, the token is renewed
through the ``lakekey`` command if it nears its expiry.

Where the object lives changed between releases (tested: 20.0.0.8 to 20.0.0.12): in 20.0.0.8 and
.9 ``set_auth_token`` is a function and the object sits in teradataml's internal buffer under
``auth_token``; from 20.0.0.10 ``set_auth_token`` is a class whose instance holds it as
``_auth_token``; 20.0.0.11 moved the class to ``scriptmgmt/auth_token.py``. The layout is
recognised by what is there, not by version number, and checked before anything changes; after
the change, teradataml's own per-request header builder is called once to prove the wrap is on
its path. An unknown layout is refused with :class:`TeradatamlError`, leaving teradataml as it
was.
"""

import importlib
import inspect
import threading
import time
import warnings
from typing import Any, Callable, Optional, Tuple

from .errors import LakeKeyError, LakeKeyTimeoutError, TeradatamlError

TESTED_VERSIONS = ("20.0.0.8", "20.0.0.9", "20.0.0.10", "20.0.0.11", "20.0.0.12")
# The validity asked of each token (teradataml itself renews 40 s before expiry). When to ask
# again is the command's answer (`renew_at`), by the rule it applies everywhere.
MARGIN = 60
# After a failed renewal, the still-valid token is used and LakeKey asks again at most this often.
RETRY_AFTER = 10.0


def install_fresh_token(issue: Callable[[int], dict], timeout: float) -> bool:
    """``issue(min_valid)`` is ``lakekey token --json`` for the profile: the token, the profile's
    name and base URL, and when to renew."""
    teradataml = _teradataml()
    layout = Layout.of(teradataml)
    issued = issue(MARGIN)
    token, profile, base_url = issued["token"], str(issued["profile"]), str(issued["base_url"])
    result = teradataml.set_auth_token(base_url=base_url, auth_token=token)
    held = layout.held(result)
    if type(held) is not layout.token_class or getattr(held, "value", None) != token or str(getattr(held, "auth_type", "")).lower() != "bearer":
        raise _unsupported(teradataml, "took the token, but not where LakeKey can keep it fresh")
    fresh = FreshToken(profile, held, issued, issue, timeout)
    held.get_header = FreshHeader(fresh, held.get_header)
    # Prove that teradataml's own request path goes through the wrap.
    calls = fresh.calls
    try:
        header = layout.request_header(result)
    except Exception as e:  # teradataml's own failure: undo, and say which layout was not understood
        header = e
    # The token in the header is the object's current one: the first issued, or a renewal if the
    # first came due meanwhile (a slow start, a short-lived token).
    if header != {"Authorization": f"Bearer {held.value}"} or fresh.calls != calls + 1:
        del held.get_header
        raise _unsupported(teradataml, "builds its request headers in a way LakeKey does not know")
    # Last, when nothing can fail any more: a failure above leaves teradataml's own OAuth as it was.
    if layout.oauth_switch is not None:
        layout.oauth_switch._oauth = False
    return True


class Layout:
    """Where a teradataml release keeps the token object, and how it builds a request header."""

    def __init__(self, token_class: type, held: Callable[[Any], Any], request_header: Callable[[Any], dict], oauth_switch: Any = None) -> None:
        self.token_class = token_class
        self.held = held
        self.request_header = request_header
        # teradataml's `configure`, when its own earlier OAuth sign-in must be switched off;
        # switched only once everything else has succeeded.
        self.oauth_switch = oauth_switch

    @staticmethod
    def of(teradataml: Any) -> "Layout":
        try:
            lls = importlib.import_module("teradataml.scriptmgmt.lls_utils")
            user_env = importlib.import_module("teradataml.scriptmgmt.UserEnv")
            buffer = importlib.import_module("teradataml.utils.internal_buffer")._InternalBuffer
        except ImportError:
            raise _unsupported(teradataml, "has no token object LakeKey can keep fresh") from None
        token_class = getattr(lls, "_AuthToken", None)
        if getattr(teradataml, "set_auth_token", None) is not getattr(lls, "set_auth_token", object()) or not _is_token_class(token_class):
            raise _unsupported(teradataml, "has no token object LakeKey can keep fresh")
        if isinstance(lls.set_auth_token, type):
            # 20.0.0.10 on: the returned object holds it.
            held = lambda result: getattr(result, "_auth_token", None)  # noqa: E731
        elif isinstance(inspect.getattr_static(buffer, "get", None), classmethod):
            # 20.0.0.8 and .9: the process-wide internal buffer holds it.
            held = lambda result: buffer.get("auth_token")  # noqa: E731
        else:
            raise _unsupported(teradataml, "keeps its token where LakeKey does not know")
        if inspect.isfunction(getattr(user_env, "_get_auth_token", None)):
            request_header = lambda result: user_env._get_auth_token()  # noqa: E731
        elif hasattr(user_env, "UESUtils"):
            # 20.0.0.12: per context.
            request_header = lambda result: user_env.UESUtils(getattr(result, "_ctx", None))._get_auth_token()  # noqa: E731
        else:
            raise _unsupported(teradataml, "builds its request headers in a way LakeKey does not know")
        # Before 20.0.0.11, an earlier OAuth sign-in through teradataml itself makes it replace
        # the token object once that sign-in expires: the token LakeKey keeps fresh would be
        # dropped. LakeKey provides the token from now on (install_fresh_token, at its end).
        configure = getattr(teradataml, "configure", None)
        oauth_switch = None
        if not inspect.isfunction(inspect.getattr_static(token_class, "get_valid_token", None)) and getattr(configure, "_oauth", False):
            oauth_switch = configure
        _warn_if_untested(teradataml)
        return Layout(token_class, held, request_header, oauth_switch)


def _is_token_class(cls: Any) -> bool:
    if not isinstance(cls, type) or "__slots__" in vars(cls):
        return False
    value = inspect.getattr_static(cls, "value", None)
    return isinstance(value, property) and value.fset is not None and inspect.isfunction(inspect.getattr_static(cls, "get_header", None))


class FreshToken:
    """The current token of one teradataml token object, renewed through LakeKey when it nears
    its expiry. teradataml may call it from several threads; each waits at most ``timeout``."""

    def __init__(self, profile: str, held: Any, issued: dict, issue: Callable[[int], dict], timeout: float) -> None:
        self.profile = profile
        self.calls = 0
        self._held = held
        self._issue = issue
        self._timeout = timeout
        self._lock = threading.Lock()
        self._retry_at = 0.0
        self._expires_at, self._renew_at = _schedule(issued)

    def __repr__(self) -> str:
        return f"<lakekey fresh token for profile {self.profile!r}>"

    def __call__(self) -> str:
        if not self._lock.acquire(timeout=self._timeout):
            raise LakeKeyTimeoutError("timeout", f"Another thread has been renewing the token of profile `{self.profile}` for over {self._timeout:g} s.")
        try:
            self.calls += 1
            now = time.time()
            due = self._renew_at is not None and now >= self._renew_at
            expired = self._expires_at is not None and now >= self._expires_at
            if due and (expired or now >= self._retry_at):
                self._renew(expired)
            return self._held.value
        finally:
            self._lock.release()

    def _renew(self, expired: bool) -> None:
        try:
            issued = self._issue(MARGIN)
        except LakeKeyError:
            if expired:
                raise
            # The token in hand is still valid: keep using it, and ask again in a while rather
            # than on every request.
            self._retry_at = time.time() + RETRY_AFTER
            return
        self._held.value = issued["token"]
        self._expires_at, self._renew_at = _schedule(issued)
        if self._renew_at is not None and time.time() >= self._renew_at:
            # LakeKey handed out the current token because no newer one could be had.
            self._retry_at = time.time() + RETRY_AFTER


class FreshHeader:
    """Stands in for ``get_header`` on one token object: renews the token when due, then lets
    teradataml build the header as it always does."""

    def __init__(self, fresh: FreshToken, original: Callable[[], dict]) -> None:
        self.fresh = fresh
        self._original = original

    def __repr__(self) -> str:
        return repr(self.fresh)

    def __call__(self, *args: Any, **kwargs: Any) -> dict:
        self.fresh()
        return self._original(*args, **kwargs)


def _schedule(issued: dict) -> Tuple[Optional[float], Optional[float]]:
    """When the token expires and when to ask for a new one, as ``lakekey token --json`` says
    (None: never, as far as LakeKey knows); the rule is the command's."""
    expires_at, renew_at = issued.get("expires_at"), issued.get("renew_at")
    number = lambda v: float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None  # noqa: E731
    return number(expires_at), number(renew_at)


def _teradataml() -> Any:
    try:
        import teradataml
    except ImportError:
        raise TeradatamlError(
            "teradataml_missing",
            "teradataml is not installed in this Python environment.",
            f"pip install teradataml (tested: {', '.join(TESTED_VERSIONS)}), or use lakekey.token() and lakekey.base_url() with your own client.",
        ) from None
    return teradataml


def _unsupported(teradataml: Any, what: str) -> TeradatamlError:
    return TeradatamlError(
        "teradataml_unsupported",
        f"teradataml {_version(teradataml)} {what}.",
        f"Use one of the tested teradataml versions ({', '.join(TESTED_VERSIONS)}); lakekey.token() works with any version.",
    )


def _warn_if_untested(teradataml: Any) -> None:
    if _numbers(_version(teradataml)) not in [_numbers(v) for v in TESTED_VERSIONS]:
        warnings.warn(
            f"LakeKey has not been tested with teradataml {_version(teradataml)} (tested: {', '.join(TESTED_VERSIONS)}).",
            RuntimeWarning,
            stacklevel=4,
        )


def _version(teradataml: Any) -> str:
    return str(getattr(teradataml, "__version__", "(unknown version)"))


def _numbers(version: str) -> Tuple[int, ...]:
    """teradataml writes 20.00.00.12 where PyPI says 20.0.0.12: compare the numbers."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()
