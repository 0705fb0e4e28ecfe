"""One test per evidence format: each builds a small file in the test, ingests it into a real
store (Chroma in tmp_path, the bundled model) and checks what a user would then see: the
passages, their citations (page, section), their tags, and that search finds them."""

from __future__ import annotations

import csv
from pathlib import Path

from prep_bot.evidence.figures import extract_figures


# Model window of all-MiniLM-L6-v2 is 256 word pieces, including [CLS] and [SEP].
MODEL_WINDOW = 256


# -- helpers -------------------------------------------------------------------------------


def ingest_ok(services, *paths: Path, added: int = 1):
    """Ingest and insist nothing failed; return the stored passages."""
    report = services.ingestor.ingest(list(paths))
    assert not report.failed, [r.reason for r in report.failed]
    assert report.count("added") == added, report.summary()
    passages = services.store.passages()
    assert passages, "nothing was stored"
    return passages


def passage_with(passages, words: str):
    """The single passage whose text contains ``words``."""
    found = [p for p in passages if words in p.text]
    assert len(found) == 1, f"{words!r} found in {len(found)} passages: {[p.text[:80] for p in passages]}"
    return found[0]


def assert_fits_model(services) -> None:
    """Every passage, and the text actually embedded (headings + passage), fits the model."""
    passages = services.store.passages()
    counts = services.embedder.count_tokens([p.text for p in passages])
    assert max(counts) <= MODEL_WINDOW, max(counts)
    embedded = [row[1] for row in services.store.catalog.iter_index_rows()]
    assert len(embedded) == len(passages)
    embed_counts = services.embedder.count_tokens(embedded)
    # + [CLS] and [SEP]: the model would silently truncate anything longer.
    assert max(embed_counts) + 2 <= MODEL_WINDOW, max(embed_counts)


def top_hit(services, query: str, **filters):
    hits = services.store.search(query, k=3, **filters)
    assert hits, f"no hits for {query!r} {filters}"
    return hits[0].passage


# A paragraph far longer than the model's window: the chunker must cut it, losing nothing.
LONG_PARAGRAPH = " ".join(
    [
        "Opening sentence: the transitions panel reviews every young person with eligible needs from the age of fourteen."
    ]
    + [
        f"Observation {i}: practitioners in locality team {i} described how joint planning with children's services "
        f"and the local NHS trust helped families prepare for adulthood, although records were not always complete."
        for i in range(1, 13)
    ]
    + ["Closing sentence: the panel's quarterly report goes to the adult social care leadership team for scrutiny."]
)


# -- .txt ----------------------------------------------------------------------------------
TXT_REPORT = f"""Adult Social Care Self-Assessment Summary

Harbourside Borough Council

Contents

Theme 3: Ensuring safety ..... 2
Theme 4: Leadership ..... 5

Background

Harbourside Borough Council prepared this summary of its own adult social care practice ahead of assessment.

Theme 3: Ensuring safety

Quality Statement Six: Safe systems, pathways and transitions

{LONG_PARAGRAPH}

Quality Statement Seven: Safeguarding

Strengths

The multi-agency safeguarding hub triages every concern within twenty-four hours and partners described the front door as responsive, effective and well led.

Areas for consideration

Section 42 enquiries are not always closed within expected timescales and the backlog of enquiries awaiting allocation needs to be reduced, with clearer oversight from senior managers.

Theme 4: Leadership

Quality Statement Eight: Governance, Management, and Sustainability

The Lead Member for adult social care chairs a monthly performance board that scrutinises budget, workforce and quality dashboards.
"""


def test_txt_headings_sections_and_tags(make_services, evidence_dir):
    path = evidence_dir / "harbourside-self-assessment.txt"
    path.write_text(TXT_REPORT, encoding="utf-8")
    services = make_services()
    passages = ingest_ok(services, path)

    doc = services.store.documents()[0]
    assert doc.title == "Adult Social Care Self-Assessment Summary"
    assert doc.doc_type == "self-assessment"
    assert all(p.source == "harbourside-self-assessment.txt" for p in passages)
    # Contents lines ("Theme 3: Ensuring safety ..... 2") are not evidence.
    assert not any("....." in p.text for p in passages)

    backlog = passage_with(passages, "backlog of enquiries awaiting allocation")
    assert backlog.quality_statements[0] == "safeguarding"
    assert backlog.theme == "ensuring-safety"
    assert backlog.polarity == "improvement"
    assert "Quality Statement Seven: Safeguarding" in backlog.section
    assert backlog.section.endswith("Areas for consideration")
    assert "Background" not in backlog.section

    hub = passage_with(passages, "multi-agency safeguarding hub")
    assert hub.quality_statements[0] == "safeguarding"
    assert hub.polarity == "strength"
    assert hub.section.endswith("Strengths")

    board = passage_with(passages, "monthly performance board")
    assert board.quality_statements[0] == "governance"
    assert board.theme == "leadership"
    assert "Safeguarding" not in board.section  # a new theme closes the previous statement

    # The long paragraph was cut into several passages, keeping its first and last sentence.
    transitions = [p for p in passages if "Quality Statement Six" in p.section]
    assert len(transitions) >= 2
    joined = " ".join(p.text for p in transitions)
    assert "Opening sentence" in joined and "Closing sentence" in joined
    assert all(p.quality_statements[0] == "safe-pathways" for p in transitions)
    assert_fits_model(services)

    hit = top_hit(services, "section 42 enquiries backlog", qs="safeguarding", polarity="improvement")
    assert hit.id == backlog.id
    assert hit.citation.startswith("Adult Social Care Self-Assessment Summary")


# -- .md -----------------------------------------------------------------------------------
MD_REPORT = """# Carers Support Self-Assessment

## Theme 2: Providing support

### Quality Statement Five: Partnerships and communities

#### What works well

Our voluntary sector alliance delivers **carer breaks** in every locality and carers told us the alliance is easy to reach.

#### Areas for development

- Too few carers' assessments lead to a funded break, and waiting times for respite vary by locality.
- Information for carers from minority ethnic communities is not yet translated.

## Quality Statement One: Assessing needs

Assessments are completed by a single trusted assessor team and reviewed within six weeks of any change.
"""


def test_markdown_headings(make_services, evidence_dir):
    path = evidence_dir / "carers-self-assessment.md"
    path.write_text(MD_REPORT, encoding="utf-8")
    services = make_services()
    passages = ingest_ok(services, path)

    assert services.store.documents()[0].title == "Carers Support Self-Assessment"
    # Markdown syntax never leaks into evidence text.
    assert not any(p.text.lstrip().startswith("#") or "**" in p.text for p in passages)
    assert not any(p.text.strip() in {"What works well", "Areas for development"} for p in passages)

    alliance = passage_with(passages, "voluntary sector alliance")
    assert alliance.quality_statements[0] == "partnerships-communities"
    assert alliance.theme == "providing-support"
    assert alliance.polarity == "strength"
    assert "carer breaks" in alliance.text
    assert "Partnerships and communities" in alliance.section

    respite = passage_with(passages, "waiting times for respite")
    assert respite.polarity == "improvement"
    assert respite.quality_statements[0] == "partnerships-communities"
    assert respite.section.endswith("Areas for development")

    assessor = passage_with(passages, "single trusted assessor team")
    assert assessor.quality_statements[0] == "assessing-needs"
    assert "Partnerships" not in assessor.section
    assert_fits_model(services)

    assert top_hit(services, "translated information for minority ethnic carers").id == passage_with(
        passages, "not yet translated"
    ).id


# -- .pdf ----------------------------------------------------------------------------------
def _write_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_title("Peer Challenge Feedback Report")
    pdf.set_font("Helvetica", size=11)

    def line(text: str) -> None:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    pdf.add_page()
    line("Peer Challenge Feedback Report")
    line("Theme 1: Working with people")
    line("Quality Statement One: Assessing needs")
    line("Strengths")
    line(
        "Occupational therapists complete strengths-based assessments in people's homes and the waiting list "
        "for an occupational therapy assessment has fallen from eleven weeks to four weeks over the last year, "
        "which people who draw on care described as a real change."
    )
    pdf.add_page()
    line("Theme 3: Ensuring safety")
    line("Quality Statement Seven: Safeguarding")
    line("Areas for consideration")
    line(
        "Safeguarding adults reviews are published late and the learning from them has not reached frontline "
        "practitioners in the hospital discharge team, who said they did not know the outcome of recent reviews."
    )
    pdf.output(str(path))


def test_pdf_pages_and_headings(make_services, evidence_dir):
    path = evidence_dir / "peer-challenge-feedback.pdf"
    _write_pdf(path)
    services = make_services()
    passages = ingest_ok(services, path)

    doc = services.store.documents()[0]
    assert doc.title == "Peer Challenge Feedback Report"  # from the PDF's metadata
    assert doc.doc_type == "peer-challenge"

    ot = passage_with(passages, "occupational therapy assessment has fallen")
    assert ot.page == 1
    assert ot.quality_statements[0] == "assessing-needs"
    assert ot.polarity == "strength"
    assert "Quality Statement One: Assessing needs" in ot.section
    # A paragraph wrapped over several PDF lines comes back as one passage.
    assert "which people who draw on care described as a real change." in ot.text

    sar = passage_with(passages, "learning from them has not reached frontline")
    assert sar.page == 2
    assert sar.quality_statements[0] == "safeguarding"
    assert sar.theme == "ensuring-safety"
    assert sar.polarity == "improvement"
    assert "Quality Statement Seven: Safeguarding" in sar.section
    assert sar.section.endswith("Areas for consideration")
    assert "p. 2" in sar.citation
    # Headings are not stored as passages of their own.
    assert not any(p.text.strip() in {"Strengths", "Areas for consideration"} for p in passages)
    assert_fits_model(services)

    hit = top_hit(services, "safeguarding adults reviews learning not shared with hospital discharge team")
    assert hit.id == sar.id and hit.page == 2


# -- .docx ---------------------------------------------------------------------------------
def _write_docx(path: Path, *, table_before_last_section: bool = True) -> None:
    import docx

    document = docx.Document()
    document.core_properties.title = "Safeguarding Self-Assessment 2024"
    document.add_heading("Theme 3: Ensuring safety", level=1)
    document.add_heading("Safeguarding", level=2)
    document.add_heading("Areas for improvement", level=3)
    document.add_paragraph(
        "Referrals from care homes to the safeguarding team are inconsistent and some concerns raised at night "
        "were not triaged until the following working day."
    )
    table = document.add_table(rows=3, cols=3)
    for row, values in zip(table.rows, [
        ("measure", "council", "England"),
        ("section 42 enquiries concluded with risk reduced", "91%", "89%"),
        ("people asked their desired safeguarding outcomes", "78%", "83%"),
    ]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_heading("Governance", level=2)
    document.add_paragraph(
        "The Safeguarding Adults Board receives a quarterly assurance report from the Director of Adult Social "
        "Services and holds partners to account for actions."
    )
    document.save(str(path))


def test_docx_heading_styles_and_table(make_services, evidence_dir):
    path = evidence_dir / "safeguarding-self-assessment.docx"
    _write_docx(path)
    services = make_services()
    passages = ingest_ok(services, path)

    doc = services.store.documents()[0]
    assert doc.title == "Safeguarding Self-Assessment 2024"
    assert doc.doc_type == "self-assessment"

    referrals = passage_with(passages, "Referrals from care homes")
    assert "Safeguarding" in referrals.section
    assert referrals.section.endswith("Areas for improvement")
    assert referrals.quality_statements[0] == "safeguarding"
    assert referrals.polarity == "improvement"

    board = passage_with(passages, "quarterly assurance report")
    assert "Governance" in board.section
    assert board.quality_statements[0] == "governance"

    # Each table row is a passage naming its columns.
    row = passage_with(passages, "section 42 enquiries concluded")
    assert row.text == "measure: section 42 enquiries concluded with risk reduced; council: 91%; England: 89%"
    assert passage_with(passages, "desired safeguarding outcomes").text.endswith("council: 78%; England: 83%")
    assert_fits_model(services)

    assert top_hit(services, "section 42 enquiries risk reduced").id == row.id


def test_docx_table_rows_keep_the_section_they_sit_in(make_services, evidence_dir):
    path = evidence_dir / "safeguarding-self-assessment.docx"
    _write_docx(path)
    services = make_services()
    passages = ingest_ok(services, path)
    row = passage_with(passages, "section 42 enquiries concluded")
    assert "Safeguarding" in row.section
    assert "Governance" not in row.section
    assert row.quality_statements[0] == "safeguarding"


def test_docx_nested_plain_headings_form_a_path(make_services, evidence_dir):
    import docx

    document = docx.Document()
    document.add_heading("Carers Strategy Progress", level=1)
    document.add_heading("Respite and Short Breaks", level=2)
    document.add_paragraph("Bookable respite beds increased from six to ten in the last year after a new contract.")
    path = evidence_dir / "carers-strategy.docx"
    document.save(str(path))
    services = make_services()
    passages = ingest_ok(services, path)
    beds = passage_with(passages, "Bookable respite beds")
    assert beds.section == "Carers Strategy Progress > Respite and Short Breaks"


# -- .html ---------------------------------------------------------------------------------
HTML_PAGE = """<!doctype html>
<html><head><title>Local Account 2024 - Harbourside Council</title>
<style>.banner { color: red; }</style>
<script>var trackingPixelSecret = "SCRIPTBANANA analytics"; document.write("SCRIPTBANANA");</script>
</head>
<body>
<nav><a href="/">Home</a> <a href="/contact">Contact SCRIPTBANANA nav</a></nav>
<h1>Local Account 2024</h1>
<h2>Safeguarding</h2>
<p>Our safeguarding adults board agreed a new self-neglect protocol with housing and fire services this year.</p>
<h2>What we need to improve</h2>
<ul>
<li>Waiting lists for Deprivation of Liberty Safeguards assessments remain too long.</li>
<li>Feedback from people after a safeguarding enquiry is not yet collected routinely.</li>
</ul>
<script>console.log("SCRIPTBANANA body script");</script>
</body></html>
"""


def test_html_headings_lists_and_no_script(make_services, evidence_dir):
    path = evidence_dir / "local-account-2024.html"
    path.write_text(HTML_PAGE, encoding="utf-8")
    services = make_services()
    passages = ingest_ok(services, path)

    assert services.store.documents()[0].title == "Local Account 2024 - Harbourside Council"
    assert not any("SCRIPTBANANA" in p.text or "console.log" in p.text or ".banner" in p.text for p in passages)
    assert services.store.search("SCRIPTBANANA", mode="bm25") == []

    protocol = passage_with(passages, "self-neglect protocol")
    assert "Safeguarding" in protocol.section
    assert protocol.quality_statements[0] == "safeguarding"

    dols = passage_with(passages, "Deprivation of Liberty Safeguards")
    assert dols.polarity == "improvement"
    assert dols.section.endswith("What we need to improve")
    assert "not yet collected routinely" in " ".join(p.text for p in passages)
    assert_fits_model(services)

    assert top_hit(services, "self-neglect protocol with fire service").id == protocol.id


# -- .csv ----------------------------------------------------------------------------------
CSV_ROWS = [
    ["measure", "council", "England", "period", "source"],
    ["carers satisfied with support", "47.83%", "36.83%", "2023/24", "SACE"],
    ["Adults, 18-64, with a learning disability in paid employment", "6.1%", "4.8%", "2023/24", "ASCOF 1E"],
    ["people who use services who feel safe", "71.2%", "71.06%", "2023/24", "ASCS"],
]


def _write_csv(path: Path, rows=CSV_ROWS) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)


def test_csv_rows_become_data_passages(make_services, evidence_dir):
    path = evidence_dir / "ascof-2023-24.csv"
    _write_csv(path)
    services = make_services()
    passages = ingest_ok(services, path)

    assert len(passages) == 3  # one per data row; the header is not a passage
    assert all(p.doc_type == "data" for p in passages)
    assert services.store.documents()[0].doc_type == "data"
    assert all(p.polarity == "neutral" for p in passages)
    carers = passage_with(passages, "carers satisfied")
    assert carers.text == (
        "measure: carers satisfied with support; council: 47.83%; England: 36.83%; period: 2023/24; source: SACE"
    )
    # Each figure of a row measures what the row's label says; its column says whose it is.
    row = {f.raw: f for f in extract_figures(carers.text)}
    assert row["47.83%"].measure == row["36.83%"].measure == "carers satisfied with support"
    assert (row["47.83%"].subject, row["36.83%"].subject, row["47.83%"].period) == ("ours", "england", "2023/24")
    # A quoted value with commas stays one value.
    employment = passage_with(passages, "learning disability")
    assert employment.text.startswith("measure: Adults, 18-64, with a learning disability in paid employment; council: 6.1%")
    assert "ascof-2023-24" in carers.section
    assert_fits_model(services)

    assert top_hit(services, "carers satisfied with support", doc_type="data").id == carers.id
    assert top_hit(services, "feel safe", doc_type="data").id == passage_with(passages, "feel safe").id


def test_csv_row_with_long_comment_fits_the_model(make_services, evidence_dir):
    comment = " ".join(
        f"Comment {i}: carers in locality {i} said respite was hard to book at short notice and asked for "
        "an online booking system with evening availability."
        for i in range(1, 16)
    )
    path = evidence_dir / "carer-survey-comments.csv"
    _write_csv(path, [["question", "comment"], ["What would improve respite?", comment]])
    services = make_services()
    ingest_ok(services, path)
    assert_fits_model(services)


# -- .xlsx ---------------------------------------------------------------------------------
def _write_xlsx(path: Path, budget: dict | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ascof = wb.active
    ascof.title = "ASCOF 2023-24"
    ascof.append(["measure", "council", "England", "count"])
    ascof.append(["carers satisfied with support", 0.4783, 0.3683, 412.0])
    # A value produced by arithmetic, as spreadsheets often hold: 47.830000000000005.
    ascof.append(["proportion of people who feel safe", 0.1 * 478.3, 71.06, 1250])
    safeguarding = wb.create_sheet("Safeguarding")
    safeguarding.append(["quarter", "concerns received", "enquiries started", "conversion rate"])
    safeguarding.append(["Q1 2024/25", 512, 96, 96 / 512])
    if budget:
        sheet = wb.create_sheet("Budget")
        sheet.append(["budget line", "amount"])
        for key, value in budget.items():
            sheet.append([key, value])
    wb.save(str(path))


def test_xlsx_sheets_and_numbers(make_services, evidence_dir):
    path = evidence_dir / "performance-workbook.xlsx"
    _write_xlsx(path)
    services = make_services()
    passages = ingest_ok(services, path)

    assert len(passages) == 3
    assert all(p.doc_type == "data" for p in passages)
    carers = passage_with(passages, "carers satisfied")
    assert carers.text == "measure: carers satisfied with support; council: 0.4783; England: 0.3683; count: 412"
    assert "ASCOF 2023-24" in carers.section

    safe = passage_with(passages, "feel safe")
    assert "council: 47.83;" in safe.text
    assert "47.830000000000005" not in safe.text
    assert "England: 71.06" in safe.text

    quarter = passage_with(passages, "Q1 2024/25")
    assert "Safeguarding" in quarter.section  # the sheet name
    assert quarter.text.startswith("quarter: Q1 2024/25; concerns received: 512; enquiries started: 96; conversion rate: 0.1875")
    # No long float repr anywhere.
    assert not any("0000000" in p.text for p in passages)
    assert_fits_model(services)

    assert top_hit(services, "concerns received enquiries started conversion rate").id == quarter.id


def test_xlsx_large_numbers_are_not_mangled(make_services, evidence_dir):
    path = evidence_dir / "budget-workbook.xlsx"
    _write_xlsx(path, {"net budget": 1234567.5, "care package spend": 123456.78})
    services = make_services()
    passages = ingest_ok(services, path)
    net = passage_with(passages, "net budget")
    assert net.text == "budget line: net budget; amount: 1234567.5"  # not "1.23457e+06"
    spend = passage_with(passages, "care package spend")
    assert spend.text == "budget line: care package spend; amount: 123456.78"  # not "123457"


# -- folders -------------------------------------------------------------------------------
def test_folder_is_walked_recursively(make_services, evidence_dir):
    (evidence_dir / "harbourside-self-assessment.txt").write_text(TXT_REPORT, encoding="utf-8")
    sub = evidence_dir / "carers"
    deeper = sub / "data" / "2024"
    deeper.mkdir(parents=True)
    (sub / "carers-notes.md").write_text(MD_REPORT, encoding="utf-8")
    (sub / "manifest.yaml").write_text(
        "documents:\n"
        "  - file: carers-notes.md\n"
        "    title: Carers workstream notes\n"
        "    council: Harbourside Borough Council\n"
        "    doc_type: other\n",
        encoding="utf-8",
    )
    _write_csv(deeper / "ascof-2023-24.csv")
    hidden = evidence_dir / ".drafts"
    hidden.mkdir()
    (hidden / "draft-secret.txt").write_text("Unpublished HIDDENDRAFT text that must not be ingested.\n")

    services = make_services()
    report = services.ingestor.ingest([evidence_dir])
    assert not report.failed, [r.reason for r in report.failed]  # manifest.yaml is not "unsupported"
    assert report.count("added") == 3
    docs = {d.doc_id: d for d in services.store.documents()}
    assert set(docs) == {"harbourside-self-assessment", "carers-notes", "ascof-2023-24"}
    assert docs["carers-notes"].title == "Carers workstream notes"  # from the subfolder's manifest
    assert docs["carers-notes"].council == "Harbourside Borough Council"
    assert docs["ascof-2023-24"].doc_type == "data"
    passages = services.store.passages()
    assert not any("HIDDENDRAFT" in p.text for p in passages)
    # The source is the path inside the folder that was ingested.
    assert {p.source for p in passages} == {
        "harbourside-self-assessment.txt", "carers/carers-notes.md", "carers/data/2024/ascof-2023-24.csv"
    }
    assert_fits_model(services)

    # Something from the deepest folder is searchable.
    hit = top_hit(services, "carers satisfied with support", doc_type="data")
    assert hit.source == "carers/data/2024/ascof-2023-24.csv"


def test_same_file_name_in_two_subfolders_keeps_both(make_services, evidence_dir):
    for team, text in (
        ("north", "North locality reviews are completed within eight weeks of a hospital discharge."),
        ("south", "South locality has a waiting list of ninety people for a care act review."),
    ):
        folder = evidence_dir / team
        folder.mkdir()
        (folder / "locality-report.txt").write_text(f"Locality report\n\n{text}\n", encoding="utf-8")
    services = make_services()
    report = services.ingestor.ingest([evidence_dir])
    assert not report.failed
    texts = " ".join(p.text for p in services.store.passages())
    assert "North locality reviews" in texts
    assert "South locality has a waiting list" in texts
