"""What a sentence shows on its surface, by rule: numbers, a share, a period, someone's own words,
one person, staff doing something, negatives, a problem said not to be there or owned, a state
said to be well, absolutes, the future, fillers. Signs the learned sentence judgement reads beside
a sentence's meaning (``judgement.surface_features`` and ``SentenceJudge.signs``), never a decision."""

from __future__ import annotations

import re

NUMBER_WORD = re.compile(
    r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|half|quarter|third)\b", re.I)
PERCENT = re.compile(r"%|\bper ?cent\b|\bpercent\b", re.I)
PERIOD = re.compile(r"\b(?:19|20)\d\d\b|\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|\blast (?:year|quarter|month)\b|\bthis year\b", re.I)
QUOTED = re.compile(r"[“\"]([^”\"]{10,})[”\"]|\bsaid,? |\btold (?:me|us)\b|\bher words\b|\bhis words\b|\bsaid to me\b", re.I)
PERSON = re.compile(
    r"\b(?:one|a|an|this|his|her|their|my)\s+(?:[a-z-]+\s+){0,2}?(?:man|woman|person|carer|widower|widow|mother|father|mum|dad|"
    r"daughter|son|resident|gentleman|lady|fella|chap|lad|couple|family|husband|wife|tenant|girl|boy|young person|client)\b"
    r"|\b(?:Mr|Mrs|Ms|Miss)\.? [A-Z]\b", re.I)
ACTION = re.compile(r"\b(?:we|I|our (?:team|staff|workers)|staff|the team)\s+(?:now\s+|also\s+|then\s+|always\s+)?"
                     r"(?:ring|call|visit|ask|check|record|write|go|assess|review|meet|share|use|offer|book|start|phone|refer|involve|bring|look|read|hand|put|send|agree|plan|screen|leave|talk|set)\b", re.I)
NEGATION = re.compile(r"\b(?:not|no|never|nobody|none|nothing|cannot|isn't|aren't|wasn't|weren't|don't|doesn't|didn't|haven't|hasn't|can't|won't|lack|limited|too (?:long|slow|many|few))\b|n't\b", re.I)
# A problem said not to be there ("no issues with", "aren't late here", "no real backlog"), not owned
# ("not always", "not yet", "not everyone", "haven't cleared the backlog", "we weren't counting those waits").
DENIED = re.compile(
    r"(?:\b(?:no|not|never|nobody(?:'s| is)?|no one(?:'s| is)?|none)|n't)\s+"
    r"(?!(?:always|yet|all|every\w*|enough|quite|as|nearly|fully|consistently|sure|know|got|reached|cracked|sorted|fixed|"
    r"solved|cleared|tackled|managed|resolved|met|hit|seen|able)\b)"
    r"(?!(?!(?:delayed|missed|waiting|struggling|worried|carrying|having|seeing|facing|getting|experiencing|"
    r"something|anything|nothing|everything)\b)"
    r"[a-z']+(?:ing|ed)\b)"
    r"(?:[\w'-]+\s+){0,3}?(?:problems?|issues?|gaps?|backlogs?|delays?|delayed|late|slow|concerns?|waiting|waits?|"
    r"struggl\w*|shortages?|missing|missed|barriers?|worr\w*|complain\w*|too long|lost|falls? through|overspends?|"
    r"deficits?|shortfalls?|differences?|bottlenecks?|queues?|hold-?ups?|hold(?:s|ing)? (?:[\w']+ )?up|held up|"
    # "nobody has to chase us", "aren't forgotten", "nobody's left sitting there", "nobody misses out"
    r"chas\w*|forgotten|stuck|miss(?:es|ing)? out|left (?:behind|waiting|sitting|without)|"
    # "she hadn't been dreading it", "he isn't lonely any more": a fear or a harm said to be gone
    r"dread\w*|scared|frighten\w*|lonely|isolated)\b", re.I)
# A problem owned in so many words ("too long", "not always", "we know"), and a state said to be
# well ("well before", "on time", "smoothly", "much better"): beside an evidence sentence naming a
# gap, the first owns it and the second, without the first, says the opposite.
PROBLEM = re.compile(
    r"\b(?:too (?:long|slow|many|few|late)|late|later than|delays?|delayed|backlogs?|waiting lists?|shortages?|short of|"
    # "concerns" is a problem, not a count of safeguarding referrals ("3,960 concerns", "safeguarding concerns")
    r"low|lower than|poor(?:er|ly)?|worse|behind|below|struggl\w*|difficult\w*|harder|gaps?|(?<!\d )(?<!safeguarding )concerns?|inconsistent\w*|"
    r"patchy|fragile|missed|missing|fall(?:s|en)? through|not (?:always|yet|every\w*|all|enough|consistently|good enough|"
    r"there yet)|isn't good enough|need to (?:improve|do better|get better)|we know|fair|room to improve|longest|"
    r"still (?:too|waiting|long|high))\b", re.I)
WELL = re.compile(
    r"\b(?:well (?:before|within|inside|ahead|under)|on time|in good time|on track|quick(?:ly)?|prompt(?:ly)?|"
    r"same (?:day|week)|smooth(?:ly)?|seamless(?:ly)?|fine|sorted|typical now|as a matter of course|right across|"
    r"every(?:one|body)?|always|never (?:have|has|had) to|really (?:good|strong|well)|strong|excellent|works? well|"
    r"(?:much|far) (?:better|more|quicker|faster)|exactly|straight away|right away|regularly|confident|joined up|"
    r"where you(?:'d| would) expect|(?:above|better than) (?:the )?(?:england|national|regional) average)\b", re.I)
# A sentence saying something falls short in so many words, where the evidence says it: a
# negative, a problem word, or "only" and "fewer" ("only 41% of carers", "fewer than half").
SHORT_OF = re.compile(r"\b(?:only|fewer|less than|not yet)\b", re.I)
ABSOLUTE = re.compile(r"\b(?:every|everyone|everybody|always|never|nobody|no one|no-one|all|without exception|without fail|completely|fully|nothing|any|absolutely|perfectly|seamless(?:ly)?)\b", re.I)
FUTURE = re.compile(r"\b(?:will|we'll|going to|by (?:the end of |next )?(?:January|February|March|April|May|June|July|August|September|October|November|December|spring|summer|autumn|winter|christmas|easter|the end)|from (?:next )?(?:January|February|March|April|May|June|July|August|September|October|November|December)|next (?:year|month|quarter|survey)|target|pilot(?:ing)?|trial(?:ling)?|re-?audit)\b", re.I)
FILLER = re.compile(r"\b(?:um+|er+m?|erm|uh|you know|like|so yeah|basically|kind of|sort of|i mean|innit)\b", re.I)
