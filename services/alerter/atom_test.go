package alerter

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/internal/bus"
)

func TestAtomFeedOfASubscription(t *testing.T) {
	w := newWorld(t)
	c := w.subscribe(t, Spec{Name: "Plusnet <&> watch", Query: "organisation:plusnet", Atom: true, Updates: true})
	other := w.subscribe(t, Spec{Name: "everything", Query: "NOT organisation:nobody", Atom: true})
	for _, id := range []string{"inc-01", "inc-02", "inc-03", "inc-04"} {
		if err := w.alert.Handle(t.Context(), w.event(t, id)); err != nil {
			t.Fatal(err)
		}
	}
	// A replayed dead letter repeats an alert on the subject: shown once.
	raw := w.nats.Messages(t, bus.StreamAlerts)
	if _, err := w.nats.Pub.Publish(t.Context(), raw[0].Subject, "replay-1", raw[0].Data, nil); err != nil {
		t.Fatal(err)
	}
	alerts, err := w.reg.Alerts(t.Context(), c.ID, AtomEntries)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 3 {
		t.Fatalf("%d alerts for the Plusnet subscription, want 3", len(alerts))
	}
	for _, a := range alerts {
		if a.GetSubscriptionId() != c.ID {
			t.Fatalf("another subscription's alert in the feed: %v", a)
		}
	}
	if alerts[0].GetIncident().GetId() != "inc-03" {
		t.Errorf("newest first: got %s first", alerts[0].GetIncident().GetId())
	}
	if few, err := w.reg.Alerts(t.Context(), c.ID, 2); err != nil || len(few) != 2 || few[0].GetIncident().GetId() != "inc-03" {
		t.Errorf("limit 2: %v %v", few, err)
	}
	if all, err := w.reg.Alerts(t.Context(), other.ID, AtomEntries); err != nil || len(all) != 4 {
		t.Errorf("other subscription: %d alerts, %v", len(all), err)
	}

	s, err := w.reg.Get(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	self := "https://bw.example/feeds/" + c.Token + ".atom"
	if err := WriteAtom(&buf, s, alerts, "https://bw.example", self); err != nil {
		t.Fatal(err)
	}
	// Well-formed XML in the Atom namespace ...
	var root struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil || root.XMLName.Space != "http://www.w3.org/2005/Atom" || root.XMLName.Local != "feed" {
		t.Fatalf("not an Atom document (%v): %s", err, buf.String())
	}
	// ... that a feed reader takes, with what RFC 4287 requires.
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if feed.FeedType != "atom" || feed.Title != "breachwire alerts: Plusnet <&> watch" || feed.UpdatedParsed == nil || len(feed.Items) != 3 {
		t.Fatalf("feed %+v", feed)
	}
	if feed.Link != "" && !strings.HasPrefix(feed.FeedLink, "https://bw.example/feeds/") {
		t.Errorf("self link %q", feed.FeedLink)
	}
	ids := map[string]bool{}
	for _, it := range feed.Items {
		if it.GUID == "" || ids[it.GUID] || it.Title == "" || it.UpdatedParsed == nil || !strings.Contains(it.Title, "Plusnet") {
			t.Errorf("entry %+v", it)
		}
		ids[it.GUID] = true
	}
	if !strings.Contains(feed.Items[0].Description, "Cause: software_bug_upgrade.") {
		t.Errorf("summary %q", feed.Items[0].Description)
	}
	if !strings.Contains(buf.String(), "Plusnet &lt;&amp;&gt; watch") {
		t.Error("the name is not escaped")
	}
}

func TestAtomFeedWithoutAlerts(t *testing.T) {
	w := newWorld(t)
	c := w.subscribe(t, Spec{Name: "quiet", Query: "organisation:nobody", Atom: true})
	alerts, err := w.reg.Alerts(t.Context(), c.ID, AtomEntries)
	if err != nil || len(alerts) != 0 {
		t.Fatalf("%v %v", alerts, err)
	}
	s, _ := w.reg.Get(t.Context(), c.ID)
	var buf bytes.Buffer
	if err := WriteAtom(&buf, s, alerts, "https://bw.example", "https://bw.example/feeds/x.atom"); err != nil {
		t.Fatal(err)
	}
	feed, err := gofeed.NewParser().Parse(&buf)
	if err != nil || len(feed.Items) != 0 || feed.UpdatedParsed == nil {
		t.Fatalf("empty feed: %+v %v", feed, err)
	}
}

// An unknown count travels as value 0 with qualifier unknown; the summary
// says nothing about records rather than "Records: 0".
func TestAlertSummaryRecords(t *testing.T) {
	const unknown = bwv1.RecordsQualifier_RECORDS_QUALIFIER_UNKNOWN
	for _, tc := range []struct {
		name    string
		records *bwv1.IncidentRecords
		want    string // "": no Records part
	}{
		{"known", &bwv1.IncidentRecords{Value: 5300, Qualifier: bwv1.RecordsQualifier_RECORDS_QUALIFIER_APPROXIMATE}, "Records: 5300."},
		{"unknown", &bwv1.IncidentRecords{Qualifier: unknown, Unit: bwv1.RecordsUnit_RECORDS_UNIT_CUSTOMERS}, ""},
		{"unknown with a stray value", &bwv1.IncidentRecords{Value: 12, Qualifier: unknown}, ""},
		{"zero without a qualifier", &bwv1.IncidentRecords{}, ""},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &bwv1.Alert{Incident: &bwv1.Incident{Id: "inc-s", Records: tc.records}}
			got := alertSummary(a)
			if tc.want == "" && strings.Contains(got, "Records") || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("summary %q, want records part %q", got, tc.want)
			}
		})
	}
}
