package alerter

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/testenv"
	"github.com/breachwire/breachwire/services/store"
	"github.com/breachwire/breachwire/services/store/bleve"
	"github.com/breachwire/breachwire/services/store/query"
	"github.com/breachwire/breachwire/services/store/storetest"
)

// world is a NATS server with the topology, a Bleve store holding the
// conformance suite's twelve incidents, the registry and the alerter.
type world struct {
	nats  *testenv.NATS
	store store.Store
	reg   *Registry
	index *Index
	alert *Alerter
	incs  map[string]*store.Incident
}

func newWorld(t *testing.T) *world {
	t.Helper()
	n := testenv.StartNATS(t)
	st, err := bleve.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	w := &world{nats: n, store: st, incs: map[string]*store.Incident{}}
	for _, inc := range storetest.Incidents() {
		inc.Revision = 1
		if _, err := st.PutIncident(t.Context(), inc, store.Version{}); err != nil {
			t.Fatal(err)
		}
		w.incs[inc.ID] = inc
	}
	if w.reg, err = OpenRegistry(t.Context(), n.JS); err != nil {
		t.Fatal(err)
	}
	if w.index, err = OpenIndex(t.Context(), n.JS, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.index.Close)
	if w.alert, err = New(t.Context(), n.JS, st, w.index, nil); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) subscribe(t *testing.T, sp Spec) Created {
	t.Helper()
	c, err := w.reg.Create(t.Context(), sp)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// event is the indexer's announcement of the stored incident id.
func (w *world) event(t *testing.T, id string, changes ...*bwv1.Change) *bus.Message {
	t.Helper()
	inc, _, err := w.store.GetIncident(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	kind := bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_NEW
	if inc.Revision > 1 {
		kind = bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED
	}
	ev := &bwv1.IncidentEvent{
		EventId: inc.ID + "@" + strconv.FormatInt(inc.Revision, 10), Kind: kind,
		Incident: indexer.IncidentProto(inc), Changes: changes, OccurredAt: timestamppb.New(inc.LastUpdated),
	}
	b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(ev) // as the indexer publishes it
	if err != nil {
		t.Fatal(err)
	}
	return &bus.Message{Subject: bus.SubjectIncidentsNew, Data: b, Deliveries: 1}
}

// revise stores a new revision of incident id with a new headline count.
func (w *world) revise(t *testing.T, id string, records int64) {
	t.Helper()
	inc, v, err := w.store.GetIncident(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	inc.Revision++
	inc.Records.Value = &records
	if _, err := w.store.PutIncident(t.Context(), inc, v); err != nil {
		t.Fatal(err)
	}
}

// alerts returns what was published on bw.alerts.*, decoded, in order.
func (w *world) alerts(t *testing.T) []*bwv1.Alert {
	t.Helper()
	var out []*bwv1.Alert
	for _, m := range w.nats.Messages(t, bus.StreamAlerts) {
		var a bwv1.Alert
		if err := protojson.Unmarshal(m.Data, &a); err != nil {
			t.Fatalf("alert on %s is not protojson: %v\n%s", m.Subject, err, m.Data)
		}
		if m.Subject != logSubject(a.GetSubscriptionId()) {
			t.Fatalf("alert for %s published on %s", a.GetSubscriptionId(), m.Subject)
		}
		out = append(out, &a)
	}
	return out
}

func alertKeys(as []*bwv1.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.GetSubscriptionId()+" "+a.GetIncident().GetId()+"@"+strconv.FormatInt(a.GetIncident().GetRevision(), 10))
	}
	slices.Sort(out)
	return out
}

func TestAlertsGoToMatchingSubscriptionsOnly(t *testing.T) {
	w := newWorld(t)
	ico := w.subscribe(t, Spec{Name: "ico", Query: "regulator:ico AND records:>1000", NATS: true})
	plus := w.subscribe(t, Spec{Name: "plusnet", Query: "organisation:plusnet", Atom: true, Updates: true})
	none := w.subscribe(t, Spec{Name: "none", Query: "organisation:nobody", NATS: true})
	for _, id := range []string{"inc-01", "inc-02", "inc-04", "inc-06"} {
		if err := w.alert.Handle(t.Context(), w.event(t, id)); err != nil {
			t.Fatal(err)
		}
	}
	got := alertKeys(w.alerts(t))
	want := []string{
		ico.ID + " inc-01@1", ico.ID + " inc-04@1", // inc-02 has no regulator, inc-06 is HHS OCR
		plus.ID + " inc-01@1", plus.ID + " inc-02@1",
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("alerts %v\nwant %v", got, want)
	}
	for _, a := range w.alerts(t) {
		if a.GetSubscriptionId() == none.ID {
			t.Errorf("alert for a subscription that matches nothing")
		}
		if a.GetKind() != bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_NEW || a.GetEventId() == "" || a.GetAlertId() == "" {
			t.Errorf("alert fields: %v", a)
		}
		if a.GetSubscriptionName() == "" || a.GetIncident().GetOrganisation().GetName() == "" {
			t.Errorf("alert without names: %v", a)
		}
	}
}

func TestAlertMatchingAgreesWithSearch(t *testing.T) {
	w := newWorld(t)
	queries := []string{
		"plusnet", `"life planning"`, "organisation:co-operative", "cause:hacking", `regulator:"hhs ocr"`,
		"records:>=1200 AND NOT jurisdiction:gb", "year:<2015 OR data_type:health", "first_reported:2018-11-02",
		"NOT records:>1000", "outlet:reuters", "zürich", "(cause:hacking OR cause:phishing) AND jurisdiction:gb",
	}
	subs := map[string]string{} // subscription id → query
	for _, q := range queries {
		subs[w.subscribe(t, Spec{Name: q, Query: q, NATS: true}).ID] = q
	}
	for id := range w.incs {
		if err := w.alert.Handle(t.Context(), w.event(t, id)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string][]string{}
	for _, a := range w.alerts(t) {
		got[a.GetSubscriptionId()] = append(got[a.GetSubscriptionId()], a.GetIncident().GetId())
	}
	for sub, q := range subs {
		want := searchIDs(t, w.store, q)
		g := got[sub]
		slices.Sort(g)
		if !slices.Equal(g, want) {
			t.Errorf("%q: alerted %v, search finds %v", q, g, want)
		}
	}
}

func TestUpdatesOnlyForSubscriptionsThatAskedForThem(t *testing.T) {
	w := newWorld(t)
	newOnly := w.subscribe(t, Spec{Name: "new only", Query: "organisation:mumsnet", NATS: true})
	updates := w.subscribe(t, Spec{Name: "with updates", Query: "organisation:mumsnet", NATS: true, Updates: true})
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-05")); err != nil {
		t.Fatal(err)
	}
	w.revise(t, "inc-05", 5000)
	change := &bwv1.Change{Field: "records.value", Kind: bwv1.ChangeKind_CHANGE_KIND_COUNT_REVISED, OldValue: "4000", NewValue: "5000"}
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-05", change)); err != nil {
		t.Fatal(err)
	}
	got := alertKeys(w.alerts(t))
	want := []string{newOnly.ID + " inc-05@1", updates.ID + " inc-05@1", updates.ID + " inc-05@2"}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("alerts %v\nwant %v", got, want)
	}
	for _, a := range w.alerts(t) {
		if a.GetIncident().GetRevision() == 2 {
			if a.GetKind() != bwv1.IncidentEventKind_INCIDENT_EVENT_KIND_UPDATED || len(a.GetChanges()) != 1 ||
				a.GetChanges()[0].GetNewValue() != "5000" {
				t.Errorf("update alert: %v", a)
			}
		}
	}
}

func TestReplayedEventsAlertOnce(t *testing.T) {
	w := newWorld(t)
	w.subscribe(t, Spec{Name: "all", Query: "cause:hacking", NATS: true})
	for range 3 {
		for _, id := range []string{"inc-06", "inc-07"} {
			if err := w.alert.Handle(t.Context(), w.event(t, id)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := len(w.alerts(t)); n != 2 {
		t.Fatalf("%d alerts after three replays of two events, want 2", n)
	}
	// Beyond the stream's duplicate window only the delivery record stops
	// a repeat: remove the stored alerts and replay once more.
	st, err := w.nats.JS.Stream(t.Context(), bus.StreamAlerts)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Purge(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := w.alert.Handle(t.Context(), w.event(t, "inc-06")); err != nil {
		t.Fatal(err)
	}
	if n := len(w.alerts(t)); n != 0 {
		t.Fatalf("a replay after the duplicate window published %d alerts", n)
	}
}

func TestSubscriptionCreatedJustBeforeAnEventIsMatched(t *testing.T) {
	w := newWorld(t)
	for i := range 20 {
		c := w.subscribe(t, Spec{Name: "s", Query: "organisation:equifax", NATS: true})
		if err := w.alert.Handle(t.Context(), w.event(t, "inc-08")); err != nil {
			t.Fatal(err)
		}
		if n := len(w.alerts(t)); n != i+1 {
			t.Fatalf("after subscription %d (%s): %d alerts", i+1, c.ID, n)
		}
	}
}

func TestBadEvents(t *testing.T) {
	w := newWorld(t)
	w.subscribe(t, Spec{Name: "all", Query: "plusnet", NATS: true})
	good := w.event(t, "inc-01")
	var ev bwv1.IncidentEvent
	if err := protojson.Unmarshal(good.Data, &ev); err != nil {
		t.Fatal(err)
	}
	enc := func(mod func(*bwv1.IncidentEvent)) []byte {
		e := proto.Clone(&ev).(*bwv1.IncidentEvent)
		mod(e)
		b, _ := proto.Marshal(e)
		return b
	}
	permanent := map[string][]byte{
		"garbage":     []byte("\xff\xfe not protobuf"),
		"bad JSON":    []byte(`{"incident": `),
		"no incident": enc(func(e *bwv1.IncidentEvent) { e.Incident = nil }),
		"no kind":     enc(func(e *bwv1.IncidentEvent) { e.Kind = 0 }),
		"revision 0":  enc(func(e *bwv1.IncidentEvent) { e.Incident.Revision = 0 }),
	}
	for name, data := range permanent {
		err := w.alert.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1})
		if !bus.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", name, err)
		}
	}
	// The store is behind the event, or lost the incident: retry later.
	transient := map[string][]byte{
		"store behind": enc(func(e *bwv1.IncidentEvent) { e.Incident.Revision = 7 }),
		"not stored":   enc(func(e *bwv1.IncidentEvent) { e.Incident.Id = "inc-99" }),
	}
	for name, data := range transient {
		err := w.alert.Handle(t.Context(), &bus.Message{Data: data, Deliveries: 1})
		if err == nil || bus.IsPermanent(err) {
			t.Errorf("%s: %v, want a retryable error", name, err)
		}
	}
	if n := len(w.alerts(t)); n != 0 {
		t.Fatalf("bad events published %d alerts", n)
	}
}

func TestStoreDownIsRetried(t *testing.T) {
	w := newWorld(t)
	w.subscribe(t, Spec{Name: "all", Query: "plusnet", NATS: true})
	msg := w.event(t, "inc-01")
	if err := w.store.Close(); err != nil {
		t.Fatal(err)
	}
	err := w.alert.Handle(t.Context(), msg)
	if err == nil || bus.IsPermanent(err) {
		t.Fatalf("closed store: %v, want a retryable error", err)
	}
}

func TestAlertsEndToEndThroughTheConsumer(t *testing.T) {
	w := newWorld(t)
	c := w.subscribe(t, Spec{Name: "hhs", Query: `regulator:"HHS OCR"`, NATS: true})
	// A journalist's plain NATS subscription sees the JSON alerts.
	sub, err := w.nats.Conn.SubscribeSync(AlertSubject(c.ID))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- bus.Consume(ctx, w.nats.JS, bus.ConsumerOptions{Stage: bus.StageAlerter}, w.alert.Handle)
	}()
	for _, id := range []string{"inc-05", "inc-06", "inc-07"} {
		m := w.event(t, id)
		if _, err := w.nats.Pub.Publish(t.Context(), bus.SubjectIncidentsNew, "incident:"+id+"@1", m.Data, nil); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for range 2 {
		m, err := sub.NextMsg(10 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		var a bwv1.Alert
		if err := protojson.Unmarshal(m.Data, &a); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(m.Data), `"subscription_id"`) {
			t.Errorf("alert JSON does not use the proto field names: %s", m.Data)
		}
		got = append(got, a.GetIncident().GetId())
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"inc-06", "inc-07"}) {
		t.Fatalf("NATS subscriber got %v", got)
	}
	if m, err := sub.NextMsg(300 * time.Millisecond); err == nil {
		t.Fatalf("unexpected third alert: %s", m.Data)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRegistry(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	c := w.subscribe(t, Spec{Name: " Mumsnet watch ", Query: "organisation:mumsnet", Atom: true, Webhook: "https://hooks.example/x?k=1"})
	if !validID(c.ID) || !validToken(c.Token) || !strings.HasPrefix(c.Secret, "whsec_") || c.AtomPath != "/feeds/"+c.Token+".atom" {
		t.Fatalf("created %+v", c)
	}
	s, err := w.reg.Get(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Mumsnet watch" || s.Secret != c.Secret || s.TokenHash != HashToken(c.Token) || strings.Contains(string(mustJSON(t, s.View())), c.Secret) {
		t.Fatalf("stored %+v", s)
	}
	if got, err := w.reg.ByToken(ctx, c.Token); err != nil || got.ID != c.ID {
		t.Fatalf("by token: %v %v", got, err)
	}
	other := w.subscribe(t, Spec{Name: "other", Query: "plusnet", NATS: true})
	near := []byte(other.Token)
	near[len(near)-1] = map[bool]byte{true: 'b', false: 'a'}[near[len(near)-1] == 'a']
	for _, bad := range []string{"", "bwt_", c.Token + "a", strings.ToUpper(c.Token), string(near), "../" + c.Token} {
		if got, err := w.reg.ByToken(ctx, bad); !errors.Is(err, ErrNotFound) || got != nil {
			t.Errorf("token %q: %v %v", bad, got, err)
		}
	}
	list, err := w.reg.List(ctx)
	if err != nil || len(list) != 2 || list[0].ID != c.ID {
		t.Fatalf("list: %v %v", list, err)
	}
	if _, err := w.reg.Delete(ctx, c.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Get(ctx, c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if _, err := w.reg.ByToken(ctx, c.Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("token after delete: %v", err)
	}
	if _, err := w.reg.Delete(ctx, c.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if err := w.index.Sync(ctx); err != nil || w.index.Len() != 1 {
		t.Fatalf("index after delete: %d subscriptions, %v", w.index.Len(), err)
	}
}

func TestSpecValidation(t *testing.T) {
	bad := map[string]Spec{
		"no name":         {Query: "x", NATS: true},
		"no query":        {Name: "n", NATS: true},
		"bad query":       {Name: "n", Query: "cause:(", NATS: true},
		"unknown field":   {Name: "n", Query: "colour:red", NATS: true},
		"no delivery":     {Name: "n", Query: "x"},
		"ftp webhook":     {Name: "n", Query: "x", Webhook: "ftp://example.org/"},
		"relative hook":   {Name: "n", Query: "x", Webhook: "/hook"},
		"credentials":     {Name: "n", Query: "x", Webhook: "https://user:pw@example.org/"},
		"long name":       {Name: strings.Repeat("n", 201), Query: "x", NATS: true},
		"invalid UTF-8":   {Name: "\xff", Query: "x", NATS: true},
		"long query":      {Name: "n", Query: strings.Repeat("a ", 3000), NATS: true},
		"whitespace name": {Name: "  ", Query: "x", NATS: true},
		"date too early":  {Name: "n", Query: "first_reported:<1600", NATS: true},
	}
	for name, sp := range bad {
		if _, err := sp.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if _, err := (Spec{Name: "n", Query: "cause:third_party", Webhook: "http://127.0.0.1:9/x"}).Validate(); err != nil {
		t.Errorf("a loopback webhook is refused at delivery, not here: %v", err)
	}
}

// searchIDs is what the store's search finds for q, sorted.
func searchIDs(t *testing.T, st store.Store, q string) []string {
	t.Helper()
	n, err := query.Parse(q)
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.Search(t.Context(), query.Request{Query: n, Size: query.MaxSize})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, inc := range res.Incidents {
		out = append(out, inc.ID)
	}
	slices.Sort(out)
	return out
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A publish repeated after a lost delivery record (a crash between the two)
// is dropped by the stream's duplicate window, and the subscriber's plain
// NATS subscription, fed by the stream's republish, sees the alert once.
func TestRepeatedPublishReachesSubscribersOnce(t *testing.T) {
	w := newWorld(t)
	c := w.subscribe(t, Spec{Name: "equifax", Query: "organisation:equifax", NATS: true})
	sub, err := w.nats.Conn.SubscribeSync(AlertSubject(c.ID))
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.alert.Handle(t.Context(), w.event(t, "inc-08")); err != nil {
			t.Fatal(err)
		}
		if err := w.alert.sent.Purge(t.Context(), AlertID(c.ID, "inc-08", 1)); err != nil {
			t.Fatal(err)
		}
	}
	m, err := sub.NextMsg(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(m.Data), `"inc-08"`) {
		t.Fatalf("alert %s", m.Data)
	}
	if m, err := sub.NextMsg(300 * time.Millisecond); err == nil {
		t.Fatalf("the repeated publish reached the subscriber: %s", m.Data)
	}
	if n := len(w.alerts(t)); n != 1 {
		t.Fatalf("%d alerts stored", n)
	}
}

// Events in the binary form earlier versions published are still read.
func TestBinaryIncidentEvents(t *testing.T) {
	w := newWorld(t)
	w.subscribe(t, Spec{Name: "plusnet", Query: "plusnet", NATS: true})
	var ev bwv1.IncidentEvent
	if err := protojson.Unmarshal(w.event(t, "inc-01").Data, &ev); err != nil {
		t.Fatal(err)
	}
	b, err := proto.Marshal(&ev)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.alert.Handle(t.Context(), &bus.Message{Data: b, Deliveries: 1}); err != nil {
		t.Fatal(err)
	}
	if n := len(w.alerts(t)); n != 1 {
		t.Fatalf("%d alerts from a binary event", n)
	}
}

// When the bucket watch ends under the index (a lost connection), it
// watches again, reloads every subscription, and catches up.
func TestIndexWatchesAgain(t *testing.T) {
	defer func(d time.Duration) { rewatchDelay = d }(rewatchDelay)
	rewatchDelay = 10 * time.Millisecond
	w := newWorld(t)
	before := w.subscribe(t, Spec{Name: "before", Query: "plusnet", NATS: true})
	if err := w.index.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.index.mu.RLock()
	watcher := w.index.watcher
	w.index.mu.RUnlock()
	if err := watcher.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Delete(t.Context(), before.ID); err != nil {
		t.Fatal(err)
	}
	after := w.subscribe(t, Spec{Name: "after", Query: "mumsnet", NATS: true})
	if err := w.index.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.index.Get(after.ID); !ok {
		t.Error("a subscription created while the watch was down is missing")
	}
	if _, ok := w.index.Get(before.ID); ok {
		t.Error("a subscription deleted while the watch was down is still there")
	}
	if w.index.Len() != 1 {
		t.Errorf("%d subscriptions, want 1", w.index.Len())
	}
}
