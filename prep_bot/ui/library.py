"""The Library tab: the documents in the store, and adding files to it from the browser.

Uploads are copied into the data dir's ``uploads`` folder under a safe name and ingested one by
one (prep_bot/evidence/uploads.py); each gets a row in a results table with its status, the
passages stored and a one-line reason. With sign-in on, only a lead may list the library or add
files: the library use case (prep_bot/app/library.py) asks the permission policy on every
request."""

from __future__ import annotations

from html import escape
from pathlib import Path

import gradio as gr

from prep_bot.evidence.loaders import SUPPORTED_SUFFIXES, formats_sentence
from prep_bot.evidence.provenance import display_date
from prep_bot.evidence.uploads import MAX_FILES, UploadResult
from prep_bot.framework.vocab import DOC_TYPE_LABELS
from prep_bot.services import Services
from prep_bot.ui.identity import current_user
from prep_bot.ui.render import card_table

# The title first, then what a reader scans for; the machine id last (for `prep-bot remove`).
HEADERS = ["Title", "Date", "Council", "Type", "Passages", "Id"]
STATUS_LABEL = {
    "added": "Added",
    "replaced": "Added (replaces the earlier version)",
    "unchanged": "Already in the library",
    "duplicate": "Duplicate",
    "failed": "Not added",
}
# Reuse the claim-check colours: green for stored, red for refused, grey for nothing to do.
STATUS_CLASS = {"added": "pb-supported", "replaced": "pb-supported", "failed": "pb-contradicted"}


def upload_cap(max_file_mb: float) -> int:
    """Bytes Gradio itself accepts per uploaded file: well above the evidence size limit, so a
    file just over the limit still reaches the Library tab and gets its one-line reason, while a
    huge one is cut off before it fills the disk."""
    return max(4 * int(max_file_mb * 1024 * 1024), 16 * 1024 * 1024)


def results_html(results: list[UploadResult]) -> str:
    """The results table; every file name and reason is escaped."""
    if not results:
        return ""
    stored = sum(r.status in ("added", "replaced") for r in results)
    failed = sum(r.status == "failed" for r in results)
    other = len(results) - stored - failed
    summary = f"{stored} added, {failed} not added" + (f", {other} already in the library" if other else "")
    rows = "".join(
        f'<tr class="pb-claim {STATUS_CLASS.get(r.status, "pb-unverified")}" data-status="{escape(r.status)}">'
        f"<td>{escape(r.name)}</td><td>{escape(STATUS_LABEL.get(r.status, r.status))}</td>"
        f'<td class="pb-num">{r.passages if r.status in ("added", "replaced") else ""}</td>'
        f"<td>{escape(_reason(r))}</td></tr>"
        for r in results
    )
    return (
        f'<p class="pb-upload-summary">{escape(summary)}</p><table class="pb-claims pb-uploads"><thead><tr>'
        "<th>File</th><th>Result</th><th>Passages</th><th>Reason</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _when(document, stale_years: float) -> str:
    """ "May 2025", "Undated", with how old it is when it is older than the stale threshold
    (key messages and challenge questions then come from newer evidence)."""
    when = display_date(document.info.date) or "Undated"
    return f"{when} (over {stale_years:g} years old)" if document.dated else when


def _reason(result: UploadResult) -> str:
    """The reason without the file name in front (the row already names the file)."""
    prefix = f"{result.name}: "
    return result.reason[len(prefix):] if result.reason.startswith(prefix) else result.reason


def _discard_received(paths: list[Path]) -> None:
    """Delete the copies Gradio received (in its upload folder): what the library keeps is in
    the data dir, and evidence should not linger in a temp folder."""
    from gradio.utils import get_upload_folder

    root = Path(get_upload_folder()).resolve()
    for path in paths:
        try:
            resolved = path.resolve()
            if resolved.is_relative_to(root) and resolved.is_file():
                resolved.unlink()
        except OSError:
            pass


def cards_of(table) -> str:
    """The documents table as cards for a phone, title first (the table's own rows: nothing is
    read again)."""
    rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
    rows = [r for r in rows if any(str(v).strip() for v in r)]
    if not rows:
        return ""
    return card_table(HEADERS, rows, cls="pb-library", wide=0)


def build_library_tab(services: Services, user_errors) -> None:
    """The tab: each callback reads who is asking and calls the library use case."""
    library_of = services.library

    def rows(me) -> list[list]:
        return [
            [d.info.title, _when(d, services.settings.stale_years), d.info.council or "Not named",
             DOC_TYPE_LABELS.get(d.info.doc_type, d.info.doc_type), d.info.chunks, d.info.doc_id]
            for d in library_of.documents(me)
        ]

    def library(request: gr.Request = None) -> list[list]:
        with user_errors():
            return rows(current_user(services.policy, request))

    def add(files: list[dict] | None, council: str | None = None, request: gr.Request = None, progress=gr.Progress()):
        # Gradio's own preprocessing is off for this event (see below): each file comes as its
        # data, already moved into and checked against Gradio's upload folder.
        paths = [Path(f["path"]) for f in (files or []) if isinstance(f, dict) and f.get("path")]
        try:
            with user_errors():
                me = current_user(services.policy, request)
                results = library_of.add(
                    me, paths,
                    progress=lambda done, total, name: progress((done, total), desc=f"Reading {name}" if done < total else "Done"),
                    council=council,
                )
                return results_html(results), rows(me)
        finally:
            _discard_received(paths)  # Gradio's temporary copies, refused or not

    with gr.Tab("Library") as tab:
        # Filled when a lead opens the tab: a value computed while the page is built would be sent
        # to everyone who loads the page, whatever their role.
        docs = gr.Dataframe(headers=HEADERS, value=None, interactive=False, label="Documents in the store", wrap=True,
                            column_widths=["38%", "12%", "14%", "12%", "8%", "16%"], elem_id="library-documents")
        cards = gr.HTML(elem_id="library-cards")  # the same documents as cards, shown on a phone
        refresh = gr.Button("Refresh")
        refresh.click(library, None, docs, api_name="documents")
        tab.select(library, None, docs, api_name=False)
        docs.change(cards_of, docs, cards, api_name=False, show_progress="hidden")
        gr.Markdown(
            f"**Add evidence**: {formats_sentence()}, up to "
            f"{services.settings.max_file_mb:g} MB each and {MAX_FILES} at a time. Each file is read, tagged and "
            "stored; a file that cannot be read is listed with the reason and changes nothing. "
            "With sign-in on, only leads can add files."
        )
        # The picker offers the formats prep-bot reads (the loaders' list).
        upload = gr.File(
            label="Files to add", file_count="multiple", type="filepath", file_types=list(SUPPORTED_SUFFIXES),
            elem_id="library-upload",
        )
        home = services.store.home_council
        council = gr.Textbox(
            label="Council these files are about", elem_id="library-council", max_length=200,
            placeholder=f"Empty: each file's own title lines say (usually {home})" if home else "Empty: each file's own title lines say",
        )
        add_btn = gr.Button("Add to the library", variant="primary", elem_id="library-add")
        results = gr.HTML(elem_id="upload-results")
        # preprocess=False: Gradio would refuse a whole batch holding one file of another type with
        # its own message; prep-bot's check gives that file its row and reason instead.
        add_btn.click(add, [upload, council], [results, docs], api_name="add_documents", preprocess=False).success(
            lambda: None, None, upload, api_name=False
        )
