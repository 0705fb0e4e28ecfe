"""One origin (issue 20 item 1): served behind an HTTPS front as https://prep.council.test, with
another site of the same council, https://wiki.council.test, in the same browser. Chromium maps
both names to loopback (--host-resolver-rules); haproxy terminates TLS for both with a
self-signed certificate. A lead signs in to prep-bot, then opens a page on the wiki that tries
what the adversarial test did: read the session token, read another person's attempts, write a
tag correction as the lead, and load the app in a frame. The wiki page gets nothing, nothing is
written, and the session cookie is HttpOnly, SameSite=Lax, Secure and expires."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import CHROMIUM_ARGS, CHROMIUM, free_port, served_app, sign_in

pytestmark = [pytest.mark.server, pytest.mark.browser]

PASSWORD = "a long enough password"

ATTACK = """<!doctype html><html><body><h1>Council wiki</h1>
<iframe id="framed" src="APP/" width="600" height="300"></iframe>
<script>
const app = "APP";
const out = {};
async function attempt(name, call) {
  try {
    const response = await call();
    let body = "";
    try { body = (await response.text()).slice(0, 2000); } catch (e) {}
    out[name] = {status: response.status, type: response.type, body};
  } catch (e) { out[name] = {error: String(e)}; }
}
(async () => {
  const json = {"Content-Type": "application/json"};
  await attempt("token", () => fetch(app + "/gradio_api/token", {credentials: "include"}));
  await attempt("config", () => fetch(app + "/config", {credentials: "include"}));
  await attempt("read", () => fetch(app + "/gradio_api/call/my_attempts", {method: "POST", credentials: "include",
    headers: json, body: JSON.stringify({data: ["sam"]})}));
  await attempt("write", () => fetch(app + "/gradio_api/call/correct_tags", {method: "POST", credentials: "include",
    headers: json, body: JSON.stringify({data: ["PASSAGE", ["safeguarding"], "keep"]})}));
  await attempt("write_blind", () => fetch(app + "/gradio_api/call/correct_tags", {method: "POST", credentials: "include",
    mode: "no-cors", headers: {"Content-Type": "text/plain"}, body: JSON.stringify({data: ["PASSAGE", ["safeguarding"], "keep"]})}));
  window.results = out;
})();
</script></body></html>"""


def _certificate(folder: Path) -> Path:
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=council.test", "-addext", "subjectAltName=DNS:prep.council.test,DNS:wiki.council.test"],
        check=True, capture_output=True, timeout=60,
    )
    both = folder / "both.pem"
    both.write_bytes(cert.read_bytes() + key.read_bytes())
    return both


def _wait_for(port: int, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def council(tmp_path, make_sample_services):
    """prep-bot behind https://prep.council.test:FRONT and a wiki at https://wiki.council.test:WIKI."""
    if shutil.which("haproxy") is None or shutil.which("openssl") is None:
        pytest.skip("needs haproxy and openssl for the TLS front")
    front, wiki = free_port(), free_port()
    app_url = f"https://prep.council.test:{front}"
    services = make_sample_services(public_url=app_url + "/")
    services.users.add("lee", PASSWORD, "lead")
    services.users.add("sam", PASSWORD, "staff", "Front door")
    services.attempts.add(user="sam", team="Front door", audience="frontline", qs="governance", question_id="governance-seed",
                          question="sam's private question", answer="sam's private answer", score=40, dimensions={})
    passage = sorted(services.store.catalog.passage_ids())[0]

    pages = tmp_path / "wiki"
    pages.mkdir()
    (pages / "index.html").write_text(ATTACK.replace("APP", app_url).replace("PASSAGE", passage))
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(pages), **k)  # noqa: E731
    wiki_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=wiki_server.serve_forever, daemon=True).start()

    with served_app(services) as local_url:
        port = int(local_url.rstrip("/").rsplit(":", 1)[1])
        config = tmp_path / "haproxy.cfg"
        config.write_text(f"""
defaults
    mode http
    timeout connect 5s
    timeout client 120s
    timeout server 120s
frontend prep
    bind 127.0.0.1:{front} ssl crt {_certificate(tmp_path)}
    http-request set-header X-Forwarded-Proto https
    option forwardfor
    default_backend app
backend app
    server app 127.0.0.1:{port}
frontend wiki
    bind 127.0.0.1:{wiki} ssl crt {tmp_path / 'both.pem'}
    default_backend wiki
backend wiki
    server wiki 127.0.0.1:{wiki_server.server_address[1]}
""")
        proxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            _wait_for(front)
            _wait_for(wiki)
            yield services, app_url, f"https://wiki.council.test:{wiki}", passage
        finally:
            proxy.terminate()
            proxy.wait(timeout=15)
            wiki_server.shutdown()


@pytest.fixture
def mapped_browser(browser):
    """A second chromium (from the same Playwright) resolving *.council.test to loopback."""
    mapped = browser.browser_type.launch(
        executable_path=str(CHROMIUM),
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP *.council.test 127.0.0.1"],
    )
    yield mapped
    mapped.close()


def test_another_site_of_the_council_gets_nothing(council, mapped_browser):
    services, app_url, wiki_url, passage = council
    context = mapped_browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        sign_in(page, app_url + "/", "lee", PASSWORD)  # the lead, through the TLS front

        # The session cookie: HttpOnly, SameSite=Lax, Secure (HTTPS), with an expiry; page script cannot read it.
        cookies = [c for c in context.cookies() if c["name"].startswith("access-token")]
        assert len(cookies) == 1, cookies
        cookie = cookies[0]
        assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax", cookie
        assert 0 < cookie["expires"] - time.time() <= services.settings.session_hours * 3600
        assert "access-token" not in page.evaluate("document.cookie")
        token = page.evaluate("fetch('/gradio_api/token').then(r => r.status)")
        assert token == 404  # not even the app's own page script gets the token

        # The app itself works from its own origin (through the front).
        assert "Signed in as lee (lead)" in page.locator("#signed-in").inner_text()

        # The wiki page, in the same browser with the lead signed in.
        reached: list[tuple[str, str, int]] = []
        wiki = context.new_page()
        wiki.on("response", lambda r: reached.append((r.request.method, r.url, r.status)) if r.url.startswith(app_url) else None)
        wiki.goto(wiki_url + "/index.html", wait_until="domcontentloaded")
        wiki.wait_for_function("() => window.results !== undefined", timeout=60_000)
        results = wiki.evaluate("window.results")
        framed = wiki.frame_locator("#framed").locator("#signed-in")
        for name in ("token", "config", "read", "write"):
            outcome = results[name]
            assert "error" in outcome or outcome["status"] in (403, 404), (name, outcome)
            assert "body" not in outcome or ("sam's private" not in outcome["body"] and "token" not in outcome["body"].lower()), outcome
        assert results["write_blind"].get("type", "opaque") == "opaque"  # the page cannot see; the server refused:
        api = [(m, u, s) for m, u, s in reached if "/gradio_api/" in u or u.endswith("/config")]
        assert api and all(s in (403, 404) for _, _, s in api), api
        assert framed.count() == 0  # the frame shows nothing of the app
        front = app_url.rsplit(":", 1)[1]
        frame_headers = httpx.get(f"https://127.0.0.1:{front}/", headers={"Host": f"prep.council.test:{front}"}, verify=False,
                                  timeout=30).headers
        assert frame_headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in frame_headers["content-security-policy"]
    finally:
        context.close()
    # Nothing was written as the lead.
    assert not [c for c in services.store.catalog.corrections() if c.by == "lee"]
    assert [a.question for a in services.attempts.list(user="sam")] == ["sam's private question"]
