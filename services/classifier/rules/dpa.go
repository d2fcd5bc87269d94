package rules

import "slices"

// National data protection authorities: what each is called in English, in
// its own language and by its abbreviation. Decision summaries and news name
// an authority in any of these forms ("the Garante", "UODO", "Urząd Ochrony
// Danych Osobowych"), often without the country, and the canonical name
// ("<Country> data protection authority") needs the country.

// dpa is one authority, or a name several authorities share.
type dpa struct {
	// countries: ISO 3166-1 codes. When more than one authority goes by a
	// name (Datatilsynet in Denmark and Norway, CNPD in Portugal and
	// Luxembourg), the text decides and the first is the default.
	countries []string
	// names are full names, English and native, as written; matched
	// without regard to the case of ASCII letters.
	names []string
	// acronyms count when written exactly so ("LfDI") or in capitals.
	// Short ones that are common words or other things' acronyms ("AP",
	// "IP", "AKI") are left out: the country adjective next to them
	// ("the Dutch DPA (AP)") already names the authority.
	acronyms []string
}

var nationalDPAs = []dpa{
	{[]string{"AT"}, []string{"Datenschutzbehörde", "Österreichische Datenschutzbehörde"}, []string{"DSB"}},
	{[]string{"BE"}, []string{"Gegevensbeschermingsautoriteit", "Autorité de protection des données",
		"Autorité de la protection des données", "Commission de la protection de la vie privée"}, nil},
	{[]string{"BG"}, []string{"Commission for Personal Data Protection", "Комисия за защита на личните данни"},
		[]string{"CPDP", "KZLD"}},
	{[]string{"HR"}, []string{"Personal Data Protection Agency", "Agency for Personal Data Protection",
		"Agencija za zaštitu osobnih podataka"}, []string{"AZOP"}},
	{[]string{"CY"}, []string{"Commissioner for Personal Data Protection", "Commissioner for the Protection of Personal Data",
		"Επίτροπος Προστασίας Δεδομένων Προσωπικού Χαρακτήρα"}, nil},
	{[]string{"CZ", "SK"}, []string{"Office for Personal Data Protection", "Office for the Protection of Personal Data"},
		[]string{"ÚOOÚ", "UOOU"}},
	{[]string{"CZ"}, []string{"Úřad pro ochranu osobních údajů"}, nil},
	{[]string{"SK"}, []string{"Úrad na ochranu osobných údajov"}, nil},
	{[]string{"DK", "NO"}, []string{"Datatilsynet"}, nil},
	{[]string{"EE"}, []string{"Andmekaitse Inspektsioon"}, nil},
	{[]string{"EE", "NO"}, []string{"Data Protection Inspectorate"}, nil},
	{[]string{"FI"}, []string{"Tietosuojavaltuutettu", "Tietosuojavaltuutetun toimisto", "Data Protection Ombudsman",
		"Office of the Data Protection Ombudsman", "Dataombudsmannens byrå"}, nil},
	{[]string{"FR"}, []string{"Commission nationale de l'informatique", "Commission nationale de l’informatique"},
		[]string{"CNIL"}},
	{[]string{"DE"}, []string{
		"Federal Commissioner for Data Protection", "Bundesbeauftragte für den Datenschutz", "Bundesbeauftragter für den Datenschutz",
		"Commissioner for Data Protection and Freedom of Information", "State Commissioner for Data Protection",
		"Landesbeauftragte für Datenschutz", "Landesbeauftragte für den Datenschutz", "Landesbeauftragter für den Datenschutz",
		"Landesbeauftragter für Datenschutz", "Beauftragte für Datenschutz und Informationsfreiheit",
		"Landesamt für Datenschutzaufsicht", "Landeszentrum für Datenschutz",
		"Bavarian State Office for Data Protection Supervision"},
		[]string{"BfDI", "HmbBfDI", "BlnBDI", "BayLDA", "LfDI", "LfD", "LDI", "HBDI", "TLfDI", "ULD"}},
	{[]string{"GR"}, []string{"Αρχή Προστασίας Δεδομένων Προσωπικού Χαρακτήρα"}, []string{"HDPA"}},
	{[]string{"HU"}, []string{"Nemzeti Adatvédelmi és Információszabadság Hatóság",
		"National Authority for Data Protection and Freedom of Information"}, []string{"NAIH"}},
	{[]string{"IS"}, []string{"Persónuvernd", "Personuvernd"}, nil},
	{[]string{"IE"}, []string{"Data Protection Commission", "An Coimisiún um Chosaint Sonraí"}, []string{"DPC"}},
	{[]string{"IT"}, []string{"Garante", "Garante per la protezione dei dati personali", "Garante privacy"},
		[]string{"GPDP"}},
	{[]string{"LV"}, []string{"Datu valsts inspekcija", "Data State Inspectorate"}, nil},
	{[]string{"LI"}, []string{"Datenschutzstelle"}, nil},
	{[]string{"LT"}, []string{"Valstybinė duomenų apsaugos inspekcija", "State Data Protection Inspectorate"},
		[]string{"VDAI"}},
	{[]string{"LU", "PT"}, []string{"National Commission for Data Protection"}, nil},
	{[]string{"PT", "LU"}, []string{"National Data Protection Commission"}, []string{"CNPD"}},
	{[]string{"LU"}, []string{"Commission nationale pour la protection des données"}, nil},
	{[]string{"PT"}, []string{"Comissão Nacional de Proteção de Dados", "Comissão Nacional de Protecção de Dados"}, nil},
	{[]string{"MT"}, []string{"Information and Data Protection Commissioner"}, []string{"IDPC"}},
	{[]string{"NL"}, []string{"Autoriteit Persoonsgegevens"}, nil},
	{[]string{"PL"}, []string{"Personal Data Protection Office", "Urząd Ochrony Danych Osobowych"}, []string{"UODO"}},
	{[]string{"RO"}, []string{"National Supervisory Authority for Personal Data Processing",
		"National Supervisory Authority for the Processing of Personal Data",
		"Autoritatea Națională de Supraveghere a Prelucrării Datelor cu Caracter Personal",
		"Autoritatea Naţională de Supraveghere a Prelucrării Datelor cu Caracter Personal"},
		[]string{"ANSPDCP", "ANSSPDCP"}},
	{[]string{"SI"}, []string{"Informacijski pooblaščenec", "Information Commissioner of the Republic of Slovenia"}, nil},
	{[]string{"ES"}, []string{"Agencia Española de Protección de Datos", "Spanish Agency for Data Protection",
		"Autoritat Catalana de Protecció de Dades", "Agencia Vasca de Protección de Datos"},
		[]string{"AEPD", "APDCAT", "AVPD"}},
	{[]string{"SE"}, []string{"Integritetsskyddsmyndigheten", "Datainspektionen", "Authority for Privacy Protection"},
		[]string{"IMY"}},
	{[]string{"CH"}, []string{"Federal Data Protection and Information Commissioner",
		"Eidgenössischer Datenschutz- und Öffentlichkeitsbeauftragter"}, []string{"FDPIC", "EDÖB", "PFPDT"}},
	{[]string{"AU"}, []string{"Office of the Australian Information Commissioner"}, []string{"OAIC"}},
	{[]string{"SG"}, nil, []string{"PDPC"}},
}

// addDPAs enters every authority of nationalDPAs into the regulator
// gazetteer under its names and acronyms, lower-cased as doc.lower is (ASCII
// letters only). A name entered twice is a mistake in the tables: it panics
// at initialisation, so any test run finds it.
func addDPAs(g map[string]regInfo) map[string]regInfo {
	put := func(k string, info regInfo) {
		if _, dup := g[k]; dup {
			panic("rules: regulator name entered twice: " + k)
		}
		g[k] = info
	}
	for _, a := range nationalDPAs {
		info := regInfo{generic: true, national: true, country: a.countries[0], alt: a.countries[1:]}
		for _, n := range a.names {
			put(asciiLower(n), info)
		}
		for _, ac := range a.acronyms {
			ai := info
			ai.acronym, ai.form = true, ac
			put(asciiLower(ac), ai)
		}
	}
	return g
}

// writtenAsAcronym: an acronym hit counts when written in capitals or
// exactly as the authority writes it ("HmbBfDI"), never in lower case.
func writtenAsAcronym(s, form string) bool {
	return allUpper(s) || form != "" && s == form
}

// dpaOfContext picks among the countries that share an authority's name
// the one the text points at: by the places it names and the currencies it
// writes ("NOK 2,000,000" is Norwegian). The first is the default.
func dpaOfContext(d *doc, codes []string) string {
	t := tallyCountries(d)
	best, bestScore := codes[0], 0.0
	for _, c := range codes {
		if s := t.score(c); s > bestScore {
			best, bestScore = c, s
		}
	}
	return best
}

// currencyCountries are the currencies of a single country among those a
// DPA fines in, as a place cue.
var currencyCountries = map[string]string{
	"DKK": "DK", "NOK": "NO", "SEK": "SE", "ISK": "IS", "PLN": "PL", "CZK": "CZ", "HUF": "HU",
	"RON": "RO", "BGN": "BG", "HRK": "HR", "CHF": "CH",
}

// hasNationalDPA: the country has an authority in nationalDPAs (or is the
// United Kingdom, whose ICO has its own canonical name).
func hasNationalDPA(code string) bool {
	if code == "GB" {
		return true
	}
	for _, a := range nationalDPAs {
		if slices.Contains(a.countries, code) {
			return true
		}
	}
	return false
}
