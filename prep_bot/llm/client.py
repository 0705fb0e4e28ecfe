"""The council's own language model, when it has one: any OpenAI-compatible chat endpoint
(Ollama, vLLM, llama.cpp server, LM Studio, Azure OpenAI) through LangChain's ChatOpenAI.

Off unless ``PREP_BOT_LLM_URL`` is set. Passages and answers are sent to it, so they must not
go anywhere else:

- the endpoint must name this machine literally: a loopback address (127.0.0.0/8, ::1) or
  ``localhost``, unless ``PREP_BOT_LLM_ALLOW_REMOTE=1``. Other names that may mean this machine
  (``models.localhost``, ``localhost.``) are refused: the system may ask a DNS server about them;
- the HTTP client ignores proxy settings in the environment (``HTTP_PROXY``, ``HTTPS_PROXY``,
  ``ALL_PROXY`` in either case): a proxy would receive every prompt;
- it never follows a redirect, and refuses outright any request to another address than the
  endpoint's (checked on every request it sends).

Every failure (refused, unreachable, timeout, HTTP error, redirect, empty reply) becomes one
``LLMError`` with a one-line reason, so callers can fall back to the deterministic coach."""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

log = logging.getLogger(__name__)


class LLMError(Exception):
    """The model could not be used for this request; the message is one line for the user."""


@dataclass(frozen=True)
class Endpoint:
    url: str
    model: str
    api_key: str
    timeout: float

    @property
    def host(self) -> str:
        return urlparse(self.url).hostname or ""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine without asking anyone: a literal loopback address
    (127.0.0.0/8, ::1) or exactly ``localhost``, which the system's hosts file answers."""
    host = (host or "").strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _origin(url) -> tuple[str, str, int | None]:
    import httpx

    url = httpx.URL(str(url))
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, (url.host or "").lower(), port


def _verify():
    """TLS verification as the environment's CA settings say (the client ignores the
    environment otherwise, to ignore its proxies)."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if not (cafile or capath):
        return True
    import ssl

    return ssl.create_default_context(cafile=cafile or None, capath=capath or None)


def http_clients(endpoint: Endpoint, timeout: float | None = None):
    """The sync and async HTTP clients every request to the model goes through: no proxy from
    the environment, no redirects, and no request to any other address than the endpoint's."""
    import httpx

    allowed = _origin(endpoint.url)

    def guard(request) -> None:
        if _origin(request.url) != allowed:
            raise LLMError(f"prep-bot refused to send a request to {request.url.host}: only {endpoint.url} may get prompts.")

    async def guard_async(request) -> None:
        guard(request)

    options = dict(trust_env=False, follow_redirects=False, verify=_verify(),
                   timeout=httpx.Timeout(timeout if timeout is not None else endpoint.timeout))
    return (
        httpx.Client(event_hooks={"request": [guard]}, **options),
        httpx.AsyncClient(event_hooks={"request": [guard_async]}, **options),
    )


def endpoint_from(settings) -> Endpoint | None:
    """The configured endpoint, None when no model is set up. Raises LLMError for a URL that is
    malformed, or remote without PREP_BOT_LLM_ALLOW_REMOTE, or a key file that cannot be read."""
    url = (settings.llm_url or "").strip()
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise LLMError(f"PREP_BOT_LLM_URL must be an http(s) address such as http://127.0.0.1:11434/v1, not {url!r}.")
    if not is_loopback(parsed.hostname) and not settings.llm_allow_remote:
        raise LLMError(
            f"The model at {parsed.hostname} is not on this machine, and evidence may hold personal data: "
            "set PREP_BOT_LLM_ALLOW_REMOTE=1 only if the council's data agreement covers that server."
        )
    key = settings.llm_api_key or ""
    if settings.llm_api_key_file:
        try:
            key = settings.llm_api_key_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise LLMError(f"Cannot read the API key file {settings.llm_api_key_file}: {exc.strerror or exc}.") from exc
    return Endpoint(url.rstrip("/"), settings.llm_model or "default", key or "not-needed", float(settings.llm_timeout))


def describe(exc: BaseException, endpoint: Endpoint) -> str:
    """One line saying what went wrong with the model, without evidence or answers in it."""
    import openai

    if isinstance(exc, LLMError):
        return str(exc)
    if isinstance(exc.__cause__, LLMError):  # the request guard's refusal, wrapped by the client
        return str(exc.__cause__)
    if isinstance(exc, openai.APITimeoutError):
        return f"The model did not answer within {endpoint.timeout:g} s."
    if isinstance(exc, openai.APIConnectionError):
        return f"The model at {endpoint.url} could not be reached."
    if isinstance(exc, openai.AuthenticationError):
        return "The model refused the API key (check PREP_BOT_LLM_API_KEY)."
    if isinstance(exc, openai.NotFoundError):
        return f"The endpoint has no model called {endpoint.model!r} (check PREP_BOT_LLM_MODEL)."
    if isinstance(exc, openai.APIStatusError) and 300 <= exc.status_code < 400:
        return (f"The model's server redirected the request (HTTP {exc.status_code}); prep-bot never follows a "
                "redirect, so set PREP_BOT_LLM_URL to the address that answers.")
    if isinstance(exc, openai.APIStatusError):
        return f"The model's server failed (HTTP {exc.status_code})."
    return f"The model's reply could not be read ({type(exc).__name__})."


class ChatModel:
    """A chat endpoint: complete or stream a list of LangChain messages into text."""

    def __init__(self, endpoint: Endpoint) -> None:
        self.endpoint = endpoint
        self._chat = None

    @property
    def chat(self):
        if self._chat is None:
            from langchain_openai import ChatOpenAI

            e = self.endpoint
            sync_client, async_client = http_clients(e)
            self._chat = ChatOpenAI(
                model=e.model, base_url=e.url, api_key=e.api_key, timeout=e.timeout, max_retries=0,
                temperature=0.2, stream_usage=False, http_client=sync_client, http_async_client=async_client,
            )
        return self._chat

    def stream(self, messages) -> Iterator[str]:
        """Pieces of the reply as they arrive. Raises LLMError on any failure, and for a reply
        with no text."""
        got = False
        try:
            for chunk in self.chat.stream(messages):
                text = chunk.content if isinstance(chunk.content, str) else _text_of(chunk.content)
                if text:
                    got = True
                    yield text
        except LLMError:
            raise
        except Exception as exc:  # noqa: BLE001 - every client failure becomes one line for the user
            log.info("language model request failed: %s", type(exc).__name__)
            raise LLMError(describe(exc, self.endpoint)) from exc
        if not got:
            raise LLMError("The model sent an empty reply.")

    def complete(self, messages) -> str:
        return "".join(self.stream(messages))

    def check(self) -> dict:
        """Whether the endpoint answers, and which models it reports (``/models``)."""
        import openai

        e = self.endpoint
        client = openai.OpenAI(base_url=e.url, api_key=e.api_key, timeout=e.timeout, max_retries=0,
                               http_client=http_clients(e)[0])
        try:
            models = [m.id for m in client.models.list()]
        except Exception as exc:  # noqa: BLE001
            raise LLMError(describe(exc, e)) from exc
        return {"url": e.url, "model": e.model, "models": models, "has_model": e.model in models}


def _text_of(content) -> str:
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))
