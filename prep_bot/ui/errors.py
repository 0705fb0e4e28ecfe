"""How every callback of the app fails, decided in one place.

Expected errors (a refusal, bad input, a store that is not answering) are a plain sentence. In
the browser it is a warning toast and the page keeps what it showed, with no error badge laid
over it; to an API client (gradio_client marks its calls) it is an error, so a script can tell
a refusal from an answer. Either way the log gets one line at info level and no traceback.

Anything else is a bug: it is logged once, with its traceback and a short reference, and the
page shows the reference so a lead can find the log line.
"""

from __future__ import annotations

import inspect
import logging
import secrets
from contextlib import contextmanager

import gradio as gr

from prep_bot.errors import PrepBotError

log = logging.getLogger("prep_bot.ui")

# prep-bot's own refusals (InputError, AccessDenied, StoreError...). A bare ValueError or KeyError
# from a library (numpy's shapes, a missing dict key) is a bug, never a message for staff.
EXPECTED = (PrepBotError, PermissionError)
REQUEST = "_pb_request"


@contextmanager
def user_errors():
    """Turn prep-bot's own errors raised inside a callback into a message for the page."""
    try:
        yield
    except gr.Error:
        raise
    except EXPECTED as e:
        raise gr.Error(sentence(str(e)), print_exception=False) from e


def sentence(message: str) -> str:
    """One sentence in sentence case with a full stop: "the team story is for managers" ->
    "The team story is for managers." (KeyError wraps its text in quotes: those go)."""
    text = " ".join(str(message).split()).strip("'\"")
    if not text:
        return "That did not work; please try again."
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def from_api(request) -> bool:
    """False for the app's own page (Gradio's front end sends ``x-gradio-user: app``), True
    for anything else (gradio_client sends ``api``; a bare HTTP call sends nothing)."""
    headers = getattr(request, "headers", None) or {}
    try:
        return headers.get("x-gradio-user") != "app"
    except AttributeError:
        return True


def _expected_message(error: BaseException) -> str | None:
    if isinstance(error, gr.Error):
        return sentence(error.message)
    if isinstance(error, EXPECTED):
        return sentence(str(error))
    return None


def _refuse(name: str, error: BaseException, request, outputs: int):
    message = _expected_message(error)
    if message is None:
        ref = secrets.token_hex(3)
        log.error("unexpected error %s in %s", ref, name, exc_info=error)
        raise gr.Error(
            f"Something went wrong on our side (reference {ref}). Try again; if it happens again, "
            "give your prep-bot lead this reference.",
            title="Something went wrong",
            print_exception=False,
        ) from error
    log.info("refused %s: %s", name, message)
    if from_api(request):
        raise gr.Error(message, print_exception=False) from error
    gr.Warning(message)
    if outputs == 0:
        return None
    skips = tuple(gr.skip() for _ in range(outputs))
    return skips[0] if outputs == 1 else skips


def guard(fn, name: str, outputs: int):
    """``fn`` wrapped so that it fails as the module docstring says. The wrapper takes the
    request as an extra last parameter (Gradio fills it in by its annotation)."""
    signature = inspect.signature(fn)
    try:
        hints = dict(inspect.get_annotations(fn, eval_str=True))
    except Exception:  # an annotation that does not resolve: Gradio would not inject it either
        hints = {}
    params = list(signature.parameters.values())
    own = next((p.name for p in params if hints.get(p.name) is gr.Request), None)
    if own is None:
        cut = next((i for i, p in enumerate(params) if p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)), len(params))
        extra = inspect.Parameter(REQUEST, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None, annotation=gr.Request)
        params = [*params[:cut], extra, *params[cut:]]
        hints[REQUEST] = gr.Request

    wrapped_signature = inspect.Signature(params)

    def split(args, kwargs):
        bound = wrapped_signature.bind_partial(*args, **kwargs)
        request = bound.arguments.get(own or REQUEST)
        if own is None:
            bound.arguments.pop(REQUEST, None)
        return request, bound.args, bound.kwargs

    if inspect.isgeneratorfunction(fn):
        def wrapper(*args, **kwargs):  # a streaming callback: what it yielded stays on the page
            request, args, kwargs = split(args, kwargs)
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                kept = _refuse(name, e, request, outputs)
                if outputs:
                    yield kept
    elif inspect.iscoroutinefunction(fn):
        async def wrapper(*args, **kwargs):
            request, args, kwargs = split(args, kwargs)
            try:
                return await fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - sorted into expected and unexpected in _refuse
                return _refuse(name, e, request, outputs)
    else:
        def wrapper(*args, **kwargs):
            request, args, kwargs = split(args, kwargs)
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                return _refuse(name, e, request, outputs)

    wrapper.__name__ = getattr(fn, "__name__", "fn")
    wrapper.__doc__ = fn.__doc__
    wrapper.__signature__ = wrapped_signature
    wrapper.__annotations__ = hints
    return wrapper


def guard_all(app: gr.Blocks) -> None:
    """Wrap every event callback of ``app`` (call inside its ``with`` block, after the tabs).
    Streaming (generator) callbacks are wrapped too; async generators are left as they are."""
    for block_fn in app.fns.values():
        fn = block_fn.fn
        if fn is None or getattr(fn, "__pb_guarded__", False) or inspect.isasyncgenfunction(fn):
            continue
        name = block_fn.api_name or getattr(fn, "__name__", "callback")
        guarded = guard(fn, str(name), len(block_fn.outputs))
        guarded.__pb_guarded__ = True
        block_fn.fn = guarded

