"""Who is asking, read from the request in one place for every callback.

With accounts (the app was launched with sign-in), the name, role and team come from the
signed-in name (``request.username``, set by Gradio from the session cookie) and the user
store; the "Your name" and "Team" boxes are ignored. Without accounts (single-user local mode,
loopback only), the typed name and team are used, as before. The rule is the permission
policy's (prep_bot/app/policy.py ``identify``).

Callbacks take ``request: gr.Request`` (Gradio fills it in; it is not an API input) and call
``current_user(services.policy, request, typed_name, typed_team)``.
"""

from __future__ import annotations

from html import escape

import gradio as gr

from prep_bot.app.policy import Policy
from prep_bot.people.identity import Identity


def current_user(policy: Policy, request: gr.Request | None, typed_name: str | None = "", typed_team: str | None = "") -> Identity:
    """The identity to act for. Raises AccessDenied when a sign-in is needed and missing, or
    when the signed-in account has since been removed."""
    username = getattr(request, "username", None) if request is not None else None
    return policy.identify(username, typed_name, typed_team)


def signed_in_banner(identity: Identity) -> str:
    """HTML for the top of the page. Sign out is Gradio's /logout, opened in the same tab."""
    return f'<p class="pb-signed-in">Signed in as <b>{escape(identity.describe())}</b> · <a href="logout">Sign out</a></p>'
