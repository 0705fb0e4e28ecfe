"""Keeping prep-bot's talk with itself on this machine when the environment names a proxy.

A council PC often has ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` set. Libraries that honour
them (httpx, urllib) would send prep-bot's own local requests through that proxy: Gradio's
start-up checks of the app it has just started, the workers' health checks, a Chroma server on
loopback. That is both a leak and a failure (the proxy cannot reach this machine's loopback, so
``serve`` could not start). ``bypass_proxy_for`` adds the loopback names and the address being
served to ``NO_PROXY``/``no_proxy`` in this process (and so in every process it starts), which
those libraries read on every request. Proxies still apply to every other host, such as a
remote Chroma server a council reaches through its proxy.

The language model's client does not rely on this: it ignores proxy settings altogether
(prep_bot/llm/client.py).
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

LOOPBACK = ("localhost", "127.0.0.1", "::1")
_UNSPECIFIED = {"", "0.0.0.0", "::"}  # "every address": served as localhost by Gradio


def bypass_proxy_for(*hosts_or_urls: str | None) -> str:
    """Add loopback and the given hosts (or the hosts of the given URLs) to ``NO_PROXY`` and
    ``no_proxy``, keeping what they held; return the new value."""
    names: list[str] = []
    for value in (os.environ.get("NO_PROXY", ""), os.environ.get("no_proxy", "")):
        names += [n.strip() for n in value.split(",")]
    names += LOOPBACK
    for item in hosts_or_urls:
        host = (urlparse(item).hostname if item and "://" in item else item) or ""
        host = host.strip("[]")
        if host not in _UNSPECIFIED:
            names.append(host)
    merged = ",".join(dict.fromkeys(n for n in names if n))
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = merged
    return merged
