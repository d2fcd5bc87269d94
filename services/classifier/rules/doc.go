// Package rules is breachwire's first extractor: deterministic and
// explainable. A keyword automaton finds candidate sentences, then targeted
// patterns, a number parser, gazetteers (regulators, outlets, legal
// suffixes) and scoring rules pick each fact and keep the sentence that
// supports it.
package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// span is a byte range [start, end) of the article text.
type span struct{ start, end int }

// doc is one article prepared for the field rules.
type doc struct {
	text       string // the article text, offsets point into it
	lower      string // text with ASCII letters lower-cased: same byte offsets
	title      string // headline, if known (not part of text)
	titleLower string // title with ASCII letters lower-cased
	sents      []span // sentences, in order
	hits       []hit  // keyword hits, in text order
}

func newDoc(text, title string) *doc {
	d := &doc{text: text, lower: asciiLower(text), title: strings.TrimSpace(title)}
	d.titleLower = asciiLower(d.title)
	d.sents = splitSentences(text)
	d.hits = lexicon().find(d.lower)
	for i := range d.hits {
		d.hits[i].sent = d.sentenceAt(d.hits[i].start)
	}
	return d
}

// asciiLower lower-cases ASCII letters only, so byte offsets do not move.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// sentence returns the text of sentence i.
func (d *doc) sentence(i int) string { return d.text[d.sents[i].start:d.sents[i].end] }

// sentenceAt returns the index of the sentence containing byte pos, or -1.
func (d *doc) sentenceAt(pos int) int {
	lo, hi := 0, len(d.sents)-1
	for lo <= hi {
		mid := (lo + hi) / 2
		switch s := d.sents[mid]; {
		case pos < s.start:
			hi = mid - 1
		case pos >= s.end:
			lo = mid + 1
		default:
			return mid
		}
	}
	return -1
}

// evidence is sentence i as Evidence: text[start:end] is exactly Text.
func (d *doc) evidence(i int) *bwv1.Evidence {
	if i < 0 || i >= len(d.sents) {
		return nil
	}
	s := d.sents[i]
	return &bwv1.Evidence{Text: d.text[s.start:s.end], Start: uint32(s.start), End: uint32(s.end)}
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "sr": true, "jr": true, "st": true,
	"inc": true, "ltd": true, "co": true, "corp": true, "plc": true, "llc": true, "bros": true,
	"no": true, "nos": true, "vs": true, "etc": true, "e.g": true, "i.e": true, "approx": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "art": true, "para": true,
	"u.s": true, "u.k": true, "u.n": true, "e.u": true, "gov": true, "dept": true, "est": true,
	"fig": true, "gen": true, "sen": true, "rep": true, "rev": true, "mt": true, "ft": true,
}

// splitSentences cuts text into sentences: at . ! ? (and closing quotes or
// brackets after them) followed by space and a likely sentence start, and at
// line breaks (headlines and paragraphs). Abbreviations, initials, decimals
// and ellipses inside a sentence do not cut it.
func splitSentences(text string) []span {
	var out []span
	start := 0
	emit := func(end int) {
		s, e := trimSpan(text, start, end)
		if e > s {
			out = append(out, span{s, e})
		}
		start = end
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == '\n' || r == '\r' || r == '\u2029':
			emit(i)
			i += size
			start = i
			continue
		case r == '.' || r == '!' || r == '?' || r == '…':
			j := i + size
			// Closing punctuation stays with the sentence.
			for j < len(text) {
				c, n := utf8.DecodeRuneInString(text[j:])
				if c == '"' || c == '\'' || c == ')' || c == ']' || c == '”' || c == '’' || c == '.' {
					j += n
					continue
				}
				break
			}
			if j < len(text) && !isSpace(text[j:]) {
				if r == '.' && j == i+size && gluedSentence(text, i, len(text)) {
					// Curated summaries glue sentences: "on the devices.Cbr
					// Systems reached".
					emit(j)
					i = j
					continue
				}
				i = j
				continue // "1.5", "example.com", "U.S.A"
			}
			if r == '.' && !endsSentence(text, start, i) {
				i = j
				continue
			}
			next := nextNonSpace(text, j)
			if next >= 0 && !startsSentence(text[next:]) {
				i = j
				continue
			}
			// Dotted initials inside a name ("T.K. EOOD", "S.C. Medicover")
			// end a sentence only before a word that usually starts one.
			if r == '.' && next >= 0 && dottedInitials(text, start, i) && !commonSentenceStart(text[next:]) {
				i = j
				continue
			}
			emit(j)
			i = j
			continue
		}
		i += size
	}
	emit(len(text))
	return out
}

func isSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func nextNonSpace(text string, i int) int {
	for i < len(text) {
		r, n := utf8.DecodeRuneInString(text[i:])
		if r == '\n' {
			return -1 // a line break cuts anyway
		}
		if !unicode.IsSpace(r) {
			return i
		}
		i += n
	}
	return -1
}

// startsSentence: an upper-case letter, a digit, or an opening quote/bracket.
func startsSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || unicode.IsDigit(r) || strings.ContainsRune("\"'“‘([", r)
}

// endsSentence reports whether the period at i ends a sentence, looking at
// the word before it.
func endsSentence(text string, start, i int) bool {
	w := i
	for w > start {
		r, n := utf8.DecodeLastRuneInString(text[start:w])
		if unicode.IsSpace(r) || r == '(' || r == '"' || r == '“' {
			break
		}
		w -= n
	}
	word := strings.ToLower(text[w:i])
	if abbreviations[word] || text[w:i] == "ca" { // "ca." is circa; "CA." may end an address
		return false
	}
	// A single letter is an initial ("J. Smith").
	if utf8.RuneCountInString(word) == 1 {
		r, _ := utf8.DecodeRuneInString(word)
		return !unicode.IsLetter(r)
	}
	return true
}

func trimSpan(text string, s, e int) (int, int) {
	for s < e {
		r, n := utf8.DecodeRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		s += n
	}
	for e > s {
		r, n := utf8.DecodeLastRuneInString(text[s:e])
		if !unicode.IsSpace(r) {
			break
		}
		e -= n
	}
	return s, e
}

// dottedInitials reports whether the word ending at the period at i is a
// run of single letters joined by periods ("T.K", "S.C", "D.M.D").
func dottedInitials(text string, start, i int) bool {
	w := i
	for w > start && text[w-1] != ' ' && text[w-1] != '(' {
		w--
	}
	word := text[w:i]
	if len(word) < 3 {
		return false
	}
	for k := 0; k < len(word); k++ {
		c := word[k]
		isLetter := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
		if k%2 == 0 && !isLetter || k%2 == 1 && c != '.' {
			return false
		}
	}
	return true
}

// sentenceStarters are words that usually begin a sentence, not a name.
var sentenceStarters = map[string]bool{
	"the": true, "a": true, "an": true, "this": true, "that": true, "these": true, "those": true, "it": true,
	"its": true, "we": true, "our": true, "he": true, "she": true, "they": true, "their": true, "in": true,
	"on": true, "at": true, "for": true, "but": true, "and": true, "however": true, "as": true, "if": true,
	"when": true, "after": true, "before": true, "there": true, "some": true, "all": true, "no": true, "i": true,
	"you": true, "your": true, "his": true, "her": true, "following": true, "since": true, "while": true,
}

func commonSentenceStart(s string) bool {
	e := 0
	for e < len(s) && ('A' <= s[e] && s[e] <= 'Z' || 'a' <= s[e] && s[e] <= 'z') {
		e++
	}
	return sentenceStarters[strings.ToLower(s[:e])]
}

// gluedSentence: a period between a lower-case word and a capitalised one
// with no space, as in curated summaries ("devices.Cbr Systems").
func gluedSentence(text string, i, lim int) bool {
	if i < 3 || i+2 >= lim {
		return false
	}
	for k := i - 3; k < i; k++ {
		if text[k] < 'a' || text[k] > 'z' {
			return false
		}
	}
	return 'A' <= text[i+1] && text[i+1] <= 'Z' && 'a' <= text[i+2] && text[i+2] <= 'z'
}
