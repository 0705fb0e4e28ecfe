"""The fixed words of prep-bot: quality statement slugs, themes, polarities, audiences, roles and
document types. Kept free of heavy imports so the command line can build its options quickly."""

QS_SLUGS = (
    "assessing-needs",
    "supporting-healthier-lives",
    "equity-in-experience",
    "care-provision",
    "partnerships-communities",
    "safe-pathways",
    "safeguarding",
    "governance",
    "learning-improvement",
)
THEME_SLUGS = ("working-with-people", "providing-support", "ensuring-safety", "leadership")
POLARITIES = ("strength", "improvement", "neutral")
AUDIENCES = ("frontline", "team-manager", "senior-leader", "partner", "elected-member")
ROLES = ("staff", "manager", "lead")
DOC_TYPES = ("peer-challenge", "cqc-assessment", "self-assessment", "data", "other")
# What people call each kind of document.
DOC_TYPE_LABELS = {"peer-challenge": "Peer challenge", "cqc-assessment": "CQC assessment",
                   "self-assessment": "Self-assessment", "data": "Data", "other": "Other"}
