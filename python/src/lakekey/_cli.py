"""Running the ``lakekey`` command: which one, for how long, and its answers as Python values.

The package is a thin caller: every decision is the command's. It runs the ``lakekey`` binary
that came in its own wheel, so the two are always the same version. ``$LAKEKEY_BIN`` names
another one explicitly; a copy running from a source checkout (no binary of its own) uses the
one on ``PATH``. Either way the command's version is checked before its first use.
"""

import json
import os
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Sequence

from .errors import CLINotFoundError, LakeKeyError, LakeKeyTimeoutError, error_for

DEFAULT_TIMEOUT = 45.0
_EXE = "lakekey" + (sysconfig.get_config_var("EXE") or (".exe" if os.name == "nt" else ""))


class Note(NamedTuple):
    """Something the command said beside its answer: ``kind`` is ``short_lived``,
    ``renewal_failed``, ``store`` or ``warning``."""

    kind: str
    message: str


class Answer(NamedTuple):
    stdout: str
    notes: List[Note]


def timeout_or_default(timeout: Optional[float]) -> float:
    """The time limit for one call: ``timeout``, else ``$LAKEKEY_TIMEOUT``, else 45 s."""
    if timeout is None:
        text = os.environ.get("LAKEKEY_TIMEOUT", "").strip()
        try:
            timeout = float(text) if text else DEFAULT_TIMEOUT
        except ValueError:
            raise error_for("invalid_input", f"LAKEKEY_TIMEOUT must be a number of seconds (it is {text!r}).") from None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise error_for("invalid_input", f"timeout must be a positive number of seconds (got {timeout!r}).")
    return float(timeout)


def own_binary() -> Optional[str]:
    """The ``lakekey`` executable this copy of the package was installed with, from its
    distribution's RECORD (exact for venv, conda, ``--user``, ``--prefix`` and ``--target``
    installs). ``None`` when this copy runs from a source checkout."""
    try:
        from importlib.metadata import distributions
    except ImportError:  # Python 3.7
        return None
    site = str(Path(__file__).resolve().parent.parent)
    for dist in distributions(name="lakekey", path=[site]):
        for file in dist.files or []:
            if file.name.lower() == _EXE.lower() and file.parent.name.lower() in ("bin", "scripts"):
                return os.path.normpath(str(file.locate()))
    return None


def find_cli() -> str:
    """``$LAKEKEY_BIN`` if set; else the binary of this package's wheel; else, running from a
    source checkout, ``lakekey`` on ``PATH``."""
    def executable(path: str, message: str, hint: str) -> str:
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        raise CLINotFoundError("cli_not_found", message, hint)

    explicit = os.environ.get("LAKEKEY_BIN")
    if explicit:
        return executable(
            explicit,
            f"LAKEKEY_BIN is set to {explicit!r}, which is not an executable file.",
            "Point LAKEKEY_BIN at the lakekey command, or unset it to use the one this package came with.",
        )
    own = own_binary()
    if own is not None:
        return executable(
            own,
            f"The lakekey command this package was installed with is missing ({own}).",
            "Reinstall the package: pip install --force-reinstall lakekey",
        )
    import shutil

    found = shutil.which("lakekey")
    if found is None:
        raise CLINotFoundError(
            "cli_not_found",
            "This copy of the lakekey package has no lakekey command of its own (it runs from source), and none is on PATH.",
            "Install the package from its wheel (pip install lakekey), or set LAKEKEY_BIN to a lakekey executable.",
        )
    return found


_versions: Dict[str, str] = {}
_versions_lock = threading.Lock()


def package_version() -> str:
    """This package's version, as its installed metadata says (the wheel takes Cargo's)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # Python 3.7
        return "0+unknown"
    try:
        return version("lakekey")
    except PackageNotFoundError:
        return "0+unknown"


def _expected_version() -> str:
    return package_version()


def check_answer_version(path: str, seen: object) -> None:
    """The version check of :func:`check_version`, on a version the command reported itself
    (``token --json`` carries it), with no extra process."""
    with _versions_lock:
        _versions[path] = str(seen or "")
    check_version(path, DEFAULT_TIMEOUT)


def check_version(path: str, timeout: float) -> None:
    """Refuses a ``lakekey`` command of another release line than this package: their JSON and
    exit codes are what this package reads."""
    with _versions_lock:
        seen = _versions.get(path)
    if seen is None:
        try:
            done = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8", errors="replace", timeout=timeout)
        except subprocess.TimeoutExpired:
            raise LakeKeyTimeoutError("timeout", f"{path} --version did not answer within {timeout:g} s.") from None
        except OSError as e:
            raise CLINotFoundError("cli_not_found", f"The lakekey command could not be started ({e}).") from None
        seen = done.stdout.strip().rpartition(" ")[2]
        with _versions_lock:
            _versions[path] = seen
    expected = _expected_version()
    if _release_line(seen) != _release_line(expected):
        raise CLINotFoundError(
            "cli_version",
            f"The lakekey command at {path} is version {seen or 'unknown'}; this package ({expected}) works with {'.'.join(map(str, _release_line(expected)))}.x.",
            "Use the command that came with this package (unset LAKEKEY_BIN), or install the matching versions of both.",
        )


def _release_line(version: str) -> tuple:
    """Major and minor: within a release line the command's output stays what this package reads."""
    parts = version.split(".")
    try:
        return (int(parts[0]), int(parts[1]))
    except (IndexError, ValueError):
        return ()


def command(args: Sequence[str]) -> List[str]:
    """The full command line for ``lakekey ARGS``, with failures and notes reported as JSON."""
    return [find_cli(), "--error-format", "json", *args]


# After the time limit, how long a stopped command may take to finish a save it has begun: a
# refresh already sent waits for its answer (at most the CLI's 30 s request bound) and stores
# the rotated tokens before it exits. Only then is it killed.
GRACE = 35.0


def run(args: Sequence[str], timeout: Optional[float] = None, version_in_answer: bool = False) -> Answer:
    """Runs ``lakekey ARGS`` and waits at most ``timeout`` seconds; returns its stdout and its
    notes. Raises the matching :class:`LakeKeyError` when it fails, and
    :class:`LakeKeyTimeoutError` when it takes too long.

    The command gets the limit itself (``--time-limit``), so it stops waiting for a lock or the
    network before this caller's limit. Should it still be running then, it is asked to stop
    (SIGTERM), which it defers until a refresh in progress is saved; it is killed only after
    :data:`GRACE` seconds more. A KeyboardInterrupt (Ctrl-C, a notebook's interrupt) stops it the
    same way: it runs in a process group of its own, so it hears only this package."""
    limit = timeout_or_default(timeout)
    argv = command(["--time-limit", f"{max(limit - 1.0, limit * 0.8):.3f}", *args])
    if not version_in_answer:
        check_version(argv[0], limit)
    try:
        # UTF-8 on every OS, whatever the locale: the command writes UTF-8.
        child = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace", **own_group()
        )
    except OSError as e:
        raise CLINotFoundError("cli_not_found", f"The lakekey command could not be started ({e}).") from None
    timed_out = LakeKeyTimeoutError(
        "timeout",
        f"lakekey {' '.join(args[:1])} did not answer within {limit:g} s and was stopped.",
        "A keychain may be waiting to be unlocked, another process may hold the refresh, or the network may be slow. "
        "Give more time with timeout= (or LAKEKEY_TIMEOUT), and check `lakekey status`.",
    )
    try:
        stdout, stderr = child.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        stop(child)
        raise timed_out from None
    except BaseException:
        stop(child)
        raise
    notes, error = read_stderr(stderr)
    if child.returncode == 0:
        return Answer(stdout, notes)
    if error is not None and error.get("code") == "timeout":
        # The command's own limit (--time-limit, set from this caller's) ended it first: the same
        # failure, in this package's terms.
        raise timed_out
    if version_in_answer and error is None:
        # No JSON error: perhaps a command of another release; say so if it is.
        check_version(argv[0], limit)
    raise failure(child.returncode, error, stderr)


def own_group() -> dict:
    """Popen options that keep a terminal's or a kernel's SIGINT from reaching the command
    directly: this package decides how it stops."""
    if os.name == "nt":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    return {"start_new_session": True}


def stop(child: "subprocess.Popen[str]") -> None:
    """Ends a command that is still running without losing a save it has begun: SIGTERM, which
    the command defers until a refresh in progress is stored, then up to :data:`GRACE` seconds,
    then SIGKILL. On Windows, where termination cannot be deferred, the command's own
    ``--time-limit`` ends its waits, so it is given the grace period to end by itself."""
    try:
        if child.poll() is None and os.name != "nt":
            child.terminate()
        try:
            child.communicate(timeout=GRACE)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
    except KeyboardInterrupt:
        # A second interrupt while waiting: the caller insists; the save may be lost.
        child.kill()
        child.communicate()
        raise


def read_stderr(stderr: str):
    """The notes and the error report among the command's stderr lines. Lines of neither kind
    (a clap usage message, diagnostics with LAKEKEY_LOG) are passed on to this process's stderr."""
    notes: List[Note] = []
    error = None
    for line in stderr.splitlines():
        value = _json_object(line)
        if isinstance(value.get("note"), dict):
            note = value["note"]
            notes.append(Note(str(note.get("kind", "")), str(note.get("message", ""))))
        elif isinstance(value.get("error"), dict):
            error = value["error"]
        elif line.strip():
            print(line, file=sys.stderr)
    return notes, error


def failure(exit_code: int, error: Optional[dict], stderr: str) -> LakeKeyError:
    """The exception for a failed command: from its JSON error (every failure, usage errors
    included, is one with ``--error-format json``); else it ended without one (killed, a crash)."""
    if error is not None:
        action = error.get("action") if isinstance(error.get("action"), dict) else None
        return error_for(str(error.get("code", "internal")), str(error.get("message", "")), error.get("hint"), exit_code, action)
    text = " ".join(line.strip() for line in stderr.splitlines() if line.strip()) or f"lakekey exited with code {exit_code} without saying why."
    return error_for("internal", text, None, exit_code)


def _json_object(line: str) -> dict:
    if not line.startswith("{"):
        return {}
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def profile_option(profile: Optional[str]) -> List[str]:
    """``--profile=NAME``: one argument, so a name that starts with ``-`` is not read as an option."""
    return [f"--profile={profile}"] if profile else []
