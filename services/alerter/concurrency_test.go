package alerter

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"golang.org/x/sync/errgroup"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/store"
)

// syntheticIncident is the i-th of a family of incidents that spreads over
// organisations, causes, jurisdictions, counts, years and regulators.
func syntheticIncident(i int) *store.Incident {
	causes := []string{"hacking", "third_party", "software_bug_upgrade", "misconfiguration_exposure", "insider_misuse"}
	countries := []string{"GB", "US", "DE", "FR"}
	at := time.Date(2015+i%8, time.Month(1+i%12), 1+i%28, 9, 0, 0, 0, time.UTC)
	inc := &store.Incident{
		ID:       fmt.Sprintf("syn-%04d", i),
		Revision: 1,
		Organisation: store.Organisation{Name: fmt.Sprintf("Org%d Holdings", i%100), Aliases: []string{fmt.Sprintf("O%d", i%100)},
			Keys: []string{fmt.Sprintf("org%d holdings", i%100)}},
		Records:       &store.Records{Value: new(int64((i * 7919) % 1_000_000)), Qualifier: "exact", Unit: "customers", Kind: "affected", Basis: "single"},
		Cause:         store.Cause{Primary: causes[i%len(causes)]},
		DataTypes:     []string{"names"},
		Year:          at.Year(),
		Jurisdiction:  countries[i%len(countries)],
		FirstReported: at,
		LastUpdated:   at,
		Sources:       []store.Source{{ArticleID: fmt.Sprintf("a-%d", i), URL: fmt.Sprintf("https://news.example/%d", i), Title: fmt.Sprintf("Breach at Org%d", i%100), Outlet: "Example News", PublishedAt: at}},
	}
	if i%3 == 0 {
		inc.RegulatorActions = []store.RegulatorAction{{Regulator: "ICO", Action: "investigating", ArticleID: inc.Sources[0].ArticleID, Quote: "The ICO is investigating."}}
	}
	return inc
}

// syntheticQuery is the i-th subscription's query.
func syntheticQuery(i int) string {
	switch i % 6 {
	case 0:
		return fmt.Sprintf("organisation:org%d", i%100)
	case 1:
		return fmt.Sprintf("cause:%s AND jurisdiction:%s", []string{"hacking", "third_party", "software_bug_upgrade"}[i%3], []string{"gb", "us", "de", "fr"}[i%4])
	case 2:
		return fmt.Sprintf("records:>%d", 900_000+i*100)
	case 3:
		return fmt.Sprintf("regulator:ico AND year:%d", 2015+i%8)
	case 4:
		return fmt.Sprintf(`"breach at org%d" OR o%d`, i%100, (i+1)%100)
	default:
		return fmt.Sprintf("first_reported:%d-%02d NOT cause:hacking", 2015+i%8, 1+i%12)
	}
}

// 200 subscriptions, 1,000 incident events (500 incidents, two revisions
// each) through the consumer with concurrent handlers: every subscriber
// gets exactly its own alerts, each once, as search would pick them.
func TestConcurrentSubscriptionsGetOnlyTheirAlerts(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	start := time.Now()
	w := newWorld(t)
	ctx := t.Context()
	const nSubs, nIncidents = 200, 500

	subs := make([]Created, nSubs)
	specs := make([]Spec, nSubs)
	for i := range nSubs {
		specs[i] = Spec{Name: "s" + strconv.Itoa(i), Query: syntheticQuery(i), NATS: true, Updates: i%2 == 0}
		subs[i] = w.subscribe(t, specs[i])
	}
	// Each journalist listens on its own subject, as `nats sub` would.
	type inbox struct {
		mu  sync.Mutex
		got []*bwv1.Alert
		bad []string
	}
	inboxes := make([]*inbox, nSubs)
	for i, c := range subs {
		in := &inbox{}
		inboxes[i] = in
		id := c.ID
		sub, err := w.nats.Conn.Subscribe(AlertSubject(id), func(m *nats.Msg) {
			var a bwv1.Alert
			err := protojson.Unmarshal(m.Data, &a)
			in.mu.Lock()
			defer in.mu.Unlock()
			if err != nil || a.GetSubscriptionId() != id {
				in.bad = append(in.bad, string(m.Data))
				return
			}
			in.got = append(in.got, &a)
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = sub.SetPendingLimits(-1, -1)
	}

	// Store both revisions first, so that every event is matched against
	// the same (final) documents, then announce all 1,000 events. The
	// store commits concurrent writes together: write in parallel.
	events := make([][]byte, 2*nIncidents)
	var g errgroup.Group
	g.SetLimit(64)
	for i := range nIncidents {
		g.Go(func() error {
			inc := syntheticIncident(i)
			v, err := w.store.PutIncident(ctx, inc, store.Version{})
			if err != nil {
				return err
			}
			ev := &bwv1.IncidentEvent{EventId: inc.ID + "@1", Kind: bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_NEW,
				Incident: indexer.IncidentProto(inc), OccurredAt: timestamppb.New(inc.LastUpdated)}
			if events[i], err = proto.Marshal(ev); err != nil {
				return err
			}
			old := *inc.Records.Value
			inc.Revision, inc.Records.Value = 2, new(old+1)
			if _, err := w.store.PutIncident(ctx, inc, v); err != nil {
				return err
			}
			ev = &bwv1.IncidentEvent{EventId: inc.ID + "@2", Kind: bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED,
				Incident: indexer.IncidentProto(inc), OccurredAt: timestamppb.New(inc.LastUpdated),
				Changes: []*bwv1.Change{{Field: "records.value", Kind: bwv1.ChangeKind_CHANGE_KIND_COUNT_REVISED,
					OldValue: strconv.FormatInt(old, 10), NewValue: strconv.FormatInt(old+1, 10)}}}
			events[nIncidents+i], err = proto.Marshal(ev)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}

	// What search says each subscription should hear about.
	want := map[string][]string{}
	total := 0
	for i, c := range subs {
		for _, id := range searchIDs(t, w.store, specs[i].Query) {
			if _, fixture := w.incs[id]; fixture {
				continue // the suite's incidents get no events here
			}
			want[c.ID] = append(want[c.ID], id+"@1")
			if specs[i].Updates {
				want[c.ID] = append(want[c.ID], id+"@2")
			}
		}
		slices.Sort(want[c.ID])
		total += len(want[c.ID])
	}
	if total < 1000 {
		t.Fatalf("only %d expected alerts: the queries are too narrow to test much", total)
	}

	t.Logf("setup done: %d expected alerts (%v)", total, time.Since(start))
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(cctx, w.nats.JS, bus.ConsumerOptions{Stage: bus.StageAlerter, Concurrency: 8, Batch: 64}, w.alert.Handle)
	}()
	for i, b := range events {
		subject := bus.SubjectIncidentsNew
		if i >= nIncidents {
			subject = bus.SubjectIncidentsUpdated
		}
		if _, err := w.nats.Pub.Publish(ctx, subject, fmt.Sprintf("ev-%d", i), b, nil); err != nil {
			t.Fatal(err)
		}
	}
	received := func() int {
		n := 0
		for _, in := range inboxes {
			in.mu.Lock()
			n += len(in.got) + len(in.bad)
			in.mu.Unlock()
		}
		return n
	}
	deadline := time.Now().Add(90 * time.Second)
	for received() < total && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("delivered %d (%v)", received(), time.Since(start))
	time.Sleep(300 * time.Millisecond) // room for a wrong extra alert
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	for i, c := range subs {
		in := inboxes[i]
		if len(in.bad) > 0 {
			t.Fatalf("subscriber %s received alerts that are not its own: %s", c.ID, in.bad[0])
		}
		var got []string
		for _, a := range in.got {
			got = append(got, a.GetIncident().GetId()+"@"+strconv.FormatInt(a.GetIncident().GetRevision(), 10))
		}
		slices.Sort(got)
		if !slices.Equal(got, want[c.ID]) {
			t.Errorf("subscription %d %q: got %d alerts, want %d\n got %v\nwant %v", i, specs[i].Query, len(got), len(want[c.ID]), got, want[c.ID])
		}
	}
	if n := len(w.nats.Messages(t, bus.StreamAlerts)); n != total {
		t.Errorf("%d alerts stored, want %d", n, total)
	}
}
