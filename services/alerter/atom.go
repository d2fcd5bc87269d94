package alerter

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/encoding/protojson"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
)

// AtomEntries is how many alerts a feed shows, newest first.
const AtomEntries = 50

// Alerts returns the latest alerts kept for subscription id, newest first,
// at most limit, each alert once (a replayed dead letter repeats one).
func (r *Registry) Alerts(ctx context.Context, id string, limit int) ([]*bwv1.Alert, error) {
	subject := logSubject(id)
	info, err := r.alerts.Info(ctx, jetstream.WithSubjectFilter(subject))
	if err != nil {
		return nil, fmt.Errorf("alerts of %s: %w", id, err)
	}
	n := info.State.Subjects[subject]
	if n == 0 || limit <= 0 {
		return []*bwv1.Alert{}, nil
	}
	cons, err := r.js.OrderedConsumer(ctx, bus.StreamAlerts, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		return nil, fmt.Errorf("alerts of %s: %w", id, err)
	}
	// The stream cannot be read backwards: read the subject once, keep the
	// last limit distinct alerts.
	var (
		kept []*bwv1.Alert
		seen = map[string]bool{}
		read uint64
	)
	for read < n {
		batch, err := cons.Fetch(int(min(n-read, 256)), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, fmt.Errorf("alerts of %s: %w", id, err)
		}
		got := 0
		for msg := range batch.Messages() {
			got++
			var a bwv1.Alert
			if err := protojson.Unmarshal(msg.Data(), &a); err != nil || seen[a.GetAlertId()] {
				continue
			}
			seen[a.GetAlertId()] = true
			kept = append(kept, &a)
			if len(kept) > limit {
				kept = kept[1:]
			}
		}
		if err := batch.Error(); err != nil {
			return nil, fmt.Errorf("alerts of %s: %w", id, err)
		}
		if got == 0 {
			break // purged while reading
		}
		read += uint64(got)
	}
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	return kept, nil
}

// Atom (RFC 4287) elements, only what a feed of alerts needs.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Links     []atomLink  `xml:"link"`
	Entries   []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Categories []atomCategory `xml:"category"`
	Summary    string         `xml:"summary"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// WriteAtom writes the feed of a subscription's alerts (newest first).
// base is the absolute URL the API is reached at, e.g. "https://bw.example".
func WriteAtom(w io.Writer, s *Subscription, alerts []*bwv1.Alert, base, selfURL string) error {
	f := atomFeed{
		ID:        "urn:breachwire:subscription:" + s.ID,
		Title:     "breachwire alerts: " + s.Name,
		Subtitle:  "incidents matching " + s.Query,
		Updated:   s.CreatedAt.UTC().Format(time.RFC3339),
		Author:    atomPerson{Name: "breachwire"},
		Generator: "breachwire",
		Links:     []atomLink{{Rel: "self", Href: selfURL, Type: "application/atom+xml"}},
	}
	for i, a := range alerts {
		e := entry(a, base)
		if i == 0 {
			f.Updated = e.Updated
		}
		f.Entries = append(f.Entries, e)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func entry(a *bwv1.Alert, base string) atomEntry {
	inc := a.GetIncident()
	updated := a.GetOccurredAt().AsTime().UTC()
	if a.GetOccurredAt() == nil {
		updated = inc.GetLastUpdated().AsTime().UTC()
	}
	e := atomEntry{
		ID:      "urn:breachwire:alert:" + a.GetAlertId(),
		Title:   alertTitle(a),
		Updated: updated.Format(time.RFC3339),
		Links:   []atomLink{{Rel: "related", Href: base + "/api/v1/incidents/" + inc.GetId(), Type: "application/json"}},
		Summary: alertSummary(a),
	}
	if inc.GetFirstReported() != nil {
		e.Published = inc.GetFirstReported().AsTime().UTC().Format(time.RFC3339)
	}
	for _, src := range inc.GetSources() {
		if src.GetUrl() != "" {
			e.Links = append(e.Links, atomLink{Rel: "alternate", Href: src.GetUrl(), Type: "text/html"})
		}
	}
	if c := inc.GetCause().GetPrimary(); c != bwv1.Cause_CAUSE_UNSPECIFIED {
		e.Categories = append(e.Categories, atomCategory{Term: enumWord(c.String(), "CAUSE_")})
	}
	return e
}

// alertTitle reads "New incident: Mumsnet" or "Updated: Co-operative Life
// Planning (count revised)".
func alertTitle(a *bwv1.Alert) string {
	org := a.GetIncident().GetOrganisation().GetName()
	if a.GetKind() != bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED {
		return "New incident: " + org
	}
	var kinds []string
	for _, c := range a.GetChanges() {
		if k := enumWord(c.GetKind().String(), "CHANGE_KIND_"); k != "unspecified" {
			kinds = append(kinds, strings.ReplaceAll(k, "_", " "))
		}
	}
	if len(kinds) == 0 {
		return "Updated: " + org
	}
	return "Updated: " + org + " (" + strings.Join(kinds, ", ") + ")"
}

// alertSummary is one plain-text paragraph of the headline facts.
func alertSummary(a *bwv1.Alert) string {
	inc := a.GetIncident()
	var parts []string
	// An unknown count travels as value 0; it is not a number to print.
	if r := inc.GetRecords(); r.GetValue() > 0 && r.GetQualifier() != bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN {
		parts = append(parts, "Records: "+strconv.FormatInt(r.GetValue(), 10)+".")
	}
	if c := inc.GetCause().GetPrimary(); c != bwv1.Cause_CAUSE_UNSPECIFIED {
		parts = append(parts, "Cause: "+enumWord(c.String(), "CAUSE_")+".")
	}
	for _, ra := range inc.GetRegulatorActions() {
		act := ra.GetAction()
		s := act.GetRegulator() + " " + strings.ReplaceAll(enumWord(act.GetAction().String(), "REGULATOR_ACTION_TYPE_"), "_", " ")
		if act.AmountMinor != nil && act.GetCurrency() != "" {
			s += " " + act.GetCurrency() + " " + strconv.FormatInt(act.GetAmountMinor(), 10) + " (minor units)"
		}
		parts = append(parts, "Regulator: "+s+".")
	}
	for _, c := range a.GetChanges() {
		if c.GetOldValue() != "" || c.GetNewValue() != "" {
			parts = append(parts, "Change: "+c.GetField()+" "+c.GetOldValue()+" → "+c.GetNewValue()+".")
		}
	}
	parts = append(parts, "Sources: "+strconv.Itoa(len(inc.GetSources()))+".")
	return strings.Join(parts, " ")
}

func enumWord(name, prefix string) string {
	return strings.ToLower(strings.TrimPrefix(name, prefix))
}
