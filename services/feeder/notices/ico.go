package notices

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
)

// The ICO's enforcement list (https://ico.org.uk/action-weve-taken/enforcement/)
// is a list of entries, each an organisation's name linking to the
// decision's own page below the list's address
// (/action-weve-taken/enforcement/2025/03/harbourline-dental-group/), the
// date, the kind of action ("Monetary penalties", "Reprimands",
// "Enforcement notices", "Undertakings", "Prosecutions", ...) and a
// summary, which for a fine gives its amount ("£500,000", "£3.07
// million").
//
// Its markup is not relied on (it has not been verified): an entry is the
// largest part of the page that links one decision page and no other; its
// date is a <time> or a short element that is a date; its kind of action
// a short element that is one of the ICO's action names. Should the live
// list be filled in by script, as one third-party scraper reports, the
// fetched page links no decisions and this parser fails with "no rows".
//
// Entries whose action is none of the four this parser maps (monetary
// penalty, reprimand, enforcement notice, undertaking), such as
// prosecutions of individuals, information or assessment notices and
// warnings, are left out: they are not a regulator's finding about an
// organisation's handling of data, and RegulatorActionType has no value
// for them. An entry that names no action is kept, its Action left
// unspecified; a page where no entry names one is a *LayoutError.

// icoActions maps the ICO's action names (normLabel form) to actions.
var icoActions = map[string]bwv1.RegulatorActionType{
	"monetary penalties":       bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"monetary penalty":         bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"monetary penalty notice":  bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"monetary penalty notices": bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"penalty notice":           bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"penalty notices":          bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY,
	"reprimand":                bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_REPRIMAND,
	"reprimands":               bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_REPRIMAND,
	"enforcement notice":       bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_ENFORCEMENT_NOTICE,
	"enforcement notices":      bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_ENFORCEMENT_NOTICE,
	"undertaking":              bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNDERTAKING,
	"undertakings":             bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_UNDERTAKING,
}

// icoOtherActions are the ICO's other action names: entries of these are
// left out.
var icoOtherActions = map[string]bool{
	"prosecution": true, "prosecutions": true, "information notice": true, "information notices": true,
	"assessment notice": true, "assessment notices": true, "warning": true, "warnings": true,
}

// icoShortText is the most text an element may have to be read as an
// entry's date or action name; longer ones are its summary.
const icoShortText = 80

// icoEntry is one entry of the list: the decision page it links, and its
// part of the page.
type icoEntry struct {
	decision *url.URL
	node     *html.Node
}

// icoParse reads one page of the ICO's list.
func icoParse(body []byte, page *url.URL) (Page, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return Page{}, fmt.Errorf("ico: %s: read HTML: %w", page, err)
	}
	entries := icoEntries(doc, page)
	if len(entries) == 0 {
		return Page{}, &LayoutError{Parser: "ico", Reason: "no rows"}
	}
	var rows []Row
	labelled := false
	for _, e := range entries {
		r, label, err := icoRow(goquery.NewDocumentFromNode(e.node).Selection, page, e.decision)
		if err != nil {
			return Page{}, fmt.Errorf("ico: %s: %w", page, err)
		}
		labelled = labelled || label != ""
		if icoOtherActions[label] {
			continue
		}
		rows = append(rows, r)
	}
	if !labelled {
		return Page{}, &LayoutError{Parser: "ico", Missing: []string{"action type"}, Reason: "no entry names its action"}
	}
	// A page of only left-out entries (a filter on prosecutions) is no
	// error: it has no rows for this parser.
	return Page{Rows: rows, Next: nextPage(doc, page)}, nil
}

// icoEntries finds the list's entries: for each decision page linked from
// below the list's own address (outside the site's navigation), the
// largest part of the page that links it and no other decision page. They
// come in page order.
func icoEntries(doc *goquery.Document, page *url.URL) []icoEntry {
	base := strings.TrimSuffix(page.Path, "/") + "/"
	type link struct {
		key  string
		url  *url.URL
		node *html.Node
	}
	var links []link
	doc.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
		if a.Closest("nav, header, footer, aside").Length() > 0 {
			return
		}
		u := resolveLink(page, a.AttrOr("href", ""))
		if u == nil || u.Host != page.Host || !strings.HasPrefix(u.Path, base) || strings.Trim(u.Path[len(base):], "/") == "" {
			return
		}
		u.RawQuery = ""
		links = append(links, link{key: u.Path, url: u, node: a.Nodes[0]})
	})
	// owner[n] is the one decision page n links, or "" once n links two.
	owner := map[*html.Node]string{}
	for _, l := range links {
		for n := l.node; n != nil; n = n.Parent {
			if k, ok := owner[n]; ok {
				if k != l.key {
					owner[n] = ""
				}
				continue
			}
			owner[n] = l.key
		}
	}
	var out []icoEntry
	done := map[string]bool{}
	for _, l := range links {
		if done[l.key] {
			continue
		}
		done[l.key] = true
		n := l.node
		for n.Parent != nil && n.Parent.Type == html.ElementNode && owner[n.Parent] == l.key && n.Parent.Data != "body" {
			n = n.Parent
		}
		out = append(out, icoEntry{decision: l.url, node: n})
	}
	return out
}

// icoRow reads an entry of page, linking decision, into a row; label is
// its action's name (normLabel form), "" when it names none.
func icoRow(e *goquery.Selection, page, decision *url.URL) (r Row, label string, err error) {
	r = Row{URL: decision.String(), ID: rowID("ico", decision)}
	r.Organisation = textOf(e.Find("h1, h2, h3, h4, h5, h6").First())
	if r.Organisation == "" {
		e.Find("a[href]").Each(func(_ int, a *goquery.Selection) {
			if t := textOf(a); len(t) > len(r.Organisation) && resolvedPath(page, a) == decision.Path {
				r.Organisation = t
			}
		})
	}
	if r.Organisation == "" {
		return Row{}, "", fmt.Errorf("entry for %s names no organisation", decision)
	}
	// dateText and labelText are the elements' texts ("Date: 9 January
	// 2025"); date and action what they say ("9 January 2025").
	var dateText, date, labelText, action string
	if t := e.Find("time").First(); t.Length() > 0 {
		dateText = textOf(t)
		date = dateText
		dt := t.AttrOr("datetime", "")
		r.Reported = readDate(dt[:min(len(dt), len(time.DateOnly))]) // "2025-03-26T09:00:00Z": its calendar date
		if r.Reported == "" {
			r.Reported = readDate(dateText)
		}
	}
	for _, s := range shortTexts(e.Nodes[0], icoShortText) {
		if labelText == "" {
			if l, shown := icoLabel(s); l != "" {
				label, labelText, action = l, s, shown
			}
		}
		if r.Reported == "" {
			if shown, ok := dateIn(s); ok {
				dateText, date, r.Reported = s, shown, readDate(shown)
			}
		}
	}
	r.Action = icoActions[label]
	// The summary is the entry's other lines, less its name, date and
	// action name (which may share a line) and the bare field names that
	// head them ("Date", "Type").
	var summary []string
	for _, l := range linesOf(e) {
		for _, known := range []string{dateText, labelText} {
			if known != "" {
				l = collapse(strings.Replace(l, known, "", 1))
			}
		}
		if l != "" && l != r.Organisation && !icoFieldNames[normLabel(l)] {
			summary = append(summary, l)
		}
	}
	ps := []pair{{"Organisation", r.Organisation}, {"Date", date}, {"Action", action}, {"Summary", strings.Join(summary, " ")}}
	r.Text = joinPairs(ps)
	if r.Action == bwv1.RegulatorActionType_REGULATOR_ACTION_TYPE_MONETARY_PENALTY {
		if p, ok := poundsInPence(r.Organisation + " " + strings.Join(summary, " ")); ok {
			r.AmountMinor, r.Currency = p, "GBP"
		}
	}
	return r, label, nil
}

// resolvedPath is the path a's link leads to, resolved against base.
func resolvedPath(base *url.URL, a *goquery.Selection) string {
	if u := resolveLink(base, a.AttrOr("href", "")); u != nil {
		return u.Path
	}
	return ""
}

// icoLabel is the action name s is, or ends with after a colon ("Type:
// Reprimands"), in normLabel form and as shown; "" when s is none.
func icoLabel(s string) (label, shown string) {
	for _, c := range []string{s, strings.TrimSpace(s[strings.LastIndex(s, ":")+1:])} {
		n := normLabel(c)
		if _, ok := icoActions[n]; ok || icoOtherActions[n] {
			return n, c
		}
	}
	return "", ""
}

// dateIn is the date s is, alone or after a short label ("Date: 26
// March 2025"); ok false when s is anything else.
func dateIn(s string) (date string, ok bool) {
	if label, rest, cut := strings.Cut(s, ":"); cut && len(label) <= 30 && !strings.ContainsAny(label, "0123456789") {
		s = strings.TrimSpace(rest)
	}
	m := dateRe.FindString(s)
	return s, m != "" && m == s && readDate(s) != ""
}

// icoFieldNames are the bare names an entry may head its date and action
// with, on lines of their own.
var icoFieldNames = map[string]bool{
	"date": true, "published": true, "date published": true, "type": true, "action": true, "category": true,
}

// shortTexts are the texts, collapsed, of the elements under n whose text
// is at most limit bytes, in the order their ends come. Each element's
// text is built from its children's, so the work is bounded by the size
// of the page times limit.
func shortTexts(n *html.Node, limit int) []string {
	var out []string
	var text func(n *html.Node) (string, bool)
	text = func(n *html.Node) (string, bool) {
		switch n.Type {
		case html.TextNode:
			return n.Data, len(n.Data) <= 4*limit
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" || n.Data == "template" {
				return "", true
			}
		}
		var b strings.Builder
		short := true
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			t, ok := text(c)
			short = short && ok
			if short {
				block := c.Type == html.ElementNode && blockTags[c.Data]
				if block {
					b.WriteByte(' ')
				}
				b.WriteString(t)
				if block {
					b.WriteByte(' ')
				}
				short = b.Len() <= 4*limit
			}
		}
		if !short {
			return "", false
		}
		s := collapse(b.String())
		if len(s) > limit {
			return "", false
		}
		if n.Type == html.ElementNode && s != "" {
			out = append(out, s)
		}
		return s, true
	}
	text(n)
	return out
}

func init() {
	register(Parser{
		Name:      "ico",
		Regulator: "ICO",
		Country:   "GB",
		TimeZone:  "Europe/London",
		Accept:    "text/html",
		Parse:     icoParse,
	})
}
