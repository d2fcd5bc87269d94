package storetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/breachwire/breachwire/services/store"
)

// Incidents returns the suite's twelve synthetic incidents, fresh each call
// so a test may change them. They are chosen so that every query form, sort
// order and facet has a distinct, hand-checked answer. Their text also
// holds what word segmentation must keep whole ("250,000", "78.8",
// "O'Brien", "acme_backups", "files.acme.example") or split (ideographs),
// and capitals whose lower case is special (a final Σ, İ):
//
//	id      organisation                year records     cause (contributing)            actions                          first_reported (UTC)
//	inc-01  Plusnet                     2014 1200        software_bug_upgrade            ICO monetary_penalty             2014-03-10
//	inc-02  Plusnet                     2017 250000      phishing (human_error)          -                                2017-08-15
//	inc-03  Plusnet                     2018 -           software_bug_upgrade            ICO undertaking                  2018-11-02 09:00
//	inc-04  Co-operative Life Planning  2011 83000       misdelivery (human_error)       ICO monetary_penalty             2011-06-20
//	inc-05  Mumsnet                     2019 4000        software_bug_upgrade (misconf.) ICO investigation                2019-02-05
//	inc-06  Anthem Inc                  2015 78800000    hacking                         HHS OCR settlement, c.a.p.       2015-02-04
//	inc-07  Premera Blue Cross          2015 10400000    hacking (phishing)              HHS OCR settlement               2015-03-17
//	inc-08  Equifax                     2017 147000000   hacking (unpatched_software)    FTC settlement, ICO mon. pen.    2017-09-07
//	inc-09  British Airways (BA)        2018 429612      hacking                         ICO monetary_penalty             2018-09-06
//	inc-10  Nightingale Clinic          2019 900         lost_device                     -                                2019-03-01 04:30 (2019-02-28 23:30 -05:00)
//	inc-11  Zürich Versicherung         -    -           insider                         -                                2020-01-15
//	inc-12  Acme Widgets                2018 1200        misconfiguration                -                                2018-11-02 09:00
func Incidents() []*store.Incident {
	day := func(y, m, d, h int) time.Time { return time.Date(y, time.Month(m), d, h, 0, 0, 0, time.UTC) }
	est := time.FixedZone("EST", -5*3600)
	rec := func(v int64, quotes ...string) *store.Records {
		r := &store.Records{Value: &v, Qualifier: "exact", Unit: "people", Kind: "customers", Basis: "single"}
		for i, q := range quotes {
			r.Reported = append(r.Reported, store.ReportedValue{Value: v - int64(len(quotes)-1-i)*1000, ArticleID: fmt.Sprintf("art-%d", i), ArticleURL: "https://example.org/a", Quote: q})
		}
		if len(quotes) > 1 {
			r.Basis = "recency"
		}
		return r
	}
	act := func(reg, action, quote string) store.RegulatorAction {
		return store.RegulatorAction{Regulator: reg, Action: action, ArticleID: "art-reg", ArticleURL: "https://example.org/reg", Quote: quote}
	}
	src := func(title, outlet string, at time.Time) []store.Source {
		return []store.Source{{ArticleID: "art-" + outlet, URL: "https://example.org/" + title, Title: title, Outlet: outlet, PublishedAt: at,
			Match: &store.Match{Joined: false, Score: -1.5, Reasons: []string{"no incident of the organisation"}}}}
	}
	amount := 400000.0
	incs := []*store.Incident{
		{ID: "inc-01", Organisation: org("Plusnet", nil, "plusnet"), Records: rec(1200, "1,200 customers were affected"),
			Cause: store.Cause{Primary: "software_bug_upgrade"}, RegulatorActions: []store.RegulatorAction{act("ICO", "monetary_penalty", "The ICO issued a penalty")},
			DataTypes: []string{"email_address"}, Year: 2014, Jurisdiction: "GB", FirstReported: day(2014, 3, 10, 8), LastUpdated: day(2014, 5, 1, 0),
			Sources: src("Plusnet customers hit by email flaw", "BBC News", day(2014, 3, 10, 8))},
		{ID: "inc-02", Organisation: org("Plusnet", nil, "plusnet"), Records: rec(250000, "250,000 accounts"),
			Cause:     store.Cause{Primary: "phishing", Contributing: []string{"human_error"}},
			DataTypes: []string{"credentials"}, Year: 2017, Jurisdiction: "GB", FirstReported: day(2017, 8, 15, 12), LastUpdated: day(2017, 8, 20, 0),
			Sources: src("Plusnet phishing attack", "The Register", day(2017, 8, 15, 12))},
		{ID: "inc-03", Organisation: org("Plusnet", nil, "plusnet"),
			Cause: store.Cause{Primary: "software_bug_upgrade"}, RegulatorActions: []store.RegulatorAction{act("ICO", "undertaking", "The provider signed an undertaking")},
			DataTypes: []string{"account_details"}, Year: 2018, Jurisdiction: "GB", FirstReported: day(2018, 11, 2, 9), LastUpdated: day(2018, 11, 30, 0),
			Sources: src("Broadband provider exposes account details", "BBC News", day(2018, 11, 2, 9))},
		{ID: "inc-04", Organisation: org("Co-operative Life Planning", []string{"Co-op Life Planning"}, "co-operative life planning", "co-op life planning"),
			Records: rec(83000, "about 82,000 customers were affected", "up to 83,000 policyholders"),
			Cause:   store.Cause{Primary: "misdelivery", Contributing: []string{"human_error"}},
			RegulatorActions: []store.RegulatorAction{{Regulator: "ICO", Action: "monetary_penalty", Amount: &amount, Currency: "GBP", Stage: "final",
				Date: "2011-09-01", ArticleID: "art-reg", ArticleURL: "https://example.org/reg", Quote: "fined over misdirected letters"}},
			DataTypes: []string{"financial"}, Year: 2011, Jurisdiction: "GB", FirstReported: day(2011, 6, 20, 0), LastUpdated: day(2011, 9, 1, 0),
			Sources: src("Insurer fined over lost customer data", "Financial Times", day(2011, 6, 20, 0)), ExtractorVersions: []string{"rules/1.0.0"}},
		{ID: "inc-05", Organisation: org("Mumsnet", nil, "mumsnet"), Records: rec(4000, "4,000 users"),
			Cause: store.Cause{Primary: "software_bug_upgrade", Contributing: []string{"misconfiguration"}}, RegulatorActions: []store.RegulatorAction{act("ICO", "investigation", "reported to the regulator")},
			DataTypes: []string{"email_address", "password"}, Year: 2019, Jurisdiction: "GB", FirstReported: day(2019, 2, 5, 10), LastUpdated: day(2019, 2, 7, 0),
			Sources: src("Mumsnet bug exposed accounts", "The Guardian", day(2019, 2, 5, 10))},
		{ID: "inc-06", Organisation: org("Anthem Inc", []string{"Anthem"}, "anthem inc", "anthem"), Records: rec(78800000, "78.8 million records"),
			Cause: store.Cause{Primary: "hacking"}, RegulatorActions: []store.RegulatorAction{act("HHS OCR", "settlement", "record settlement"), act("HHS OCR", "corrective_action_plan", "a corrective action plan")},
			DataTypes: []string{"ssn", "health"}, Year: 2015, Jurisdiction: "US", FirstReported: day(2015, 2, 4, 18), LastUpdated: day(2018, 10, 15, 0),
			Sources: official(src("Anthem hack exposes millions", "Reuters", day(2015, 2, 4, 18)))},
		{ID: "inc-07", Organisation: org("Premera Blue Cross", nil, "premera blue cross"), Records: rec(10400000, "11 million"),
			Cause: store.Cause{Primary: "hacking", Contributing: []string{"phishing"}}, RegulatorActions: []store.RegulatorAction{act("HHS OCR", "settlement", "agreed to pay")},
			DataTypes: []string{"health"}, Year: 2015, Jurisdiction: "US", FirstReported: day(2015, 3, 17, 14), LastUpdated: day(2016, 1, 10, 0),
			Sources: src("Premera cyberattack", "Reuters", day(2015, 3, 17, 14))},
		{ID: "inc-08", Organisation: org("Equifax", nil, "equifax"), Records: rec(147000000, "147 million consumers"),
			Cause: store.Cause{Primary: "hacking", Contributing: []string{"unpatched_software"}}, RegulatorActions: []store.RegulatorAction{act("FTC", "settlement", "global settlement"), act("ICO", "monetary_penalty", "maximum fine")},
			DataTypes: []string{"ssn"}, Year: 2017, Jurisdiction: "US", FirstReported: day(2017, 9, 7, 21), LastUpdated: day(2019, 7, 22, 0),
			Sources: src("Equifax breach affects consumers", "The Guardian", day(2017, 9, 7, 21))},
		{ID: "inc-09", Organisation: org("British Airways", []string{"BA"}, "british airways", "ba"), Records: rec(429612, "429,612 customers"),
			Cause: store.Cause{Primary: "hacking"}, RegulatorActions: []store.RegulatorAction{act("ICO", "monetary_penalty", "fined")},
			DataTypes: []string{"payment_card"}, Year: 2018, Jurisdiction: "GB", FirstReported: day(2018, 9, 6, 19), LastUpdated: day(2020, 7, 16, 0),
			Sources: append(src("Airline customer data stolen", "BBC News", day(2018, 9, 6, 19)),
				src("英国航空の顧客データ流出", "NHK", day(2018, 9, 7, 3))...)},
		{ID: "inc-10", Organisation: org("Nightingale Clinic", nil, "nightingale clinic"), Records: rec(900, "900 patients"),
			Cause:     store.Cause{Primary: "lost_device"},
			DataTypes: []string{"health"}, Year: 2019, Jurisdiction: "IE", FirstReported: time.Date(2019, 2, 28, 23, 30, 0, 0, est), LastUpdated: day(2019, 3, 2, 0),
			Sources: src("Clinic laptop stolen from Dr O'Brien", "Irish Times", time.Date(2019, 2, 28, 23, 30, 0, 0, est))},
		{ID: "inc-11", Organisation: org("Zürich Versicherung", nil, "zürich versicherung"),
			Cause:     store.Cause{Primary: "insider"},
			DataTypes: []string{"contact_details"}, Jurisdiction: "CH", FirstReported: day(2020, 1, 15, 7), LastUpdated: day(2020, 1, 15, 7),
			Sources: slices.Concat(src("Datenleck bei Versicherer", "NZZ", day(2020, 1, 15, 7)),
				src("ΔΙΑΡΡΟΗ ΔΕΔΟΜΕΝΩΝ ΑΣΦΑΛΙΣΤΙΚΗΣ", "Kathimerini", day(2020, 1, 16, 9)),
				src("Zürich Sigorta İstanbul ofisinde veri sızıntısı", "Hürriyet", day(2020, 1, 16, 11)))},
		{ID: "inc-12", Organisation: org("Acme Widgets", nil, "acme widgets"), Records: rec(1200, "1,200 files"),
			Cause:     store.Cause{Primary: "misconfiguration"},
			DataTypes: []string{"contact_details"}, Year: 2018, Jurisdiction: "US", FirstReported: day(2018, 11, 2, 9), LastUpdated: day(2018, 11, 5, 0),
			Sources: src("Storage bucket acme_backups at files.acme.example left open", "ZDNet", day(2018, 11, 2, 9))},
	}
	for i, inc := range incs {
		inc.Revision = int64(i%3 + 1)
	}
	return incs
}

// official marks sources as a regulator's or the organisation's own.
func official(ss []store.Source) []store.Source {
	for i := range ss {
		ss[i].Official = true
	}
	return ss
}

func org(name string, aliases []string, keys ...string) store.Organisation {
	return store.Organisation{Name: name, Aliases: aliases, Keys: keys}
}

// Articles returns two synthetic articles.
func Articles() []*store.Article {
	return []*store.Article{
		{ID: "art-1", URL: "https://news.example.org/plusnet?utm=x", CanonicalURL: "https://news.example.org/plusnet", Title: "Plusnet customers hit by email flaw",
			Outlet: "BBC News", Byline: "A Reporter", PublishedAt: time.Date(2014, 3, 10, 8, 0, 0, 0, time.UTC), FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Language: "en", Text: "Plusnet said a software upgrade exposed 1,200 email addresses.", Feed: "https://news.example.org/feed.xml",
			IsBreach: true, Relevance: 0.93, ExtractorVersion: "rules/1.0.0", Extraction: `{"organisation":"Plusnet"}`},
		{ID: "art-2", URL: "https://blog.example.org/tsb", Title: "TSB outage", Outlet: "Example Blog", Text: "Not a breach.",
			Relevance: 0.1, ExtractorVersion: "rules/1.0.0"},
	}
}
