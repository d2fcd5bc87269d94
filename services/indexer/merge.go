// Package indexer is the fourth stage: it stores every article and merges
// the extractions of breach articles into incidents, one per event, and
// announces new incidents and material changes on bw.incidents.*.
package indexer

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/classifier"
	"github.com/breachwire/breachwire/services/internal/fetchstatus"
	"github.com/breachwire/breachwire/services/internal/orgname"
	"github.com/breachwire/breachwire/services/store"
)

var nonWordRE = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// legalSuffixes end a company name without being part of it.
var legalSuffixes = map[string]bool{"inc": true, "llc": true, "ltd": true, "limited": true, "plc": true, "corp": true,
	"corporation": true, "co": true, "company": true, "group": true, "holdings": true, "sa": true, "ag": true, "gmbh": true,
	"nv": true, "bv": true, "srl": true, "spa": true, "llp": true, "lp": true, "pty": true}

// OrgKey normalises an organisation name or alias for matching: lower case,
// punctuation as spaces, a leading "the" and trailing legal suffixes removed
// ("The Co-operative Life Planning Ltd" → "co operative life planning").
func OrgKey(name string) string {
	words := strings.Fields(nonWordRE.ReplaceAllString(strings.ToLower(name), " "))
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	for len(words) > 1 && legalSuffixes[words[len(words)-1]] {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// orgKeys are the keys of an organisation and its aliases. A generic alias
// ("Logistics Group", "Credit Union") is no key: every organisation of its
// kind would share it. The name's own key is kept whatever it is.
func orgKeys(name string, aliases []string) []string {
	var keys []string
	for i, n := range append([]string{name}, aliases...) {
		if i > 0 && orgname.Generic(n) {
			continue
		}
		if k := OrgKey(n); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// incidentYear is the year of the event: the incident date, else the
// disclosure date, else the article's publication, else its fetch time.
// A date whose year is that of an incident the article only mentions
// belongs to that other incident and is skipped.
func incidentYear(x *bwv1.Extraction) int {
	mentioned := map[int]bool{}
	for _, m := range x.GetMentionedIncidents() {
		if m.GetYear() != 0 {
			mentioned[int(m.GetYear())] = true
		}
	}
	for _, d := range []string{x.GetIncidentDate().GetDate(), x.GetDisclosureDate().GetDate()} {
		if len(d) >= 4 {
			if y, err := strconv.Atoi(d[:4]); err == nil && !mentioned[y] {
				return y
			}
		}
	}
	if t := x.GetArticle().GetPublishedAt(); t != nil {
		return t.AsTime().Year()
	}
	if t := x.GetArticle().GetFetchedAt(); t != nil {
		return t.AsTime().Year()
	}
	return 0
}

func causeWord(x *bwv1.Extraction) string {
	c := classifier.EnumWord(x.GetCause().GetPrimary())
	if c == "" {
		return "unknown"
	}
	return c
}

// IncidentID is the stable id of the first incident of an organisation in a
// year; a second, different incident the same year adds its cause. Both
// are deterministic, so concurrent indexers creating the same incident
// collide on one id and the loser merges into the winner.
func IncidentID(orgKey string, year int, cause string) string {
	h := sha256.Sum256([]byte(orgKey + "\x00" + strconv.Itoa(year) + "\x00" + cause))
	return "inc-" + hex.EncodeToString(h[:10])
}

// Matching an extraction to the incidents of its organisation is a score
// over the evidence that they tell of one event (matchScore); the best
// incident above matchThreshold takes it, else it is a new incident.
//
//	year       a year one of the incident's reports gives +1; the next or
//	           previous year, when the article or every report gives no date
//	           of its own (the year is a publication's) and the article was
//	           published within 60 days of the reports, 0; any other year:
//	           never the same event
//	count      a reported count equal to the article's, or equal once rounded
//	           to the article's precision ("about 1.2 million", "1,214,000")
//	           +2; a bound and a part of it ("up to 5 million" at risk, 1.2
//	           million confirmed) 0; more than 1.5 times apart from every
//	           reported count -1.5, more than 3 times -3
//	cause      a known cause one of the reports gives +1; a known cause none
//	           of them gives, when they give one, -1.5 (the
//	           cause is a classifier's reading and errs: an agreeing count
//	           outweighs it)
//	date       an incident date (day precision) within 14 days of one a
//	           report gives +1; more than 60 days from all of them -2
//	another    the article speaks of an incident of the organisation as
//	           another than its own ("in a separate incident in March,
//	           40,000 records ...") and the incident fits it (its year, or a
//	           count of it) -3; a count the article gives only in such a
//	           sentence is not the article's count
//	data       a distinctive data type (health, payment cards, government
//	           ids, ...) both name +0.5
//	place      both name a jurisdiction and they differ -1
//	time       published within 90 days of the incident's reports +0.5,
//	           further from them -1
//
// The best incident scoring above matchThreshold takes the article: the
// same year and a close report (1.5) outweigh a different cause (-1.5) only
// with another agreement; a count and a cause that both disagree make
// another event; another year always does.
const matchThreshold = 0.0

// matchScore scores extraction x against incident c, with its reasons.
func matchScore(c *store.Incident, x *bwv1.Extraction) (float64, []string) {
	year, cause := incidentYear(x), causeWord(x)
	score := 0.0
	var why []string
	pub := publishedAt(x)
	near := func(days int) bool {
		if pub.IsZero() || c.FirstReported.IsZero() {
			return false
		}
		lo, hi := c.FirstReported.AddDate(0, 0, -days), c.LastUpdated.AddDate(0, 0, days)
		return !pub.Before(lo) && !pub.After(hi)
	}
	years := eventYears(c)
	switch {
	case year == 0 || len(years) == 0:
	case years[year] != yearNone:
		score++
		why = append(why, "same year")
	case (years[year-1] != yearNone || years[year+1] != yearNone) && (!dated(x) || !hasDated(years)) && near(60):
		why = append(why, "adjacent year, an undated report published close to the incident's")
	case (years[year-1] != yearNone || years[year+1] != yearNone) && incidentDaysApart(c, x) <= 60:
		// A breach in late December reported in January: the years differ,
		// the days do not.
		why = append(why, "adjacent year, incident dates within 60 days")
	default:
		return math.Inf(-1), []string{fmt.Sprintf("year %d, not the incident's", year)}
	}
	own, hasOwn := ownCount(x)
	if hasOwn && c.Records != nil && len(c.Records.Reported) > 0 {
		agree, nearest := false, math.Inf(1)
		for _, r := range c.Records.Reported {
			if r.Qualifier == "unknown" {
				continue
			}
			if countsAgree(own, r.Value) {
				agree = true
			}
			nearest = min(nearest, ratio(own, r.Value))
		}
		switch {
		case agree:
			score += 2
			why = append(why, "count agrees")
		case withinBound(own, x.GetRecords(), c.Records.Reported):
			why = append(why, "count within the other's bound") // one a part of the other: neither for nor against
		case nearest > 3 && !math.IsInf(nearest, 1):
			score -= 3
			why = append(why, "count far apart")
		case nearest > 1.5 && !math.IsInf(nearest, 1):
			score -= 1.5
			why = append(why, "count differs")
		}
	}
	if causes := eventCauses(c); cause != "unknown" && len(causes) > 0 {
		if causes[cause] {
			score++
			why = append(why, "same cause")
		} else {
			score -= 1.5
			why = append(why, "different cause")
		}
	}
	switch closest := incidentDaysApart(c, x); {
	case closest <= 14:
		score++
		why = append(why, "incident dates within 14 days")
	case closest > 60 && !math.IsInf(closest, 1):
		score -= 2
		why = append(why, "incident dates months apart")
	}
	if t := sharedDataType(c, x); t != "" {
		score += 0.5
		why = append(why, "both name "+t+" data")
	}
	if why1, ok := mentionedAsAnother(c, x, year, years, own, hasOwn); ok {
		score -= 3
		why = append(why, why1)
	}
	if j := x.GetJurisdiction().GetCountry(); j != "" && c.Jurisdiction != "" && !strings.EqualFold(j, c.Jurisdiction) {
		score--
		why = append(why, "jurisdiction differs")
	}
	switch {
	case near(90):
		score += 0.5
		why = append(why, "reported within 90 days")
	case !pub.IsZero() && !c.FirstReported.IsZero():
		score--
		why = append(why, "reported more than 90 days from the incident's reports")
	}
	return score, why
}

// incidentDaysApart is how many days lie between the article's incident
// date and the nearest incident date of c's sources, both whole dates;
// +Inf when either has none.
func incidentDaysApart(c *store.Incident, x *bwv1.Extraction) float64 {
	d, ok := day(x.GetIncidentDate().GetDate())
	if !ok {
		return math.Inf(1)
	}
	closest := math.Inf(1)
	for _, src := range c.Sources {
		if e, ok := day(src.IncidentDate); ok {
			closest = min(closest, math.Abs(d.Sub(e).Hours()/24))
		}
	}
	return closest
}

// mentionedAsAnother: the article speaks of an incident of the same
// organisation as another than its own ("in a separate incident in 2019",
// "the company's previous breach of 40,000 records"), and candidate c fits
// that mention: its year, or one of its counts. year is the article's
// event year, own its count (ownCount).
func mentionedAsAnother(c *store.Incident, x *bwv1.Extraction, year int, years map[int]int, own int64, hasOwn bool) (string, bool) {
	for _, m := range x.GetMentionedIncidents() {
		if k := OrgKey(m.GetOrganisation()); k == "" || !slices.Contains(c.Organisation.Keys, k) {
			continue
		}
		if y := int(m.GetYear()); y != 0 && y != year && years[y] != yearNone {
			return fmt.Sprintf("the article speaks of the organisation's %d incident as another", y), true
		}
		if n := m.GetRecords(); n > 0 && c.Records != nil && slices.ContainsFunc(c.Records.Reported, func(r store.ReportedValue) bool { return countsAgree(n, r.Value) }) {
			if !hasOwn || !countsAgree(own, n) {
				return "the article speaks of an incident with this count as another", true
			}
		}
	}
	return "", false
}

// withinBound: the article's count v (of r) and a reported one are a bound
// and a part of it: "up to 5 million" (at most, or at risk) and 1.2 million
// confirmed; "more than 17,000" (at least) and 17,752 found later.
func withinBound(v int64, r *bwv1.RecordsFact, reported []store.ReportedValue) bool {
	q, k := classifier.EnumWord(r.GetQualifier()), classifier.EnumWord(r.GetKind())
	for _, o := range reported {
		switch {
		case (q == "at_most" || k == "at_risk") && o.Value <= v,
			(o.Qualifier == "at_most" || o.Kind == "at_risk") && v <= o.Value,
			q == "at_least" && o.Value >= v,
			o.Qualifier == "at_least" && v >= o.Value:
			return true
		}
	}
	return false
}

// distinctiveTypes are data types specific enough that two reports naming
// one tell of the same breach a little more likely (names, contact details
// and "other" are in nearly every report).
var distinctiveTypes = map[string]bool{"dates_of_birth": true, "financial": true, "payment_cards": true, "health": true,
	"credentials": true, "government_ids": true, "messages": true, "ip_addresses": true}

// sharedDataType is a distinctive data type both the article and the
// incident name, or "". Only agreement counts: outlets list the exposed
// data differently, so a type one names and the other does not is no
// evidence of another breach.
func sharedDataType(c *store.Incident, x *bwv1.Extraction) string {
	for _, d := range x.GetDataTypes() {
		if w := classifier.EnumWord(d.GetDataType()); distinctiveTypes[w] && slices.Contains(c.DataTypes, w) {
			return w
		}
	}
	return ""
}

// ownCount is the article's count for matching: none when its evidence is
// the sentence of an incident the article only mentions (the classifier
// may take "in a separate incident, 40,000 records ..." as the count).
func ownCount(x *bwv1.Extraction) (int64, bool) {
	v, ok := classifier.KnownCount(x.GetRecords())
	if !ok {
		return 0, false
	}
	ev := x.GetRecords().GetEvidence()
	for _, m := range x.GetMentionedIncidents() {
		if me := m.GetEvidence(); me.GetText() != "" && me.GetStart() == ev.GetStart() && me.GetEnd() == ev.GetEnd() && m.GetRecords() == v {
			return 0, false
		}
	}
	return v, true
}

// How an incident's year is known: from a report that dates it, or only
// from a report's publication.
const (
	yearNone = iota
	yearPublished
	yearDated
)

// eventYears: the years the incident's reports give (the incident's own
// year for incidents stored before sources kept theirs).
func eventYears(c *store.Incident) map[int]int {
	ys := map[int]int{}
	for _, s := range c.Sources {
		if s.Year == 0 {
			continue
		}
		if s.Dated {
			ys[s.Year] = yearDated
		} else if ys[s.Year] == yearNone {
			ys[s.Year] = yearPublished
		}
	}
	if len(ys) == 0 && c.Year != 0 {
		ys[c.Year] = yearPublished
	}
	return ys
}

func hasDated(ys map[int]int) bool {
	for _, k := range ys {
		if k == yearDated {
			return true
		}
	}
	return false
}

// eventCauses: the known causes the incident's reports give (its primary
// cause for incidents stored before sources kept theirs).
func eventCauses(c *store.Incident) map[string]bool {
	cs := map[string]bool{}
	for _, s := range c.Sources {
		if s.Cause != "" && s.Cause != "unknown" {
			cs[s.Cause] = true
		}
	}
	if len(cs) == 0 && c.Cause.Primary != "" && c.Cause.Primary != "unknown" {
		cs[c.Cause.Primary] = true
	}
	return cs
}

// day parses a full "YYYY-MM-DD" date.
func day(s string) (time.Time, bool) {
	if len(s) != len("2006-01-02") {
		return time.Time{}, false
	}
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// dated: the article gives a date of its own for the incident.
func dated(x *bwv1.Extraction) bool {
	return len(x.GetIncidentDate().GetDate()) >= 4 || len(x.GetDisclosureDate().GetDate()) >= 4
}

func publishedAt(x *bwv1.Extraction) time.Time {
	if t := x.GetArticle().GetPublishedAt(); t != nil {
		return t.AsTime()
	}
	if t := x.GetArticle().GetFetchedAt(); t != nil {
		return t.AsTime()
	}
	return time.Time{}
}

func ratio(a, b int64) float64 {
	if a <= 0 || b <= 0 {
		return math.Inf(1)
	}
	return float64(max(a, b)) / float64(min(a, b))
}

// countsAgree: equal, or equal once the more precise is rounded or cut to
// the other's significant digits (an outlet's "about 1.2 million" for
// "1,214,000", "more than 17,000" for "17,752"). Two precise figures that
// differ ("825,897", "826,731") are two counts, however close.
func countsAgree(a, b int64) bool {
	if a == b {
		return true
	}
	coarse, fine := a, b
	if trailingZeros(b) > trailingZeros(a) {
		coarse, fine = b, a
	}
	unit := int64(math.Pow10(trailingZeros(coarse)))
	if unit <= 1 {
		return false
	}
	return (fine+unit/2)/unit*unit == coarse || fine/unit*unit == coarse // rounded, or cut ("more than 17,000")
}

func trailingZeros(v int64) int {
	n := 0
	for v > 0 && v%10 == 0 {
		v /= 10
		n++
	}
	return n
}

// pickIncident chooses the existing incident an extraction merges into, or
// the id a new one gets, and the decision's evidence. Variants are
// incidents found by a variant of the name (variants.go), scored
// variantPenalty lower.
func pickIncident(cands, variants []*store.Incident, x *bwv1.Extraction) (*store.Incident, string, *store.Match) {
	year, cause := incidentYear(x), causeWord(x)
	cands = append(slices.Clone(cands), variants...)
	slices.SortFunc(cands, func(a, b *store.Incident) int { return cmp.Compare(a.ID, b.ID) })
	var best, closest *store.Incident
	bestScore, closestScore := math.Inf(-1), math.Inf(-1)
	var bestWhy, closestWhy []string
	for _, c := range cands {
		s, why := matchScore(c, x)
		if slices.Contains(variants, c) {
			s -= variantPenalty
			why = append(why, fmt.Sprintf("name %q is a variant of %q", x.GetOrganisation().GetName(), c.Organisation.Name))
		}
		if s > matchThreshold && s > bestScore {
			best, bestScore, bestWhy = c, s, why
		}
		if s > closestScore {
			closest, closestScore, closestWhy = c, s, why
		}
	}
	if best != nil {
		return best, best.ID, &store.Match{Joined: true, Score: bestScore, Reasons: bestWhy}
	}
	decision := &store.Match{Reasons: []string{"no incident of the organisation"}}
	if closest != nil && !math.IsInf(closestScore, -1) {
		decision = &store.Match{Score: closestScore, Reasons: append([]string{"closest " + closest.ID}, closestWhy...)}
	} else if closest != nil {
		decision = &store.Match{Score: -99, Reasons: append([]string{"closest " + closest.ID}, closestWhy...)}
	}
	// A new incident: the first of the organisation's year, else the
	// year's incident of this cause, else one of this article's own.
	key := OrgKey(x.GetOrganisation().GetName())
	taken := func(id string) bool {
		return slices.ContainsFunc(cands, func(c *store.Incident) bool { return c.ID == id })
	}
	for _, id := range []string{IncidentID(key, year, ""), IncidentID(key, year, cause)} {
		if !taken(id) {
			return nil, id, decision
		}
	}
	return nil, IncidentID(key, year, cause+"\x00"+x.GetArticleId()), decision
}

// recordMatch keeps the decision on the article's source the first time it
// is made: a replay decides again, against an incident that already holds
// the article, and must change nothing.
func recordMatch(inc *store.Incident, articleID string, m *store.Match) bool {
	for i := range inc.Sources {
		if inc.Sources[i].ArticleID == articleID && inc.Sources[i].Match == nil && m != nil {
			inc.Sources[i].Match = m
			return true
		}
	}
	return false
}

// isOfficial: regulator pages and filings outrank news for the headline count.
func isOfficial(a *bwv1.Article) bool {
	if a.GetNotice() != nil {
		return true
	}
	for _, t := range a.GetFeedTags() {
		switch t {
		case "regulator", "filings":
			return true
		}
	}
	return false
}

// Merge folds one extraction into inc (nil for a new incident) and returns
// the merged incident, whether anything changed, and the material changes
// (those that bump the revision and are announced). Merge is a pure function
// of the stored incident and the extraction: replaying an extraction that is
// already merged changes nothing.
//
// Headline count rule: a count from an official source (a regulator's
// list row, or a regulator's or filing feed) first, even when it is the
// only one; else the value reported by most sources; else the
// most recently published value.
func Merge(inc *store.Incident, id string, x *bwv1.Extraction) (*store.Incident, bool, []store.Change) {
	art := x.GetArticle()
	aid := x.GetArticleId()
	var before []byte
	isNew := inc == nil
	if isNew {
		inc = &store.Incident{ID: id, Year: incidentYear(x)}
	} else {
		before = fingerprint(inc)
		inc = clone(inc)
	}
	oldHeadline := headlineString(inc.Records)
	oldActions := actionKeys(inc.RegulatorActions)
	oldCause := inc.Cause.Primary

	// Organisation: the first official source's name (a regulator's list
	// names the organisation as it notified), else the first name; the
	// others are aliases, and keys grow.
	o := x.GetOrganisation()
	officialNamed := slices.ContainsFunc(inc.Sources, func(s store.Source) bool { return s.Official && s.ArticleID != aid })
	if inc.Organisation.Name == "" || isOfficial(art) && !officialNamed && o.GetName() != "" {
		if old := inc.Organisation.Name; old != "" && old != o.GetName() && !slices.Contains(inc.Organisation.Aliases, old) {
			inc.Organisation.Aliases = append(inc.Organisation.Aliases, old)
		}
		inc.Organisation.Name = o.GetName()
		inc.Organisation.Aliases = slices.DeleteFunc(inc.Organisation.Aliases, func(a string) bool { return a == o.GetName() })
	}
	for _, a := range append([]string{o.GetName()}, o.GetAliases()...) {
		if a != inc.Organisation.Name && !slices.Contains(inc.Organisation.Aliases, a) {
			inc.Organisation.Aliases = append(inc.Organisation.Aliases, a)
		}
	}
	slices.Sort(inc.Organisation.Aliases)
	inc.Organisation.Keys = orgKeys(inc.Organisation.Name, inc.Organisation.Aliases)

	// Sources.
	src := store.Source{ArticleID: aid, URL: cmp.Or(art.GetCanonicalUrl(), art.GetUrl(), x.GetArticleUrl()),
		Title: art.GetTitle(), Outlet: art.GetOutlet(), Year: incidentYear(x), Dated: dated(x), Cause: causeWord(x),
		ExtractionMethod: fetchstatus.Method(art.GetExtractionMethod()), FetchStatus: fetchstatus.Name(art.GetFetchStatus()),
		IncidentDate: x.GetIncidentDate().GetDate(), Official: isOfficial(art)}
	if src.Cause != "unknown" {
		src.CauseQuote = x.GetCause().GetEvidence().GetText()
	}
	if art.GetPublishedAt() != nil {
		src.PublishedAt = art.GetPublishedAt().AsTime().UTC()
	}
	for _, s := range inc.Sources {
		if s.ArticleID == aid {
			src.Match = s.Match // the decision made when it first arrived
		}
	}
	inc.Sources = slices.DeleteFunc(inc.Sources, func(s store.Source) bool { return s.ArticleID == aid })
	inc.Sources = append(inc.Sources, src)
	slices.SortFunc(inc.Sources, func(a, b store.Source) int {
		return cmp.Or(a.PublishedAt.Compare(b.PublishedAt), cmp.Compare(a.ArticleID, b.ArticleID))
	})
	inc.FirstReported, inc.LastUpdated = time.Time{}, time.Time{}
	for _, s := range inc.Sources {
		if s.PublishedAt.IsZero() {
			continue
		}
		if inc.FirstReported.IsZero() || s.PublishedAt.Before(inc.FirstReported) {
			inc.FirstReported = s.PublishedAt
		}
		if s.PublishedAt.After(inc.LastUpdated) {
			inc.LastUpdated = s.PublishedAt
		}
	}

	// Reported counts: this article's value replaces what it said before.
	var reported []store.ReportedValue
	if inc.Records != nil {
		reported = slices.DeleteFunc(slices.Clone(inc.Records.Reported), func(r store.ReportedValue) bool { return r.ArticleID == aid })
	}
	// An unknown count ("a number of customers") is not reported: it has
	// no number to weigh against the others, and an incident whose counts
	// are all unknown has no headline (Records nil), never a 0.
	if r := x.GetRecords(); r != nil {
		if n, ok := classifier.KnownCount(r); ok && n > 0 {
			reported = append(reported, store.ReportedValue{
				Value: n, Qualifier: classifier.EnumWord(r.GetQualifier()), Unit: classifier.EnumWord(r.GetUnit()),
				Kind: classifier.EnumWord(r.GetKind()), ArticleID: aid, ArticleURL: src.URL, Quote: r.GetEvidence().GetText(),
				PublishedAt: src.PublishedAt, Official: isOfficial(art),
			})
		}
	}
	inc.Records = headline(reported)

	// Cause: the first stated cause stays, unless an official source
	// states one and no other official source did; contributing causes
	// accumulate.
	if c := causeWord(x); c != "unknown" {
		if src.Official && !officialCause(inc.Sources, aid) {
			inc.Cause.Primary = c
		} else {
			inc.Cause.Primary = pickCause(inc.Cause.Primary, c)
		}
		for _, k := range x.GetCause().GetContributing() {
			if w := classifier.EnumWord(k); w != "" && w != inc.Cause.Primary && !slices.Contains(inc.Cause.Contributing, w) {
				inc.Cause.Contributing = append(inc.Cause.Contributing, w)
			}
		}
	} else if inc.Cause.Primary == "" {
		inc.Cause.Primary = "unknown"
	}
	slices.Sort(inc.Cause.Contributing)
	if inc.Cause.Contributing == nil {
		inc.Cause.Contributing = []string{}
	}

	// Regulator actions: one per (regulator, action, amount), first source kept.
	for _, a := range x.GetRegulatorActions() {
		ra := store.RegulatorAction{Regulator: a.GetRegulator(), Action: classifier.EnumWord(a.GetAction()), Currency: a.GetCurrency(),
			Stage: classifier.EnumWord(a.GetStage()), Date: a.GetDate(), ArticleID: aid, ArticleURL: src.URL, Quote: a.GetEvidence().GetText()}
		if a.AmountMinor != nil {
			v := classifier.MajorAmount(a.GetAmountMinor(), a.GetCurrency())
			ra.Amount = &v
		}
		if !slices.ContainsFunc(inc.RegulatorActions, func(b store.RegulatorAction) bool { return actionKey(b) == actionKey(ra) }) {
			inc.RegulatorActions = append(inc.RegulatorActions, ra)
		}
	}
	slices.SortFunc(inc.RegulatorActions, func(a, b store.RegulatorAction) int { return cmp.Compare(actionKey(a), actionKey(b)) })

	for _, d := range x.GetDataTypes() {
		if w := classifier.EnumWord(d.GetDataType()); w != "" && !slices.Contains(inc.DataTypes, w) {
			inc.DataTypes = append(inc.DataTypes, w)
		}
	}
	slices.Sort(inc.DataTypes)
	if inc.Jurisdiction == "" {
		inc.Jurisdiction = x.GetJurisdiction().GetCountry()
	}
	if v := x.GetExtractorVersion(); v != "" && !slices.Contains(inc.ExtractorVersions, v) {
		inc.ExtractorVersions = append(inc.ExtractorVersions, v)
		slices.Sort(inc.ExtractorVersions)
	}

	// Material changes.
	var changes []store.Change
	if isNew {
		changes = append(changes, store.Change{Kind: "new", Field: "incident", NewValue: inc.Organisation.Name, ArticleID: aid})
	} else {
		if h := headlineString(inc.Records); h != oldHeadline {
			changes = append(changes, store.Change{Kind: "count_revised", Field: "records", OldValue: oldHeadline, NewValue: h, ArticleID: aid})
		}
		for _, a := range inc.RegulatorActions {
			if slices.Contains(oldActions, actionKey(a)) {
				continue
			}
			kind := "regulator_action_added"
			if a.Amount != nil {
				kind = "fine_announced"
			}
			changes = append(changes, store.Change{Kind: kind, Field: "regulator_actions", NewValue: actionKey(a), ArticleID: aid})
		}
		if oldCause != inc.Cause.Primary && oldCause != "" && oldCause != "unknown" {
			changes = append(changes, store.Change{Kind: "cause_changed", Field: "cause", OldValue: oldCause, NewValue: inc.Cause.Primary, ArticleID: aid})
		}
	}
	if len(changes) > 0 {
		inc.Revision++
		inc.RevisionArticle = aid
		inc.Changes = changes
		inc.AddRevision(store.Revision{Revision: inc.Revision, ArticleID: aid, ArticleURL: src.URL, At: src.PublishedAt, Changes: changes})
	}
	changed := isNew || string(before) != string(fingerprint(inc))
	return inc, changed, changes
}

// officialCause reports whether an official source other than aid states
// a cause.
func officialCause(sources []store.Source, aid string) bool {
	return slices.ContainsFunc(sources, func(s store.Source) bool {
		return s.Official && s.ArticleID != aid && s.Cause != "" && s.Cause != "unknown"
	})
}

// pickCause keeps the incident's known cause unless it is unknown.
func pickCause(old, new string) string {
	if old == "" || old == "unknown" {
		return new
	}
	return old
}

// headline applies the documented rule to the reported values.
func headline(reported []store.ReportedValue) *store.Records {
	if len(reported) == 0 {
		return nil
	}
	slices.SortFunc(reported, func(a, b store.ReportedValue) int {
		return cmp.Or(a.PublishedAt.Compare(b.PublishedAt), cmp.Compare(a.ArticleID, b.ArticleID))
	})
	pick := func(r store.ReportedValue, basis string) *store.Records {
		return &store.Records{Value: &r.Value, Qualifier: r.Qualifier, Unit: r.Unit, Kind: r.Kind, Basis: basis, Reported: reported}
	}
	for i := len(reported) - 1; i >= 0; i-- {
		if reported[i].Official {
			return pick(reported[i], "official")
		}
	}
	if len(reported) == 1 {
		return pick(reported[0], "single")
	}
	count := map[int64]int{}
	best := 0
	for _, r := range reported {
		count[r.Value]++
		best = max(best, count[r.Value])
	}
	if best > 1 {
		var tied []store.ReportedValue
		for _, r := range reported {
			if count[r.Value] == best {
				tied = append(tied, r)
			}
		}
		if len(tied) == best { // one value has the most sources
			return pick(tied[len(tied)-1], "agreement")
		}
	}
	return pick(reported[len(reported)-1], "recency")
}

func headlineString(r *store.Records) string {
	n, ok := r.Count()
	if !ok {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func actionKey(a store.RegulatorAction) string {
	amt := ""
	if a.Amount != nil {
		amt = fmt.Sprintf(" %.2f %s", *a.Amount, a.Currency)
	}
	return a.Regulator + " " + a.Action + amt
}

func actionKeys(as []store.RegulatorAction) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, actionKey(a))
	}
	return out
}
