package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/breachwire/breachwire/services/feeder"
	"github.com/breachwire/breachwire/services/internal/bus"
)

type opsData struct {
	Feeds      []feeder.Status
	FeedsError string
	Stages     []dlqStage
	DLQError   string
	Replayed   string
	Counters   []counter
	Now        time.Time
}

type dlqStage struct {
	Stage   string
	Letters []bus.DeadLetter
}

// counter is one of the pipeline's Prometheus counters, added up over its
// labels, with the labels' own values.
type counter struct {
	Name, Help string
	Total      float64
	Series     []series
}

type series struct {
	Labels string
	Value  float64
}

func (u *ui) ops(w http.ResponseWriter, r *http.Request) {
	d := opsData{Now: time.Now(), Replayed: r.URL.Query().Get("replayed")}
	if u.s.o.Feeds != nil {
		st, err := u.s.o.Feeds.Statuses(r.Context(), d.Now)
		if err != nil {
			d.FeedsError = "The feeds could not be read: " + err.Error()
		}
		d.Feeds = st
	}
	if u.s.o.DLQ != nil {
		dls, err := u.s.o.DLQ.List(r.Context(), "", 200)
		if err != nil {
			d.DLQError = "The dead letters could not be read: " + err.Error()
		}
		for _, dl := range dls {
			i := slices.IndexFunc(d.Stages, func(s dlqStage) bool { return s.Stage == dl.Stage })
			if i < 0 {
				d.Stages = append(d.Stages, dlqStage{Stage: dl.Stage})
				i = len(d.Stages) - 1
			}
			d.Stages[i].Letters = append(d.Stages[i].Letters, dl)
		}
	}
	d.Counters = u.counters()
	u.render(w, r, http.StatusOK, "ops", page{Title: "Operations", Nav: "ops", Data: d})
}

// counters reads breachwire's own counters from the metrics registry.
func (u *ui) counters() []counter {
	if u.s.o.Gatherer == nil {
		return nil
	}
	fams, err := u.s.o.Gatherer.Gather()
	if err != nil {
		u.s.o.Logger.Warn("ui: metrics not gathered", "err", err)
	}
	var out []counter
	for _, f := range fams {
		if f.GetType() != dto.MetricType_COUNTER || !strings.HasPrefix(f.GetName(), "breachwire_") {
			continue
		}
		c := counter{Name: f.GetName(), Help: f.GetHelp()}
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			v := m.GetCounter().GetValue()
			c.Total += v
			if len(labels) > 0 {
				c.Series = append(c.Series, series{Labels: strings.Join(labels, " "), Value: v})
			}
		}
		out = append(out, c)
	}
	return out
}

// dlqReplay puts dead letters back on their stage's subject: one (seq),
// or every letter of a stage.
func (u *ui) dlqReplay(w http.ResponseWriter, r *http.Request) {
	stage := r.PostForm.Get("stage")
	var seqs []uint64
	if v := r.PostForm.Get("seq"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			u.fail(w, r, http.StatusBadRequest, "seq: want a number")
			return
		}
		seqs = []uint64{n}
	}
	if stage == "" || u.s.o.DLQ == nil {
		u.fail(w, r, http.StatusBadRequest, "replay needs a stage")
		return
	}
	n, err := u.s.o.DLQ.Replay(r.Context(), stage, seqs)
	if err != nil {
		u.s.o.Logger.Error("ui dlq replay failed", "stage", stage, "err", err)
		u.fail(w, r, http.StatusServiceUnavailable, "the replay failed: "+err.Error())
		return
	}
	u.s.o.Logger.Info("dlq replayed", "stage", stage, "messages", n, "via", "ui")
	http.Redirect(w, r, "/ops?replayed="+strconv.Itoa(n), http.StatusSeeOther)
}
