// Package orgname says when an organisation name is generic: made only of
// legal forms and the words for a kind of organisation or its sector
// ("Logistics Group", "Credit Union", "Health System"). Such a name is never
// an alias and never a key that merges incidents, because every "… Logistics
// Group" shares it.
package orgname

import (
	"regexp"
	"strings"
)

var nonWord = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// genericWords: legal forms, kinds of organisation and sectors, and the
// small words between them.
var genericWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		the of and for de la le
		inc incorporated llc llp lp ltd limited plc corp corporation co company companies group groups holding holdings
		sa ag gmbh nv bv srl spa pty partners partnership associates association associations trust trusts foundation
		enterprises enterprise international global worldwide national regional federal state county city municipal
		systems system services service solutions solution technologies technology tech industries industry
		logistics transport shipping freight airways airlines airline air rail motors motor automotive
		health healthcare medical hospital hospitals clinic clinics care pharmacy pharmaceuticals labs laboratories
		credit union unions bank banks banking bancorp financial finance capital insurance assurance mutual savings
		investments investment securities trust fund funds wealth
		university college school schools district academy institute institutes centre center centers centres
		department office agency authority council board commission ministry government
		energy power electric utilities utility water gas oil
		retail stores store supermarkets foods food restaurants hotels hotel resorts travel
		media communications telecom telecoms wireless networks network software data digital online
		consulting management marketing properties property realty construction manufacturing
		church society club clubs network`) {
		m[w] = true
	}
	return m
}()

// Generic reports whether every word of name is a legal form or a generic
// word for an organisation; an empty name is generic.
func Generic(name string) bool {
	for _, w := range strings.Fields(nonWord.ReplaceAllString(strings.ToLower(name), " ")) {
		if !genericWords[w] {
			return false
		}
	}
	return true
}

// Words are the lower-case words of a name.
func Words(name string) []string {
	return strings.Fields(nonWord.ReplaceAllString(strings.ToLower(name), " "))
}

// IsGenericWord reports whether w (lower case) is a legal form or a
// generic word for an organisation.
func IsGenericWord(w string) bool { return genericWords[w] }
