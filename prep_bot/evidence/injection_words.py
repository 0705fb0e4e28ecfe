"""The words and patterns of text addressed to a language model, in English, French, Spanish,
German, Polish and Welsh (used by prep_bot/evidence/injection.py, which explains the kinds).

Every pattern runs on a sentence's detection form: lower case, accents dropped, disguises
removed. Adding a language means adding its words to the lists below; adding a kind means a
pattern in ``KINDS``; ``prep-bot eval injection`` then shows what it catches and what it wrongly
withholds among real report sentences.
"""

from __future__ import annotations

import re

ANGLES = "<>«»‹›≪≫〈〉《》⟨⟩⟪⟫❮❯❬❭❰❱⧼⧽"  # brackets a fence could be imitated with


def _any(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


# Where an order starts: the start of a sentence or clause, or after "please", "now", "you must"...
LEAD = _any(
    r"^", r"[.:;!?,\"'(\[{«»]", r"(?:^|\s)[-–—]", r"\b(?:please|kindly|now|just|simply|first|then|and|so|also|instead|immediately|always|from now on|"
    r"you must|you should|you need to|you have to|you are to|you will|you'll|i want you to|i need you to|make sure (?:that )?you|"
    r"veuillez|merci de|s'il (?:te|vous) plait|maintenant|ensuite|desormais|toujours|"
    r"por favor|ahora|luego|siempre|debes|tienes que|"
    r"bitte|jetzt|nun|sofort|immer|du musst|sie mussen|"
    r"prosze|teraz|zawsze|musisz|natychmiast|"
    r"nawr|os gwelwch yn dda|plis|bob amser|rhaid i ti|rhaid i chi)",
)
OVERRIDE_VERB = _any(
    r"ignore", r"disregard", r"forget", r"override", r"bypass", r"overlook", r"pay no (?:attention|heed) to", r"take no notice of",
    r"never mind", r"stop following", r"do not follow", r"don'?t follow", r"no longer follow", r"cease following",
    r"ignore[zr]", r"oublie[zr]?", r"ne (?:tiens|tenez) (?:plus |pas )?compte", r"(?:fais|faites) abstraction", r"passe[zr]? outre",
    r"ne (?:suis|suivez|respecte[zr]?) (?:pas|plus)", r"abandonne[zr]?", r"laisse[zr]? tomber",
    r"ignora[dnr]?", r"ignoren", r"olvid(?:a|e|en|ad|ar)", r"omit(?:e|a|ir)", r"descart(?:a|e|ar)", r"no sig(?:as|a|an)",
    r"deja de seguir", r"(?:haz|haga|hagan) caso omiso", r"no (?:hagas|haga|hagan) caso (?:de|a)", r"no prestes atencion a", r"pas(?:a|e) por alto", r"desobedec\w*",
    r"ignorier\w*", r"vergiss", r"vergesst", r"vergessen sie", r"missacht\w*", r"ubergeh\w*", r"beachte\w* (?:\w+ )?nicht",
    r"befolge\w* (?:\w+ )?nicht", r"verwirf", r"hor auf",
    r"zignoruj\w*", r"ignoruj\w*", r"zapomnij\w*", r"zapomniec", r"pomin\w*", r"porzuc\w*", r"odrzuc\w*", r"nie stosuj\w*",
    r"nie przestrzegaj\w*", r"nie sluchaj\w*", r"nie wykonuj\w*", r"zignorowac", r"nie zwracaj\w* uwagi na",
    r"ne fais pas attention a", r"ne faites pas attention a", r"achte nicht auf", r"achten sie nicht auf",
    r"anwybydd\w*", r"anghofi\w*", r"diystyr\w*", r"(?:peidiwch|paid) a dilyn", r"hepgor\w*",
    r"dimentica\w*", r"esqueca\w*", r"desconsider\w*", r"negeer", r"vergeet",
)
# Weaker verbs: only with a qualified object ("discard all previous instructions").
OVERRIDE_SOFT = _any(r"skip", r"discard", r"abandon", r"drop", r"set aside", r"throw out", r"neglect", r"put aside", r"scrap")
QUALIFIER = _any(
    r"all", r"any", r"every", r"the", r"your", r"these", r"those", r"previous", r"prior", r"earlier", r"above", r"preceding",
    r"original", r"initial", r"existing", r"former", r"system", r"safety", r"other", r"of", r"my",
)
STRONG_OBJECT = _any(
    r"instructions?", r"directions", r"directives?", r"(?:system )?prompts?", r"programming", r"guardrails", r"constraints",
    r"(?:everything|anything|all|what) (?:above|before|prior|previously|earlier|else|you (?:were|have been) told)",
    r"the above", r"above", r"previous (?:messages?|text|content|context)", r"(?:your|the) context",
    r"consignes?", r"(?:tout )?ce qui precede", r"messages? precedents?",
    r"instrucciones", r"instruccion", r"indicaciones", r"directrices", r"(?:todo )?lo anterior", r"mensajes? anteriores",
    r"anweisung\w*", r"vorgaben", r"instruktion\w*", r"alles (?:vorherige|bisherige|obige|davor|andere)", r"(?:vorherig|bisherig|obig)\w*",
    r"instrukcj\w*", r"polecen\w*", r"wytyczn\w*", r"wszystko (?:wczesniej|powyzej|co)", r"(?:wczesniejsz|poprzedni|powyzsz)\w*",
    r"(?:c|g|ngh|ch)yfarwydd\w*", r"orchymyn\w*", r"gorchymyn\w*", r"gorchmynion", r"blaenorol", r"uchod",
    r"istruzioni", r"instrucoes", r"instructies",
)
INVALID_OBJECT = _any(
    r"instructions?", r"directions", r"directives?", r"(?:system )?prompts?", r"programming", r"guardrails", r"consignes?", r"instrucciones",
    r"anweisung\w*", r"vorgaben", r"instrukcj\w*", r"polecen\w*", r"(?:c|g|ngh|ch)yfarwydd\w*",
)
WEAK_OBJECT = _any(
    r"rules", r"guidance", r"guidelines", r"policies", r"safety(?: \w+)?", r"(?:the|your) (?:evidence|passages|rubric|scoring|coach\w*)", r"orders", r"commands", r"restrictions", r"safeguards", r"limits", r"filters",
    r"regles", r"directives", r"ordres", r"reglas", r"normas", r"ordenes", r"regeln", r"richtlinien", r"befehl\w*",
    r"zasad\w*", r"regul\w*", r"rozkaz\w*", r"komend\w*", r"r?h?eol\w*", r"regole", r"regras", r"regels",
)
REVEAL_OBJECT = _any(
    r"instructions", r"prompt", r"rules", r"guidelines", r"configuration", r"settings", r"consignes", r"instrucciones", r"anweisungen",
    r"instrukcje", r"cyfarwyddiadau", r"(?:text|words|lines|everything|all) (?:above|before this)",
)
REVEAL_QUALIFIER = _any(
    r"your", r"any (?:hidden|secret|system)", r"the (?:hidden|secret|initial|original|system|full|confidential)", r"hidden", r"secret", r"initial", r"original",
    r"confidential", r"system", r"tes", r"vos", r"tus", r"sus", r"deine?n?", r"ihre?n?", r"swoje", r"twoje", r"eich", r"dy",
    r"cachees", r"secretes", r"initiales", r"ocultas", r"secretas", r"iniciales", r"versteckten", r"geheimen", r"ukryte", r"tajne", r"cudd",
)
AI = _any(
    r"ai", r"a\.i\.", r"artificial intelligence", r"(?:large )?language models?", r"llms?", r"chat ?bots?", r"(?:the |an |ai |virtual )assistant",
    r"assistants", r"gpt\w*", r"chatgpt", r"claude", r"gemini", r"copilot", r"prep-?bot", r"the bot", r"the model", r"ai models?",
    r"ia", r"intelligence artificielle", r"modele de (?:langage|langue)", r"inteligencia artificial", r"modelo de lenguaje",
    r"asistente", r"ki", r"kunstliche intelligenz", r"sprachmodell\w*", r"assistent\w*", r"sztuczn\w* inteligencj\w*",
    r"model\w* jezykow\w*", r"asystent\w*", r"deallusrwydd artiffisial", r"model iaith", r"cynorthwyydd", r"gynorthwyydd",
)
PERSONA_NOUN = _any(
    AI, r"assistant", r"bot", r"persona", r"character", r"version", r"system", r"hacker", r"jailbreak\w*", r"dan", r"stan", r"dude",
    r"(?:unrestricted|unfiltered|uncensored|evil|rogue|different|new|free) (?:\w+ )?(?:ai|assistant|model|bot|persona|version|mode)",
    r"robot", r"personnage", r"personaje", r"figur", r"postac\w*", r"cymeriad", r"modell", r"modelo", r"modele", r"modelem", r"modelu", r"fodel",
)
CREDENTIAL = _any(
    r"pass ?words?", r"passcodes?", r"passphrases?", r"pin (?:number|code)", r"log-?in (?:details|credentials|info\w*)",
    r"sign-?in details", r"credentials", r"api keys?", r"access (?:tokens?|keys?|codes?)", r"secret keys?", r"security codes?",
    r"verification codes?", r"one-?time (?:codes?|pass ?words?|pass ?codes?)", r"otp", r"[2m]fa codes?", r"auth\w* codes?",
    r"log-?ins?", r"mots? de passe", r"mdp", r"identifiants", r"codes? (?:secrets?|d'acces|pin)", r"contrasenas?", r"claves? de acceso", r"credenciales",
    r"codigos? de (?:acceso|verificacion|seguridad)", r"passwort\w*", r"kennwort\w*", r"zugangsdaten", r"anmeldedaten", r"zugangscodes?",
    r"has(?:lo|la|lem|el|le)", r"dane (?:logowania|dostepowe)", r"kod\w* (?:dostepu|pin|weryfikacyjn\w*)",
    r"(?:c|g|ngh|ch)yfrin(?:air|eiriau)", r"manylion mewngofnodi",
)
ASK_FOR = _any(
    r"type", r"enter", r"input", r"provide", r"give", r"share", r"send", r"tell", r"reveal", r"disclose", r"confirm", r"verify",
    r"submit", r"supply", r"paste", r"write", r"repeat", r"say", r"read out", r"ask", r"request", r"collect", r"obtain", r"get",
    r"prompt", r"demand", r"require", r"include", r"insert", r"append", r"add", r"put", r"(?:begin|start|end|finish) (?:your|the|each|every) (?:reply|answer|response)", r"what(?:'s| is) (?:your|the user'?s?)",
    r"tape[zr]?", r"saisi\w*", r"entre[zr]?", r"donne[zr]?", r"fourni\w*", r"communique[zr]?", r"indique[zr]?", r"revele[zr]?",
    r"envoie[zr]?", r"envoye[zr]", r"partage[zr]?", r"confirme[zr]?", r"demande[zr]?", r"ecri\w*", r"dis", r"dites", r"quel est",
    r"escrib\w*", r"introduc\w*", r"introduzca\w*", r"ingres\w*", r"proporcion\w*", r"da", r"dame", r"danos", r"den", r"facilit\w*",
    r"compart\w*", r"envi\w*", r"revel\w*", r"indic\w*", r"confirm\w*", r"pid\w*", r"solicit\w*", r"dime", r"digame", r"cual es",
    r"gib", r"geben", r"gebt", r"nenn\w*", r"teile?", r"sende\w*", r"schick\w*", r"tipp\w*", r"eingeben", r"bestatig\w*", r"verrat\w*",
    r"frag\w*", r"verlang\w*", r"forder\w*", r"mitteilen", r"wie lautet",
    r"podaj\w*", r"wpisz\w*", r"wprowadz\w*", r"przekaz\w*", r"udostepnij\w*", r"ujawnij\w*", r"wyslij\w*", r"potwierdz\w*",
    r"popros\w*", r"zapytaj\w*", r"zazadaj\w*", r"powiedz\w*", r"napisz\w*", r"daj", r"jakie jest",
    r"rhowch", r"rho", r"teipiwch", r"teipia", r"rhannwch", r"rhanna", r"gofynnwch", r"gofyn", r"dywedwch", r"dyweda",
    r"anfonwch", r"anfona", r"nodwch", r"noda", r"datgelwch", r"cadarnhewch",
)
# The person being asked or the one asking: the reader ("your"), the user, the model itself.
TO_READER = _any(
    r"you", r"your", r"yours", r"user'?s?", r"users'?", r"me", r"us", r"here", r"below", r"in (?:the|this) chat", r"to continue",
    r"to proceed", r"to verify", r"prep-?bot", r"the assistant", r"the bot",
    r"ton", r"ta", r"tes", r"votre", r"vos", r"tu", r"vous", r"utilisateur\w*", r"moi", r"nous", r"ici",
    r"tus?", r"sus?", r"usted\w*", r"te", r"usuario\w*", r"nos", r"aqui",
    r"dein\w*", r"ihr\w*", r"du", r"sie", r"benutzer\w*", r"nutzer\w*", r"mir", r"uns", r"hier",
    r"twoj\w*", r"swoj\w*", r"pan\w*", r"pani", r"uzytkownik\w*", r"mi", r"nam", r"tutaj",
    r"dy", r"eich", r"chi", r"ti", r"defnyddiwr", r"i mi", r"i ni", r"yma",
)
NEGATION = _any(
    r"never", r"not", r"don'?t", r"no", r"nobody", r"jamais", r"ne", r"pas", r"nunca", r"nie", r"nigdy", r"niemals", r"nicht",
    r"keine?n?", r"peidiwch", r"paid", r"byth", r"without", r"sans", r"sin", r"ohne", r"bez", r"heb",
)
SAY = _any(
    r"say", r"state", r"claim", r"assert", r"answer", r"reply", r"respond", r"report", r"write", r"insist", r"mention", r"announce",
    r"declare", r"output", r"confirm", r"tell (?:the |any |every )?(?:user|users|inspectors?|cqc|them|everyone|anyone|people|staff|panel|assessors?|reader)",
    r"dis", r"dites", r"affirme[zr]?", r"reponds", r"repondez", r"indique[zr]?", r"declare[zr]?", r"ecri[st]", r"ecrivez", r"annonce[zr]?",
    r"precise[zr]?", r"di", r"diga\w*", r"contest[ae]\w*", r"decid", r"afirm[ae]\w*", r"respond[ae]\w*", r"indic[ae]", r"declar[ae]", r"escrib[ae]", r"asegur[ae]",
    r"sag\w*", r"behaupte\w*", r"antworte\w*", r"gib an", r"geben sie an", r"erklar\w*", r"schreib\w*", r"versicher\w*",
    r"powiedz\w*", r"odpowiedz\w*", r"odpowiadaj\w*", r"twierdz\w*", r"stwierdz\w*", r"napisz\w*", r"oswiadcz\w*", r"mow\w*",
    r"dywedwch", r"dyweda", r"atebwch", r"ateba", r"nodwch", r"noda", r"honnwch", r"datganwch",
)
THAT = _any(r"that", r":", r"\"", r"'", r"que", r"qu'", r"dass", r", dass", r"ze", r", ze", r"fod", r"bod", r"mai", r"taw", r"with")
FIGURE_OR_RATING = _any(
    r"\d", r"(?:meets?|met|exceeds?) (?:every|all|each)", r"full marks", r"top (?:marks|score|rating)", r"perfect", r"maximum", r"per ?cent", r"percent", r"outstanding", r"rated", r"rating", r"inadequate", r"requires improvement", r"no waiting",
    r"no one waits", r"nobody waits", r"every (?:single )?(?:one|person|review|assessment|case|plan|carer)", r"excellent", r"exceptionnel", r"excepcional", r"hervorragend", r"znakomit\w*", r"rhagorol",
    r"every(?:one|body)", r"all (?:people|staff|reviews|assessments)", r"zero", r"none", r"cero", r"nadie", r"personne ne", r"aucune?",
    r"niemand", r"keine?", r"nikt", r"zadn\w*", r"neb", r"dim", r"personne n", r"alle (?:menschen|personen)", r"sofort", r"todos", r"tous",
    r"wszyscy", r"pawb", r"everything", r"tout", r"todo", r"alles", r"wszystko", r"popeth", r"ningun\w*", r"no hay", r"aucun\w*",
    r"il n'y a pas", r"es gibt kein\w*", r"nie ma", r"does dim",
)
ALWAYS = _any(
    r"always", r"in every (?:answer|reply|response)", r"whatever (?:you are|they) ask\w*", r"regardless", r"no matter", r"even if",
    r"when(?:ever)? (?:you are |anyone |someone |the user |an inspector |the inspector |inspectors |cqc )?ask(?:s|ed)?",
    r"if (?:you are |anyone |someone |the user |an inspector |the inspector |cqc )?ask(?:s|ed)?",
    r"whatever the question", r"whichever question", r"a chaque question", r"a toute question", r"a cada pregunta",
    r"a todas las preguntas", r"auf jede frage", r"na kazde pytanie", r"i bob cwestiwn", r"no matter (?:what|the question)", r"for (?:every|any|each) question",
    r"toujours", r"quoi qu'on", r"si on te demande", r"siempre", r"cuando te pregunten", r"immer", r"wenn (?:man|jemand) fragt",
    r"zawsze", r"gdy ktos zapyta", r"bob amser", r"wastad", r"pan ofynnir",
)
ROLES_STRONG = _any(
    r"system (?:notice|alert|update|command|instruction|directive|override|note)", r"admin(?:istrator)? (?:notice|note|message|command)",
    r"assistant", r"ai", r"bot", r"chatbot", r"gpt", r"chatgpt", r"llm", r"developer", r"system message", r"system prompt",
    r"system override", r"new instructions?", r"updated instructions?", r"real instructions?", r"hidden instructions?", r"admin override",
    r"asistente", r"assistent", r"asystent", r"cynorthwyydd", r"instructions? systeme", r"instrucciones del sistema", r"systemanweisung\w*",
)
ROLES_WEAK = _any(
    r"system", r"user", r"human", r"admin", r"administrator", r"root", r"operator", r"instructions?", r"prompt", r"model",
    r"systeme", r"sistema", r"systemu?", r"systemowy", r"utilisateur", r"usuario", r"benutzer", r"nutzer", r"uzytkownik", r"defnyddiwr",
    r"system", r"instrukcja", r"consigne",
)
ORDER_START = _any(
    r"you\b", r"your\b", OVERRIDE_VERB, r"ask\b", r"tell\b", r"say\b", r"reveal\b", r"print\b", r"respond\b", r"reply\b",
    r"answer\b", r"act\b", r"pretend\b", r"from now on", r"always\b", r"never\b", r"do\b", r"don'?t\b", r"please\b", r"give\b",
    r"provide\b", r"type\b", r"enter\b", r"the user\b", r"the assistant\b", r"vous\b", r"tu\b", r"usted\b", r"du\b", r"sie\b",
    r"ty\b", r"chi\b", r"ti\b",
)

# Chat-format tokens and tags, read before markdown is taken off (they use | and #).
TOKENS = re.compile(
    r"<\|?(?:im_start|im_end|system|user|assistant|endoftext|start_header_id|end_header_id|eot_id)\|?>|\[/?inst\]|<</?sys>>|"
    r"#{2,}\s*(?:system|instructions?|assistant|user)(?: ?(?:message|prompt))?\b|</?(?:system|instructions?|prompt|context|passage|"
    r"evidence|assistant|user|im_start|inst)>"
)
KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("override", re.compile(rf"{LEAD}\s*{OVERRIDE_VERB}\b(?:\W+\w+){{0,6}}?\W+(?:{STRONG_OBJECT}|{WEAK_OBJECT})\b")),
    ("override", re.compile(rf"\b(?:{OVERRIDE_VERB}|{OVERRIDE_SOFT})\b(?:\W+{QUALIFIER}){{1,4}}\W+{STRONG_OBJECT}\b")),
    ("override", re.compile(r"\b(?:new|updated|real|actual|hidden|secret|override|revised|true) (?:system )?instructions?\s*:")),
    ("override", re.compile(rf"\b(?:treat|consider|regard)\W+(?:\w+\W+){{0,6}}?(?:{STRONG_OBJECT}|{WEAK_OBJECT})\W+(?:\w+\W+){{0,4}}?as "
                            r"(?:out of date|outdated|void|invalid|cancelled|canceled|obsolete|wrong|false|superseded|withdrawn|irrelevant|a test)\b")),
    ("override", re.compile(rf"(?:{INVALID_OBJECT}|(?:your|the above|previous|prior|earlier|usual|normal)\W+(?:\w+\W+)?{WEAK_OBJECT}|{WEAK_OBJECT}\W+(?:\w+\W+){{0,2}}?you)"
                            rf"\W+(?:\w+\W+){{0,6}}?(?:(?:are|is) (?:now )?(?:void|invalid|cancelled|canceled|suspended|revoked|lifted|obsolete)|"
                            rf"(?:do not|don'?t|no longer|never) apply|annul\w*|nul\w* et non avenu\w*|anulad\w*|cancelad\w*|sin efecto|ungultig|aufgehoben|nichtig|"
                            rf"niewazn\w*|uniewaznion\w*|anulowan\w*|(?:wedi'?u )?canslo|wedi'?u diddymu)\b")),
    ("override", re.compile(r"\byour (?:actual|real|new|true|only|updated|revised|secret) (?:orders|instructions|directives|prompt|programming|mission)\b|"
                            r"\b(?:everything|all|anything) (?:written )?(?:before|above|prior to) this (?:sentence|line|point|message|note)\b")),
    ("role", re.compile(rf"^[\s>\-•*\"'(\[<!]*{ROLES_STRONG}\s*(?:\([^)]*\))?\s*[:>\]]\s*\S+(?:\s+\S+)")),
    ("role", re.compile(rf"^[\s>\-•*\"'(\[<!]*{ROLES_WEAK}\s*[:>\]]\s*{ORDER_START}")),
    ("persona", re.compile(rf"\byou(?:'re|re| are)? now (?:(?:a|an|the|my|called|named|known as|going to be|playing)\W+(?:\w+\W+){{0,3}}?)?{PERSONA_NOUN}\b")),
    ("persona", re.compile(r"\byou(?:'re|re| are)? now (?:free|unrestricted|unfiltered|uncensored|jailbroken|no longer (?:bound|an?|restricted|limited)|"
                           r"not bound|without (?:any )?(?:rules|restrictions|limits|filters)|in (?:\w+ )?(?:developer|god|jailbreak|dan|debug|admin|unrestricted) mode)")),
    ("persona", re.compile(rf"\bfrom now on,? you(?:'ll| will| must| are to| shall| should)? (?:only |always )?(?:respond|reply|answer|act|behave|speak|say|pretend|ignore|be (?:a|an)\b|obey)")),
    ("persona", re.compile(rf"\b(?:act|behave|role-?play|respond|answer) (?:as|like) (?:if you (?:have|had|were|are) (?:no|not|un)\w*|(?:a |an |the )?(?:\w+ ){{0,2}}?{PERSONA_NOUN}\b)")),
    ("persona", re.compile(rf"\b(?:pretend|imagine) (?:to be|(?:that )?you(?:'re| are| have)|(?:that )?there (?:are|is) no)\W+(?:\w+\W+){{0,3}}?(?:{PERSONA_NOUN}|no (?:rules|restrictions|limits|filters|guidelines|instructions)|not an? ai|human)\b")),
    ("persona", re.compile(r"\b(?:do anything now|jailbreak\w*|evil confidant|(?:developer|dev|god|dan|unrestricted|unfiltered|sudo|admin|root|debug|"
                           r"jailbreak|override|maintenance|no-?limits?) mode|sudo)\b")),
    ("role", re.compile(r"\b(?:system|admin|safety|security|emergency) override\b")),
    ("persona", re.compile(rf"\b(?:tu es|vous etes|eres|es usted|du bist|sie sind|jestes|jestescie|rwyt ti'?n|rydych chi'?n) (?:maintenant|desormais|ahora|jetzt|nun|ab sofort|teraz|od teraz|nawr) (?:(?:un|une|le|la|el|un|una|ein|eine|der|die|das)\W+)?(?:\w+\W+){{0,2}}?{PERSONA_NOUN}\b")),
    ("persona", re.compile(rf"\b(?:maintenant|desormais|ahora|jetzt|nun|teraz|nawr),? (?:tu es|vous etes|eres|es usted|bist du|sind sie|jestes|jestescie|rwyt ti|rydych chi)\W+(?:\w+\W+){{0,3}}?{PERSONA_NOUN}\b")),
    ("persona", re.compile(rf"\b(?:rwyt ti|rydych chi|wyt ti|ydych chi) (?:nawr|bellach) (?:yn )?(?:\w+ ){{0,2}}?{PERSONA_NOUN}\b")),
    ("persona", re.compile(rf"\b(?:a partir de maintenant|desormais|a partir de ahora|de ahora en adelante|ab jetzt|ab sofort|von nun an|od teraz|od tej chwili|o hyn ymlaen),? (?:tu|vous|du|sie|ty|chi|ti)?\s*(?:es|etes|eres|seras|bist|wirst|sind|jestes|bedziesz|rwyt|byddi|byddwch|reponds|repondras|respondes|responderas|antwortest|odpowiadasz|odpowiadaj|atebi)\b")),
    ("persona", re.compile(rf"\b(?:fais|faites|finge|finja|fingid|tu so|tun sie so|udawaj|udawajcie|esgus)\w*\W+(?:\w+\W+){{0,4}}?(?:{PERSONA_NOUN}|sans (?:regles|restrictions)|sin (?:reglas|restricciones)|ohne (?:regeln|einschrankungen)|bez (?:zasad|ograniczen)|heb (?:reolau|gyfyngiadau))")),
    ("persona", re.compile(rf"\b(?:agis|agissez|comporte-toi|actua|actue|actuad|verhalte dich|agiere|handle|zachowuj sie|dzialaj|gweithredwch|actiwch)\w* (?:comme|en tant que|como|wie|als|jak|jako|fel)\W+(?:\w+\W+){{0,2}}?{PERSONA_NOUN}\b")),
    ("persona", re.compile(rf"\b(?:you will|you'll|you are going to|you must|you should|now|from now on)\W+(?:\w+\W+){{0,3}}?(?:play|take on|assume|adopt|act out) "
                           rf"the (?:part|role|persona|character) of\W(?:[^.;]*?\b(?:no|without(?: any)?) (?:restrictions|rules|limits|filters|guardrails|guidelines|censorship)\b|"
                           rf"(?:\w+\W+){{0,3}}?{PERSONA_NOUN}\b)")),
    ("persona", re.compile(r"\byou(?:'re| are) no longer (?:a |an |the )?(?:\w+ )?(?:coach|assistant|ai|model|bot|chatbot|helper|prep-?bot)\b|"
                           r"\byou(?:'re| are) no longer\b[^.]*?[;,]\s*(?:now )?you(?:'re| are)\b|"
                           r"\b(?:tu n'es plus|vous n'etes plus|ya no eres|ya no es usted|du bist (?:nicht mehr|kein\w* \w+ mehr)|nie jestes juz|juz nie jestes|"
                           r"nid wyt ti bellach|nid ydych chi bellach)\b")),
    ("persona", re.compile(r"\b(?:respond|reply|answer|write|speak|act|behave) as (?:if|though) you (?:were|are|had|have)\b")),
    ("persona", re.compile(r"\b(?:mode developpeur|modo desarrollador|entwicklermodus|tryb (?:dewelopera|programisty)|modd datblygwr)\b")),
    ("reveal", re.compile(r"\bsystem ?prompts?\b|\bprompt (?:systeme|del sistema|systemowy)\b|\bsystemprompt\b|\banogwr system\b")),
    # Strong verbs ask for the model's instructions whatever the wording; everyday ones ("show",
    # "give", "print") only with "your", "hidden", "system"... ("display the house rules" is fine).
    ("reveal", re.compile(rf"\b(?:reveal|leak|dump|expose|divulge|recite|output|revele[zr]?|divulgue[zr]?|revela|divulga|verrat\w*|ujawnij\w*|datgelwch)\b"
                          rf"(?:\W+\w+){{0,5}}?\W+{REVEAL_OBJECT}\b")),
    ("reveal", re.compile(rf"\b(?:print|show|display|repeat|share|tell me|give me|give|write out|spell out|list|translate|summari[sz]e|paraphrase|append|add|include|attach|"
                          rf"rewrite|encode|copy|quote|affiche[zr]?|montre[zr]?|repete[zr]?|donne[zr]?|muestra|repite|dime|da|dame|zeig\w*|"
                          rf"wiederhol\w*|gib|geben sie|nenne|pokaz\w*|powtorz\w*|wypisz\w*|wyswietl\w*|podaj\w*|dangoswch|ailadroddwch|rhowch)\b"
                          rf"(?:\W+\w+){{0,3}}?\W+{REVEAL_QUALIFIER}\W+(?:\w+\W+)?{REVEAL_OBJECT}\b")),
    ("reveal", re.compile(rf"\b(?:print|show|display|repeat|share|give|write out|list|translate|copy|quote|recite|output|append|include|"
                          rf"muestra\w*|ensename|montre\w*|zeig\w*|pokaz\w*|dangoswch)\b(?:\W+\w+){{0,4}}?\W+"
                          rf"(?:{REVEAL_OBJECT}\W+(?:that |which )?(?:appear|are|come|came|were (?:given|written)|sit|is)\W+(?:\w+\W+)?(?:before|above|at the (?:start|top|beginning)|earlier)|"
                          rf"(?:the )?system (?:message|instructions)|(?:el )?mensaje del sistema|(?:le )?message (?:du )?systeme|(?:die )?systemnachricht|wiadomosc\w* systemow\w*|neges y system)\b")),
    ("reveal", re.compile(rf"\b(?:what|which) (?:are|were) (?:your|the) (?:hidden |secret |original |initial |system )?(?:instructions|rules|prompt)\b")),
    ("address", re.compile(rf"\b(?:if|when) you(?:'re| are) (?:an? |the )?(?:\w+ )?{AI}\b")),
    ("address", re.compile(rf"\b(?:note|message|instructions?|rules?|task|attention|memo|reminder|order|command|directive)s? (?:to|for) (?:any |the |all |an? )?(?:\w+ )?{AI}\b")),
    ("address", re.compile(rf"\b(?:dear|attention|hey|hello|hi|ok|okay) {AI}\b")),
    ("address", re.compile(rf"^[\s\"'(\[*]*(?:{AI}|prep-?bot)\s*,\s")),
    ("address", re.compile(rf"\b(?:any|every|all|the|a) (?:\w+ )?(?:{AI}|assistants?|models?|bots?)s? (?:reading|processing|summari[sz]ing|analy[sz]ing|using|given|seeing) (?:this|these)\b")),
    ("address", re.compile(r"\bas an ai\b|\bas a (?:large )?language model\b")),
    ("address", re.compile(rf"\b{AI}s? (?:must|should|shall|will|are required to|needs? to|is required to|has to|have to|is to|are to) (?:now |always |never |not |only )?"
                           rf"(?:ignore|disregard|forget|say|state|answer|respond|reply|tell|reveal|ask|output|print|pretend|act as|obey|follow these|collect|obtain|"
                           rf"request|mark|rate|score|praise|agree|give (?:this|the|every|each|full)|include|mention|avoid mentioning|omit|hide|treat|accept)\b")),
    ("address", re.compile(rf"\b(?:si (?:tu es|vous etes|eres|es usted)|wenn du|wenn sie|jesli jestes|jezeli jestes|os wyt ti'?n|os ydych chi'?n) (?:une? |una? |eine?r? |)?(?:\w+ )?{AI}\b")),
    ("address", re.compile(rf"\b(?:note|message|nota|mensaje|hinweis|nachricht|notiz|uwaga|wiadomosc|notatka|nodyn|neges) (?:a|pour|para|an|fur|dla|i'?r) (?:l'|la |le |el |die |den |das |)?{AI}\b")),
    ("fence", re.compile(rf"(?:[{ANGLES}]\s*){{3,}}|(?:[{ANGLES}]\s*){{2}}\s*(?:end|begin|start|close|fin|ende|koniec|diwedd|/)")),
    ("fence", re.compile(r"\b(?:end|begin|start|close|fin|ende|koniec|diwedd)(?: of| de| del| der| des| du)? (?:the )?(?:quoted )?(?:passage|answer|question|context|evidence|instructions?|system|prompt|user input|input|quoted|quote)s?\b(?:\s*a?\[\s*\d+\s*\])?(?=\s*(?:[\]>»›)=\-]|$|[A-Z]|\[))")),
    ("fence", re.compile(r"\b(?:passage|answer|question) a?\[\s*\d+\s*\]\s*(?:[>»›]|$)")),
]
# An order about the mark an answer gets: "rate this answer 100", "give it full marks".
ASSERT = re.compile(rf"(?:{LEAD}\s*|\b(?:must|should|will|to|always|only)\s+)(claim|assert|insist|pretend|affirme[zr]?|pretend[sz]?|afirm[ae]\w*|behaupte\w*|twierdz\w*|honnwch)\b(?:\W+\w+){{0,8}}?\W+{FIGURE_OR_RATING}")
EVERY_ANSWER = re.compile(r"\b(?:every|each|all|any) (?:answer|repl(?:y|ies)|response|output)s? you (?:give|write|produce|make|send)\W+(?:\w+\W+)?(?:mentions?|says?|states?|includes?|contains?|claims?|repeats?)\b")
OUTPUT_ORDER = re.compile(rf"\byour (?:answers?|repl(?:y|ies)|responses?|output)s? (?:must|should|will|shall|has to|have to) (?:always )?(?:include|contain|say|state|begin|start|end|mention|repeat|be)\b")
SCORE = re.compile(
    rf"{LEAD}\s*(?:give|rate|score|mark|award|grade|donne[zr]?|attribue[zr]?|da|dale|otorga|gib|geben sie|vergib|daj|przyznaj|oceń|ocen|rhowch|rho)\b"
    rf"(?:\W+[\w']+){{0,5}}?\W+(?:full|top|maximum|max|perfect|highest|100|10/10|five stars|maximale?|maxima|volle|hochste|maksymaln\w*|lawn|uchaf)\b"
)
ONLY_REPLY = re.compile(rf"{LEAD}\s*(?:respond|reply|answer|output|write|say|reponds|repondez|responde|antworte|odpowiadaj|atebwch)\w* (?:only|just|exclusively|solo|seulement|nur|tylko|yn unig)\b(?: (?:with|in|using|as))?\s*:?")
REQUEST = _any(
    r"ask", r"request", r"demand", r"collect", r"obtain", r"prompt", r"demande[zr]?", r"pid\w*", r"solicit\w*", r"frag\w*", r"verlang\w*",
    r"forder\w*", r"popros\w*", r"zapytaj\w*", r"zazadaj\w*", r"gofynnwch", r"gofyn", r"poprosic", r"zapytac", r"demander", r"pedir",
    r"solicitar", r"fragen", r"verlangen",
)
CREDENTIAL_ASK = re.compile(rf"{LEAD}\s*({ASK_FOR}|reply with|respond with|answer with)\b((?:\W+[\w-]+){{0,8}}?)\W+({CREDENTIAL})\b")
CREDENTIAL_MODAL = re.compile(
    rf"\b(?:must|should|will|shall|is to|are to|needs? to|has to|have to|doit|doivent|debe|deben|soll\w*|muss\w*|musi\w*|rhaid i'?r? \w+)\s+"
    rf"(?:\w+\s+)?(ask|request|demand|prompt|collect|obtain|demander|pedir|solicitar|fragen|verlangen|poprosic|zapytac|zazadac|gofyn)\b"
    rf"((?:\W+[\w-]+){{0,8}}?)\W+({CREDENTIAL})\b"
)
CREDENTIAL_QUESTION = re.compile(rf"\b(?:what(?:'s| is)|quel est|cual es|wie lautet|jakie jest|beth yw) (?:your|the user'?s?|ton|votre|tu|su|dein\w*|ihr\w*|twoje|eich|dy) (?:[\w-]+ )?{CREDENTIAL}\b")
ADVERB = r"(?:\s+(?:always|only|just|simply|toujours|seulement|siempre|solo|solamente|immer|nur|zawsze|tylko|bob amser|wastad|yn unig))?"
CLAIM = re.compile(rf"(?:{LEAD}\s*|\b(?:must|should|will|to|always|only)\s+)({SAY}){ADVERB}\s*,?\s*{THAT}")
# Someone other than the reader doing the saying: "I always say that...", "managers say that...".
SUBJECT = re.compile(
    r"\b(?:i|we|they|he|she|it|one|staff|people|managers?|leaders?|partners|carers|families|colleagues|"
    r"the (?:council|team|service|authority|board|report)|je|nous|ils|elles|on|yo|nosotros|ellos|ellas|ich|wir|ja|my|oni|"
    r"rydw i|rydyn ni|dw i|mae)\b(?:\W+\w+){0,3}\W*$"
)
NEGATED = re.compile(rf"\b{NEGATION}\W+(?:\w+\W+){{0,2}}$")
SIGNED_UPPER = re.compile(r"(?:^|[\s\"'(\[>*•\-])(?:SYSTEM|SYSTÈME|SYSTEME|SISTEMA|ASSISTANT|ASISTENTE|ASSISTENT|ASYSTENT|DEVELOPER|USER|UTILISATEUR|"
                           r"USUARIO|BENUTZER|UŻYTKOWNIK|UZYTKOWNIK|CYNORTHWYYDD|DEFNYDDIWR|ADMIN|INSTRUCTIONS?)\s*(?:\([^)]*\))?\s*:\s*\S")
UPPER_NAME = re.compile(r"\byou(?:'|’)?(?:re| are) now ([A-Z]{2,}\b|[A-Z][a-z]*GPT\b)", re.I)
COMPACT = re.compile(
    r"(?:ignore|disregard|forget|override)(?:all|any|every|the|your|of|my)*(?:previous|prior|earlier|above|preceding|original|system)*"
    r"(?:instructions?|directions|directives|rules|prompts?|guidelines)|systemprompt|youarenow|developermode|doanythingnow|jailbreak|"
    r"(?:type|enter|give|tell|send|share|reveal|provide)(?:me|us)?(?:your|the|their)(?:prepbot)?(?:password|passcode|credentials|logindetails)"
)


