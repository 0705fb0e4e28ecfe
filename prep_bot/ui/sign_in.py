"""The sign-in page: prep-bot's own, in place of Gradio's generic "Login" form.

Gradio serves its app at "/" and, to someone not signed in, a bare login form. This ASGI
middleware answers GET "/" for someone not signed in with a page that names prep-bot and the
home council, says what to do, and posts to Gradio's own ``/login`` (so the password check, the
session cookie and anything wrapped round them stay Gradio's and the server's). A wrong password
keeps the name typed and says so; the page then reloads "/" and Gradio serves the app.
"""

from __future__ import annotations

from html import escape

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · prep-bot</title>
<style>
  body {{ margin: 0; font-family: system-ui, "Segoe UI", Helvetica, Arial, sans-serif; background: #f4f5fb; color: #1f2430; }}
  main {{ max-width: 26rem; margin: 8vh auto; padding: 2rem 1.5rem; background: #fff; border-radius: 12px;
         box-shadow: 0 2px 12px rgba(0,0,0,.08); }}
  h1 {{ font-size: 1.5rem; margin: 0 0 .25rem; }}
  .council {{ display: block; font-size: 1.05rem; font-weight: 500; color: #4a5170; margin-top: .25rem; }}
  p {{ line-height: 1.45; }}
  label {{ display: block; font-weight: 600; margin: 1rem 0 .3rem; }}
  input {{ box-sizing: border-box; width: 100%; font: inherit; padding: .6rem .7rem; border: 1px solid #b8bdd0; border-radius: 8px; }}
  button {{ margin-top: 1.25rem; width: 100%; font: inherit; font-weight: 600; padding: .7rem; border: 0; border-radius: 8px;
           background: #4f46e5; color: #fff; cursor: pointer; }}
  button:disabled {{ opacity: .6; }}
  #sign-in-error {{ color: #a3161a; background: #fdecec; border-radius: 8px; padding: .6rem .8rem; }}
  #sign-in-error:empty {{ display: none; }}
  .help {{ color: #4a5170; font-size: .92rem; }}
  code {{ white-space: nowrap; }}
  @media (max-width: 480px) {{ main {{ margin: 0; border-radius: 0; box-shadow: none; min-height: 100vh; }} }}
</style></head>
<body><main>
<h1 id="sign-in-heading">Sign in to prep-bot{council}</h1>
<p>Rehearse for your CQC assessment. Use the name and password your prep-bot lead gave you.</p>
<form id="sign-in" method="post" action="login" novalidate>
  <p id="sign-in-error" role="alert" aria-live="polite"></p>
  <label for="username">Username</label>
  <input id="username" name="username" autocomplete="username" required autofocus>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
<p class="help">No account yet, or forgotten your password? Ask your prep-bot lead, who adds accounts with
<code>prep-bot users add</code>.</p>
</main>
<script>
(() => {{
  const form = document.getElementById("sign-in");
  const error = document.getElementById("sign-in-error");
  const name = document.getElementById("username");
  const password = document.getElementById("password");
  const button = form.querySelector("button");
  form.addEventListener("submit", async (event) => {{
    event.preventDefault();
    if (!name.value.trim() || !password.value) {{
      error.textContent = "Type your name and your password, then press Sign in.";
      (name.value.trim() ? password : name).focus();
      return;
    }}
    button.disabled = true;
    error.textContent = "";
    let message;
    try {{
      const response = await fetch("login", {{method: "POST", body: new URLSearchParams(new FormData(form)),
                                             credentials: "same-origin"}});
      if (response.ok) {{ window.location.replace(window.location.pathname + window.location.search); return; }}
      if (response.status === 400 || response.status === 401) {{
        message = "That name and password do not match an account. Check both and try again; if it still fails, ask your prep-bot lead.";
      }} else {{
        let detail = "";
        try {{ detail = (await response.json()).detail; }} catch (e) {{}}
        message = (typeof detail === "string" && detail) ? detail
          : "Signing in did not work (the server answered " + response.status + "). Try again in a minute; if it keeps happening, tell your prep-bot lead.";
      }}
    }} catch (e) {{
      message = "prep-bot did not answer. Check the app is still running, then try again.";
    }}
    error.textContent = message;  // text, never markup
    document.getElementById("pb-sign-in-note")?.remove();  // the server's note of an earlier try: said once, here
    password.value = "";  // the name stays
    password.focus();
    button.disabled = false;
  }});
}})();
</script>
</body></html>
"""


def sign_in_page(council: str) -> str:
    """The page's HTML; the council (escaped) joins the heading when there is one."""
    return PAGE.format(council=f' <span class="council">{escape(council)}</span>' if council.strip() else "")


class SignInPage:
    """ASGI middleware: GET or HEAD "/" from someone not signed in gets the sign-in page.

    Signed in means what Gradio's own "/" checks: the session cookie names a live token of the
    app (``app.tokens``). Apps that sign in some other way (``auth_dependency``) or without sign-in
    are left alone."""

    def __init__(self, app, council: str = "") -> None:
        self.app = app
        self.body = sign_in_page(council).encode("utf-8")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and scope["path"] == "/" and self._signed_out(scope):
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(self.body)).encode()),
                (b"cache-control", b"no-store"),
            ]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else self.body})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _signed_out(scope) -> bool:
        from starlette.requests import Request

        app = scope.get("app")
        if app is None or getattr(app, "auth", None) is None or getattr(app, "auth_dependency", None) is not None:
            return False
        cookies = Request(scope).cookies
        cookie_id = getattr(app, "cookie_id", "")
        token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
        return app.tokens.get(token) is None
