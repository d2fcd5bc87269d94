package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// Countries and US states, as the rules for regulators and jurisdiction read
// them: names and adjectives (lower case) to ISO 3166-1 alpha-2 codes, and
// codes to the English name used in "<Country> data protection authority".

var countryNames = map[string]string{
	"GB": "United Kingdom", "IE": "Ireland", "FR": "France", "ES": "Spain", "IT": "Italy", "DE": "Germany",
	"NL": "the Netherlands", "BE": "Belgium", "DK": "Denmark", "SE": "Sweden", "NO": "Norway", "FI": "Finland",
	"PL": "Poland", "RO": "Romania", "BG": "Bulgaria", "GR": "Greece", "CY": "Cyprus", "MT": "Malta",
	"PT": "Portugal", "AT": "Austria", "HU": "Hungary", "CZ": "Czech Republic", "SK": "Slovakia",
	"SI": "Slovenia", "HR": "Croatia", "EE": "Estonia", "LV": "Latvia", "LT": "Lithuania", "LU": "Luxembourg",
	"IS": "Iceland", "LI": "Liechtenstein", "CH": "Switzerland", "AU": "Australia", "CA": "Canada",
	"NZ": "New Zealand", "SG": "Singapore", "JP": "Japan", "KR": "South Korea", "IN": "India", "BR": "Brazil",
	"ZA": "South Africa", "US": "United States", "IL": "Israel", "TR": "Turkey", "RU": "Russia", "CN": "China",
	"HK": "Hong Kong", "PH": "Philippines", "MX": "Mexico", "AR": "Argentina",
}

// countryWords maps a country's name (weight 1 as a place cue) or adjective
// (weaker: "Russian hackers" says little about the victim) to its code.
var countryWords = map[string]struct {
	code      string
	adjective bool
}{
	"united kingdom": {"GB", false}, "uk": {"GB", false}, "u.k": {"GB", false}, "britain": {"GB", false},
	"great britain": {"GB", false}, "england": {"GB", false}, "scotland": {"GB", false}, "wales": {"GB", false},
	"northern ireland": {"GB", false}, "london": {"GB", false}, "british": {"GB", true}, "scottish": {"GB", true},
	"welsh": {"GB", true}, "english": {"GB", true},
	"ireland": {"IE", false}, "irish": {"IE", true}, "dublin": {"IE", false},
	"france": {"FR", false}, "french": {"FR", true}, "paris": {"FR", false},
	"spain": {"ES", false}, "spanish": {"ES", true}, "madrid": {"ES", false}, "barcelona": {"ES", false},
	"catalonia": {"ES", false}, "catalan": {"ES", true}, "basque": {"ES", true}, "andalusia": {"ES", false},
	"italy": {"IT", false}, "italian": {"IT", true}, "rome": {"IT", false}, "milan": {"IT", false},
	"germany": {"DE", false}, "german": {"DE", true}, "berlin": {"DE", false}, "hamburg": {"DE", false},
	"bavaria": {"DE", false}, "bavarian": {"DE", true}, "hessian": {"DE", true}, "saxony": {"DE", false},
	"lower saxony": {"DE", false}, "baden-württemberg": {"DE", false}, "north rhine-westphalia": {"DE", false},
	"baden-wuerttemberg": {"DE", false}, "baden-wurttemberg": {"DE", false}, "hesse": {"DE", false},
	"hessen": {"DE", false}, "thuringia": {"DE", false}, "thuringian": {"DE", true}, "saxon": {"DE", true},
	"saxony-anhalt": {"DE", false}, "brandenburg": {"DE", false}, "bremen": {"DE", false},
	"saarland": {"DE", false}, "rhineland-palatinate": {"DE", false}, "schleswig-holstein": {"DE", false},
	"mecklenburg-western pomerania": {"DE", false}, "mecklenburg-vorpommern": {"DE", false},
	"munich": {"DE", false}, "frankfurt": {"DE", false}, "cologne": {"DE", false}, "stuttgart": {"DE", false},
	"netherlands": {"NL", false}, "holland": {"NL", false}, "dutch": {"NL", true},
	"amsterdam": {"NL", false},
	"belgium":   {"BE", false}, "belgian": {"BE", true}, "brussels": {"BE", false},
	"denmark": {"DK", false}, "danish": {"DK", true}, "copenhagen": {"DK", false},
	"sweden": {"SE", false}, "swedish": {"SE", true}, "stockholm": {"SE", false},
	"norway": {"NO", false}, "norwegian": {"NO", true}, "oslo": {"NO", false},
	"finland": {"FI", false}, "finnish": {"FI", true}, "helsinki": {"FI", false},
	"poland": {"PL", false}, "polish": {"PL", true}, "warsaw": {"PL", false},
	"romania": {"RO", false}, "romanian": {"RO", true}, "bucharest": {"RO", false},
	"bulgaria": {"BG", false}, "bulgarian": {"BG", true}, "sofia": {"BG", false},
	"greece": {"GR", false}, "greek": {"GR", true}, "hellenic": {"GR", true}, "athens": {"GR", false},
	"cyprus": {"CY", false}, "cypriot": {"CY", true}, "nicosia": {"CY", false},
	"malta": {"MT", false}, "maltese": {"MT", true},
	"portugal": {"PT", false}, "portuguese": {"PT", true}, "lisbon": {"PT", false},
	"austria": {"AT", false}, "austrian": {"AT", true}, "vienna": {"AT", false},
	"hungary": {"HU", false}, "hungarian": {"HU", true}, "budapest": {"HU", false},
	"czech republic": {"CZ", false}, "czechia": {"CZ", false}, "czech": {"CZ", true}, "prague": {"CZ", false},
	"slovakia": {"SK", false}, "slovak": {"SK", true}, "slovenia": {"SI", false}, "slovenian": {"SI", true},
	"croatia": {"HR", false}, "croatian": {"HR", true}, "estonia": {"EE", false}, "estonian": {"EE", true},
	"latvia": {"LV", false}, "latvian": {"LV", true}, "lithuania": {"LT", false}, "lithuanian": {"LT", true},
	"luxembourg": {"LU", false}, "iceland": {"IS", false}, "icelandic": {"IS", true},
	"liechtenstein": {"LI", false}, "switzerland": {"CH", false}, "swiss": {"CH", true},
	"australia": {"AU", false}, "australian": {"AU", true}, "sydney": {"AU", false}, "melbourne": {"AU", false},
	"canada": {"CA", false}, "canadian": {"CA", true}, "toronto": {"CA", false}, "ontario": {"CA", false},
	"new zealand": {"NZ", false}, "singapore": {"SG", false}, "singaporean": {"SG", true},
	"japan": {"JP", false}, "japanese": {"JP", true}, "south korea": {"KR", false}, "korean": {"KR", true},
	"india": {"IN", false}, "indian": {"IN", true}, "brazil": {"BR", false}, "brazilian": {"BR", true},
	"south africa": {"ZA", false}, "south african": {"ZA", true},
	"united states": {"US", false}, "u.s": {"US", false}, "usa": {"US", false}, "america": {"US", false},
	"american": {"US", true}, "israel": {"IL", false}, "israeli": {"IL", true}, "turkey": {"TR", false},
	"russia": {"RU", false}, "russian": {"RU", true}, "china": {"CN", false}, "chinese": {"CN", true},
	"hong kong": {"HK", false}, "philippines": {"PH", false}, "mexico": {"MX", false}, "mexican": {"MX", true},
	"argentina": {"AR", false},
}

// usStates maps lower-case state names to their written form.
var usStates = map[string]string{}

func init() {
	for _, s := range []string{"Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut",
		"Delaware", "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
		"Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
		"Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina",
		"North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island", "South Carolina",
		"South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington", "West Virginia",
		"Wisconsin", "Wyoming", "District of Columbia", "Puerto Rico"} {
		usStates[strings.ToLower(s)] = s
	}
}

// twoWordStarts are first words of the two- and three-word names above, so
// that the scanner knows when to look at the next word.
var twoWordStarts = map[string]bool{"united": true, "great": true, "northern": true, "lower": true,
	"north": true, "czech": true, "new": true, "south": true, "hong": true, "rhode": true, "west": true,
	"district": true, "puerto": true, "mecklenburg-western": true}

// placeAt reads a country or state name starting at word i of ws (lower
// case): its code, whether it is an adjective, the state (if a US state) and
// how many words it spans.
func placeAt(ws []string, i int) (code string, adjective bool, state string, n int) {
	if twoWordStarts[ws[i]] && i+1 < len(ws) {
		for _, k := range []int{3, 2} {
			if i+k > len(ws) {
				continue
			}
			key := strings.Join(ws[i:i+k], " ")
			if c, ok := countryWords[key]; ok {
				return c.code, c.adjective, "", k
			}
			if s, ok := usStates[key]; ok {
				return "US", false, s, k
			}
		}
	}
	if c, ok := countryWords[ws[i]]; ok {
		return c.code, c.adjective, "", 1
	}
	if s, ok := usStates[ws[i]]; ok {
		return "US", false, s, 1
	}
	return "", false, "", 0
}

// legalForms are company suffixes particular to one country (as written,
// without a final period); they say where an organisation is registered
// when nothing else does.
var legalForms = map[string]struct {
	code   string
	weight float64
}{
	"EOOD": {"BG", 2}, "OOD": {"BG", 2}, "EAD": {"BG", 2}, "GmbH": {"DE", 1.5}, "S.L": {"ES", 2},
	"S.L.U": {"ES", 2}, "S.A.U": {"ES", 2}, "S.p.A": {"IT", 2}, "S.p.a": {"IT", 2}, "S.r.l": {"IT", 1.5},
	"ApS": {"DK", 2}, "A/S": {"DK", 1}, "AB": {"SE", 1}, "Oy": {"FI", 2}, "Oyj": {"FI", 2}, "B.V": {"NL", 2},
	"ASA": {"NO", 1.5}, "Kft": {"HU", 2}, "S.C": {"RO", 1}, "S.R.L": {"RO", 1}, "Pty": {"AU", 2},
	"LLC": {"US", 0.5}, "Inc": {"US", 0.3}, "Ltd": {"GB", 0.3},
}

// countryCue is the country the text points at and the sentence that says so.
type countryCue struct {
	code  string
	score float64
	sent  int
}

// countryCues weighs the places the text names and returns the country it
// points at most.
func countryCues(d *doc) countryCue {
	t := tallyCountries(d)
	best := countryCue{sent: -1}
	for k := 0; k < t.n; k++ {
		if t.scores[k] > best.score || t.scores[k] == best.score && t.codes[k] < best.code {
			best = countryCue{code: t.codes[k], score: t.scores[k], sent: t.firsts[k]}
		}
	}
	return best
}

// score is the weight of the text's cues for one country.
func (t *countryTally) score(code string) float64 {
	for k := 0; k < t.n; k++ {
		if t.codes[k] == code {
			return t.scores[k]
		}
	}
	return 0
}

// countryTally is the weight of each country the text points at (the
// first eight), and the sentence that first names it.
type countryTally struct {
	codes  [8]string
	scores [8]float64
	firsts [8]int
	n      int
}

func (t *countryTally) add(code string, w float64, sent int) {
	for k := 0; k < t.n; k++ {
		if t.codes[k] == code {
			t.scores[k] += w
			return
		}
	}
	if t.n < len(t.codes) {
		t.codes[t.n], t.scores[t.n], t.firsts[t.n] = code, w, sent
		t.n++
	}
}

// tallyCountries weighs the places the text names: country names, US
// states, US and UK institutions, nationality adjectives (weakly: "Russian
// hackers" say little about the victim), legal forms and the codes of
// national currencies ("SEK 200,000"). Names of places are capitalised, so
// only capitalised words are read.
func tallyCountries(d *doc) countryTally {
	var tally countryTally
	add := func(code string, w float64, pos int) { tally.add(code, w, d.sentenceAt(pos)) }
	t := d.text
	for i := 0; i < len(t); {
		c := t[i]
		if c < 'A' || c > 'Z' || i > 0 && (isAlnum(t[i-1]) || t[i-1] >= 0x80) {
			i++
			continue
		}
		e := capWordEnd(t, i)
		word, lw := t[i:e], d.lower[i:e]
		next := e
		switch {
		case twoWordStarts[lw]:
			// "New York", "United Kingdom", "North Rhine-Westphalia"
			if ns := e + 1; ns < len(t) && t[e] == ' ' && t[ns] >= 'A' && t[ns] <= 'Z' {
				ne := capWordEnd(t, ns)
				if code, state := placeName(d.lower[i:ne]); code != "" {
					w := 1.0
					if state {
						w = 0.8
					}
					add(code, w, i)
					i = ne
					continue
				}
			}
		}
		if lf, ok := legalForms[word]; ok {
			add(lf.code, lf.weight, i)
		} else if (lw == "us" || lw == "uk") && word != "US" && word != "UK" {
			// "Us" at the start of a sentence is a pronoun
		} else if code, state := placeName(lw); code != "" {
			w := 1.0
			if state {
				w = 0.8
			} else if countryWords[lw].adjective {
				w = 0.5
			}
			add(code, w, i)
		} else if code, ok := currencyCountries[word]; ok {
			add(code, 0.5, i)
		} else {
			switch lw {
			case "hipaa", "hhs", "medicare", "medicaid":
				add("US", 1, i)
			case "nhs", "hmrc":
				add("GB", 1, i)
			}
		}
		i = next
	}
	return tally
}

// capWordEnd is the end of a word starting at i: letters, digits, any
// non-ASCII byte, and inner '.', '/', '-' ("U.S", "A/S", "Baden-Württemberg").
// A final period is left out.
func capWordEnd(t string, i int) int {
	for i < len(t) {
		c := t[i]
		if isAlnum(c) || c >= 0x80 && !(c == 0xE2) {
			i++
			continue
		}
		if (c == '.' || c == '/' || c == '-') && i+1 < len(t) && (isAlnum(t[i+1]) || t[i+1] >= 0x80 && t[i+1] != 0xE2) {
			i++
			continue
		}
		break
	}
	return i
}

// placeName looks up a lower-case country, adjective or US state name.
func placeName(lw string) (code string, state bool) {
	if c, ok := countryWords[lw]; ok {
		return c.code, false
	}
	if _, ok := usStates[lw]; ok {
		return "US", true
	}
	return "", false
}

// words splits lower-case text into words of letters, digits, inner
// hyphens and inner dots ("u.s", "baden-württemberg"), with their offsets.
func words(lower string) ([]string, []int) {
	ws := make([]string, 0, len(lower)/6)
	starts := make([]int, 0, len(lower)/6)
	i := 0
	for i < len(lower) {
		for i < len(lower) {
			n := wordRune(lower, i)
			if n > 0 {
				break
			}
			i += -n
		}
		s := i
		for i < len(lower) {
			if n := wordRune(lower, i); n > 0 {
				i += n
				continue
			}
			if (lower[i] == '-' || lower[i] == '.') && i+1 < len(lower) && wordRune(lower, i+1) > 0 {
				i++
				continue
			}
			break
		}
		if i > s {
			ws = append(ws, lower[s:i])
			starts = append(starts, s)
		}
	}
	return ws, starts
}

// wordRune returns the byte length of the rune at i when it is a letter or
// digit, and minus its length when it is not.
func wordRune(s string, i int) int {
	c := s[i]
	if c < utf8.RuneSelf {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			return 1
		}
		return -1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if unicode.IsLetter(r) || unicode.IsDigit(r) {
		return n
	}
	return -n
}

// regulatorCountry is the country of a canonical regulator name.
func regulatorCountry(name string) string {
	switch name {
	case "ICO", "FCA":
		return "GB"
	case "HHS OCR", "FTC", "SEC", "FCC", "CFPB", "NYDFS", "US state AGs":
		return "US"
	}
	if strings.HasSuffix(name, " AG") {
		if _, ok := usStates[strings.ToLower(strings.TrimSuffix(name, " AG"))]; ok {
			return "US"
		}
	}
	if c, ok := strings.CutSuffix(name, " data protection authority"); ok {
		for code, n := range countryNames {
			if n == c {
				return code
			}
		}
	}
	return ""
}

// jurisdiction is the country whose law applies: the regulator's country
// when a regulator acted, else the organisation's country, else the places
// the text names when they point clearly at one country.
func jurisdiction(d *doc, x *bwv1.Extraction) *bwv1.JurisdictionFact {
	for _, a := range x.GetRegulatorActions() {
		if c := regulatorCountry(a.GetRegulator()); c != "" {
			return &bwv1.JurisdictionFact{Country: c, Evidence: a.GetEvidence(), Confidence: 0.9}
		}
	}
	if c := x.GetOrganisation().GetCountry(); c != "" {
		return &bwv1.JurisdictionFact{Country: c, Confidence: 0.7}
	}
	cue := countryCues(d)
	if cue.code == "" || cue.score < 1 {
		return nil
	}
	conf := 0.4 + 0.1*min(cue.score, 4)
	return &bwv1.JurisdictionFact{Country: cue.code, Evidence: d.evidence(cue.sent), Confidence: conf}
}
