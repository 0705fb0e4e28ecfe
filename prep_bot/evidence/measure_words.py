"""The care-sector words each part of a measure is read from (``measure_parts``): what is counted,
the service, the things, ratings, sector, money, adaptation size and care type, the people, and
what a count counts. The lexicons describe what things mean, not any one council's wording."""

from __future__ import annotations

import re

# What is counted or happens to people: a measure naming one of these is not a measure naming
# another (a wait is not an admission; satisfied is not feeling safe).
_COUNTED = {
    "waiting": r"wait(?:s|ed|ing)?|awaiting|waiting lists?|backlogs?|queues?|unallocated|awaiting allocation|"
               r"delay(?:s|ed)?|delayed|overdue|(?<!good or )(?<!good/)(?<!good and )(?<!rated )(?<!as )outstanding|not (?:yet )?(?:allocated|review(?:ed)?|assess(?:ed|ment)?)|"
               r"(?:have|has|had)(?:n't| not) (?:yet )?(?:had|received|got)|not had|"
               # Still in hospital when they no longer need to be: waiting to leave.
               r"no (?:longer )?(?:met|meets?|meeting) (?:the )?criteria to reside|no criteria to reside|\bNCTR\b",
    "admitted": r"admitted|admissions?|placed|place (?:\w+ )?people|placements?|moved into|go(?:ing)? into|went into|put (?:\w+ )?into",
    "done": r"(?:received|had|got) (?:a |an |their )?(?:carer'?s'? |care act |social care )?assessments?|completed|complete|completion|done|finished|concluded|closed|carried out|undertaken|"
            r"(?:did|do|does) (?:\w+ )?(?:reviews?|assessments?)|"
            r"installed|installation|fitted|delivered|deliveries|authori[sz]ed|authori[sz]ations?|answer(?:s|ed)|respond(?:s|ed)|"
            # "carers assessed or reviewed": the assessments and reviews done, not waiting to be.
            r"(?<!be )(?<!been )(?<!being )(?<!awaiting )(?<!waiting )(?:assessed|reviewed)(?! as\b)",
    "incoming": r"(?:concerns?|referrals?|requests?|applications?|contacts?|calls|complaints?) (?:were |was )?received|"
                r"received (?:\d[\d,]* )?(?:concerns?|referrals?|requests?|applications?|contacts?|calls|complaints?)|"
                r"(?<!social )contacts?|referrals?|referred|requests?|calls|applications?|new cases",
    "started": r"commenc\w*|started|starting|starts?|began|new packages?|packages? started|led to",
    "satisfied": r"satisf(?:ied|action)|happy with|pleased with",
    "safe": r"feel(?:s|ing)? safe|felt safe|safe and secure|made them feel safe|services have made",
    # What services did for it, not whether people feel safe: ASCOF 4B beside 4A.
    "made-safe": r"(?:services?|support|care)\s+(?:\w+\s+){0,2}(?:made|make|makes|help|helped|helps)\s+(?:\w+\s+){0,2}feel safe|"
                 r"made them feel safe|services have made|safe and secure",
    # The kind or place of the abuse an enquiry is about: not how many concerns became enquiries.
    "abuse-type": r"\bneglect\b|self-neglect|(?:financial|physical|psychological|emotional|sexual|domestic|organisational|"
                  r"discriminatory) abuse|abuse (?:in|at) (?:their |the person's )?own home|location of (?:the )?(?:risk|abuse)",
    "contact": r"social contact|lonel\w*|isolat\w*",
    "talk": r"someone to talk(?: to)?|talk to in confidence|support groups?",
    "break": r"(?:a |short )?breaks?|respite",
    "information": r"information|advice|find (?:it )?easy|easy to find",
    "involved": r"involved|involvement|say in|choice and control|control over|control (?:\w+ )?daily life|as much control",
    "qol": r"quality of life",
    "receipt": r"in receipt of|receiv(?:e|es|ing|ed) (?:a |an )?(?:[\w-]+ ){0,2}?(?:direct payments?|personal budgets?|services?|support|long-term|care|packages?|reablement)|"
               r"(?:have|has|had|get|gets|with|on) (?:a |an )?(?:direct payments?|personal budgets?)|take[- ]?up|uptake|using|"
               r"supported by (?:the )?(?:council|local authority|service)|(?:gets?|getting|receiv\w+) support (?:from|through)|"
               r"(?:gets?|getting|got) (?:a )?(?:service|services|support)\b",
    # The share of all carers (or people) in an area that the council reaches.
    "reach": r"(?:unpaid )?carer population|population of (?:unpaid )?carers|counted in the census|in the census|"
             r"of (?:the |all )?(?:unpaid )?(?:carers|people|adults|residents) (?:in|across|living in) the (?:borough|county|city|district|area)",
    "length": r"lasted|lasts|length of (?:an? |the )?(?:\w+ )?(?:episodes?|stay|support|package)|episodes? (?:of \w+ )?last\w*",
    "vacancy": r"vacanc(?:y|ies)|vacant|unfilled",
    "turnover": r"turnover|leavers?|left (?:the|their) (?:post|job|role)s?|leaving rate",
    "discharged": r"discharged|discharges?",
    # Where people came from: "55% of them come straight from hospital".
    "from-hospital": r"(?:straight |directly )?from (?:a |the )?hospital|after (?:a |their )?hospital (?:stay|admission)",
    "retirement": r"retir(?:e|es|ed|ing|ement)(?: age)?",
    "sickness": r"sickness|absence|(?<!bed )days lost",
    "agency": r"agency|locums?|interim",
    "caseload": r"caseloads?|cases per|carry (?:\w+ )?cases|cases each",
    "money": r"spend|spent|spends|costs?|budgets?|overspend|underspend|savings?|saved|fees?|rates? an hour|hourly rate|"
             r"funding|grant of|income|£",
    "rated": r"rated|ratings?|requir(?:es|ing) improvement",
    "hours": r"hours of (?:home )?care|care hours|hours (?:a|per|each) week|unmet hours|hours (?:commissioned|delivered|of requested)",
    "reduced": r"reduced (?:support|package|care)|less support|smaller package",
    "risk-reduced": r"risks? (?:was |were |is |gets? |got )?(?:either )?(?:reduced|removed|mitigated|taken away)|mitigate (?:the )?risks?",
    "outcome-met": r"outcomes? (?:were |was )?(?:(?:fully|partly|partially)(?: ?(?:/|or|and) ?(?:fully|partly|partially))? )?(?:met|achieved)|"
                   r"(?:fully|partly|partially) ?(?:/|or|and) ?(?:fully|partly|partially) (?:met|achieved)",
    "outcome-asked": r"ask(?:ed|ing)? (?:people |the person |them )?(?:about|what)|asked (?:\w+ )?(?:their )?(?:desired )?outcomes?",
    "open": r"open(?! (?:to|for) (?:new|referrals))(?! to (?:the |our |a )?(?:[\w-]+ )?(?:team|service|us|adult social care|social care)\b)|still open|in progress",
    "resolved": r"resolve[sd]?|resolving|signpost\w*|dealt with at|deals? with at",
    "passed": r"pass(?:es|ed)? (?:\w+ )?on|progress(?:es|ed|ing)? to|referred on|go(?:es)? on to|went on to|"
              r"conver(?:ted|ts?|sion)|leading to|resulting in|resulted in|end(?:s|ed)? (?:up )?in",
    "advocacy": r"advocat\w*",
    "plan": r"(?:transition |support |care )?plans? (?:in place|by)|had a (?:\w+ )?plan",
    "home": r"still at home|(?:at )?home at (?:\d+ |\w+-\w+ )?days|at home \w+ days|remain(?:ed|ing)? at home|stay(?:ed|ing)? at home|living at home",
    "readmitted": r"readmi\w*|re-admi\w*",
    "usual": r"usual (?:place of )?residence|went home|returned home|discharged home|back home",
    "upheld": r"upheld",
    "published": r"published|publishe[sd]",
    # Known to the council, newly identified, registered with a service: three counts.
    "known": r"known to|(?:carers|people|adults|residents) known\b|\bknown (?:carers|people|adults|residents)\b|open to (?:the |our |a )?(?:[\w-]+ )?(?:team|service|us|adult social care|social care)\b",
    "identified": r"identified|identifying|newly found",
    "registered": r"registered|on (?:our|the) register",
    # What people said in a survey ("81% of social workers said the framework is clear").
    # Not a speaker's own hedge: "I'd say about 300".
    # Nor what an organisation reports ("the council said 143 people were waiting"), nor a plan agreed.
    "view": r"(?<!council )(?<!authority )(?<!data )(?<!figures )(?<!dashboard )(?<!report )(?<!trust )(?<!icb )said|"
            r"(?<!i'd )(?<!i would )(?<!we'd )(?<!i )say|says|agreed?(?=\s+(?:that|with|they|it|we|there|strongly))|"
            r"(?:strongly |tended to )agreed?|agrees|felt(?! safe)|would recommend",
    "independent": r"no (?:further|ongoing|long-term) (?:services?|support|package|care needs?|needs?)|no (?:care )?package(?! of)|no package of care|without (?:needing |a |any )?(?:long-term |ongoing |further )?"
                   r"(?:package|support|services?)|not (?:needing|requiring|need) (?:a |any )?(?:long-term |ongoing |further )?"
                   r"(?:package|support|services?)|needed no|needing no|reduced or no|no new (?:support|services?|care|package)|"
                   r"need(?:ed|s|ing)? nothing\b(?: (?:more|further|else))?|no (?:further )?requests? for (?:further |extended |ongoing )?support",
    # Offered a service, not using it or what came of it ("offered reablement on discharge").
    "offered": r"offered|offers? of",
    "need": r"(?<!not )(?<!no )(?:requir(?:ed|ing)|needed|had (?:increased |more |complex )?needs)(?! no\b)(?! any\b)",
    "employment": r"paid employment|(?:in )?paid work|in work|employed|employment",
    # A Mental Health Act assessment that ends in a section: not the assessments done.
    "detained": r"detention|detained|detain|sectioned|(?:resulting|ending|ended|end) in (?:a )?section",
    "accommodation": r"settled accommodation|(?:own )?homes? (?:,\s*|/\s*)?(?:or |and )?with (?:their )?famil(?:y|ies)|living independently",
}
# What both surveys ask, of carers and of people who use services: the carers' answer is never the other's.
SURVEYED = frozenset({"satisfied", "qol", "information", "involved", "contact", "talk", "break", "safe", "view"})
# What happened to what came in ("resolved", "passed on", "answered"): said of contacts or calls,
# it is what they count.
OUTCOMES = frozenset({"done", "resolved", "passed", "started", "admitted", "waiting", "open", "upheld"})
# For a time, waiting for a thing and the time it takes to be done are one measure ("average
# wait for an assessment", "days from contact to completion of an assessment").
TIME_SAME = {"waiting": "duration", "done": "duration", "started": "duration", "incoming": "duration", "admitted": "duration"}
_SERVICE = {
    "homecare": r"home ?care|care at home|domiciliary|home-care|care packages? at home",
    "carehome": r"residential|nursing|care homes?|care home beds?|nursing beds?|nursing homes?|bed vacanc(?:y|ies)|vacant beds?",
    "mh": r"mental health|\bAMHPs?\b|approved mental health|\bMH\b",
    "reablement": r"reablement|re-ablement|reabled|reabling|intermediate care|short-term support|short term support|rehabilitation",
    "adapt": r"adaptations?|grab rails?|stair ?lifts?|ramps?|key safes?|disabled facilities|\bDFGs?\b|small aids",
    "equipment": r"equipment|community equipment|items?",
    "ot": r"occupational therap\w*|\bOTs?\b",
    "dols": r"deprivation of liberty|liberty safeguards|\bDoLS\b|liberty protection|(?:standard|urgent) authori[sz]ations?",
    "safeguarding": r"safeguarding|section 42|\bs42\b",
    "assess": r"(?<!carers' )(?<!carer's )(?<!carers )(?<!carer )(?<!financial )(?:care act )?assessments?(?! of need for carers)|(?<!financially )assessed",
    # What a person pays towards their care: not an assessment of their needs.
    "fin-assess": r"financial(?:ly)? assess\w*|financial assessments?",
    "carer-assess": r"carers?'? assessments?|carer's assessments?",
    "review": r"\breviews?\b|reviewed",
    "conversation": r"(?<!first )conversations?",
    "dp": r"direct payments?|personal budgets?",
    # Support the person directs (a personal budget or a direct payment): the wider measure.
    "sds": r"self[- ]directed support|\bSDS\b",
    "discharge": r"hospital|discharges?|discharged|medically (?:fit|optimised)|\bpathway [0-3]\b|\bP[0-3]\b|"
                 r"(?:ready|fit) (?:to leave|for discharge|to go home)|criteria to reside|acute (?:trust|wards?)",
    "frontdoor": r"front door|first (?:point of )?contact|first conversation|contact centre|advice and information",
    "out-of-area": r"out[- ]of[- ](?:area|county|borough)|outside (?:the |our )?(?:county|borough|area|region)",
    "supported-living": r"supported living|extra care|shared lives",
    # Every registered service in the area, not one kind of them ("care homes rated good").
    "all-services": r"(?:all |CQC[- ]registered |registered )(?:adult social )?care (?:services|providers|locations)|"
                    r"registered (?:adult social care )?(?:services|providers|locations)|all (?:regulated )?(?:services|providers)",
    "day": r"day (?:services?|opportunities|centres?)",
    "complaints": r"complaints?",
    "compliments": r"compliments?",
    "tec": r"technology|telecare|lifeline|alarms?|sensors?",
    "crisis": r"crisis|rapid response|urgent community response",
    "advocacy": r"advocacy|advocates?",
    "prison": r"prisons?|custody|custodial|secure (?:estate|settings?)|approved premises",
    # What staff receive, and what a GP offers: not a service people are waiting for or complain of.
    "supervision": r"\bsupervision\b",
    "health-check": r"(?:annual )?health checks?",
}
# Which things, where the service names several: a safeguarding concern is not an enquiry.
_OBJECT = {
    "concern": r"safeguarding concerns?|concerns?|alerts?",
    "enquiry": r"enquir(?:y|ies)|section 42|\bs42\b",
    "dols-application": r"(?:deprivation of liberty safeguards |DoLS )?applications",
    "assessment": r"assessments?",
    "review": r"reviews?",
    "complaint": r"complaints?",
}
# How good, where a measure is about ratings: "good or outstanding" is not "outstanding" alone.
_RATING = {
    "good-or-better": r"good or outstanding|good and outstanding|good or better|good/outstanding",
    "good-only": r"rated good(?! or| and)|good stand at",
    "outstanding": r"(?<!good or )(?<!good and )outstanding",
    "requires-improvement": r"requir(?:es|ing) improvement",
    "inadequate": r"inadequate",
}
# Which adaptations: minor ones fitted quickly are not the major works a Disabled Facilities
# Grant pays for; and the time to fit named items (rails, ramps, stair lifts) is not the time a
# grant takes from application to completion (a text naming both names both).
_SIZE = {
    "minor": r"minor (?:adaptations?|aids|works)|small (?:aids|adaptations?)|grab rails?|key safes?|handrails?|rails?|"
             r"ramps?|stair ?lifts?|half steps?",
    "major": r"major (?:adaptations?|works)|larger adaptations?|disabled facilities grants?|\bDFGs?\b|extensions?|level[- ]access showers?",
}
# Who provides it: the council's own services or the independent sector.
_SECTOR = {
    "in-house": r"in-house|in house|our own (?:services|teams?)|council-run|directly provided",
    "independent": r"independent sector|external providers?|commissioned (?:home care )?providers?|private providers?",
}
# Money: what the sum is.
_MONEY = {
    # What is set aside is not what is spent on one part of it.
    "budget": r"budgets?|budgeted",
    "spend": r"net spend|gross spend|spend(?:ing)? on|spent on|spends?|goes on(?! to)|go on(?! to)|is spent|was spent|expenditure",
    # A variance of the forecast against the budget is the over- or underspend.
    "overspend": r"overspend|over budget|overspent|underspend|deficit|pressures?|variance|adverse",
    # What the year's spend is forecast to be: not the budget set for it.
    "outturn": r"(?<!variance )(?<!variance forecast )outturn(?! variance)|projected spend|forecast spend",
    "savings": r"savings?|saved|efficienc\w*",
    "unit-cost": r"cost (?:of care|per)|weekly cost|an hour|per hour|hourly|per week|a week per|fee rates?|fee levels?|"
                 r"(?:average|typical|mean) (?:weekly |hourly )?cost|costs? of an? (?:[\w-]+ ){0,3}(?:placement|package)|a week|per person",
    "grant": r"better care fund|\bBCF\b|grant|funding|(?<!general )\bfund\b|allocations?|contributions?",
    # What is held back for a rainy day, and drawn on: not the year's spend nor its overspend.
    "reserves": r"reserves?\b|balances\b",
    # What the council raises itself: not what it spends, saves or overspends.
    "income": r"precepts?|council tax|income",
}
_POPULATION = {
    # Not paid carers: "approved (Shared Lives) carers", "carers not turning up" (care workers).
    "carers": r"(?<!approved )(?<!paid )(?<!lives )(?:carers?'?|carer's)(?! (?:not |didn't |did not )?(?:turn|show))|unpaid carers?|young carers?|caring (?:role|responsibilit)",
    "ld": r"learning disabilit\w*|autis\w*|\bLD\b",
    "mh": r"mental health|secondary mental|\bAMHPs?\b|\bMH\b",
    "dementia": r"dementia|memory",
    "transition": r"young people|transition|preparing for adulthood|children's services|turning 18",
    "users": r"people (?:who|that) (?:use|used|are using|receive|received|draw on) (?:services|care|support)|service users|"
             r"service users?|adult social care survey|people using (?:services|care)|people receiving (?:[\w-]+ ){0,2}(?:services|care|support)|"
             r"people (?:we |the council )?support(?:ed)? (?:at home|in the community)|people (?:we|the council) support",
    "households": r"households?",
    "ethnicity": r"ethnic minorit\w*|minority ethnic|black,? asian|\bBAME\b|global majority",
    "homes": r"(?:care )?homes? (?:rated|in the area)|providers?|locations?|beds? rated",
    "social-workers": r"social work(?:ers?)?(?! and)|registered social workers?|qualified social workers?",
    "care-workers": r"care workers?|care workforce|care staff|care jobs?|social care (?:jobs?|workforce|sector|posts?)|"
                    r"independent (?:care )?sector|(?:wider |adult social |social )?care sector|care providers'? staff|direct care",
    "ot-staff": r"occupational therapists",
    "gender": r"women|men|female|male",
}

# What a count counts, from the noun right after it: people (of any kind) are not events, and one
# kind of event is not another. People of one kind against another are the population's part.
_COUNT_NOUNS = {
    "people": r"people|persons?|adults|residents|individuals|clients|service users|users|men|women|carers?|households?|"
              r"families|young people|older people|patients",
    "staff": r"staff|(?:social |care |support )?workers?|social workers?|occupational therapists?|OTs|employees|practitioners|"
             r"nurses|managers|apprentices|(?:approved mental health )?professionals|AMHPs",
    "agency": r"agency (?:social )?(?:workers?|staff)|agency|locums?",
    "posts": r"posts?|vacancies|jobs",
    "cases": r"(?:open )?cases?",
    "conversations": r"conversations?",
    "assessments": r"assessments?",
    "reviews": r"reviews?",
    "contacts": r"contacts?|calls?|enquiries from the public",
    "referrals": r"referrals?|requests?",
    "concerns": r"concerns?|alerts?",
    "enquiries": r"enquiries|enquiry",
    "applications": r"applications?",
    "deliveries": r"deliveries|items?",
    "admissions": r"admissions?",
    "placements": r"placements?",
    "packages": r"packages?",
    "hours": r"hours",
    "beds": r"beds?",
    "homes": r"(?:care )?homes?|providers?|agencies|services",
    "schemes": r"schemes?",
    "dwellings": r"flats?|apartments?|units?|bungalows?",
    "complaints": r"complaints?",
    "compliments": r"compliments?",
    "actions": r"actions?|recommendations?",
}
_COUNT_NOUN_RE = [(k, re.compile(rf"(?:{v})\b", re.I)) for k, v in _COUNT_NOUNS.items()]
_COUNT_NOUN_BEFORE = [(k, re.compile(rf"(?<![\w'-])(?:{v})(?![\w'-])", re.I)) for k, v in _COUNT_NOUNS.items() if k != "homes"]
# What may follow a bare count whose noun was named before it ("...: 208 (target 150)", "from 31 to 9").
_AFTER_BARE = re.compile(
    r"\s*(?:$|[;,.:)(]|(?:of|in|to|a|by|and|this|last|now|over|at|on|for|were|was|are|is|had|have|has|with|from|against|"
    r"compared|versus|vs|per|each|so|but|which|since|during|between|before|after)\b)", re.I)
_PER_WORKER = re.compile(r"(?:per|each|a|for each)\s+(?:qualified\s+|registered\s+)?(?:social\s+)?(?:worker|practitioner|member of staff)\b", re.I)
# Words between a count and its noun that do not change what is counted.
_COUNT_MODIFIERS = re.compile(
    r"(?:(?:[A-Z][a-z]+ ){1,3}Act|(?i:new|more|extra|additional|further|unpaid|older|younger|young|adult|active|open|local|current|eligible|"
    r"qualified|registered|permanent|full-time|part-time|whole-time|fte|completed|overdue|outstanding|other|different|"
    r"extra care|home care|residential|nursing|commissioned|separate|individual|formal|informal|carers'|carer's|housing|"
    r"safeguarding|mental health|social care|adult social care|section 42|s42|DoLS|annual|care|warranted|approved|statutory|"
    r"standard|urgent|best interests?|occupational therapy))\s+")


# "88 a month", "41 people a day", "on a typical day 35 people": a count per period. Not "waited
# more than a year", "within a month" (a window).
_PER = re.compile(
    r"\s?(?:[\w'-]+\s){0,4}?(?<!than )(?<!over )(?<!within )(?<!for )(?<!in )(?<!under )(?<!after )(?<!past )(?<!once )(?<!twice )"
    r"(?<!inside )(?<!about )(?<!nearly )(?<!almost )(?<!up to )(?:a|an|per|each|every)\s(?:(?:average|typical|normal|usual|given)\s)?(hour|day|week|month|quarter|year|annum)\b"
    r"(?!\s+(?:old|ago|before|after|later|or more|and a half))"
    r"|\s?(?:[\w'-]+\s){0,8}?(?:on|in)\s(?:a|an|any)\s(?:average|typical|normal|usual|given)\s(day|week|month)\b", re.I)
_PER_BEFORE = re.compile(r"\b(?:on|in) (?:a|an|any) (?:typical|average|given|normal|usual) (day|week|month)\b[,\s]*(?:[\w']+\s){0,3}$|"
                         r"\b(?:each|every|per) (day|week|month)\b[^.;:]{0,40}$", re.I)
# "Monthly safeguarding concerns averaged 188": a count per month.
_PER_WORD = re.compile(r"\b(hourly|daily|weekly|monthly|quarterly)\b(?![^.;]*\b(?:report|meeting|return|visit|call|check)s?\b)", re.I)
_HEADING_PER = re.compile(r"\b(?:per|a|each) (hour|day|week|month|quarter|year)\b[^:;]*:\s*$", re.I)
_PER_WORDS = {"hourly": "hour", "daily": "day", "weekly": "week", "monthly": "month", "quarterly": "quarter"}


# What a count of people and a count of their cases both count: "214 people waiting for an
# assessment" is the number of assessments waiting.
PEOPLES_CASES = frozenset({"assessments", "reviews", "applications", "cases", "referrals", "contacts", "packages",
                           "placements", "admissions", "concerns", "enquiries", "complaints"})


_SAME_COUNT = {"placements": "admissions"}  # "294 permanent placements" are admissions to care homes


def counts_differ(a: str, b: str) -> bool:
    """Whether two counts count different things (``counted_noun``; "" says nothing)."""
    a, b = _SAME_COUNT.get(a, a), _SAME_COUNT.get(b, b)
    if not a or not b or a == b:
        return False
    return not ({a, b} & {"people"} and {a, b} - {"people"} <= PEOPLES_CASES)


def counted_noun(sentence: str, start: int, end: int) -> str:
    """What the count at ``sentence[start:end]`` counts ("165 carers using ..." people; "2,000
    carers' conversations" conversations; "38 agency social workers" agency; "19 per social
    worker" cases), or "" when its words do not say. With no noun after it, the last one named
    before it in its clause ("reduced agency social workers from 31": agency; "Annual reviews
    overdue: 208": reviews)."""
    rest = sentence[end:].lstrip()
    if _PER_WORKER.match(rest):
        return "cases"  # a caseload
    for _ in range(3):
        m = _COUNT_MODIFIERS.match(rest)
        if not m:
            break
        rest = rest[m.end():]
    for kind, pattern in _COUNT_NOUN_RE:
        if found := pattern.match(rest):
            return "cases" if kind == "cases" or _PER_WORKER.match(rest[found.end():].lstrip()) else kind
    if not _AFTER_BARE.match(sentence[end:]):
        return ""  # a word the table does not know follows: it may say what is counted
    clause = sentence[max(sentence.rfind(";", 0, start), sentence.rfind(". ", 0, start), 0) : start]
    if _PER_WORKER.search(clause):
        return "cases"  # "Open cases per qualified social worker: 24.6"
    found = [(m.end(), -m.start(), kind) for kind, pattern in _COUNT_NOUN_BEFORE for m in pattern.finditer(clause)]
    return max(found)[2] if found else ""


def _table(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    # "post-reablement", "post-discharge": after the service, still about it.
    # "carer-reported", "carer-led": a word joined to a participle still names what it names.
    return {k: re.compile(rf"(?:(?<=\bpost-)|(?<![\w'-]))(?:{v})(?!\w)(?!-(?![a-z]+(?:ed|ing)\b))", re.I) for k, v in table.items()}


COUNTED_RE, SERVICE_RE, POPULATION_RE = _table(_COUNTED), _table(_SERVICE), _table(_POPULATION)
# Which care home care: nursing is not residential ("residential and nursing care" names both).
_CARE_TYPE = {
    "nursing": r"nursing",
    "residential": r"residential",
}
OTHER_RE = tuple(_table(t) for t in (_OBJECT, _RATING, _SECTOR, _MONEY, _SIZE, _CARE_TYPE))
OTHER_NAMES = ("thing", "rating", "sector", "money", "size", "care type")




def per_period(sentence: str, start: int, end: int) -> str:
    """The period a count at ``sentence[start:end]`` is per ("88 a month": month; "on a typical
    day 35 people": day), or ""."""
    flow = _PER.match(sentence[end:]) or _PER_BEFORE.search(sentence[max(0, start - 40) : start])
    if flow:
        return next(g for g in flow.groups() if g).lower().replace("annum", "year")
    clause = sentence[max(sentence.rfind(";", 0, start), sentence.rfind(",", 0, start), 0) : start]
    word = _PER_WORD.search(clause)
    if word:
        return _PER_WORDS[word.group(1).lower()]
    # "Mental Health Act assessments per month (average): 84", "Delayed discharges (daily average,
    # Q2): 19": the heading says per what.
    heading = sentence[max(sentence.rfind(";", 0, start), 0) : start]
    if not re.search(r":\s*$", heading):
        return ""
    found = _HEADING_PER.search(heading) or _PER_WORD.search(heading)
    return _PER_WORDS.get(found.group(1).lower(), found.group(1).lower()) if found else ""


_PRICE_PER = re.compile(r"\b(hourly|daily|weekly|nightly)\b|\b(?:an?|per) (hour|day|week|night)\b|"
                        r"\b(hour|day|week|night)(?:'s)? (?:rate|fee|price|charge)s?\b", re.I)
_PRICE_BEFORE = re.compile(r"\b(?:a|per|each|one) (hour|day|week|night) (?:at|in|of)\b", re.I)


def price_per(measure: str, before: str) -> str:
    """Per what a price is, from its words ("the daily rate's, I think, £82", "the average day
    rate") or the words before it ("a day at the centre costs about £68.50"), or ""."""
    found = _PRICE_PER.search(measure)
    if found:
        word = next(g for g in found.groups() if g).lower()
        return {"hourly": "hour", "daily": "day", "weekly": "week", "nightly": "night"}.get(word, word)
    found = _PRICE_BEFORE.search(before)
    return found.group(1).lower() if found else ""


# How a measure of many is summarised: a median is not a mean.
_MEDIAN = re.compile(r"\bmedian\b", re.I)
_MEAN = re.compile(r"\b(?:mean|average|avg|on average)\b(?! (?:of|across|for) (?:england|the region|comparators?|similar))", re.I)


def summary_said(text: str) -> str:
    """"median" or "mean": the one said last ("the median fell ..., although the mean remains higher")."""
    said = [(m.start(), name) for name, pattern in (("median", _MEDIAN), ("mean", _MEAN)) for m in pattern.finditer(text)]
    return max(said)[1] if said else ""
