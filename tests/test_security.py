"""Security promises, proved against real parts (see SECURITY.md):

1. Hostile markup in evidence (a .md, an .html and a .txt file, in headings, titles and
   sentences with figures) is shown as text everywhere the app and its reports show document
   text, and never runs, in a real headless Chromium.
2. Nothing reaches beyond the machine: `prep-bot ingest`, `search` and `serve` work inside a
   network namespace with only loopback, and neither strace nor a Python audit hook sees any
   attempt to reach another host; Chroma telemetry and Gradio analytics are off by default.
3. Email addresses and phone numbers in the sample reports are nowhere in the store.
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import SAMPLE_LIBRARY, cli_env, free_port, served_app, services_with, settled
from prep_bot.infra.config import REPO_ROOT

VENV_BIN = REPO_ROOT / ".venv" / "bin"
PREP_BOT = VENV_BIN / "prep-bot"
PYTHON = VENV_BIN / "python"

# ================================================================================================
# 1. Hostile evidence
# ================================================================================================
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
MD_LINK = "[click](javascript:alert(3))"
JS_LINK = '<a href="javascript:alert(4)">the action plan</a>'
SVG = "<svg onload=alert(5)>"
IFRAME = "<iframe src=javascript:alert(6)></iframe>"

# Each file names a quality statement in a heading (with markup beside it), opens an "areas for
# improvement" section (with markup beside it), then states a concern with figures (so it
# becomes a challenge question and data cards) with markup inside the sentence.
TRANSITIONS_SENTENCE = (
    "Young people moving to adult services still wait too long: only 38% of transition assessments were "
    f"completed before the person turned 18, compared with 61% in 2023/24 {SCRIPT} {IMG}."
)
TRANSITIONS_TITLE = f"Transitions review {SCRIPT} {IMG}"
TRANSITIONS_MD = f"""# {TRANSITIONS_TITLE}

## Quality statement 6: Safe systems, pathways and transitions {SVG}

### {IFRAME} Areas for improvement

{TRANSITIONS_SENTENCE}

The transitions panel needs to agree a plan earlier; see {MD_LINK} and {JS_LINK} {SVG} for what the panel should do next.
"""
CARERS_SENTENCE = (
    "Carers still wait too long for a carer's assessment: the median wait was 84 days in 2024, compared with "
    f"35 days across the country {SCRIPT} {IMG}."
)
CARERS_TITLE = f"Carers page {SCRIPT} {IMG}"
_e = html.escape
# In an HTML file, text that shows markup is written escaped; real tags and handlers are dropped
# by the loader (the <script>, the <img> and the javascript: link at the end must leave no trace).
CARERS_HTML = f"""<!doctype html>
<html><head><title>{_e(CARERS_TITLE)}</title><script>alert(21)</script></head>
<body>
<h1>{_e(CARERS_TITLE)}</h1>
<h2>Quality statement 1: Assessing needs {_e(IFRAME)}</h2>
<h3>{_e(IMG)} Areas for development</h3>
<p>{_e(CARERS_SENTENCE)}</p>
<p>The carers team needs to review the backlog of 290 carers waiting; read {_e(MD_LINK)} or {_e(JS_LINK)} {_e(SVG)} first.</p>
<img src=x onerror="alert(22)"><a href="javascript:alert(23)">plain link text</a>
<p onclick="alert(24)">A paragraph with a click handler about the carers hub opening hours.</p>
</body></html>
"""
SAFEGUARDING_SENTENCE = (
    "Section 42 enquiries are not yet completed on time: 57% of enquiries were closed within 28 days in 2024, "
    f"below the England average of 72% {SCRIPT} {IFRAME} &lt;b&gt;."  # an entity, to be shown as typed
)
SAFEGUARDING_TITLE = f"Safeguarding notes {SCRIPT}"
SAFEGUARDING_TXT = f"""{SAFEGUARDING_TITLE}

Quality statement 7: Safeguarding {IMG}

{SVG} Areas for consideration

{SAFEGUARDING_SENTENCE}

The safeguarding team needs to improve how it records what people wanted; see {MD_LINK} and {JS_LINK} {IMG}.
"""
HOSTILE_FILES = {
    "a-hostile-transitions-review.md": TRANSITIONS_MD,
    "a-hostile-carers-page.html": CARERS_HTML,
    "a-hostile-safeguarding-notes.txt": SAFEGUARDING_TXT,
}
HOSTILE_IDS = {"a-hostile-transitions-review", "a-hostile-carers-page", "a-hostile-safeguarding-notes"}
TITLES = {
    "a-hostile-transitions-review": TRANSITIONS_TITLE,
    "a-hostile-carers-page": CARERS_TITLE,
    "a-hostile-safeguarding-notes": SAFEGUARDING_TITLE,
}
PAYLOADS = (SCRIPT, IMG, MD_LINK, JS_LINK, SVG, IFRAME)
# Handlers and tags the HTML file carried for real: the loader drops them, they must not show up.
DROPPED = ("alert(21)", "alert(22)", "alert(23)", "alert(24)")

# Everything in the page that would be live markup from the evidence. Evidence payloads all call
# alert(); Gradio's own page has no inline handlers and no javascript: URLs.
ACTIVE_CONTENT_JS = r"""
() => {
  const found = [];
  const payload = /alert\s*\(/i;
  const urlAttrs = ['href', 'src', 'xlink:href', 'action', 'formaction', 'data', 'srcdoc', 'poster'];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      const tag = el.tagName.toLowerCase();
      for (const a of Array.from(el.attributes)) {
        const name = a.name.toLowerCase();
        const value = a.value || '';
        if (name.startsWith('on') && payload.test(value)) found.push(`${tag}[${name}="${value}"]`);
        if (urlAttrs.includes(name) && /^\s*javascript:/i.test(value)) found.push(`${tag}[${name}="${value}"]`);
        if (name === 'src' && value === 'x') found.push(`${tag}[src="x"]`);
      }
      if (tag === 'script') {
        // Gradio's own config is JSON in a script, with component values in it (the library's
        // titles): data, never code, as long as no markup from the evidence is left raw in it.
        const text = el.textContent || '';
        const config = text.trimStart().startsWith('window.gradio_config');
        if ((!config && payload.test(text)) || (config && /<(script|img|svg|iframe)/i.test(text))) {
          found.push(`<script> ${text.slice(0, 120)}`);
        }
      }
      if (['iframe', 'object', 'embed', 'frame'].includes(tag) && payload.test(el.outerHTML)) {
        found.push(`<${tag}> ${el.outerHTML.slice(0, 120)}`);
      }
      if (tag === 'iframe') found.push(`<iframe src="${el.getAttribute('src')}">`);
      if (tag === 'svg' && el.hasAttribute('onload')) found.push('<svg onload>');
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  return found;
}
"""


@pytest.fixture(scope="module")
def hostile_services(tmp_path_factory, sample_store, embedder):
    """The sample library (a copy) with three hostile documents added; attempts in the data dir
    (so `prep-bot report` on the same dir sees them)."""
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "evidence"
    folder.mkdir()
    for name, text in HOSTILE_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    services = sample_store.services(root / "data", embedder)
    report = services.ingestor.ingest([folder])
    assert not report.failed, report.failed
    assert report.count("added") == len(HOSTILE_FILES)
    assert len(services.store.documents()) == 4 + len(HOSTILE_FILES)
    try:
        yield services
    finally:
        services.close()


def test_hostile_markup_reaches_the_store_verbatim(hostile_services):
    """The premise of the escaping tests: the markup is in titles, sections, passages, challenge
    questions and data cards, as text, so a page that forgot to escape it would run it."""
    from prep_bot.coaching.coach import Coach
    from prep_bot.practice.questions import challenge_questions

    services = hostile_services
    docs = {d.doc_id: d for d in services.store.documents()}
    assert HOSTILE_IDS <= set(docs)
    for doc_id, title in TITLES.items():
        assert docs[doc_id].title == title
    passages = [p for p in services.store.passages() if p.doc_id in HOSTILE_IDS]
    text = "\n".join(p.text for p in passages)
    for payload in PAYLOADS:
        assert payload in text, payload
    for dropped in DROPPED:
        assert dropped not in text and all(dropped not in p.section for p in passages)
    assert any(IFRAME in p.section and p.polarity == "improvement" for p in passages)  # a heading became a section
    tagged = {p.doc_id: p.quality_statements[:1] for p in passages if p.polarity == "improvement"}
    assert tagged == {
        "a-hostile-transitions-review": ["safe-pathways"],
        "a-hostile-carers-page": ["assessing-needs"],
        "a-hostile-safeguarding-notes": ["safeguarding"],
    }
    challenges = [q for q in challenge_questions(services.store.passages()) if q.passage_id.split(":")[0] in HOSTILE_IDS]
    assert len(challenges) == 3 and all(SCRIPT in q.text for q in challenges)
    cards = Coach.data_cards(services.store.search("transition assessments completed before 18", k=3, qs="safe-pathways"))
    assert any(c.point.raw == "38%" and SCRIPT in c.point.sentence for c in cards)


@pytest.fixture(scope="module")
def hostile_app(hostile_services):
    with served_app(hostile_services) as url:
        yield hostile_services, url


def _visible(locator):
    return locator.filter(visible=True).first


def _no_active_content(page, where: str) -> None:
    found = page.evaluate(ACTIVE_CONTENT_JS)
    assert found == [], f"{where}: live markup from the evidence: {found}"


def _shows(text: str, *payloads: str) -> None:
    for payload in payloads:
        assert payload in text, f"{payload!r} not shown as text in: {text[:600]!r}"


ANSWER = (
    "When Tom moved from children's services, I met him and his mum when he was 16, so his plan was ready "
    "on his birthday and he now lives in his own flat with the support he chose. 52% of transition assessments "
    "were completed before the person turned 18. We still need to start earlier, so the panel now meets monthly."
)


@pytest.mark.server
@pytest.mark.browser
def test_browser_shows_hostile_evidence_as_inert_text_everywhere(hostile_app, new_page):
    services, url = hostile_app
    dialogs: list[str] = []
    page_errors: list[str] = []
    page = new_page(viewport={"width": 1400, "height": 1000})
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    walk_every_tab(page, services)
    page.wait_for_timeout(500)  # time for any injected handler to fire
    assert dialogs == [], dialogs
    assert not [e for e in page_errors if "alert" in e], page_errors


def walk_every_tab(page, services) -> None:
    """Visit every place the page shows document text, checking each as it goes."""
    from prep_bot.practice.questions import challenge_questions

    challenges = challenge_questions(services.store.passages(polarity="improvement"), services.settings.stale_years)
    hostile = next(q for q in challenges if "Young people moving to adult services" in q.text)
    pool = [q for q in [*services.questions.questions, *challenges] if q.qs == "safe-pathways" and q.audience == hostile.audience]
    statement = services.framework.qs("safe-pathways")
    name = page.get_by_label("Your name")
    name.wait_for(timeout=30_000)
    name.fill("Xena")
    page.get_by_label("Team", exact=True).fill("Front door")

    # -- Practice: with challenge questions on (at most one draw in four), as the audience the
    # hostile transitions finding is aimed at, draw until its challenge shows --
    audience_box = _visible(page.get_by_label("I am"))
    audience_box.click()
    page.get_by_role("option", name=hostile.audience.replace("-", " ").capitalize(), exact=True).click()
    qs_box = _visible(page.get_by_label("Quality statement"))
    qs_box.click()
    page.get_by_role("option", name=f"{statement.number}. {statement.title}").click()
    page.get_by_label("Include challenge questions from our evidence (at most one in four)").check()
    bot = page.locator("#practice-chat [data-testid='bot']")
    bot.first.wait_for(timeout=30_000)  # the page opens with a question; the settings apply from the next
    question = ""
    for _ in range(8 * len(pool) + 20):
        page.wait_for_function(
            "() => (document.querySelector(\"#practice-chat [data-testid='bot']\")?.innerText || '').length > 20",
            timeout=30_000,
        )
        question = bot.first.inner_text()
        if "Young people moving to adult services" in question:
            break
        page.get_by_role("button", name="Next question").click()
        page.wait_for_function(
            "(prev) => { const b = document.querySelector(\"#practice-chat [data-testid='bot']\");"
            " return b && b.innerText !== prev; }",
            arg=question,
            timeout=30_000,
        )
    assert "Young people moving to adult services" in question, f"the hostile challenge never came up: {question}"
    assert "A challenge from your evidence" in question
    _shows(question, SCRIPT, IMG)
    _no_active_content(page, "practice question")

    page.locator("#practice-answer textarea").fill(ANSWER)
    page.locator("#practice-send").click()
    page.get_by_text("Evidence and figures you could use").wait_for(timeout=60_000)
    settled(page, "#practice-chat")  # a fold opened while the chat still draws the reply would be drawn shut again
    for title in ("Claim check", "Evidence and figures you could use"):  # open the folded detail
        page.locator("#practice-chat").get_by_text(title).first.click()
    page.wait_for_function(
        "() => document.querySelector('#practice-chat').innerText.includes('Figures you could quote')", timeout=30_000
    )
    feedback = page.locator("#practice-chat .pb-detail")
    shown = "\n".join(feedback.all_inner_texts())
    _shows(shown, TRANSITIONS_SENTENCE, TRANSITIONS_TITLE, IFRAME, SVG)  # cards, claim check, data, citations
    _shows(feedback.locator(".pb-claims").first.inner_text(), "52%", "38%", SCRIPT)  # the hostile sentence as evidence
    _shows(feedback.locator(".pb-data").filter(has_text="38%").first.inner_text(), SCRIPT, IMG)
    _shows(feedback.locator("article").filter(has_text="Young people moving").first.inner_text(), MD_LINK, JS_LINK)
    assert feedback.locator("script, iframe, img, svg, a").count() == 0
    _no_active_content(page, "practice feedback")

    # -- Evidence: cards and the figures beside them --
    page.get_by_role("tab", name="Evidence").click()
    query = _visible(page.get_by_label("Search the evidence"))
    query.fill("How long do carers wait for a carer's assessment?")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_function(
        "() => (document.querySelector('#evidence-results')?.innerText || '').includes('Carers still wait too long')",
        timeout=30_000,
    )
    page.wait_for_function(
        "() => (document.querySelector('#evidence-figures')?.innerText || '').includes('84 days')", timeout=30_000
    )
    card = page.locator("#evidence-results article[data-doc='a-hostile-carers-page']").first
    _shows(card.inner_text(), CARERS_SENTENCE, CARERS_TITLE, MD_LINK, JS_LINK, SVG, IFRAME, IMG)
    _shows(page.locator("#evidence-figures").inner_text(), CARERS_SENTENCE, CARERS_TITLE)
    assert page.locator("#evidence-results script, #evidence-results img, #evidence-figures img").count() == 0
    _no_active_content(page, "evidence search")

    # -- Library: document titles --
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function(
        "(title) => document.body.innerText.includes(title)", arg=TRANSITIONS_TITLE, timeout=30_000
    )
    body = page.inner_text("body")
    _shows(body, TRANSITIONS_TITLE, CARERS_TITLE, SAFEGUARDING_TITLE)
    _no_active_content(page, "library")

    # -- My progress: the attempt, whose question quotes the hostile passage --
    page.get_by_role("tab", name="My progress").click()
    try:
        page.wait_for_function(
            "() => (document.querySelector('#my-attempts')?.innerText || '').includes('Young people moving')",
            timeout=30_000,
        )
    except PlaywrightTimeout:
        # Failed once in CI (2026-12-05, fresh clone) and passed on the same commit's next run: say
        # whether the tab opened, whether its table came back empty or with other rows, and what
        # the attempts store held (saved late, or never).
        raise AssertionError({
            "selected": page.locator("[role=tab][aria-selected=true]").all_inner_texts(),
            "summary": page.locator("#my-summary").inner_text()[:300],
            "attempts": page.locator("#my-attempts").inner_text()[:300],
            "toasts": page.locator(".toast-body").all_inner_texts(),
            "stored": [(a.user, a.question[:60]) for a in services.attempts.list()],
        }) from None
    _shows(page.locator("#my-attempts").inner_text(), SCRIPT, IMG)
    _shows(page.locator("#my-attempts-cards").text_content(), SCRIPT, IMG)  # the phone's cards of it, too
    _no_active_content(page, "my progress")

    # -- Team story: key messages of the evidence and a figure it contradicts --
    page.get_by_role("tab", name="Team story").click()
    _visible(page.get_by_label("Team (empty: yours)")).fill("Front door")
    page.get_by_role("button", name="Show team story").click()
    page.wait_for_function(
        "() => (document.querySelector('#team-story')?.innerText || '').includes('Consistency')", timeout=90_000
    )
    page.evaluate("() => document.querySelectorAll('#team-story details').forEach(d => d.open = true)")
    story = page.locator("#team-story").inner_text()
    _shows(story, "Carers still wait too long", CARERS_TITLE, IFRAME)  # a key message and its citation
    consistency = page.locator("#team-story .pb-conflicts").inner_text()
    _shows(consistency, "contradicts the evidence", TRANSITIONS_TITLE, SCRIPT)
    _no_active_content(page, "team story")

    # -- Readiness: the questions without evidence and the improvements not yet addressed --
    page.get_by_role("tab", name="Readiness").click()
    page.wait_for_selector("#readiness-details details", timeout=120_000)
    page.evaluate("() => document.querySelectorAll('#readiness-details details').forEach(d => d.open = true)")
    details = page.locator("#readiness-details").inner_text()
    _shows(details, CARERS_SENTENCE, SAFEGUARDING_SENTENCE, CARERS_TITLE, SAFEGUARDING_TITLE)
    _no_active_content(page, "readiness")

    # -- Mock interview (last: its answer is saved too): a timed question, an answer, the summary --
    page.get_by_role("tab", name="Mock interview").click()
    page.get_by_role("button", name="Start mock interview").click()
    page.wait_for_function(
        "() => (document.querySelector('#mock-question')?.innerText || '').includes('Question 1 of')", timeout=30_000
    )
    # Off every hostile passage's topic, so that readiness and the reports still list them as not addressed.
    _visible(page.get_by_label("Your answer")).fill("The day centre menu changed in the spring after a tasting day.")
    page.get_by_role("button", name="Submit answer").click()
    page.wait_for_selector("#mock-summary table", timeout=60_000)
    _no_active_content(page, "mock interview")



# -- exported reports -----------------------------------------------------------------------------
class ActiveMarkup(HTMLParser):
    """Collects what a browser would run or load from an HTML document."""

    DANGEROUS = {"script", "iframe", "svg", "img", "object", "embed", "frame", "a"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.DANGEROUS:
            self.found.append(f"<{tag} {attrs}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}={value}]")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"{tag}[{name}={value}]")

    def handle_data(self, data):
        self.text.append(data)


def _inspect_html(document: str) -> tuple[list[str], str]:
    parser = ActiveMarkup()
    parser.feed(document)
    parser.close()
    return parser.found, " ".join("".join(parser.text).split())


def _inspect_markdown(document: str) -> tuple[list[str], str]:
    """Render as a Markdown viewer would (CommonMark: raw HTML allowed), then inspect."""
    from markdown_it import MarkdownIt

    return _inspect_html(MarkdownIt("commonmark").render(document))


def _practise_against_hostile_evidence(services, team: str) -> None:
    """An attempt whose figure the hostile transitions passage contradicts."""
    question = f"Your evidence says: “{TRANSITIONS_SENTENCE}” What has changed since?"
    feedback = services.coach.coach("safe-pathways", question, ANSWER)
    claims = [{"text": c.text, "status": c.status} for c in feedback.claims]
    assert {"text": "52%", "status": "contradicted"} in claims, claims
    services.attempts.add(
        user="Rex", team=team, audience="frontline", qs="safe-pathways", question_id="challenge-x", question=question,
        answer=ANSWER, score=feedback.score, dimensions={d.name: d.score for d in feedback.dimensions}, claims=claims,
    )


@pytest.mark.server
def test_exported_reports_escape_hostile_evidence(hostile_app, tmp_path, invoke):
    from gradio_client import Client

    from prep_bot.practice.report import readiness_html, readiness_markdown, team_story_html, team_story_markdown

    services, url = hostile_app
    team = f"Reports {IMG}"
    _practise_against_hostile_evidence(services, team)
    rows = services.insights.readiness()
    story = services.insights.team_story(team, services.attempts.list(team=team))
    outputs = {
        "readiness.html": (readiness_html(rows), _inspect_html),
        "readiness.md": (readiness_markdown(rows), _inspect_markdown),
        "team-story.html": (team_story_html(story), _inspect_html),
        "team-story.md": (team_story_markdown(story), _inspect_markdown),
    }
    # The files the Team story and Readiness tabs offer for download.
    client = Client(url, verbose=False)
    _, story_files = client.predict(team, "", "", api_name="/team_story")
    *_, readiness_files = client.predict("", "", api_name="/readiness")
    for path in [*story_files, *readiness_files]:
        path = Path(path)
        if path.suffix in (".html", ".md"):
            outputs[f"download {path.name}"] = (path.read_text(encoding="utf-8"), _inspect_html if path.suffix == ".html" else _inspect_markdown)
    assert len(outputs) == 8, sorted(outputs)
    # `prep-bot report` on the same data dir, as a user would run it.
    for suffix, inspect in ((".html", _inspect_html), (".md", _inspect_markdown)):
        out = tmp_path / f"cli-report{suffix}"
        run = invoke("report", "--out", str(out), data_dir=services.settings.data_dir, env=cli_env(services.settings.data_dir))
        assert run.returncode == 0, run.stderr
        outputs[f"prep-bot report {suffix}"] = (out.read_text(encoding="utf-8"), inspect)

    for name, (document, inspect) in outputs.items():
        found, text = inspect(document)
        assert found == [], f"{name}: live markup {found}"
        for dropped in DROPPED:
            assert dropped not in document, (name, dropped)
        for payload in (SCRIPT, IMG, IFRAME):
            assert payload not in document, f"{name}: {payload!r} written unescaped"
        # ...yet a reader sees the evidence's words, markup included, as text.
        if "team-story" in name:
            _shows(text, f"Team story: {team}", "contradicts the evidence", TRANSITIONS_TITLE, "Carers still wait too long", CARERS_TITLE)
        else:
            _shows(text, CARERS_SENTENCE, CARERS_TITLE, SAFEGUARDING_SENTENCE, SAFEGUARDING_TITLE)


# ================================================================================================
# 2. No outbound connections
# ================================================================================================
# Loaded into every Python process of the offline run (through PYTHONPATH): records any attempt
# to resolve or reach a host that is not this machine.
AUDIT_HOOK = r'''
import ipaddress, json, os, sys

_LOG = os.environ.get("PREP_BOT_NET_AUDIT_LOG")
_LOCAL_NAMES = {None, "", b"", "localhost", b"localhost", "ip6-localhost"}


def _local_host(host):
    if host in _LOCAL_NAMES:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    try:
        ip = ipaddress.ip_address(str(host).split("%")[0])
    except ValueError:
        return False
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _local_address(address):
    if isinstance(address, (str, bytes)):
        return True  # AF_UNIX path
    if isinstance(address, tuple) and address and isinstance(address[0], int):
        return True  # AF_NETLINK (pid, groups): the kernel
    if isinstance(address, tuple) and address:
        return _local_host(address[0])
    return False


def _record(event, detail):
    if not _LOG:
        return
    with open(_LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps({"pid": os.getpid(), "event": event, "detail": repr(detail)[:300]}) + "\n")


def _hook(event, args):
    try:
        if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"):
            if not _local_host(args[0]):
                _record(event, args[0])
        elif event in ("socket.connect", "socket.sendto"):
            if not _local_address(args[1]):
                _record(event, args[1])
    except Exception as e:  # never break the process being watched
        _record("audit-hook-error", e)


if _LOG:
    sys.addaudithook(_hook)
'''

# Runs inside the namespace: brings loopback up, proves there is no other way out, then runs
# the commands (each under strace when available) and writes what happened to result.json.
DRIVER = r'''
import errno, json, os, shutil, signal, socket, subprocess, sys, time, urllib.request

work, prep_bot, python, evidence, port, hook = sys.argv[1:7]
port = int(port)
strace = shutil.which("strace")
# The commands, not this driver (which probes the world on purpose), carry the audit hook.
child_env = dict(os.environ, PYTHONPATH=hook)
result = {"strace": bool(strace), "steps": {}}


def loopback_up():
    if shutil.which("ip"):
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    import fcntl, struct
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        flags = struct.unpack("16sH14s", fcntl.ioctl(s, 0x8913, struct.pack("16sH14s", b"lo", 0, b"")))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sH14s", b"lo", flags | 0x1, b""))


def traced(name, argv):
    if not strace:
        return argv
    return [strace, "--seccomp-bpf", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg,sendmmsg",
            "-o", os.path.join(work, f"strace-{name}.txt"), *argv]


def run(name, argv, timeout=900):
    done = subprocess.run(traced(name, argv), capture_output=True, text=True, timeout=timeout, env=child_env)
    result["steps"][name] = {"rc": done.returncode, "stdout": done.stdout[-200000:], "stderr": done.stderr[-4000:]}
    return done


loopback_up()
result["interfaces"] = sorted(name for _, name in socket.if_nameindex())  # this namespace's
probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
probe.settimeout(5)
try:
    probe.connect(("192.0.2.1", 80))  # TEST-NET-1: must be unreachable in here
    result["outbound"] = "connected"
except OSError as e:
    result["outbound"] = errno.errorcode.get(e.errno, str(e))
finally:
    probe.close()

data = os.path.join(work, "data")
run("ingest", [prep_bot, "ingest", evidence, "--data-dir", data, "--quiet"])
run("search", [prep_bot, "search", "corporate risk register", "--k", "3", "--json", "--data-dir", data])
run("probe", [python, "-c", """
import json, os
import prep_bot
from prep_bot.infra.config import Settings
from prep_bot.services import build_services
from prep_bot.ui.app import build_app
import gradio.analytics
services = build_services(Settings())
client = services.store.client
app = build_app(services)
print(json.dumps({
    "env": {k: os.environ.get(k) for k in ("ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE",
                                           "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")},
    "chroma_anonymized_telemetry": client.get_settings().anonymized_telemetry,
    "gradio_analytics_enabled": gradio.analytics.analytics_enabled(),
    "app_analytics_enabled": app.analytics_enabled,
}))
"""])

log = open(os.path.join(work, "serve.log"), "w")
server = subprocess.Popen(traced("serve", [prep_bot, "serve", "--port", str(port), "--data-dir", data]),
                          stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=child_env)
base = f"http://127.0.0.1:{port}/"
serve = {"page": None, "api": None}
try:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(base, timeout=5) as r:
                serve["status"] = r.status
                serve["page"] = r.read().decode("utf-8", "replace")
                break
        except OSError:
            time.sleep(0.5)
    if serve["page"] is not None:
        body = json.dumps({"data": ["corporate risk register", "All", "All", "All", 2, False]}).encode()
        request = urllib.request.Request(base + "gradio_api/call/search", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            event_id = json.loads(r.read())["event_id"]
        with urllib.request.urlopen(base + f"gradio_api/call/search/{event_id}", timeout=120) as r:
            serve["api"] = r.read().decode("utf-8", "replace")
finally:
    serve["exited_early"] = server.poll()
    for sig, wait in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        if server.poll() is not None:
            break
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            break
        try:
            server.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            pass
    log.close()
result["steps"]["serve"] = serve
with open(os.path.join(work, "result.json"), "w") as f:
    json.dump(result, f)
'''

TELEMETRY_VARS = ("ANONYMIZED_TELEMETRY", "GRADIO_ANALYTICS_ENABLED", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_DISABLE_TELEMETRY")
_FAMILY = re.compile(r"sa_family=(AF_[A-Z0-9]+)")
_IPV4 = re.compile(r'inet_addr\("([^"]+)"\)')
_IPV6 = re.compile(r'inet_pton\(AF_INET6, "([^"]+)"')


def _is_loopback(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_loopback


def outbound_syscalls(trace: str) -> list[str]:
    """strace lines whose destination is not this machine (loopback, a UNIX socket, netlink)."""
    bad = []
    for line in trace.splitlines():
        families = _FAMILY.findall(line)
        for family in families:
            if family in ("AF_UNIX", "AF_NETLINK", "AF_UNSPEC"):
                continue
            if family == "AF_INET" and all(_is_loopback(a) for a in _IPV4.findall(line)) and _IPV4.findall(line):
                continue
            if family == "AF_INET6" and all(_is_loopback(a) for a in _IPV6.findall(line)) and _IPV6.findall(line):
                continue
            bad.append(line)
    return bad


def test_outbound_syscall_parser_tells_loopback_from_the_world():
    """The strace check below can fail: a connect to another host is caught."""
    lines = [
        '12 connect(3, {sa_family=AF_INET, sin_port=htons(7860), sin_addr=inet_addr("127.0.0.1")}, 16) = 0',
        '12 connect(4, {sa_family=AF_INET6, sin6_port=htons(80), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0',
        '12 connect(5, {sa_family=AF_UNIX, sun_path="/run/x.sock"}, 110) = 0',
        '12 sendto(6, "x", 1, 0, NULL, 0) = 1',
    ]
    assert outbound_syscalls("\n".join(lines)) == []
    world = [
        '13 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("18.239.50.80")}, 16) = -1 ENETUNREACH',
        '13 sendto(7, "q", 1, 0, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.255.255.53")}, 16) = -1',
        '13 connect(4, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:4700::1", &sin6_addr), sin6_scope_id=0}, 28) = -1',
    ]
    assert outbound_syscalls("\n".join(world)) == world


def test_audit_hook_records_a_connection_attempt_to_another_host(tmp_path):
    """The audit hook below can fail: resolving or reaching another host is recorded."""
    (tmp_path / "hook").mkdir()
    (tmp_path / "hook" / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    log = tmp_path / "audit.jsonl"
    code = textwrap.dedent("""
        import socket
        for target in (("192.0.2.1", 9), ("127.0.0.1", 9)):
            s = socket.socket(); s.settimeout(0.2)
            try: s.connect(target)
            except OSError: pass
            finally: s.close()
        try: socket.getaddrinfo("example.invalid", 443)
        except OSError: pass
        socket.getaddrinfo("localhost", 80)
    """)
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "hook"), PREP_BOT_NET_AUDIT_LOG=str(log))
    offline = ["unshare", "-rn"] if _unshare_works() is None else []  # no real lookup leaves this machine
    subprocess.run([*offline, str(PYTHON), "-c", code], env=env, check=True, timeout=60)
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["event"], e["detail"]) for e in events] == [
        ("socket.connect", "('192.0.2.1', 9)"),
        ("socket.getaddrinfo", "'example.invalid'"),
    ]


def _unshare_works() -> str | None:
    """None when `unshare -rn` can make a network namespace here, else why not."""
    if shutil.which("unshare") is None:
        return "unshare is not installed (util-linux)"
    try:
        done = subprocess.run(["unshare", "-rn", "true"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unshare failed to run: {e}"
    if done.returncode != 0:
        return f"unshare -rn is not permitted here: {done.stderr.strip()}"
    return None


@pytest.mark.server
def test_ingest_search_and_serve_work_without_a_network_and_reach_no_other_host(tmp_path):
    why = _unshare_works()
    if why:
        pytest.skip(why)
    work = tmp_path / "offline"
    (work / "hook").mkdir(parents=True)
    (work / "hook" / "sitecustomize.py").write_text(AUDIT_HOOK, encoding="utf-8")
    (work / "driver.py").write_text(DRIVER, encoding="utf-8")
    evidence = work / "evidence"
    evidence.mkdir()
    shutil.copy(SAMPLE_LIBRARY / "stockton-2025-cqc-assessment-governance-management-sustainability.txt", evidence)
    audit_log = work / "audit.jsonl"

    env = {k: v for k, v in os.environ.items() if k not in TELEMETRY_VARS and not k.startswith("PREP_BOT_")}
    # A fresh home and temp folder: afterwards they show what was written outside the data dir.
    (work / "tmp").mkdir()
    env.pop("PYTHONPATH", None)
    env.update(PREP_BOT_NET_AUDIT_LOG=str(audit_log), PREP_BOT_DATA_DIR=str(work / "data"),
               HOME=str(work / "home"), TMPDIR=str(work / "tmp"))
    # Port numbers are per namespace: any free one will do in there.
    argv = ["unshare", "-rn", str(PYTHON), str(work / "driver.py"), str(work), str(PREP_BOT), str(PYTHON),
            str(evidence), str(free_port()), str(work / "hook")]
    proc = subprocess.Popen(argv, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=1500)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 0, output.decode(errors="replace")[-4000:]
    result = json.loads((work / "result.json").read_text())
    steps = result["steps"]

    # The namespace really is cut off: loopback only, and the world is unreachable.
    assert result["interfaces"] == ["lo"]
    assert result["outbound"] in ("ENETUNREACH", "EHOSTUNREACH"), result["outbound"]

    # ...and everything works in it.
    assert steps["ingest"]["rc"] == 0, steps["ingest"]
    assert "1 added" in steps["ingest"]["stdout"]
    assert steps["search"]["rc"] == 0, steps["search"]
    hits = json.loads(steps["search"]["stdout"])
    assert hits and "risk" in " ".join(h["text"].lower() for h in hits)
    serve = steps["serve"]
    assert serve["exited_early"] is None, (work / "serve.log").read_text()[-3000:]
    assert serve.get("status") == 200 and "prep-bot: CQC assessment rehearsal" in serve["page"], (serve.get("page") or "")[:500]
    assert serve["api"] and "event: complete" in serve["api"], serve["api"]
    assert 'data-doc=\\"stockton-2025-cqc-assessment-governance-management-sustainability\\"' in serve["api"]

    # Telemetry and analytics are off by default: nothing set in the environment, and yet...
    assert steps["probe"]["rc"] == 0, steps["probe"]
    probe = json.loads(steps["probe"]["stdout"].strip().splitlines()[-1])
    assert probe["env"]["ANONYMIZED_TELEMETRY"] == "False" and probe["env"]["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert probe["env"]["HF_HUB_OFFLINE"] == "1" and probe["env"]["HF_HUB_DISABLE_TELEMETRY"] in ("1", "True")
    assert probe["chroma_anonymized_telemetry"] is False
    assert probe["gradio_analytics_enabled"] is False and probe["app_analytics_enabled"] is False

    # Nothing was written outside the data dir: not in the home folder, not in the temp folder.
    home = [str(p) for p in (work / "home").rglob("*") if p.is_file()] if (work / "home").exists() else []
    assert home == [], home
    temp = [str(p) for p in (work / "tmp").rglob("*") if p.is_file()]
    assert temp == [], temp

    # No process tried to resolve or reach another host (Python's view)...
    attempts = audit_log.read_text().splitlines() if audit_log.exists() else []
    assert attempts == [], attempts
    # ...nor did any process, Python or native, make a syscall towards one (the kernel's view).
    if result["strace"]:
        for name in ("ingest", "search", "probe", "serve"):
            trace = (work / f"strace-{name}.txt").read_text()
            assert "connect(" in trace or name != "serve"  # the check saw the server's own loopback traffic
            assert outbound_syscalls(trace) == [], name
    else:
        pytest.skip("strace is not installed: the audit hook checked Python's sockets only (apt-get install strace)")


def test_telemetry_and_analytics_are_off_in_process(monkeypatch, tmp_path, embedder):
    """Importing prep_bot turns them off, even when the environment asks for them."""
    import importlib

    import gradio.analytics

    import prep_bot
    from prep_bot.ui.app import build_app

    for name in TELEMETRY_VARS:
        monkeypatch.setenv(name, "0" if name.endswith("OFFLINE") else "True")
    importlib.reload(prep_bot)  # what `import prep_bot` does first in every process
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert gradio.analytics.analytics_enabled() is False
    services = services_with(embedder, data_dir=tmp_path / "data")
    try:
        assert services.store.client.get_settings().anonymized_telemetry is False
        assert build_app(services).analytics_enabled is False
        assert services.store.collection._embedding_function is None  # Chroma never fetches its own model
    finally:
        services.store.catalog.close()


# ================================================================================================
# 3. Redaction: no contact details from the sample reports anywhere in the store
# ================================================================================================
# Written for this test, independently of prep_bot.evidence.redaction.
RAW_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
RAW_PHONE = re.compile(r"(?<![\w£.,/])(?:\+44\s?(?:\(0\)\s?)?|0)\d(?:[ -]?\d){8,9}(?![\d%])")


def contact_details() -> tuple[set[str], set[str]]:
    emails, phones = set(), set()
    for path in sorted(SAMPLE_LIBRARY.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        emails |= set(RAW_EMAIL.findall(text))
        phones |= {p for p in RAW_PHONE.findall(text) if 10 <= len(re.sub(r"\D", "", p)) <= 12}
    return emails, phones


def leaks(text: str, emails: set[str], phones: set[str]) -> list[str]:
    """The contact details found in ``text``: an email (or its "name@"), a phone number in any
    spacing or punctuation."""
    found = []
    lowered = text.lower()
    for email in emails:
        if email.lower() in lowered or email.split("@")[0].lower() + "@" in lowered:
            found.append(email)
    for phone in phones:
        digits = re.sub(r"\D", "", phone)
        if digits.startswith("44"):
            digits = "0" + digits[2:]
        # the number after its leading 0, with or without the 0 or +44 before it
        prefix = r"(?<!\d)(?:\+?44[\s()]{0,3}(?:0[\s()]{0,2})?|0[\s()-]{0,3})?"
        pattern = prefix + r"[\s().-]{0,3}".join(digits[1:]) + r"(?!\d)"
        if re.search(pattern, text):
            found.append(phone)
    return found


def test_the_sample_reports_hold_contact_details():
    """The redaction test below can fail: there is something to leak."""
    emails, phones = contact_details()
    assert len(emails) >= 4, emails
    assert len(phones) >= 4, phones
    sample = "Call Jo on 07700 900123 or write to jo.bloggs@example.org."
    assert set(leaks(sample, {"jo.bloggs@example.org"}, {"07700 900123"})) == {"jo.bloggs@example.org", "07700 900123"}
    assert leaks("tel 07700900123", set(), {"07700 900123"}) == ["07700 900123"]
    assert leaks("47.83% of 1,690 concerns in 2023/24", set(), {"07700 900123"}) == []


def test_no_contact_detail_from_the_sample_reports_is_stored(sample_services, invoke):
    emails, phones = contact_details()
    data_dir = sample_services.settings.data_dir

    def _cli(args: list[str], data_dir: Path) -> str:
        done = invoke(*args, data_dir=data_dir, env=cli_env(data_dir))
        assert done.returncode == 0, done.stderr
        return done.stdout

    chunks = _cli(["chunks", "--json"], data_dir)
    passages = json.loads(chunks)
    assert len(passages) == sample_services.store.catalog.passage_count()
    # Contact lines that were kept are there with the details replaced, not just dropped.
    assert "[email redacted]" in chunks and "[phone redacted]" in chunks
    searched = _cli(["search", "contact details: email, telephone, Local Government Association", "--k", "100", "--json"], data_dir)
    assert len(json.loads(searched)) == 100

    got = sample_services.store.collection.get(include=["documents", "metadatas"])
    assert len(got["ids"]) == len(passages)
    chroma_text = json.dumps([got["documents"], got["metadatas"]], ensure_ascii=False)

    catalog = sqlite3.connect(f"file:{data_dir / 'catalog.sqlite'}?mode=ro", uri=True)
    try:
        catalog_text = "\n".join(catalog.iterdump())
    finally:
        catalog.close()
    assert "embed_text" in catalog_text and "passages" in catalog_text

    bm25_files = [p for p in (data_dir / "bm25").rglob("*") if p.is_file()]
    assert any(p.name.startswith("vocab") for p in bm25_files)
    bm25_text = "\n".join(p.read_bytes().decode("latin-1") for p in bm25_files)
    # Every byte the store wrote (Chroma's SQLite and index files, the catalog and its WAL).
    every_file = "\n".join(p.read_bytes().decode("latin-1") for p in data_dir.rglob("*") if p.is_file())

    for where, text in (("chunks --json", chunks), ("search --json", searched), ("Chroma", chroma_text),
                        ("catalog", catalog_text), ("BM25 index", bm25_text), ("data dir files", every_file)):
        assert leaks(text, emails, phones) == [], where
    # BM25 tokens: the parts of an email or phone number found nowhere else in the reports.
    raw = "\n".join(p.read_text(encoding="utf-8") for p in SAMPLE_LIBRARY.glob("*.txt"))
    rest = RAW_PHONE.sub(" ", RAW_EMAIL.sub(" ", raw)).lower()
    vocab = json.loads(next(p for p in bm25_files if p.name.startswith("vocab")).read_text())
    own_tokens = {t for item in emails | phones for t in re.findall(r"[a-z]+|\d+", item.lower())
                  if not re.search(rf"(?<![a-z0-9]){re.escape(t)}(?![a-z0-9])", rest)}
    assert own_tokens, "expected some tokens only contact details contain"
    assert not own_tokens & set(vocab), own_tokens & set(vocab)
