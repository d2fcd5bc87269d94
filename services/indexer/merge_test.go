package indexer

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/internal/orgname"
	"github.com/breachwire/breachwire/services/store"
)

// ext builds a synthetic extraction.
func ext(articleID, org string, aliases []string, year int, cause bwv1.Cause, records int64, published time.Time, tags ...string) *bwv1.Extraction {
	x := &bwv1.Extraction{
		ArticleId: articleID, ArticleUrl: "https://news.example.test/" + articleID, ExtractorVersion: "rules/test", IsBreach: true,
		Organisation: &bwv1.OrganisationFact{Name: org, Aliases: aliases},
		Cause:        &bwv1.CauseFact{Primary: cause},
		Article: &bwv1.Article{Id: articleID, CanonicalUrl: "https://news.example.test/" + articleID, Title: "Story " + articleID,
			Outlet: "Example News", PublishedAt: timestamppb.New(published), FeedTags: tags},
	}
	if year != 0 {
		x.IncidentDate = &bwv1.DateFact{Date: time.Date(year, 6, 1, 0, 0, 0, 0, time.UTC).Format("2006")}
	}
	if records > 0 {
		x.Records = &bwv1.RecordsFact{Value: records, Qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_EXACT,
			Unit: bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS, Evidence: &bwv1.Evidence{Text: "quote " + articleID}}
	}
	return x
}

var (
	d1 = time.Date(2011, 5, 2, 0, 0, 0, 0, time.UTC)
	d2 = time.Date(2011, 5, 9, 0, 0, 0, 0, time.UTC)
	d3 = time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC)
)

// apply runs extractions through pickIncident and Merge against a map store.
func apply(t *testing.T, db map[string]*store.Incident, xs ...*bwv1.Extraction) (changesPerExt [][]store.Change) {
	t.Helper()
	return applyTB(t, t, db, xs...)
}

func applyTB(tb testing.TB, _ *testing.T, db map[string]*store.Incident, xs ...*bwv1.Extraction) (changesPerExt [][]store.Change) {
	tb.Helper()
	for _, x := range xs {
		keys := orgKeys(x.GetOrganisation().GetName(), x.GetOrganisation().GetAliases())
		var cands []*store.Incident
		for _, inc := range db {
			for _, k := range inc.Organisation.Keys {
				if contains(keys, k) {
					cands = append(cands, inc)
					break
				}
			}
		}
		variants, _ := variantCandidates(context.Background(), mapNames(db), x, cands)
		existing, id, decision := pickIncident(cands, variants, x)
		merged, changed, changes := Merge(existing, id, x)
		changed = recordMatch(merged, x.GetArticleId(), decision) || changed
		if changed {
			db[merged.ID] = merged
		}
		changesPerExt = append(changesPerExt, changes)
	}
	return changesPerExt
}

// mapNames is the name index of a map store.
func mapNames(db map[string]*store.Incident) nameIndex {
	sorted := func(out []*store.Incident) []*store.Incident {
		slices.SortFunc(out, func(a, b *store.Incident) int { return strings.Compare(a.ID, b.ID) })
		return out
	}
	return nameIndex{
		byKeys: func(_ context.Context, keys []string) ([]*store.Incident, error) {
			var out []*store.Incident
			for _, inc := range db {
				if slices.ContainsFunc(inc.Organisation.Keys, func(k string) bool { return slices.Contains(keys, k) }) {
					out = append(out, inc)
				}
			}
			return sorted(out), nil
		},
		byWords: func(_ context.Context, words []string, limit int) ([]*store.Incident, int64, error) {
			var out []*store.Incident
			for _, inc := range db {
				for _, n := range append([]string{inc.Organisation.Name}, inc.Organisation.Aliases...) {
					if have := orgname.Words(n); !slices.ContainsFunc(words, func(w string) bool { return !slices.Contains(have, w) }) {
						out = append(out, inc)
						break
					}
				}
			}
			out = sorted(out)
			return out[:min(len(out), limit)], int64(len(out)), nil
		},
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestSameEventAcrossOutletsIsOneIncident(t *testing.T) {
	db := map[string]*store.Incident{}
	apply(t, db,
		ext("a1", "Harbour Life Planning", []string{"HLP"}, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 82000, d1),
		ext("a2", "HLP", nil, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 83000, d2),
		ext("a3", "Harbour Life Planning Ltd", nil, 2011, bwv1.Cause_CAUSE_UNSPECIFIED, 0, d3),
	)
	if len(db) != 1 {
		t.Fatalf("%d incidents, want 1: %v", len(db), keysOf(db))
	}
	for _, inc := range db {
		if inc.Organisation.Name != "Harbour Life Planning" || len(inc.Sources) != 3 || inc.Cause.Primary != "third_party" {
			t.Fatalf("incident %+v", inc)
		}
		if inc.Records == nil || len(inc.Records.Reported) != 2 || *inc.Records.Value != 83000 || inc.Records.Basis != "recency" {
			t.Fatalf("records %+v", inc.Records)
		}
		if !inc.FirstReported.Equal(d1) || !inc.LastUpdated.Equal(d3) {
			t.Fatalf("dates %v %v", inc.FirstReported, inc.LastUpdated)
		}
	}
}

func TestDifferentYearOrCauseIsAnotherIncident(t *testing.T) {
	db := map[string]*store.Incident{}
	apply(t, db,
		ext("p14", "Northnet", nil, 2014, bwv1.Cause_CAUSE_HACKING, 0, time.Date(2014, 3, 1, 0, 0, 0, 0, time.UTC)),
		ext("p17", "Northnet", nil, 2017, bwv1.Cause_CAUSE_MISCONFIGURATION_EXPOSURE, 0, time.Date(2017, 3, 1, 0, 0, 0, 0, time.UTC)),
		ext("p18a", "Northnet", nil, 2018, bwv1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE, 0, time.Date(2018, 9, 1, 0, 0, 0, 0, time.UTC)),
		ext("p18b", "Northnet", nil, 2018, bwv1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE, 0, time.Date(2018, 9, 3, 0, 0, 0, 0, time.UTC)),
		ext("p18c", "Northnet", nil, 2018, bwv1.Cause_CAUSE_PHISHING_SOCIAL, 0, time.Date(2018, 11, 3, 0, 0, 0, 0, time.UTC)),
	)
	if len(db) != 4 {
		t.Fatalf("%d incidents, want 4 (2014, 2017, 2018 upgrade, 2018 phishing): %v", len(db), keysOf(db))
	}
}

func TestReplayChangesNothingAndMaterialChangesBumpRevision(t *testing.T) {
	db := map[string]*store.Incident{}
	first := ext("a1", "Harbour Life Planning", nil, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 82000, d1)
	ch := apply(t, db, first)
	if len(ch[0]) != 1 || ch[0][0].Kind != "new" {
		t.Fatalf("first changes %+v", ch[0])
	}
	inc := only(t, db)
	if inc.Revision != 1 || inc.RevisionArticle != "a1" {
		t.Fatalf("revision %d by %s", inc.Revision, inc.RevisionArticle)
	}
	// Replay: nothing changes, not even the stored document.
	_, changed, changes := Merge(inc, inc.ID, first)
	if changed || len(changes) != 0 {
		t.Fatalf("replay changed=%v %+v", changed, changes)
	}
	// A second source with no new facts: stored, not a material change.
	ch = apply(t, db, ext("a2", "Harbour Life Planning", nil, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 82000, d2))
	if len(ch[0]) != 0 || only(t, db).Revision != 1 || len(only(t, db).Sources) != 2 {
		t.Fatalf("second source: %+v rev %d", ch[0], only(t, db).Revision)
	}
	// A revised count and a fine from an official source: material.
	x := ext("reg1", "Harbour Life Planning", nil, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 90000, d3, "regulator")
	amt := int64(5000000)
	x.RegulatorActions = []*bwv1.RegulatorAction{{Regulator: "ICO", Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
		AmountMinor: &amt, Currency: "GBP", Evidence: &bwv1.Evidence{Text: "fined"}}}
	ch = apply(t, db, x)
	kinds := map[string]bool{}
	for _, c := range ch[0] {
		kinds[c.Kind] = true
	}
	if !kinds["count_revised"] || !kinds["fine_announced"] || only(t, db).Revision != 2 || only(t, db).Records.Basis != "official" {
		t.Fatalf("changes %+v, incident %+v", ch[0], only(t, db))
	}
	// The history holds both revisions: what changed, from which article.
	h := only(t, db).History
	if len(h) != 2 || h[0].Revision != 1 || h[0].ArticleID != "a1" || h[1].Revision != 2 || h[1].ArticleID != "reg1" ||
		len(h[1].Changes) != len(ch[0]) || !h[1].At.Equal(d3) {
		t.Fatalf("history %+v", h)
	}
	// A later news report cannot displace the official count.
	apply(t, db, ext("a4", "Harbour Life Planning", nil, 2011, bwv1.Cause_CAUSE_THIRD_PARTY, 70000, d3.AddDate(0, 1, 0)))
	if got, _ := only(t, db).Records.Count(); got != 90000 {
		t.Fatalf("headline %d, want the official 90000", got)
	}
}

func TestAgreementWinsOverRecency(t *testing.T) {
	r := headline([]store.ReportedValue{
		{Value: 100, ArticleID: "a", PublishedAt: d1},
		{Value: 100, ArticleID: "b", PublishedAt: d2},
		{Value: 120, ArticleID: "c", PublishedAt: d3},
	})
	if *r.Value != 100 || r.Basis != "agreement" {
		t.Fatalf("%+v", r)
	}
}

func TestOrgKey(t *testing.T) {
	for in, want := range map[string]string{
		"Co-operative Life Planning Ltd": "co operative life planning",
		"The Example Group plc":          "example",
		"ACME, Inc.":                     "acme",
		"Café Zürich AG":                 "café zürich",
	} {
		if got := OrgKey(in); got != want {
			t.Errorf("OrgKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func only(t *testing.T, db map[string]*store.Incident) *store.Incident {
	t.Helper()
	if len(db) != 1 {
		t.Fatalf("%d incidents", len(db))
	}
	for _, inc := range db {
		return inc
	}
	return nil
}

func keysOf(db map[string]*store.Incident) []string {
	var out []string
	for _, inc := range db {
		out = append(out, inc.ID+" "+inc.Organisation.Name+" "+inc.Cause.Primary)
	}
	return out
}

func TestYearOfAMentionedIncidentIsNotThisIncidentsYear(t *testing.T) {
	x := ext("m1", "Forum Site", nil, 0, bwv1.Cause_CAUSE_SOFTWARE_BUG_UPGRADE, 0, time.Date(2019, 3, 5, 0, 0, 0, 0, time.UTC))
	x.IncidentDate = &bwv1.DateFact{Date: "2014"}
	x.MentionedIncidents = []*bwv1.MentionedIncident{{Organisation: "Forum Site", Year: 2014}}
	if got := incidentYear(x); got != 2019 {
		t.Fatalf("year %d, want the publication year 2019", got)
	}
}

// unknownCount makes x report a count with no number ("a number of
// passengers"), as the rules do: value 0, qualifier unknown.
func unknownCount(x *bwv1.Extraction) *bwv1.Extraction {
	x.Records = &bwv1.RecordsFact{Qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN,
		Unit: bwv1.RecordsUnit_RECORDS_UNIT_PEOPLE, Text: "a number of passengers", Evidence: &bwv1.Evidence{Text: "unknown " + x.GetArticleId()}}
	return x
}

// An unknown count is not a reported value: an incident whose counts are
// all unknown has no headline (not 0), and an unknown count never revises
// a known one.
func TestUnknownCountIsNoHeadline(t *testing.T) {
	const org = "Saltmarsh Ferries"
	known := func(id string, n int64, at time.Time) *bwv1.Extraction {
		return ext(id, org, nil, 2021, bwv1.Cause_CAUSE_HACKING, n, at)
	}
	unknown := func(id string, at time.Time) *bwv1.Extraction { return unknownCount(known(id, 0, at)) }
	for _, tc := range []struct {
		name     string
		xs       []*bwv1.Extraction
		want     int64 // the headline; 0: none
		reported int
		revised  bool // a count_revised change on the last extraction
	}{
		{"only unknown", []*bwv1.Extraction{unknown("u1", d1)}, 0, 0, false},
		{"two unknown", []*bwv1.Extraction{unknown("u1", d1), unknown("u2", d2)}, 0, 0, false},
		{"unknown after known", []*bwv1.Extraction{known("k1", 4200, d1), unknown("u2", d2)}, 4200, 1, false},
		{"known after unknown", []*bwv1.Extraction{unknown("u1", d1), known("k2", 4200, d2)}, 4200, 1, true},
		// The same article re-extracted as unknown withdraws its number.
		{"known then withdrawn", []*bwv1.Extraction{known("k1", 4200, d1), unknown("k1", d1)}, 0, 0, true},
		// A stray value beside the unknown qualifier is still no number.
		{"unknown with a stray value", []*bwv1.Extraction{func() *bwv1.Extraction {
			x := unknown("u1", d1)
			x.Records.Value = 9
			return x
		}()}, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := map[string]*store.Incident{}
			changes := apply(t, db, tc.xs...)
			inc := only(t, db)
			got, ok := inc.Records.Count()
			if tc.want == 0 && (inc.Records != nil || ok) || tc.want != 0 && (!ok || got != tc.want) {
				t.Fatalf("records %+v (count %d, %v), want headline %d", inc.Records, got, ok, tc.want)
			}
			if inc.Records != nil && len(inc.Records.Reported) != tc.reported {
				t.Errorf("%d reported values, want %d", len(inc.Records.Reported), tc.reported)
			}
			revised := false
			for _, c := range changes[len(changes)-1] {
				if c.Kind == "count_revised" {
					revised = true
					if c.NewValue == "0" || c.OldValue == "0" {
						t.Errorf("a count revised to or from 0: %+v", c)
					}
				}
			}
			if revised != tc.revised {
				t.Errorf("count_revised %v, want %v (changes %+v)", revised, tc.revised, changes)
			}
		})
	}
}

// Companies of one kind share a generic tail; an alias that is only that
// tail ("Logistics Group") merges none of them.
func TestGenericAliasMergesNothing(t *testing.T) {
	db := map[string]*store.Incident{}
	for i, org := range []string{"Keystone Logistics Group", "Cedar Logistics Group", "Yarrow Logistics Holdings"} {
		id := string(rune('a' + i))
		apply(t, db, ext(id, org, []string{"Logistics Group", "The Logistics Group"}, 2024, bwv1.Cause_CAUSE_HACKING, int64(1000*(i+1)), d1))
	}
	if len(db) != 3 {
		t.Fatalf("%d incidents, want 3: %v", len(db), keysOf(db))
	}
	for _, inc := range db {
		for _, k := range inc.Organisation.Keys {
			if k == "logistics" {
				t.Errorf("incident %s has the generic key %q", inc.Organisation.Name, k)
			}
		}
	}
}

// Why an article joined an incident, or began one, is kept on its source,
// and a replay does not change it.
func TestMatchDecisionIsStored(t *testing.T) {
	db := map[string]*store.Incident{}
	first := ext("m1", "Harbourside Water", nil, 2024, bwv1.Cause_CAUSE_HACKING, 41000, d1)
	second := ext("m2", "Harbourside Water Ltd", nil, 2024, bwv1.Cause_CAUSE_HACKING, 41000, d2)
	apply(t, db, first, second)
	inc := only(t, db)
	byArticle := map[string]*store.Match{}
	for _, s := range inc.Sources {
		byArticle[s.ArticleID] = s.Match
	}
	if m := byArticle["m1"]; m == nil || m.Joined || !slices.Contains(m.Reasons, "no incident of the organisation") {
		t.Errorf("first article's decision %+v, want a new incident", m)
	}
	m := byArticle["m2"]
	if m == nil || !m.Joined || m.Score <= matchThreshold || !slices.Contains(m.Reasons, "count agrees") || !slices.Contains(m.Reasons, "same year") {
		t.Fatalf("second article's decision %+v, want joined on year and count", m)
	}
	before := *m
	if changes := apply(t, db, second); len(changes[0]) != 0 {
		t.Errorf("replay changed %v", changes[0])
	}
	if got := only(t, db).Sources[1].Match; got == nil || got.Score != before.Score {
		t.Errorf("replay's decision %+v, want the first %+v", got, before)
	}
}

func TestCountsAgree(t *testing.T) {
	for _, tt := range []struct {
		a, b int64
		want bool
	}{
		{1_214_000, 1_200_000, true}, // "about 1.2 million"
		{17_752, 17_000, true},       // "more than 17,000"
		{17_752, 18_000, true},       // "about 18,000"
		{41_000, 41_200, true},       // "about 41,000"
		{825_897, 826_731, false},    // two precise figures
		{82_000, 83_000, false},      // two figures, both kept on one incident by other evidence
		{2_410_674, 2_500_000, false},
		{1_000, 10_000, false},
	} {
		if got := countsAgree(tt.a, tt.b); got != tt.want {
			t.Errorf("countsAgree(%d, %d) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := countsAgree(tt.b, tt.a); got != tt.want {
			t.Errorf("countsAgree(%d, %d) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// One organisation breached twice in a year: months apart, another count
// and another cause make another incident; a re-report with a rounded
// count and no cause joins the first.
func TestSameOrganisationTwiceInAYear(t *testing.T) {
	db := map[string]*store.Incident{}
	jan := time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC)
	aug := time.Date(2023, 8, 20, 0, 0, 0, 0, time.UTC)
	first := ext("t1", "Harbourside Water", nil, 2023, bwv1.Cause_CAUSE_HACKING, 1_214_000, jan)
	first.IncidentDate = &bwv1.DateFact{Date: "2023-01-04"}
	second := ext("t2", "Harbourside Water", nil, 2023, bwv1.Cause_CAUSE_PHISHING_SOCIAL, 3_100, aug)
	second.IncidentDate = &bwv1.DateFact{Date: "2023-08-15"}
	followUp := ext("t3", "Harbourside Water Ltd", nil, 0, bwv1.Cause_CAUSE_UNKNOWN, 1_200_000, jan.AddDate(0, 0, 12))
	apply(t, db, first, second, followUp)
	if len(db) != 2 {
		t.Fatalf("%d incidents, want 2: %v", len(db), keysOf(db))
	}
	for _, inc := range db {
		if len(inc.Sources) == 2 {
			if ids := []string{inc.Sources[0].ArticleID, inc.Sources[1].ArticleID}; !slices.Equal(ids, []string{"t1", "t3"}) {
				t.Errorf("the follow-up joined %v, want the January incident", ids)
			}
			if m := inc.Sources[1].Match; m == nil || !slices.Contains(m.Reasons, "count agrees") {
				t.Errorf("follow-up's decision %+v", m)
			}
		}
	}
}

// An article that speaks of the organisation's other incident ("in a
// separate incident in March, ...") does not join that incident, even when
// the classifier takes the other incident's count as the article's; its
// follow-up joins the article's own incident.
func TestSeparateIncidentIsNotMerged(t *testing.T) {
	march := time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)
	june := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	xs := extractAll(t, []classifier.Input{
		{Title: "Wrenfield Bank exposes customer records", Published: march, URL: "https://news.example.test/w1",
			Text: "Wrenfield Bank exposes customer records\n\nWrenfield Bank said a misconfigured server had exposed the records of 40,000 customers. The bank said it had informed the regulator."},
		{Title: "Wrenfield Bank hit by second cyber attack", Published: june, URL: "https://news.example.test/w2",
			Text: "Wrenfield Bank hit by second cyber attack\n\nWrenfield Bank said on Monday that hackers had broken into its online banking platform and stolen customer names and addresses. " +
				"In a separate incident in March, Wrenfield Bank exposed the records of 40,000 customers through a misconfigured server. The bank said it had informed the regulator."},
		{Title: "Wrenfield Bank hackers stole addresses", Published: june.AddDate(0, 0, 2), URL: "https://news.example.test/w3",
			Text: "Wrenfield Bank hackers stole addresses\n\nHackers who broke into Wrenfield Bank's online banking platform stole customer names and addresses, the bank said."},
	})
	if len(xs[1].GetMentionedIncidents()) == 0 {
		t.Fatalf("fixture: the classifier finds no mentioned incident in the second story")
	}
	db := map[string]*store.Incident{}
	apply(t, db, xs...)
	got := partition(db)
	want := []string{"art-0000", "art-0001,art-0002"}
	if !slices.Equal(got, want) {
		t.Fatalf("partition %q, want %q", got, want)
	}
	for _, inc := range db {
		for _, s := range inc.Sources {
			if s.ArticleID == "art-0001" && !slices.ContainsFunc(s.Match.Reasons, func(r string) bool { return strings.Contains(r, "as another") }) {
				t.Errorf("decision for the second story does not say why: %+v", s.Match)
			}
		}
	}
}

// A bound and a part of it ("up to 5 million" at risk, 1.2 million
// confirmed) are neither for nor against one event; a distinctive data
// type both name is for it.
func TestCountBoundsAndDataTypes(t *testing.T) {
	db := map[string]*store.Incident{}
	first := ext("b-1", "Harlow Fold Insurance", nil, 2023, bwv1.Cause_CAUSE_HACKING, 1_200_000, d1.AddDate(12, 0, 0))
	first.Records.Kind = bwv1.RecordsKind_RECORDS_KIND_CONFIRMED
	first.DataTypes = []*bwv1.DataTypeFact{{DataType: bwv1.DataType_DATA_TYPE_HEALTH}}
	apply(t, db, first)
	inc := only(t, db)

	bound := ext("b-2", "Harlow Fold Insurance", nil, 2023, bwv1.Cause_CAUSE_HACKING, 5_000_000, d2.AddDate(12, 0, 0))
	bound.Records.Qualifier, bound.Records.Kind = bwv1.RecordsQualifier_RECORDS_QUALIFIER_AT_MOST, bwv1.RecordsKind_RECORDS_KIND_AT_RISK
	s, why := matchScore(inc, bound)
	if !slices.Contains(why, "count within the other's bound") || slices.Contains(why, "count far apart") {
		t.Errorf("bound: score %.1f %v", s, why)
	}
	far := ext("b-3", "Harlow Fold Insurance", nil, 2023, bwv1.Cause_CAUSE_HACKING, 5_000_000, d2.AddDate(12, 0, 0))
	if _, why := matchScore(inc, far); !slices.Contains(why, "count far apart") {
		t.Errorf("two exact counts four times apart: %v", why)
	}
	typed := ext("b-4", "Harlow Fold Insurance", nil, 2023, bwv1.Cause_CAUSE_HACKING, 0, d2.AddDate(12, 0, 0))
	typed.DataTypes = []*bwv1.DataTypeFact{{DataType: bwv1.DataType_DATA_TYPE_NAMES}, {DataType: bwv1.DataType_DATA_TYPE_HEALTH}}
	withType, why := matchScore(inc, typed)
	typed.DataTypes = typed.DataTypes[:1]
	withoutType, _ := matchScore(inc, typed)
	if withType-withoutType != 0.5 || !slices.Contains(why, "both name health data") {
		t.Errorf("shared health data: %.1f vs %.1f %v", withType, withoutType, why)
	}
}

// A breach dated late in December and a report dating it early in January
// are one incident: the years differ, the days do not. Dates months apart
// across the year boundary stay two incidents.
func TestAdjacentYearWithCloseIncidentDatesJoins(t *testing.T) {
	dated := func(x *bwv1.Extraction, date string) *bwv1.Extraction {
		x.IncidentDate = &bwv1.DateFact{Date: date}
		return x
	}
	db := map[string]*store.Incident{}
	notice := dated(ext("n1", "Amberfield Dental Group", nil, 0, bwv1.Cause_CAUSE_UNSPECIFIED, 0, time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)), "2023-12-12")
	apply(t, db, notice)
	story := dated(ext("s1", "Amberfield Dental Group", nil, 0, bwv1.Cause_CAUSE_HACKING, 0, time.Date(2024, 1, 2, 12, 0, 0, 0, time.UTC)), "2024-01-02")
	apply(t, db, story)
	if len(db) != 1 {
		t.Fatalf("%d incidents, want the story joined to the notice", len(db))
	}
	inc := only(t, db)
	for _, s := range inc.Sources {
		if s.ArticleID == "s1" && (s.Match == nil || !s.Match.Joined || !slices.Contains(s.Match.Reasons, "adjacent year, incident dates within 60 days")) {
			t.Errorf("story's match %+v", s.Match)
		}
	}
	apply(t, db, dated(ext("n2", "Brookvale Pharmacy", nil, 0, bwv1.Cause_CAUSE_UNSPECIFIED, 0, time.Date(2025, 1, 3, 0, 0, 0, 0, time.UTC)), "2024-10-01"))
	apply(t, db, dated(ext("s2", "Brookvale Pharmacy", nil, 0, bwv1.Cause_CAUSE_HACKING, 0, time.Date(2025, 1, 21, 0, 0, 0, 0, time.UTC)), "2025-01-20"))
	if len(db) != 3 {
		t.Errorf("%d incidents, want a breach of January 2025 apart from one of October 2024", len(db))
	}
}
