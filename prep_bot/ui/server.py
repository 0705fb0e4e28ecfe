"""The web server around the Gradio app: one origin, sessions bound to accounts, sign-in
throttled and checked off the event loop.

- **One origin.** A request that says it comes from a page of another origin (its ``Origin``
  header), or that another site's page loads without a navigation (``Sec-Fetch-Site``), is
  refused before Gradio sees it. The app's origin is ``PREP_BOT_PUBLIC_URL`` behind a proxy,
  else the address it listens on (a loopback one, or the host given to ``--host``).
- **No token for page script.** ``/gradio_api/token`` (Gradio hands the session cookie's value
  to any script that asks) is not served. The sign-in cookie is ``HttpOnly``, ``SameSite=Lax``,
  ``Secure`` over HTTPS and expires with the session (``PREP_BOT_SESSION_HOURS``).
- **Not framed.** Every response says ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``.
- **Sessions** are people/sessions.py's: bound to an account's id and session version.
- **Sign-in** goes through people/throttle.py, and the password check (Argon2, slow on purpose)
  runs in a worker thread, a few at a time, so a flood of guesses does not stall coaching.
- **Sign-out** tells the browser to clear this site's storage (``Clear-Site-Data``).
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import logging
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException
from gradio.routes import App, ORJSONResponse
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.responses import PlainTextResponse

from prep_bot.people.accounts import is_loopback
from prep_bot.people.sessions import Sessions
from prep_bot.people.throttle import Throttle
from prep_bot.ui.files import OWNERS

log = logging.getLogger("prep_bot.signin")

CLIENT: contextvars.ContextVar[str] = contextvars.ContextVar("prep_bot_client", default="unknown")
FOREIGN = "This request came from a page of another site, so prep-bot refused it. Open prep-bot at its own address."
BUSY = "Too many people are signing in at once: wait a few seconds, then sign in again."
SECURITY_HEADERS = {
    "content-security-policy": "frame-ancestors 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
LOGIN_PATHS = ("/login", "/login/")
FILE_ROUTE = "/gradio_api/file="
TOO_BIG = "That upload is larger than prep-bot accepts ({mb} MB): nothing was saved."

# The login form shows only Gradio's own "Incorrect credentials"; this shows why a sign-in was
# refused (locked, too many at once) above the form, as text.
SIGN_IN_NOTE = """
<script>
(() => {
  const fetch0 = window.fetch;
  window.fetch = async (...args) => {
    const response = await fetch0(...args);
    try {
      const url = new URL(String(args[0] && args[0].url || args[0]), location.href);
      if (/\\/login\\/?$/.test(url.pathname) && response.status === 429) {
        const detail = (await response.clone().json()).detail;
        let note = document.getElementById("pb-sign-in-note");
        if (!note) {
          note = document.createElement("p");
          note.id = "pb-sign-in-note";
          note.setAttribute("role", "alert");
          note.style.cssText = "margin:1em auto;max-width:40em;padding:.75em;border:2px solid #b45309;background:#fffbeb;color:#111";
          document.body.prepend(note);
        }
        note.textContent = String(detail);
      }
    } catch (e) { /* not the sign-in, or no message: nothing to show */ }
    return response;
  };
})();
</script>
"""


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports left out."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http or https address")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}[parts.scheme]
    port = parts.port or default
    return f"{parts.scheme}://{host}" + ("" if port == default else f":{port}")


def own_origins(host: str, ports: list[int], public_url: str | None) -> frozenset[str]:
    """The origins whose pages may call the app: ``public_url``'s, the loopback addresses at the
    ports it is reached on, and the host it listens on when that is one address."""
    origins = {origin_of(public_url)} if public_url else set()
    names = ["127.0.0.1", "localhost", "[::1]"]
    try:
        if not ipaddress.ip_address(host.strip("[]")).is_unspecified:
            names.append(host)
    except ValueError:
        names.append(host)  # a host name given to --host is where people open it
    for port in ports:
        for name in names:
            origins.add(origin_of(f"http://{name}:{port}"))
    return frozenset(origins)


def _client(scope, headers: Headers) -> str:
    """The client's address: the peer, or the last hop a local proxy names in X-Forwarded-For."""
    peer = (scope.get("client") or ("unknown", 0))[0]
    forwarded = headers.get("x-forwarded-for")
    if forwarded and is_loopback(peer):
        return forwarded.split(",")[-1].strip() or peer
    return peer


class Gate:
    """ASGI middleware, outermost: refuses other origins, adds the security headers, makes the
    sign-in cookie strict and notes the client's address for the sign-in."""

    def __init__(self, app, origins: frozenset[str], https: bool, cookie_seconds: int, sessions=None,
                 max_body: int | None = None) -> None:
        self.app = app
        self.origins = origins
        self.https = https
        self.cookie_seconds = cookie_seconds
        self.sessions = sessions
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path = scope.get("path", "")
        refusal = self._refusal(headers, path)
        if refusal is not None:
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
                return
            status, text = refusal
            log.info("refused %s %s from origin %s", scope.get("method"), path, headers.get("origin") or headers.get("sec-fetch-site"))
            await PlainTextResponse(text, status_code=status)(scope, receive, self._headed(send, headers, path))
            return
        token = CLIENT.set(_client(scope, headers))
        send = self._headed(send, headers, path)
        method = scope.get("method")
        if scope["type"] == "http" and method in ("POST", "PUT", "PATCH") and self.max_body is not None:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body:
                CLIENT.reset(token)
                log.info("refused %s %s: %s bytes is over the cap of %d", method, path, length, self.max_body)
                await PlainTextResponse(TOO_BIG.format(mb=self.max_body // (1024 * 1024)), status_code=413)(scope, receive, send)
                return
            receive = _capped(receive, self.max_body)
        if scope["type"] == "http" and method == "GET" and path == "/":
            # The sign-in page gets the note script (Gradio adds ``head`` only after sign-in);
            # asked for unencoded, so that it can be added.
            scope = _unencoded(scope)
            send = _with_note(send)
        elif scope["type"] == "http" and FILE_ROUTE in path:
            asked = path.split(FILE_ROUTE, 1)[1]
            owners = OWNERS.owners(asked)
            if owners is not None:
                if self._requester(headers) not in owners:
                    CLIENT.reset(token)
                    await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
                    return
                if OWNERS.is_export(asked) and method == "GET":
                    send = _then_delete(send, asked)
        elif scope["type"] == "http" and method == "POST" and path.rstrip("/").endswith("/gradio_api/upload"):
            scope = _unencoded(scope)
            send = _claiming(send, self._requester(headers))
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)

    def _requester(self, headers: Headers) -> str:
        """Whose files a request may have: the signed-in account's (casefolded) name, or "" when
        no one is signed in (the local person, without accounts)."""
        if self.sessions is None:
            return ""
        for part in headers.get("cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name.startswith("access-token-"):
                who = self.sessions.get(value)
                if who:
                    return who.casefold()
        return ""

    def _refusal(self, headers: Headers, path: str) -> tuple[int, str] | None:
        origin = headers.get("origin")
        if origin is not None:
            try:
                if origin_of(origin) in self.origins:
                    origin = None
            except ValueError:  # "null" (a sandboxed frame, a file) or worse
                pass
            if origin is not None:
                return 403, FOREIGN
        elif headers.get("sec-fetch-site") in ("cross-site", "same-site") and headers.get("sec-fetch-mode") != "navigate":
            return 403, FOREIGN
        if path.rstrip("/").endswith("/gradio_api/token"):
            return 404, "Not found"
        return None

    def _headed(self, send, headers: Headers, path: str):
        secure = self.https or headers.get("x-forwarded-proto", "").lower() == "https"

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    out[name] = value
                if path in LOGIN_PATHS:
                    self._strict_cookies(out, secure)
                elif path.rstrip("/").endswith("/logout"):
                    out["clear-site-data"] = '"cache", "storage"'
            await send(message)

        return send_with_headers

    def _strict_cookies(self, out: MutableHeaders, secure: bool) -> None:
        """Gradio sets two copies of the session cookie (one ``SameSite=None; Secure``); keep
        the one the connection calls for, HttpOnly, SameSite=Lax, with an expiry."""
        cookies = out.getlist("set-cookie")
        if not cookies:
            return
        del out["set-cookie"]
        for cookie in cookies:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            name = name.strip()
            if name.startswith("access-token-"):
                unsecure = name.startswith("access-token-unsecure-")
                if unsecure == secure:
                    continue  # the copy for the other kind of connection
                cookie = f"{name}={value}; HttpOnly; Max-Age={self.cookie_seconds}; Path=/; SameSite=Lax" + ("; Secure" if secure else "")
            out.append("set-cookie", cookie)


def _unencoded(scope) -> dict:
    return dict(scope, headers=[(k, v) for k, v in scope["headers"] if k.lower() != b"accept-encoding"])


def _capped(receive, limit: int):
    """``receive`` that stops a body (sent without a length, or longer than it said) at ``limit``."""
    seen = 0

    async def capped():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise ClientDisconnect()
        return message

    return capped


def _then_delete(send, path: str):
    """``send`` for an export's download: the copy is deleted once it has been sent whole."""
    status = 0

    async def send_then_delete(message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and not message.get("more_body") and status == 200:
            # The whole file has been read: delete it before the last part goes, so that once
            # the browser has it all, the server no longer does.
            OWNERS.forget(path)
            file = Path(path)
            file.unlink(missing_ok=True)
            try:
                file.parent.rmdir()
            except OSError:
                pass
        await send(message)

    return send_then_delete


def _whole_body(send, finish):
    """``send`` that holds a response until its body is whole, then sends ``finish(start, body)``:
    the (possibly changed) start message and body."""
    start: dict | None = None
    body: list[bytes] = []

    async def send_whole(message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        body.append(message.get("body", b""))
        if message.get("more_body"):
            return
        start, data = finish(start, b"".join(body))
        await send(start)
        await send({"type": "http.response.body", "body": data})

    return send_whole


def _claiming(send, owner: str):
    """``send`` for Gradio's upload route: each file it stored is remembered as ``owner``'s."""

    def claim(start: dict, data: bytes) -> tuple[dict, bytes]:
        if start["status"] == 200:
            try:
                paths = json.loads(data)
            except ValueError:
                paths = []
            for path in paths if isinstance(paths, list) else []:
                if isinstance(path, str):
                    OWNERS.claim(path, owner)
                    OWNERS.claim(Path(path).parent, owner)
        return start, data

    return _whole_body(send, claim)


def _with_note(send):
    """``send`` for the page itself: the sign-in note script added to its <head>."""

    def add_note(start: dict, page: bytes) -> tuple[dict, bytes]:
        out = MutableHeaders(scope=start)
        if "text/html" in out.get("content-type", "") and not out.get("content-encoding") and b"</head>" in page:
            page = page.replace(b"</head>", SIGN_IN_NOTE.encode() + b"</head>", 1)
            out["content-length"] = str(len(page))
        return start, page

    return _whole_body(send, add_note)


class PrepBotApp(App):
    """Gradio's app, with sessions bound to accounts and the gate outermost."""

    def __init__(self, sessions: Sessions, origins: frozenset[str], https: bool, cookie_seconds: int,
                 max_body: int | None = None) -> None:
        self._sessions = sessions
        self._gate = (origins, https, cookie_seconds, sessions, max_body)
        super().__init__(default_response_class=ORJSONResponse)

    @property
    def tokens(self) -> Sessions:  # Gradio's token -> name table
        return self._sessions

    @tokens.setter
    def tokens(self, value) -> None:  # Gradio resets it to {} when it configures the app
        pass

    def build_middleware_stack(self):
        return Gate(super().build_middleware_stack(), *self._gate)


class PasswordGate:
    """At most ``concurrent`` password checks at a time, in worker threads; at most ``waiting``
    waiting for one (more are refused at once as busy)."""

    def __init__(self, concurrent: int, waiting: int) -> None:
        self.concurrent, self.waiting = concurrent, waiting
        self._semaphore: asyncio.Semaphore | None = None
        self._queued = 0
        self._lock = threading.Lock()

    async def check(self, verify, name: str, password: str):
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrent)
        with self._lock:
            if self._queued >= self.concurrent + self.waiting:
                raise HTTPException(status_code=429, detail=BUSY)
            self._queued += 1
        try:
            async with self._semaphore:
                return await asyncio.to_thread(verify, name, password)
        finally:
            with self._lock:
                self._queued -= 1


def sign_in(users, throttle: Throttle, gate: PasswordGate):
    """Gradio's ``auth`` callable. Refused at once (429, saying why and until when) while the
    account or the client's address is locked, a right password too; slowed after a few
    failures; each failure logged with the name, the address and the time, never the password."""

    async def check(username: str, password: str) -> bool:
        address = CLIENT.get()
        locked = throttle.locked(username, address)
        if locked is not None:
            log.warning("sign-in refused for %r from %s at %s: %s", username, address, _now(), locked)
            raise HTTPException(status_code=429, detail=locked)
        await asyncio.sleep(throttle.delay(username, address))
        user = await gate.check(users.verify, username, password)
        if user is not None:
            throttle.succeeded(username, address)
            log.info("signed in: %r from %s", user.name, address)
            return True
        throttle.failed(username, address)
        log.warning("sign-in failed for %r from %s at %s", username, address, _now())
        locked = throttle.locked(username, address)
        if locked is not None:
            raise HTTPException(status_code=429, detail=locked)
        return False

    return check


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
