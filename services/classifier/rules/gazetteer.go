package rules

import (
	"slices"
	"strings"
	"sync"
)

// Gazetteers for the organisation rule: names that are capitalised but are
// never the breached organisation (news outlets, regulators, places, months,
// laws, common words at the start of a sentence), first names that mark a
// person, and the legal suffixes that end a company name. Keys are
// lower-case; lookups go through orgKey so that "The Guardian", "Guardian"
// and "the guardian's" all find the same entry.

// set builds a lookup table once, at package initialisation.
func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// outlets are news sites, wires and blogs: they report breaches, they are
// not the victim.
var outlets = set(
	"guardian", "observer", "reuters", "bbc", "bbc news", "bloomberg", "cnn", "cnbc", "forbes", "techcrunch",
	"zdnet", "register", "krebs", "krebs on security", "krebsonsecurity", "ars technica", "wired", "verge",
	"engadget", "gizmodo", "motherboard", "bleepingcomputer", "bleeping computer", "securityweek",
	"securityweek.com", "threatpost", "dark reading", "darkreading", "naked security", "help net security",
	"helpnetsecurity", "cso", "cso online", "csoonline", "infosecurity", "infosecurity magazine",
	"sc magazine", "sc media", "hacker news", "hackread", "databreaches.net", "databreaches", "associated press",
	"afp", "agence france-presse", "new york times", "nytimes", "washington post", "wall street journal", "wsj",
	"financial times", "times", "sunday times", "telegraph", "daily telegraph", "daily mail", "mail online",
	"independent", "sky news", "itv", "itv news", "channel 4 news", "usa today", "los angeles times", "la times",
	"business insider", "insider", "fortune", "axios", "politico", "nbc news", "abc news", "cbs news", "cbs",
	"fox news", "fox business", "npr", "ispreview", "v3", "computer weekly", "computerweekly", "it pro", "itpro",
	"pcmag", "pc world", "pcworld", "techradar", "inquirer", "mashable", "cyberscoop", "the record",
	"recorded future news", "federalnewsradio", "federalnewsradio.com", "federal news radio", "healthcare it news",
	"hipaa journal", "fierce healthcare", "fiercehealthcare", "statescoop", "govtech", "zawya", "signal magazine",
	"tripwire", "computerworld", "network world", "infoworld", "eweek", "siliconangle", "next web", "tnw",
	"daily dot", "softpedia", "security affairs", "securityaffairs", "graham cluley", "privsec", "feedspot",
	"hotforsecurity", "bitdefender hotforsecurity", "the hill", "newsweek", "time", "huffpost",
	"huffington post", "buzzfeed", "buzzfeed news", "wfaa", "dorset echo", "evening standard", "metro",
	"daily mirror", "daily express", "irish times", "irish independent", "rte",
	"south china morning post", "scmp", "straits times", "times of india", "hindustan times", "economic times",
	"the economist", "economist", "cbs los angeles", "kare", "wral", "wsbtv", "abc7", "kron", "ktla",
	"information age", "the stack", "silicon republic", "data breach today", "databreachtoday", "govinfosecurity",
	"bankinfosecurity", "healthcareinfosecurity", "becker's", "beckers", "modern healthcare", "healthitsecurity",
	"health it security", "techtarget", "searchsecurity", "venturebeat", "the next web", "the daily beast",
	"daily beast", "vox", "slate", "salon", "quartz", "the atlantic", "atlantic", "yahoo news", "msn",
	"google news", "pymnts", "finextra", "the telegraph", "the independent", "the times", "the register",
	"the guardian", "the verge", "the hacker news", "the washington post", "the new york times",
	"the wall street journal", "pa media", "press association", "press trust of india", "xinhua", "tass",
	"kyodo", "yonhap", "dpa news", "ap news", "upguard blog",
)

// regulators and law enforcement: they investigate, fine or are told about
// a breach; they are not the breached organisation.
var regulators = set(
	"ico", "information commissioner", "information commissioner's office", "information commissioners office",
	"information commissioner’s office", "uk information commissioner's office", "hhs", "ocr",
	"office for civil rights", "hhs ocr", "hhs office for civil rights", "department of health and human services",
	"u.s. department of health and human services", "us department of health and human services",
	"health and human services", "ftc", "federal trade commission", "sec", "securities and exchange commission",
	"fcc", "federal communications commission", "cfpb", "consumer financial protection bureau", "cnil", "aepd",
	"garante", "garante per la protezione dei dati personali", "dpc", "data protection commission",
	"data protection commissioner", "irish data protection commission", "datatilsynet", "integritetsskyddsmyndigheten",
	"imy", "uodo", "autoriteit persoonsgegevens", "bfdi", "hmbbfdi", "lfdi", "baylda", "apd", "gba", "cnpd", "anspdcp",
	"hdpa", "aki", "avg", "nadpi", "azop", "dsb", "uoou", "tietosuojavaltuutettu", "persónuvernd", "idpc", "dpa",
	"data protection authority", "european data protection board", "edpb", "european data protection supervisor",
	"edps", "european commission", "attorney general", "attorney general's office", "state attorney general",
	"fbi", "federal bureau of investigation", "department of justice", "justice department", "doj", "secret service",
	"europol", "interpol", "ncsc", "national cyber security centre", "cisa", "nca", "national crime agency",
	"action fraud", "ofcom", "fca", "financial conduct authority", "pra", "ofgem", "opc",
	"office of the privacy commissioner", "privacy commissioner", "oaic", "pcpd", "privacy commissioner for personal data",
	"cybersecurity and infrastructure security agency", "homeland security", "department of homeland security",
	"dhs", "irs", "internal revenue service", "nhs digital", "legco", "legislative council", "congress", "senate",
	"house of representatives", "parliament", "european parliament", "supreme court", "high court", "court of appeal",
	"metropolitan police", "met police", "police", "police scotland", "cnmc", "bafin", "finma", "ocr director",
	"nist", "enisa", "oig", "office of inspector general", "inspector general", "gao", "government accountability office",
	"information commissioner's office (ico)",
)

// regulatorWords mark a name as a regulator wherever they appear in it.
var regulatorWords = []string{" dpa", "data protection authority", "data protection commission",
	"attorney general", "commissioner", "supervisory authority", "protection agency", "inspectorate",
}

// notOrgs are capitalised words and phrases that name no organisation:
// laws and standards, data kinds, technical terms, currencies, holidays,
// nationalities, hacker handles used generically.
var notOrgs = set(
	"gdpr", "uk gdpr", "eu gdpr", "hipaa", "hitech", "hitech act", "phi", "ephi", "pii", "ssn", "ssns", "ce", "ba",
	"social security", "social security number", "social security numbers", "data protection act",
	"data protection act 1998", "data protection act 2018", "privacy act", "privacy rule", "security rule",
	"breach notification rule", "hipaa privacy rule", "hipaa security rule", "art", "article", "recital", "pci",
	"pci dss", "covid", "covid-19", "coronavirus", "internet", "dark web", "deep web", "web", "it", "ceo", "cto",
	"ciso", "cio", "cfo", "coo", "ip", "vpn", "api", "sql", "sms", "url", "html", "pdf", "usb", "cd", "dvd", "ssl",
	"tls", "https", "http", "dns", "ddos", "rdp", "mfa", "2fa", "os", "windows", "android", "ios", "linux", "unix",
	"bitcoin", "btc", "usd", "eur", "gbp", "us", "usa", "u.s", "u.s.", "uk", "u.k", "u.k.", "eu", "e.u", "update",
	"note", "editor's note", "q&a", "faq", "christmas", "easter", "thanksgiving", "black friday", "cyber monday",
	"new year", "new year's", "american", "americans", "british", "brits", "chinese", "russian", "russians",
	"french", "german", "irish", "spanish", "italian", "dutch", "swedish", "danish", "norwegian", "finnish",
	"polish", "greek", "romanian", "bulgarian", "hungarian", "czech", "austrian", "belgian", "portuguese",
	"canadian", "australian", "indian", "pakistani", "japanese", "korean", "north korean", "iranian", "israeli",
	"ukrainian", "bangladeshi", "nigerian", "vietnamese", "thai", "filipino", "brazilian", "mexican", "turkish", "malaysian", "indonesian", "singaporean", "saudi", "egyptian", "swiss", "european", "asian", "african", "latin", "english", "scottish", "welsh", "hispanic",
	"medicare", "medicaid", "w-2", "w-2s", "ein", "tin", "npi", "dob", "ach", "atm", "pin", "cvv", "cvv2", "cv2",
	"visa", "mastercard", "amex", "discover", "wi-fi", "wifi", "bluetooth", "gps", "cloud", "s3", "the cloud",
	"trojan", "ransomware", "malware", "spyware", "botnet", "phishing", "heartbleed", "wannacry", "notpetya",
	"petya", "mirai", "emotet", "trickbot", "ryuk", "covered entity", "business associate", "phi", "ehr", "emr",
	"business email compromise", "bec", "cd-rom", "cd-roms", "usb drive", "flash drive", "thumb drive", "hard drive", "id", "ids", "pos", "point of sale", "identity theft", "credit", "debit", "ai", "iot", "vr", "cyber",
	"cybersecurity", "infosec", "data", "breach", "data breach", "security", "privacy", "information",
	"personal information", "personal data", "protected health information", "national insurance",
	"national insurance number", "fifth", "first", "second", "third", "fourth", "mr", "mrs", "ms", "dr", "prof",
	"sir", "st", "inc", "ltd", "llc", "plc", "corp", "co", "company", "group", "the company", "the group",
	"the firm", "the hospital", "the state", "state", "county", "city", "federal", "government", "department",
	"university", "college", "school", "hospital", "bank", "council", "ministry", "agency", "office", "centre",
	"center", "board", "authority", "commission", "committee", "court", "the", "a", "an",
	"identity protection", "credit monitoring", "experian", "equifax personal solutions", "kroll", "id experts",
	"idx", "allclear id", "lifelock", "myidcare", "transunion", "identity guard", "cyberscout", "epiq",
	"haveibeenpwned", "have i been pwned", "haveibeenpwned.com", "shodan", "google search", "tor",
	"vault 7", "anonymous", "lulzsec", "lizard squad", "fancy bear", "cozy bear", "apt28", "apt29", "lazarus",
	"lazarus group", "shinyhunters", "the dark overlord", "dark overlord", "tdo", "revil", "conti", "lockbit",
	"maze", "darkside", "clop", "cl0p", "blackcat", "alphv", "hive", "babuk", "sodinokibi", "turkish crime family",
	"who", "world health organization", "un", "united nations", "nato", "eu commission",
	"hotline", "toll-free", "monday through friday", "eastern time", "pacific time", "et", "pt", "pst", "est",
	"am", "pm", "a.m", "p.m", "re", "fw", "subject", "dear", "sincerely", "regards", "enclosure", "attachment",
	"frequently asked questions", "reference", "reference number", "activation code", "enrollment code",
	"engagement number", "membership number", "notice of data breach", "notice of data security incident",
	"what happened", "what information was involved", "what we are doing", "what you can do",
	"for more information", "other important information", "important information",
)

// places: countries, US states, regions and large cities. A place alone is
// not the breached organisation ("the County of San Diego" still is: only an
// exact match is dropped).
var places = set(
	"afghanistan", "albania", "algeria", "argentina", "armenia", "australia", "austria", "azerbaijan",
	"bangladesh", "belarus", "belgium", "bolivia", "bosnia", "brazil", "bulgaria", "cambodia", "canada", "chile",
	"china", "colombia", "croatia", "cuba", "cyprus", "czech republic", "czechia", "denmark", "ecuador", "egypt",
	"england", "estonia", "ethiopia", "europe", "finland", "france", "georgia", "germany", "ghana", "greece",
	"hong kong", "hungary", "iceland", "india", "indonesia", "iran", "iraq", "ireland", "israel", "italy", "japan",
	"jordan", "kazakhstan", "kenya", "korea", "south korea", "north korea", "kuwait", "latvia", "lebanon",
	"lithuania", "luxembourg", "malaysia", "malta", "mexico", "moldova", "morocco", "nepal", "netherlands",
	"new zealand", "nigeria", "norway", "pakistan", "peru", "philippines", "poland", "portugal", "qatar", "romania",
	"russia", "saudi arabia", "scotland", "serbia", "singapore", "slovakia", "slovenia", "south africa", "spain",
	"sri lanka", "sweden", "switzerland", "syria", "taiwan", "thailand", "tunisia", "turkey", "uae",
	"united arab emirates", "uganda", "ukraine", "united kingdom", "united states", "united states of america",
	"america", "uruguay", "venezuela", "vietnam", "wales", "northern ireland", "great britain", "britain", "asia",
	"africa", "north america", "south america", "latin america", "middle east", "european union", "eu",
	"alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut", "delaware", "florida",
	"hawaii", "idaho", "illinois", "indiana", "iowa", "kansas", "kentucky", "louisiana", "maine", "maryland",
	"massachusetts", "michigan", "minnesota", "mississippi", "missouri", "montana", "nebraska", "nevada",
	"new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma",
	"oregon", "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas", "utah",
	"vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming", "district of columbia",
	"puerto rico", "washington dc", "washington d.c", "london", "manchester", "birmingham", "leeds", "glasgow",
	"edinburgh", "liverpool", "bristol", "cardiff", "belfast", "dublin", "paris", "berlin", "munich", "hamburg",
	"madrid", "barcelona", "rome", "milan", "amsterdam", "brussels", "vienna", "zurich", "geneva", "stockholm",
	"copenhagen", "oslo", "helsinki", "warsaw", "prague", "budapest", "bucharest", "sofia", "athens", "lisbon",
	"moscow", "beijing", "shanghai", "shenzhen", "tokyo", "seoul", "delhi", "new delhi", "mumbai", "bangalore",
	"karachi", "lahore", "dubai", "sydney", "melbourne", "toronto", "vancouver", "montreal", "ottawa",
	"los angeles", "san francisco", "san diego", "san jose", "chicago", "houston", "dallas", "austin", "boston",
	"seattle", "atlanta", "miami", "denver", "phoenix", "philadelphia", "detroit", "baltimore", "nashville",
	"silicon valley", "wall street", "new york city", "nyc", "valley glen", "orange county", "bay area",
	"kuala lumpur", "jakarta", "manila", "bangkok", "hanoi", "taipei", "tel aviv", "cairo", "lagos", "nairobi",
	"johannesburg", "cape town", "sao paulo", "rio de janeiro", "buenos aires", "mexico city", "bogota", "lima",
)

// months and weekdays, with their abbreviations.
var calendarWords = set(
	"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
	"december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "monday",
	"tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues", "wed", "thu",
	"thurs", "fri", "sat", "sun", "today", "yesterday", "tomorrow", "spring", "summer", "autumn", "fall", "winter",
)

// commonWords are words that are capitalised only because they start a
// sentence or a heading; a candidate loses them at its front.
var commonWords = set(
	"a", "an", "the", "this", "that", "these", "those", "some", "many", "most", "all", "any", "each", "every",
	"both", "either", "neither", "no", "not", "none", "nor", "other", "another", "such", "same", "own",
	"it", "its", "we", "our", "ours", "us", "you", "your", "yours", "they", "their", "theirs", "them", "he", "she",
	"his", "her", "hers", "him", "i", "my", "me", "mine", "one", "ones", "someone", "anyone", "everyone", "nobody",
	"there", "here", "what", "which", "who", "whom", "whose", "why", "how", "where", "when", "whether", "while",
	"also", "but", "and", "or", "so", "yet", "now", "then", "thus", "hence", "still", "even", "just", "only",
	"already", "again", "ever", "never", "always", "often", "sometimes", "soon", "later", "earlier", "recently",
	"currently", "previously", "meanwhile", "moreover", "furthermore", "however", "therefore", "although",
	"though", "because", "since", "if", "unless", "until", "after", "before", "during", "following", "upon", "as",
	"at", "by", "for", "from", "in", "into", "of", "on", "onto", "to", "with", "within", "without", "about",
	"above", "across", "against", "along", "among", "around", "behind", "below", "beneath", "beside", "besides",
	"between", "beyond", "despite", "down", "except", "inside", "near", "off", "out", "outside", "over", "past",
	"per", "regarding", "through", "throughout", "toward", "towards", "under", "unlike", "like", "up", "via",
	"according", "additionally", "accordingly", "instead", "otherwise", "overall", "finally", "firstly",
	"secondly", "last", "lastly", "next", "more", "less", "further", "further reading",
	"please", "thank", "thanks", "dear", "sincerely", "yes", "ok", "okay", "well", "oh", "hi", "hello", "was", "were",
	"is", "are", "be", "been", "being", "has", "have", "had", "do", "does", "did", "will", "would", "shall",
	"should", "can", "could", "may", "might", "must", "let", "lets", "see", "read", "click", "visit", "call",
	"contact", "learn", "find", "note", "notes", "update", "updated", "related", "source", "sources", "photo",
	"image", "video", "advertisement", "sponsored", "share", "tweet", "email", "print", "comment", "comments",
	"hackers", "hacker", "attackers", "attacker", "criminals", "cybercriminals", "thieves", "thief", "customers",
	"customer", "users", "user", "patients", "patient", "employees", "employee", "members", "member", "students",
	"student", "staff", "clients", "client", "consumers", "consumer", "people", "individuals", "residents",
	"victims", "victim", "officials", "official", "researchers", "researcher", "experts", "expert", "analysts",
	"investigators", "former", "current", "nevertheless", "nonetheless", "aside", "prior", "recent",
	"amid", "amidst", "whilst", "once", "twice", "care", "police", "authorities", "isp", "telco", "regulators", "lawmakers", "sources", "details", "names", "addresses", "passwords", "breach", "breaches",
	"hack", "hacks", "hacking", "attack", "attacks", "cyber", "cyberattack", "ransomware", "malware", "phishing",
	"incident", "incidents", "investigation", "report", "reports", "statement", "laptop", "laptops", "files", "file", "records", "record", "documents", "emails", "letters", "letter",
	"cards", "unauthorized", "unauthorised", "unknown", "several", "numerous", "various", "certain", "approximately",
	"nearly", "almost", "about", "roughly", "around", "over", "under", "only", "just", "total", "overall",
	"based", "given", "using", "including", "included", "includes", "affected", "impacted", "exposed",
	"compromised", "stolen", "leaked", "hacked", "breached", "notified", "discovered", "learned", "determined",
	"confirmed", "reported", "announced", "said", "says", "told", "added", "noted", "explained", "warned",
	"claimed", "believed", "thought", "known", "unclear", "clearly", "apparently", "reportedly", "allegedly",
	"fortunately", "unfortunately", "regrettably", "importantly", "interestingly", "ironically", "obviously",
	"specifically", "separately", "similarly", "likewise", "indeed", "in fact", "of course", "anyway", "rather",
	"perhaps", "maybe", "probably", "possibly", "certainly", "surely", "really", "quite", "very", "much", "far",
	"too", "enough", "almost", "why", "whatever", "whoever", "whenever", "wherever", "everything", "nothing",
	"something", "anything", "somebody", "everybody", "anybody", "update", "editor", "editors",
	"story", "stories", "news", "opinion", "analysis", "skip", "content", "menu", "search", "subscribe", "sign", "log", "login", "back",
	"top", "more", "show", "hide", "close", "open", "continue", "reading", "previous", "next", "page", "pages",
	"cookie", "cookies", "accept", "reject", "settings", "terms", "policy", "copyright", "all rights reserved",
	"named", "dubbed", "called", "titled", "entitled", "labeled", "labelled", "branded", "led",
)

// peopleRoles before or after a name mark a person ("founder Justine Roberts",
// "Bill Evanina, the director of ...").
var peopleRoles = []string{
	"founder", "co-founder", "cofounder", "ceo", "chief executive", "chief executive officer", "cto", "ciso",
	"cio", "cfo", "coo", "president", "vice president", "director", "managing director", "spokesperson",
	"spokesman", "spokeswoman", "researcher", "security researcher", "analyst", "chairman", "chairwoman",
	"officer", "manager", "head", "commissioner", "lawyer", "attorney", "professor", "dr", "mr", "mrs", "ms",
	"minister", "secretary", "senator", "rep", "representative", "governor", "mayor", "judge", "author",
	"editor", "reporter", "journalist", "consultant", "expert", "adviser", "advisor", "partner", "counsel",
	"chief", "lawmaker", "mp", "customer", "user", "victim", "owner", "employee", "hacker", "chancellor",
	"deputy", "inspector", "detective", "sheriff", "agent", "engineer", "developer", "blogger", "student",
}

// firstNames are common given names: a short name that starts with one is
// taken for a person.
var firstNames = set(
	"aaron", "adam", "adrian", "alan", "albert", "alex", "alexander", "alexandra", "alice", "alison", "amanda",
	"amy", "andrea", "andrew", "andy", "angela", "ann", "anna", "anne", "anthony", "antonio", "ashley", "barbara",
	"ben", "benjamin", "beth", "bill", "bob", "brad", "brandon", "brian", "bruce", "carl", "carlos", "carol",
	"caroline", "catherine", "charles", "charlie", "chris", "christina", "christine", "christopher", "claire",
	"craig", "dan", "daniel", "danielle", "dave", "david", "deborah", "dennis", "diana", "donald", "doug",
	"douglas", "edward", "elizabeth", "emily", "emma", "eric", "erin", "frank", "gary", "george", "graham",
	"greg", "gregory", "hannah", "harry", "helen", "henry", "ian", "jack", "jacob", "james", "jamie", "jane",
	"janet", "jason", "jeff", "jeffrey", "jennifer", "jenny", "jeremy", "jessica", "jim", "joe", "john", "jon",
	"jonathan", "jose", "joseph", "josh", "joshua", "julia", "julian", "julie", "justin", "justine", "karen",
	"kate", "katherine", "kathy", "keith", "kelly", "kevin", "kim", "laura", "lauren", "lee", "linda", "lisa",
	"mark", "martin", "mary", "matt", "matthew", "melissa", "michael", "michelle", "mike", "nancy", "nathan",
	"neil", "nicholas", "nick", "nicole", "oliver", "pamela", "patricia", "patrick", "paul", "peter", "philip",
	"rachel", "ralph", "raymond", "rebecca", "richard", "rick", "rob", "robert", "roger", "ronald", "ruth", "ryan",
	"sally", "sally-anne", "sam", "samantha", "sandra", "sarah", "scott", "sean", "sharon", "simon", "stephen",
	"steve", "steven", "susan", "thomas", "tim", "timothy", "todd", "tom", "tony", "troy", "victor", "victoria",
	"william", "marissa", "jocelyn", "julian", "troy", "elizabeth", "francisco", "horace", "emmanuel", "hillary",
	"donald", "boris", "theresa", "vladimir", "xi", "narendra", "angela", "matthew", "christina", "marc", "tanya",
	"joanne", "joanna", "lucy", "sophie", "natalie", "amber", "chloe", "zoe", "ruby", "mia", "ella", "isabella",
	"ava", "olivia", "noah", "liam", "ethan", "mason", "logan", "lucas", "luke", "owen", "dylan", "tyler",
	"aaron", "kyle", "jordan", "evan", "ivan", "igor", "dmitry", "sergey", "alexei", "wang", "li", "zhang",
	"mohammed", "muhammad", "ahmed", "ali", "omar", "hassan", "raj", "rahul", "priya", "amit", "sanjay",
)

// legalSuffixes end a company name; the comma before them stays inside it
// ("Backcountry Edge, Inc.").
var legalSuffixes = set(
	"inc", "inc.", "incorporated", "ltd", "ltd.", "limited", "llc", "l.l.c.", "llp", "l.l.p.", "lp", "l.p.",
	"plc", "corp", "corp.", "corporation", "co", "co.", "company", "gmbh", "ag", "kg", "se", "sa", "s.a.", "s.a",
	"sas", "sarl", "s.l.", "sl", "s.r.l.", "srl", "s.p.a.", "spa", "n.v.", "nv", "b.v.", "bv", "ab", "as", "a/s",
	"asa", "oy", "oyj", "pty", "pty.", "dac", "eood", "ood", "ead", "sau", "slu", "p.c.", "pc", "pllc", "pa",
	"p.a.", "d.o.o.", "s.c.", "sp. z o.o.", "kft", "zrt", "nyrt", "s.r.o.", "a.s.", "bhd", "sdn", "pte", "pvt",
	"pvt.", "group", "holdings", "m.d.", "md", "d.m.d.", "dmd", "d.d.s.", "dds", "p.a.", "ph.d.",
)

// connectors may sit inside a name between capitalised words.
var connectors = set("of", "&", "and", "for", "de", "del", "della", "des", "du", "la", "le", "von", "van", "der",
	"den", "y", "e", "the", "d/b/a", "dba", "di", "da", "do", "dos", "das")

var keyReplacer = strings.NewReplacer("’", "'", "‘", "'", "“", "", "”", "", "\"", "")

// orgKey normalises a name for lookups: lower case, no leading "the", no
// possessive, no legal suffix, single spaces.
func orgKey(name string) string {
	return orgKeyLower(strings.ToLower(strings.TrimSpace(name)))
}

// orgKeyLower is orgKey for a name already in lower case.
func orgKeyLower(k string) string {
	if strings.ContainsAny(k, "’‘“”\"") {
		k = keyReplacer.Replace(k)
	}
	k = strings.TrimSuffix(k, "'s")
	k = strings.TrimSuffix(k, "'")
	k = strings.TrimPrefix(k, "the ")
	for {
		i := strings.LastIndexByte(k, ' ')
		if i < 0 {
			break
		}
		last := strings.TrimRight(k[i+1:], ",")
		if !legalSuffixes[last] || last == "group" || last == "holdings" {
			break
		}
		k = strings.TrimRight(k[:i], " ,")
	}
	k = strings.TrimRight(k, " ,&")
	k = strings.TrimSuffix(k, " and")
	return k
}

// isExcludedName reports whether a candidate (by its key) can never be the
// breached organisation, and why.
// dpaKeys: the name keys of the national data protection authorities
// (dpa.go), which are never the breached organisation.
var dpaKeys = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, a := range nationalDPAs {
		for _, n := range append(slices.Clone(a.names), a.acronyms...) {
			if k := orgKey(n); k != "" {
				m[k] = true
			}
		}
	}
	return m
})

func isExcludedName(key string) (bool, string) {
	switch {
	case key == "":
		return true, "empty"
	case outlets[key]:
		return true, "outlet"
	case regulators[key], dpaKeys()[key]:
		return true, "regulator"
	case notOrgs[key]:
		return true, "generic"
	case places[key]:
		return true, "place"
	case calendarWords[key]:
		return true, "calendar"
	}
	for _, w := range regulatorWords {
		if strings.Contains(" "+key, w) {
			return true, "regulator"
		}
	}
	return false, ""
}
