package indexer

import (
	"slices"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/store"
)

// noticeExt is a regulator's list row as the classifier extracts it.
func noticeExt(id string, n *bwv1.Notice, reported time.Time) *bwv1.Extraction {
	art := &bwv1.Article{Id: id, Url: "https://notices.example.test/" + id, Title: n.GetOrganisation() + ": breach notice",
		Outlet: n.GetRegulator(), PublishedAt: timestamppb.New(reported), Text: "Organization Name: " + n.GetOrganisation(),
		ExtractionMethod: bwv1.ExtractionMethod_EXTRACTION_METHOD_NOTICE, Notice: n}
	x := classifier.FromNotice(art)
	x.ArticleId, x.ArticleUrl, x.Article = id, art.Url, art
	return x
}

// A state's notice and a news story of the same breach are one incident
// in either order: the notice's count (residents only, so at least) is the
// headline with basis official, the story's count stays listed, and an
// official cause replaces the story's.
func TestNoticeAndNewsMergeWithTheOfficialHeadline(t *testing.T) {
	reported := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	wa := func() *bwv1.Extraction {
		return noticeExt("wa1", &bwv1.Notice{Parser: "wa-ag", Regulator: "Washington AG", Country: "US", Organisation: "Tidewater Orthodontics",
			BreachDates: []string{"2025-02-10"}, Reported: "2025-03-18", Affected: 3120, AffectedKnown: true, AffectedResidentsOnly: true,
			Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED}, reported)
	}
	news := func() *bwv1.Extraction {
		x := ext("n1", "Tidewater Orthodontics", nil, 2025, bwv1.Cause_CAUSE_HACKING, 41000, reported.AddDate(0, 0, 2))
		x.Records.Unit = bwv1.RecordsUnit_RECORDS_UNIT_PATIENTS
		return x
	}
	for name, order := range map[string][]*bwv1.Extraction{"notice first": {wa(), news()}, "news first": {news(), wa()}} {
		t.Run(name, func(t *testing.T) {
			db := map[string]*store.Incident{}
			apply(t, db, order...)
			inc := only(t, db)
			if v, _ := inc.Records.Count(); v != 3120 || inc.Records.Basis != "official" || inc.Records.Qualifier != "at_least" {
				t.Errorf("headline %d %s %s", v, inc.Records.Qualifier, inc.Records.Basis)
			}
			var values []int64
			for _, r := range inc.Records.Reported {
				values = append(values, r.Value)
			}
			slices.Sort(values)
			if !slices.Equal(values, []int64{3120, 41000}) {
				t.Errorf("reported %v", values)
			}
			if inc.Cause.Primary != "hacking" || len(inc.RegulatorActions) != 1 || inc.RegulatorActions[0].Regulator != "Washington AG" ||
				inc.RegulatorActions[0].Action != "informed" || inc.RegulatorActions[0].Date != "2025-03-18" {
				t.Errorf("cause %q actions %+v", inc.Cause.Primary, inc.RegulatorActions)
			}
			for _, s := range inc.Sources {
				if s.Official != (s.ArticleID == "wa1") {
					t.Errorf("source %s official=%v", s.ArticleID, s.Official)
				}
			}
		})
	}

	// A notice that states a cause outranks the story's, which came first.
	db := map[string]*store.Incident{}
	me := noticeExt("me1", &bwv1.Notice{Parser: "me-ag", Regulator: "Maine AG", Country: "US", Organisation: "Tidewater Orthodontics",
		BreachDates: []string{"2025-02-10"}, Reported: "2025-03-19", Affected: 41000, AffectedKnown: true,
		Cause: bwv1.Cause_CAUSE_INSIDER_MISUSE, Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED}, reported.AddDate(0, 0, 1))
	apply(t, db, news(), me)
	if inc := only(t, db); inc.Cause.Primary != "insider_misuse" || inc.Records.Basis != "official" {
		t.Errorf("cause %q basis %q: the notice's cause and count come first", inc.Cause.Primary, inc.Records.Basis)
	}
}

// A notice alone: its count is official, not "single"; an unknown count
// leaves the incident without a headline, never 0.
func TestNoticeAloneIsOfficial(t *testing.T) {
	reported := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	db := map[string]*store.Incident{}
	apply(t, db, noticeExt("hhs1", &bwv1.Notice{Parser: "hhs-ocr", Regulator: "HHS OCR", Country: "US", Organisation: "Marrowgate Clinic",
		Reported: "2024-02-01", Affected: 5100, AffectedKnown: true, Cause: bwv1.Cause_CAUSE_HACKING,
		Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED}, reported))
	if inc := only(t, db); inc.Records.Basis != "official" || inc.Records.Qualifier != "exact" || inc.Year != 2024 {
		t.Errorf("records %+v year %d", inc.Records, inc.Year)
	}
	db = map[string]*store.Incident{}
	apply(t, db, noticeExt("ca1", &bwv1.Notice{Parser: "ca-ag", Regulator: "California AG", Country: "US", Organisation: "Copperline Outfitters",
		BreachDates: []string{"2025-01-02", "2025-01-06"}, Reported: "2025-02-01", Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED},
		reported.AddDate(1, 0, 0)))
	if inc := only(t, db); inc.Records != nil || inc.Year != 2025 {
		t.Errorf("records %+v year %d", inc.Records, inc.Year)
	}
}

// The organisation is named as its regulator's list names it, whichever
// report came first; the news' form of the name stays an alias.
func TestNoticeNamesTheOrganisation(t *testing.T) {
	reported := time.Date(2025, 3, 18, 0, 0, 0, 0, time.UTC)
	notice := func() *bwv1.Extraction {
		return noticeExt("wa1", &bwv1.Notice{Parser: "wa-ag", Regulator: "Washington AG", Country: "US", Organisation: "Tidewater Orthodontics, Inc.",
			BreachDates: []string{"2025-02-10"}, Reported: "2025-03-18", Affected: 3120, AffectedKnown: true, AffectedResidentsOnly: true,
			Action: bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_INFORMED}, reported)
	}
	for name, order := range map[string][]*bwv1.Extraction{
		"news first":   {ext("n1", "Tidewater Orthodontics", nil, 2025, bwv1.Cause_CAUSE_HACKING, 41000, reported.AddDate(0, 0, 2)), notice()},
		"notice first": {notice(), ext("n1", "Tidewater Orthodontics", nil, 2025, bwv1.Cause_CAUSE_HACKING, 41000, reported.AddDate(0, 0, 2))},
	} {
		t.Run(name, func(t *testing.T) {
			db := map[string]*store.Incident{}
			apply(t, db, order...)
			inc := only(t, db)
			if inc.Organisation.Name != "Tidewater Orthodontics, Inc." || !slices.Contains(inc.Organisation.Aliases, "Tidewater Orthodontics") {
				t.Errorf("organisation %+v", inc.Organisation)
			}
			// A replay of either changes nothing.
			for _, x := range order {
				if _, changed, _ := Merge(inc, inc.ID, x); changed {
					t.Errorf("replay of %s changed the incident", x.GetArticleId())
				}
			}
		})
	}
}
