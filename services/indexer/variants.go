package indexer

import (
	"cmp"
	"context"
	"slices"
	"strings"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/orgname"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/query"
)

// Name variants. Incidents are found by their organisation keys (the name
// without "the" and legal forms, and aliases the text defines). A variant
// of the name the keys miss, "Cedar Freight" for "Cedar Freight Services",
// is found two ways: a shorter form by the keys of the name with trailing
// generic words dropped (orgname: "cedar freight"), a longer form by the
// store's organisation word search for every word of the name. A
// candidate found so is a variant when one name's words contain the
// other's, in order, and the words only one has are all generic
// ("services", "association", "bank"), with a distinctive word shared.
// Variants are taken only when they are all one organisation ("Keystone"
// is no variant when "Keystone Logistics" and "Keystone Health" are both
// known), and score variantPenalty less than the same evidence under an
// identical key.
const (
	// variantMaxFound: a word search finding more incidents than this is
	// too common a name to decide by.
	variantMaxFound = 20
	variantPenalty  = 0.5
)

// nameIndex finds incidents by organisation: by exact keys, and by words
// all of which a name or alias holds (at most limit, and how many match).
type nameIndex struct {
	byKeys  func(ctx context.Context, keys []string) ([]*store.Incident, error)
	byWords func(ctx context.Context, words []string, limit int) ([]*store.Incident, int64, error)
}

// storeNames is the store's name index.
func storeNames(st store.Store) nameIndex {
	return nameIndex{
		byKeys: st.IncidentsByOrganisation,
		byWords: func(ctx context.Context, words []string, limit int) ([]*store.Incident, int64, error) {
			res, err := st.Search(ctx, query.Request{Query: query.Term{Field: query.FieldOrganisation, Value: strings.Join(words, " ")}, Size: limit})
			if err != nil {
				return nil, 0, err
			}
			return res.Incidents, res.Total, nil
		},
	}
}

// variantCandidates are the incidents whose organisation's name is a
// variant of the article's, other than those the keys found (have).
func variantCandidates(ctx context.Context, ix nameIndex, x *bwv1.Extraction, have []*store.Incident) ([]*store.Incident, error) {
	name := x.GetOrganisation().GetName()
	if len(distinctive(name)) == 0 {
		return nil, nil
	}
	stems, words := variantStems(x), variantWords(x)
	var pool []*store.Incident
	if len(stems) > 0 {
		shorter, err := ix.byKeys(ctx, stems)
		if err != nil {
			return nil, err
		}
		pool = append(pool, shorter...)
	}
	longer, total, err := ix.byWords(ctx, words, variantMaxFound+1)
	if err != nil {
		return nil, err
	}
	if total <= variantMaxFound {
		pool = append(pool, longer...)
	}
	var found []*store.Incident
	for _, inc := range pool {
		known := func(f *store.Incident) bool { return f.ID == inc.ID }
		if !slices.ContainsFunc(found, known) && !slices.ContainsFunc(have, known) && isVariant(name, inc) {
			found = append(found, inc)
		}
	}
	for _, f := range found {
		if OrgKey(f.Organisation.Name) != OrgKey(found[0].Organisation.Name) {
			return nil, nil
		}
	}
	slices.SortFunc(found, func(a, b *store.Incident) int { return cmp.Compare(a.ID, b.ID) })
	return found, nil
}

// variantStems are the keys of the organisation's name with trailing
// generic words dropped ("cedar freight" for "Cedar Freight Services"),
// each keeping a distinctive word.
func variantStems(x *bwv1.Extraction) []string {
	name := x.GetOrganisation().GetName()
	words := orgname.Words(OrgKey(name))
	if len(distinctive(name)) == 0 {
		return nil
	}
	var stems []string
	for n := len(words) - 1; n > 0 && orgname.IsGenericWord(words[n]); n-- {
		if stem := strings.Join(words[:n], " "); len(distinctive(stem)) > 0 {
			stems = append(stems, stem)
		}
	}
	return stems
}

// variantWords are the words the name index is searched by for longer
// forms of the name; none for a name without a distinctive word.
func variantWords(x *bwv1.Extraction) []string {
	name := x.GetOrganisation().GetName()
	if len(distinctive(name)) == 0 {
		return nil
	}
	return orgname.Words(OrgKey(name))
}

// distinctive are the name's words that are not generic.
func distinctive(name string) []string {
	var out []string
	for _, w := range orgname.Words(OrgKey(name)) {
		if !orgname.IsGenericWord(w) && len(w) > 2 && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// isVariant: name and one of the incident's names differ only by generic
// words that one of them adds, and share a distinctive word.
func isVariant(name string, inc *store.Incident) bool {
	a := orgname.Words(OrgKey(name))
	for _, other := range append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...) {
		b := orgname.Words(OrgKey(other))
		if len(distinctive(other)) == 0 {
			continue
		}
		if onlyGenericExtra(a, b) || onlyGenericExtra(b, a) {
			return true
		}
	}
	return false
}

// onlyGenericExtra: every word of short is in long, in order, and the
// words long adds are generic.
func onlyGenericExtra(short, long []string) bool {
	if len(short) == 0 || len(short) >= len(long) {
		return false
	}
	i := 0
	for _, w := range long {
		if i < len(short) && w == short[i] {
			i++
		} else if !orgname.IsGenericWord(w) {
			return false
		}
	}
	return i == len(short)
}
