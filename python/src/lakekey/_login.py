"""Signing in from Python: ``lakekey login`` run as a child process, its progress shown in a
notebook (the code large, the link, a QR code for a phone, a countdown) or in a terminal.

Interrupting the kernel (or Ctrl-C) cancels the sign-in the way Ctrl-C does on the command line:
the child is asked to stop, says so, and nothing is stored.
"""

import base64
import html
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from typing import Any, Callable, List, Optional

from . import _cli
from .errors import error_for


def login(profile: Optional[str], show_notes: Callable[[List["_cli.Note"]], None], base_url: Optional[str] = None) -> str:
    """Runs the device flow for ``profile`` (with ``base_url``: the profile for that environment,
    which the command creates or refuses; see ``lakekey login --base-url``) and returns the
    profile's name once the sign-in is stored."""
    notebook = _in_notebook()
    args = ["login", "--json", "--qr", *_cli.profile_option(profile)]
    if base_url is not None:
        args.append(f"--base-url={base_url}")
    if notebook:
        # The page opens from the link in the notebook, on the user's own computer: a browser
        # started by the kernel would open on the server.
        args.append("--no-browser")
    argv = _cli.command(args)
    _cli.check_version(argv[0], _cli.timeout_or_default(None))
    child = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8", errors="replace", **_cli.own_group())
    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    stderr: List[str] = []
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    collector = threading.Thread(target=_collect, args=(child.stderr, stderr), daemon=True)
    collector.start()
    view = View(profile or "", notebook)
    shown = 0
    error: Optional[dict] = None

    def take_stderr() -> None:
        # Each stderr line is read once: notes are shown, the error report is kept for the
        # end, and other lines are passed on (read_stderr does that) only once.
        nonlocal shown, error
        new = stderr[shown:]  # a copy: the reader may append while this runs
        if new:
            notes, reported = _cli.read_stderr("".join(new))
            shown += len(new)
            error = reported or error
            if notes:
                view.notes(notes)
                show_notes(notes)

    try:
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                line = ""
            # Notes (where secrets are kept, say) arrive on stderr; errors come as events.
            take_stderr()
            if line is None:
                break
            if not line:
                view.tick()
                continue
            event = _event(line)
            kind = event.get("event")
            if kind == "profile":
                profile = str(event.get("name", profile))
                view.profile = profile
            elif kind == "browser":
                view.status(f"Your browser opened {event.get('idp_host', 'the identity provider')} to sign you in. Finish there; this continues by itself.")
            elif kind == "fallback":
                view.status(str(event.get("message", "")))
            elif kind == "code":
                view.code(event)
            elif kind == "slow_down":
                view.status(f"The identity provider asked to wait longer between checks: every {event.get('interval')} s now.")
            elif kind == "network_trouble":
                view.status(f"Network trouble, still trying: {event.get('message', '')}")
            elif kind == "signed_in":
                view.done("Signed in. LakeKey keeps the token fresh from now on.")
            elif kind == "error":
                code = str(event.get("code", "internal"))
                view.done(f"The sign-in ended: {event.get('message', '')}")
                child.wait()
                hint = event.get("hint")
                action = event.get("action") if isinstance(event.get("action"), dict) else None
                raise error_for(code, str(event.get("message", "")), str(hint) if hint else None, child.returncode, action)
    except KeyboardInterrupt:
        _cancel(child)
        view.done("The sign-in was cancelled.")
        raise
    code = child.wait()
    # stdout closing says nothing of stderr: its reader may still hold the error or note the
    # command printed last. The pipe closes when the command exits (a browser it started is
    # detached from it; the limit is for one that is not).
    collector.join(timeout=5)
    take_stderr()
    if code != 0:
        raise _cli.failure(code, error, "".join(stderr))
    return str(profile)


def _read_lines(stream: Any, lines: "queue.Queue[Optional[str]]") -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _collect(stream: Any, into: List[str]) -> None:
    for line in stream:
        into.append(line)


def _event(line: str) -> dict:
    try:
        value = json.loads(line)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _cancel(child: "subprocess.Popen[str]") -> None:
    """Asks the child to stop as Ctrl-C would (it cancels and exits 130), then makes sure."""
    if child.poll() is not None:
        return
    try:
        if os.name == "nt":
            child.terminate()
        else:
            child.send_signal(signal.SIGINT)
        child.wait(timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        child.kill()
        child.wait()


def _in_notebook() -> bool:
    """A Jupyter kernel (rich output shown by a front end), as opposed to a terminal."""
    shell = sys.modules.get("IPython") and getattr(sys.modules["IPython"], "get_ipython", lambda: None)()
    return shell is not None and hasattr(shell, "kernel")


class View:
    """What the user sees: HTML in a notebook (updated in place), lines in a terminal."""

    def __init__(self, profile: str, notebook: bool) -> None:
        self.profile = profile
        self.notebook = notebook
        self.event: Optional[dict] = None
        self.deadline: Optional[float] = None
        self.message = "Asking the identity provider for a code…"
        self.extra: List[str] = []
        self.handle: Any = None
        if notebook:
            from IPython.display import display

            self.handle = display(_Rich(self), display_id=True)
        else:
            print(f"Signing in to `{profile}`…" if profile else "Signing in…", file=sys.stderr, flush=True)

    def code(self, event: dict) -> None:
        self.event = event
        self.deadline = time.monotonic() + float(event.get("expires_in") or 0)
        self.message = "Waiting for approval…"
        if self.notebook:
            self._update()
        else:
            print(_Rich(self).__repr__(), file=sys.stderr, flush=True)

    def tick(self) -> None:
        if self.notebook and self.deadline is not None:
            self._update()

    def status(self, message: str) -> None:
        self.message = message
        if self.notebook:
            self._update()
        else:
            print(message, file=sys.stderr, flush=True)

    def notes(self, notes: List["_cli.Note"]) -> None:
        self.extra.extend(n.message for n in notes)
        if self.notebook:
            self._update()

    def done(self, message: str) -> None:
        self.deadline = None
        self.message = message
        if self.notebook:
            self.event = None
            self._update()
        else:
            print(message, file=sys.stderr, flush=True)

    def left(self) -> Optional[int]:
        return None if self.deadline is None else max(0, int(self.deadline - time.monotonic()))

    def _update(self) -> None:
        if self.handle is not None:
            self.handle.update(_Rich(self))


def _context(event: dict) -> dict:
    """Who asks for the sign-in and what to check, as the command phrased it."""
    context = event.get("context")
    return {k: str(v) for k, v in context.items() if v is not None} if isinstance(context, dict) else {}


class _Rich:
    """One rendering of the view, as HTML with a plain-text fallback."""

    def __init__(self, view: View) -> None:
        self.view = view

    def _repr_html_(self) -> str:
        v = self.view
        parts = ['<div class="lakekey-login" style="font-family: system-ui, sans-serif; line-height: 1.4">']
        parts.append(f"<p>LakeKey sign-in for <b>{html.escape(v.profile)}</b></p>")
        if v.event is not None:
            uri = str(v.event.get("verification_uri", ""))
            complete = str(v.event.get("verification_uri_complete") or uri)
            code = str(v.event.get("user_code", ""))
            context = _context(v.event)
            # Who asks and when not to enter the code: the command's words (RFC 10027).
            parts.append(f'<p class="lakekey-asks">{html.escape(context.get("asks", ""))}</p>')
            parts.append(f'<p>Open <a href="{html.escape(complete, quote=True)}" target="_blank" rel="noopener">{html.escape(uri)}</a> and enter the code</p>')
            parts.append(
                f'<p class="lakekey-code" style="font-size: 2.4em; font-family: ui-monospace, monospace; letter-spacing: 0.12em; margin: 0.2em 0"><b>{html.escape(code)}</b></p>'
            )
            svg = v.event.get("qr_svg")
            if isinstance(svg, str) and svg:
                data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
                parts.append(f'<p><img class="lakekey-qr" alt="QR code of the sign-in address" width="200" height="200" src="data:image/svg+xml;base64,{data}"></p>')
            if context.get("page_host_warning"):
                parts.append(f'<p class="lakekey-warning" style="color: #b45309"><b>Warning:</b> {html.escape(context["page_host_warning"])}</p>')
            parts.append(f'<p class="lakekey-only-if"><b>{html.escape(context.get("only_if", ""))}</b> To cancel, interrupt the kernel (■).</p>')
            left = v.left()
            if left is not None:
                parts.append(f'<p class="lakekey-countdown">The code expires in {left // 60}:{left % 60:02d}.</p>')
        parts.append(f'<p class="lakekey-status">{html.escape(v.message)}</p>')
        for note in v.extra:
            parts.append(f'<p class="lakekey-note" style="opacity: 0.8">{html.escape(note)}</p>')
        parts.append("</div>")
        return "".join(parts)

    def __repr__(self) -> str:
        v = self.view
        lines = [f"LakeKey sign-in for {v.profile}"]
        if v.event is not None:
            complete = v.event.get("verification_uri_complete")
            context = _context(v.event)
            lines.append(context.get("asks", ""))
            lines.append(f"Open {v.event.get('verification_uri')} and enter the code:  {v.event.get('user_code')}")
            if complete:
                lines.append(f"(or open {complete} directly)")
            if context.get("page_host_warning"):
                lines.append(f"Warning: {context['page_host_warning']}")
            lines.append(f"{context.get('only_if', '')} Ctrl-C cancels.")
            qr = v.event.get("qr_text")
            if isinstance(qr, str) and qr:
                lines.append(qr)
            left = v.left()
            if left is not None:
                lines.append(f"The code expires in {left // 60}:{left % 60:02d}.")
        lines.append(v.message)
        lines.extend(v.extra)
        return "\n".join(lines)


__all__ = ["login"]
