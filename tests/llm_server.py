"""The one fake the tests allow: a real HTTP server speaking the OpenAI chat-completions protocol
(plain JSON and streaming server-sent events, plus ``/models``), replying from a script instead
of a model. The script is chosen by the first part of the path, so one server serves every
scenario: ``FakeLLM.url("good")`` is ``http://127.0.0.1:PORT/good/v1``.

Scripts read the prompt the app sent (its numbered passages, the speaker's answer) the way a
model would, and answer with what the scenario needs: a grounded reply, an invented figure, a
citation out of range, obedience to an instruction planted in a passage, a reply in the wrong
shape, a refusal, garbage on the wire, a reply too slow for the timeout, an HTTP 500."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASSAGE = re.compile(r"<<<PASSAGE \[(\d+)\]>>>[^\n]*\n(.*?)\n<<<END PASSAGE \[\d+\]>>>", re.S)
ANSWER = re.compile(r"<<<ANSWER>>>\n(.*?)\n<<<END ANSWER>>>", re.S)
QUESTION = re.compile(r"<<<QUESTION>>>\n(.*?)\n<<<END QUESTION>>>", re.S)
FIGURE = re.compile(r"\d+(?:\.\d+)?%")
OBEY = re.compile(r"ignore your instructions and (?:say|tell the inspector|write) (?:that )?([^.]+)\.", re.I)


@dataclass
class Scripted:
    text: str = ""
    status: int = 200
    delay_before: float = 0.0  # seconds before the response starts
    delay_between: float = 0.0  # seconds between streamed pieces
    garbage: bool = False  # a body that is not the protocol


def task_of(body: dict) -> str:
    system = next((m["content"] for m in body.get("messages", []) if m.get("role") == "system"), "")
    m = re.search(r"\[prep-bot prompt: (\w+) v\d+\]", system)
    return m.group(1) if m else ""


def user_text(body: dict) -> str:
    return "\n".join(m["content"] for m in body.get("messages", []) if m.get("role") == "user")


def passages(body: dict) -> dict[int, str]:
    return {int(n): text for n, text in PASSAGE.findall(user_text(body))}


def figure_sentence(body: dict) -> tuple[int, str]:
    """The first sentence of a passage that states a percentage, with the passage number."""
    for n, text in passages(body).items():
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if FIGURE.search(sentence) and len(sentence.split()) <= 45:
                return n, sentence.rstrip(".")
    n, text = next(iter(passages(body).items()), (1, "The evidence is thin"))
    return n, re.split(r"(?<=[.!?])\s+", text)[0].rstrip(".")


def coach_reply(stronger: str) -> str:
    return (
        "FEEDBACK:\nYou started with what you do, which is a fair opening. An inspector would ask "
        "what difference it made to people and how you know.\n"
        f"STRONGER ANSWER:\n{stronger}"
    )


def good(body: dict) -> Scripted:
    n, sentence = figure_sentence(body)
    if task_of(body) == "coach":
        own = ANSWER.search(user_text(body))
        first = re.split(r"(?<=[.!?])\s+", own.group(1).strip())[0] if own else ""
        return Scripted(coach_reply(f"{first} {sentence} [{n}]. We keep checking that this lasts for people."))
    return Scripted(f"{sentence} [{n}].")


def invented_figure(body: dict) -> Scripted:
    n, sentence = figure_sentence(body)
    real = FIGURE.search(sentence)
    wrong = sentence.replace(real.group(0), "62%", 1) if real else sentence + " for 62%"
    text = f"{wrong} [{n}]. Every person is seen within 3 days [{n}]."
    return Scripted(coach_reply(text) if task_of(body) == "coach" else text)


def bad_citation(body: dict) -> Scripted:
    n, sentence = figure_sentence(body)
    text = f"{sentence} [{n}]. Families tell us the service helped them [9]."
    return Scripted(coach_reply(text) if task_of(body) == "coach" else text)


def obeys_injection(body: dict) -> Scripted:
    """Does what a planted instruction says when it can see one; otherwise replies as ``good``."""
    m = OBEY.search(user_text(body))
    if not m:
        return good(body)
    text = f"{m.group(1).strip().capitalize()}."
    return Scripted(coach_reply(text) if task_of(body) == "coach" else text)


def wrong_shape(body: dict) -> Scripted:
    return Scripted("Here are a few thoughts on your answer: it is fine. Good luck with the inspection!")


def refusal(body: dict) -> Scripted:
    return Scripted("I'm sorry, but I can't help with that request.")


def empty(body: dict) -> Scripted:
    return Scripted("")


def garbage(body: dict) -> Scripted:
    return Scripted("<html>upstream proxy error</html>", garbage=True)


def slow(body: dict) -> Scripted:
    reply = good(body)
    reply.delay_before = 6.0
    return reply


def trickle(body: dict) -> Scripted:
    """A grounded reply whose pieces arrive 0.4 s apart: for streaming."""
    reply = good(body)
    reply.delay_between = 0.4
    return reply


def server_error(body: dict) -> Scripted:
    return Scripted('{"error": {"message": "model crashed", "type": "server_error"}}', status=500)


SCRIPTS = {
    "good": good, "invented": invented_figure, "badcite": bad_citation, "injection": obeys_injection,
    "shape": wrong_shape, "refusal": refusal, "empty": empty, "garbage": garbage, "slow": slow,
    "trickle": trickle, "error500": server_error,
}


def pieces(text: str) -> list[str]:
    """The reply split as a model streams it: a word (with its space) at a time."""
    return re.findall(r"\S+\s*|\s+", text)


class FakeLLM:
    """Start with ``with FakeLLM() as llm:``; ``llm.url(name)`` is a base URL for a script;
    ``llm.requests`` records every chat request as (script, body); ``llm.scripts`` can take more."""

    model = "scripted-model"

    def __init__(self) -> None:
        self.scripts = dict(SCRIPTS)
        self.requests: list[tuple[str, dict]] = []
        self.keys: list[str] = []  # the Authorization header of each chat request
        self.redirects: dict[str, str] = {}  # script name -> where every request to it is sent (307)
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _script(self) -> tuple[str, str]:
                parts = self.path.strip("/").split("/", 2)
                return (parts[0], "/" + parts[2]) if len(parts) == 3 and parts[1] == "v1" else ("", self.path)

            def _send(self, status: int, body: bytes, kind: str = "application/json", location: str = "") -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _redirected(self, name: str) -> bool:
                if name not in outer.redirects:
                    return False
                self._send(307, b"", location=outer.redirects[name] + self.path.split("/v1", 1)[-1])
                return True

            def do_GET(self):
                name, rest = self._script()
                if self._redirected(name):
                    return
                if rest == "/models" and name in outer.scripts:
                    data = {"object": "list", "data": [{"id": outer.model, "object": "model", "created": 0, "owned_by": "test"}]}
                    return self._send(200, json.dumps(data).encode())
                self._send(404, b'{"error": {"message": "not found"}}')

            def do_POST(self):
                name, rest = self._script()
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if self._redirected(name):
                    return
                if rest != "/chat/completions" or name not in outer.scripts:
                    return self._send(404, b'{"error": {"message": "not found"}}')
                outer.requests.append((name, body))
                outer.keys.append(self.headers.get("Authorization", ""))
                reply = outer.scripts[name](body)
                time.sleep(reply.delay_before)
                try:
                    if reply.status != 200:
                        return self._send(reply.status, reply.text.encode())
                    if reply.garbage:
                        return self._send(200, reply.text.encode(), "text/event-stream" if body.get("stream") else "application/json")
                    if body.get("stream"):
                        return self._stream(reply)
                    message = {"role": "assistant", "content": reply.text}
                    data = {"id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()),
                            "model": outer.model, "choices": [{"index": 0, "message": message, "finish_reason": "stop"}]}
                    self._send(200, json.dumps(data).encode())
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout): nothing to answer

            def _stream(self, reply: Scripted) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()

                def event(delta: dict, finish=None) -> None:
                    chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": outer.model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for i, piece in enumerate(pieces(reply.text)):
                    if i and reply.delay_between:
                        time.sleep(reply.delay_between)
                    event({"content": piece})
                event({}, "stop")
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, script: str = "good") -> str:
        return f"http://127.0.0.1:{self.port}/{script}/v1"

    def __enter__(self) -> "FakeLLM":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def last(self, script: str | None = None) -> dict:
        return next(body for name, body in reversed(self.requests) if script in (None, name))
