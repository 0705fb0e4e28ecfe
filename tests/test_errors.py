"""How callbacks fail (ui/errors.py): an expected error is one plain sentence, a warning in the
page and an error to a script, logged once at info level without a traceback; anything else is
logged once with its traceback and a short reference that the message shows."""

from __future__ import annotations

import logging
import re

import gradio as gr
import pytest

from prep_bot.errors import InputError, StoreError
from prep_bot.ui.errors import guard, sentence
from prep_bot.people.accounts import AccessDenied


class Request:
    """What the callbacks read of Gradio's request: its headers."""

    def __init__(self, user: str | None) -> None:
        self.headers = {"x-gradio-user": user} if user else {}


PAGE, SCRIPT, BARE = Request("app"), Request("api"), Request(None)


def test_sentences_are_sentence_case_with_a_full_stop():
    assert sentence("the team story is for managers") == "The team story is for managers."
    assert sentence("'unknown quality statement: x'") == "Unknown quality statement: x."
    assert sentence("Already fine?") == "Already fine?"
    assert sentence("   ") == "That did not work; please try again."


def _refusing(error: Exception):
    def callback(text: str, request: gr.Request = None):
        raise error

    return callback


@pytest.mark.parametrize("error", [gr.Error("write an answer first"), InputError("write an answer first"),
                                   AccessDenied("write an answer first"), StoreError("write an answer first")])
def test_an_expected_error_is_a_warning_in_the_page_and_an_error_to_a_script(error, caplog, monkeypatch):
    warned: list[str] = []
    monkeypatch.setattr(gr, "Warning", lambda message, *a, **k: warned.append(message))
    wrapped = guard(_refusing(error), "answer", outputs=2)
    with caplog.at_level(logging.INFO, logger="prep_bot.ui"):
        kept = wrapped("x", PAGE)
        assert warned == ["Write an answer first."]
        assert isinstance(kept, tuple) and len(kept) == 2  # the page keeps what it showed
        for request in (SCRIPT, BARE):
            with pytest.raises(gr.Error) as raised:
                wrapped("x", request)
            assert raised.value.message == "Write an answer first." and raised.value.print_exception is False
    records = [r for r in caplog.records if r.name == "prep_bot.ui"]
    assert len(records) == 3 and {r.levelno for r in records} == {logging.INFO}
    assert all(r.exc_info is None for r in records)
    assert all("Write an answer first." in r.getMessage() for r in records)


@pytest.mark.parametrize("kind", [RuntimeError, ValueError, KeyError])
def test_an_unexpected_error_is_logged_once_with_its_traceback_and_a_reference(caplog, kind):
    # A library's ValueError or KeyError (numpy's "Matmul: Input operand 0 does not have enough
    # dimensions" reached a lead as a warning) is a bug like any other, not a message for staff.
    def crash(text: str):
        raise kind("disk on fire")

    wrapped = guard(crash, "answer", outputs=1)
    with caplog.at_level(logging.INFO, logger="prep_bot.ui"), pytest.raises(gr.Error) as raised:
        wrapped("x", PAGE)  # shown in the page too: it is not the user's doing
    ref = re.search(r"reference ([0-9a-f]{6})", raised.value.message).group(1)
    assert "disk on fire" not in raised.value.message and raised.value.print_exception is False
    records = [r for r in caplog.records if r.name == "prep_bot.ui"]
    assert len(records) == 1 and records[0].levelno == logging.ERROR
    assert ref in records[0].getMessage() and records[0].exc_info[0] is kind


def test_the_wrapper_keeps_the_callback_signature_for_gradio():
    import inspect

    def search(query: str, k: int = 5):
        return f"{query}:{k}"

    wrapped = guard(search, "search", outputs=1)
    params = inspect.signature(wrapped).parameters
    assert list(params)[:2] == ["query", "k"] and wrapped.__annotations__[list(params)[2]] is gr.Request
    assert wrapped("carers", 3, PAGE) == "carers:3"
    assert wrapped("carers") == "carers:5"


def test_a_streaming_callback_keeps_what_it_showed_and_refuses_like_the_others(monkeypatch):
    warned: list[str] = []
    monkeypatch.setattr(gr, "Warning", lambda message, *a, **k: warned.append(message))

    def stream(question: str):
        yield "first draft", ""
        raise InputError("type a question about the evidence first")

    wrapped = guard(stream, "ask_evidence", outputs=2)
    shown = list(wrapped("x", PAGE))
    assert shown[0] == ("first draft", "") and len(shown) == 2 and isinstance(shown[1], tuple)  # a skip: kept
    assert warned == ["Type a question about the evidence first."]
    with pytest.raises(gr.Error) as raised:
        list(wrapped("x", SCRIPT))
    assert raised.value.message == "Type a question about the evidence first."
