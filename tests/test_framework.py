"""The framework file: validated on load, and heading names map to the right statements."""

import re
from pathlib import Path

import pytest
import yaml

from prep_bot.infra.config import Settings
from prep_bot.errors import ConfigError
from prep_bot.framework.statements import QS_SLUGS, load_framework


@pytest.fixture(scope="module")
def framework():
    return load_framework(Settings().framework_file)


def test_nine_statements_in_four_themes(framework):
    assert tuple(q.slug for q in framework.quality_statements) == QS_SLUGS
    assert [len(framework.statements_in_theme(t.slug)) for t in framework.themes] == [3, 2, 2, 2]
    for q in framework.quality_statements:
        assert q.commitment.lower().startswith("we ")
        assert all(re.search(r"\b(I|my|me)\b", e) for e in q.expectations)  # people's own voice


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Quality Statement One: Assessing needs.", "assessing-needs"),
        ("CQC Quality Statement 7 – Safeguarding", "safeguarding"),
        ("Quality Statement Four: Care Provision, Integration, and Continuity", "care-provision"),
        ("Supporting people to lead healthier lives", "supporting-healthier-lives"),
        ("Equity in experience and outcomes", "equity-in-experience"),
        ("Safe systems, pathways and transitions", "safe-pathways"),
        ("Learning Improvement and Innovation", "learning-improvement"),
        ("Governance, management and sustainability", "governance"),
        ("Partnerships and community", "partnerships-communities"),
    ],
)
def test_quality_statement_headings_in_their_variants(framework, heading, slug):
    assert framework.match_quality_statement(heading) == slug


def test_other_headings(framework):
    assert framework.match_quality_statement("Assessment, Care Planning and Review Arrangements") is None
    assert framework.match_theme("Theme 3: Ensuring safety") == "ensuring-safety"
    assert framework.match_theme("Theme 2: Providing Support.....") == "providing-support"
    assert framework.match_polarity("Areas for consideration") == "improvement"
    assert framework.match_polarity("Key Messages – Areas for Consideration") == "improvement"
    assert framework.match_polarity("Strengths") == "strength"
    assert framework.match_polarity("Assessment arrangements") is None
    assert "governance" in framework.match_legacy("Vision, Strategy and Leadership")


def test_invalid_framework_is_refused_with_the_reason(tmp_path: Path):
    data = yaml.safe_load(Settings().framework_file.read_text())
    data["quality_statements"] = data["quality_statements"][:8]
    broken = tmp_path / "framework.yaml"
    broken.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="exactly"):
        load_framework(broken)
    with pytest.raises(ConfigError, match="not found"):
        load_framework(tmp_path / "missing.yaml")
