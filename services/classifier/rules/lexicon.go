package rules

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	ahocorasick "github.com/BobuSumisu/aho-corasick"
)

// category groups keyword patterns by the field rule that uses them.
type category int

const (
	catBreach     category = iota // the article is about a breach
	catNotBreach                  // vulnerability, patch, campaign: not a breach by itself
	catCause                      // cause cues
	catRegulator                  // regulator names
	catAction                     // regulator action cues
	catRecordUnit                 // nouns that count records
	catDataType                   // kinds of data exposed
	catOrgCue                     // phrases that introduce the breached organisation
	numCategories
)

// hit is one keyword occurrence, on word boundaries.
type hit struct {
	cat     category
	pattern int // index in the category's pattern list
	key     string
	start   int
	end     int
	sent    int
}

type lex struct {
	trie *ahocorasick.Trie
	// refs[i] are every (category, index) registered under the trie's
	// i-th distinct string: two categories may share a keyword.
	refs [][]patternRef
}

type patternRef struct {
	cat   category
	index int
	key   string
}

var (
	registry   [numCategories][]string
	registryMu sync.Mutex
	built      *lex
	buildOnce  sync.Once
)

// register adds lower-case patterns for a category and returns their
// indexes; call it from package-level var declarations.
func register(cat category, patterns ...string) []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	registry[cat] = append(registry[cat], patterns...)
	return patterns
}

// lexicon builds the automaton over every registered pattern, once.
func lexicon() *lex {
	buildOnce.Do(func() {
		registryMu.Lock()
		defer registryMu.Unlock()
		built = buildLexicon(registry[:])
	})
	return built
}

// buildLexicon builds an automaton over patterns indexed by category.
func buildLexicon(patterns [][]string) *lex {
	b := ahocorasick.NewTrieBuilder()
	l := &lex{}
	slot := map[string]int{}
	for cat, pats := range patterns {
		for i, p := range pats {
			k, ok := slot[p]
			if !ok {
				k = len(l.refs)
				slot[p] = k
				l.refs = append(l.refs, nil)
				b.AddString(p)
			}
			l.refs[k] = append(l.refs[k], patternRef{cat: category(cat), index: i, key: p})
		}
	}
	l.trie = b.Build()
	return l
}

// find returns the hits of every pattern in lower (already lower-cased),
// keeping only those on word boundaries.
func (l *lex) find(lower string) []hit {
	out := make([]hit, 0, 64)
	// Walk reports matches by end position without allocating per match.
	l.trie.Walk([]byte(lower), func(end, n, pattern int64) bool {
		refs := l.refs[pattern]
		s, e := int(end-n+1), int(end+1)
		if wordBefore(lower, s) || wordAfter(lower, e) {
			return true
		}
		for _, ref := range refs {
			out = append(out, hit{cat: ref.cat, pattern: ref.index, key: ref.key, start: s, end: e})
		}
		return true
	})
	slices.SortStableFunc(out, func(a, b hit) int { return a.start - b.start })
	return out
}

// wordBefore and wordAfter report whether a letter or digit touches a match
// at byte start (from the left) or end (from the right).
func wordBefore(s string, start int) bool {
	if start <= 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:start])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

func wordAfter(s string, end int) bool {
	if end >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[end:])
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'
}

// hitsOf returns the document's hits of one category.
func (d *doc) hitsOf(cat category) []hit {
	var out []hit
	for _, h := range d.hits {
		if h.cat == cat {
			out = append(out, h)
		}
	}
	return out
}
