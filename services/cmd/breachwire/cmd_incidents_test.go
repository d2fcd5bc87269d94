package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bwv1 "github.com/breachwire/breachwire/proto/breachwire/v1"
	"github.com/breachwire/breachwire/services/indexer"
	"github.com/breachwire/breachwire/services/internal/app"
	"github.com/breachwire/breachwire/services/internal/bus"
	"github.com/breachwire/breachwire/services/internal/config"
	"github.com/breachwire/breachwire/services/web"
)

// seedCurationData indexes three articles about one made-up breach into
// the data directory's store, one misdated so that the indexer makes two
// incidents, and returns the article → incident map.
func seedCurationData(t *testing.T, data string) map[string]string {
	t.Helper()
	cfg := config.Default()
	cfg.Data = data
	conn, err := app.OpenNATS(t.Context(), &cfg, data, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	st, err := app.OpenStore(t.Context(), &cfg, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = st.Close() }()
	h := &indexer.Handler{Store: st, Pub: bus.NewPublisher(conn.JS)}
	at := time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC)
	for i, year := range []int{2024, 2023, 2024} {
		id := "cli-" + string(rune('a'+i))
		x := &bwv1.Extraction{ArticleId: id, ExtractorVersion: "rules/test", IsBreach: true,
			Organisation: &bwv1.OrganisationFact{Name: "Quillfield Housing Association"},
			Cause:        &bwv1.CauseFact{Primary: bwv1.Cause_CAUSE_MALWARE_RANSOMWARE},
			IncidentDate: &bwv1.DateFact{Date: time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")},
			Article:      &bwv1.Article{Id: id, Url: "https://news.example.test/" + id, Title: "Story " + id, PublishedAt: timestamppb.New(at.AddDate(0, 0, i))}}
		b, _ := proto.Marshal(x)
		if err := h.Handle(t.Context(), &bus.Message{Data: b, Deliveries: 1}); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]string{}
	for _, id := range []string{"cli-a", "cli-b", "cli-c"} {
		a, err := st.GetArticle(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = a.IncidentID
	}
	if out["cli-a"] == out["cli-b"] || out["cli-a"] != out["cli-c"] {
		t.Fatalf("fixture: %v", out)
	}
	return out
}

func TestIncidentsMergeAndSplitCommands(t *testing.T) {
	data := t.TempDir()
	inc := seedCurationData(t, data)
	env := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": "", "USER": "erin"}

	// Usage errors name what is missing.
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"incidents", "merge", inc["cli-a"], inc["cli-b"]}, "--why"},
		{[]string{"incidents", "merge", inc["cli-a"], "--why", "x"}, "two or more"},
		{[]string{"incidents", "split", inc["cli-a"], "--why", "x"}, "--articles"},
		{[]string{"incidents", "rename", "x"}, "unknown incidents subcommand"},
	} {
		if _, stderr, code := runCLI(t, env, tc.args...); code != 2 || !strings.Contains(stderr, tc.says) {
			t.Errorf("%v: %d %q, want usage error saying %q", tc.args, code, stderr, tc.says)
		}
	}

	// No instance: the command works on the data directory.
	out, stderr, code := runCLI(t, env, "incidents", "merge", inc["cli-a"], inc["cli-b"], "--why", "the 2023 date is a typo")
	if code != 0 {
		t.Fatalf("merge: %d %s", code, stderr)
	}
	var merged web.CurationResult
	if err := json.Unmarshal([]byte(out), &merged); err != nil || merged.Incident == nil {
		t.Fatalf("merge output: %v %s", err, out)
	}
	if len(merged.Incident.Sources) != 3 || len(merged.Incident.Curation) != 1 || merged.Incident.Curation[0].By != "erin" ||
		merged.Incident.Curation[0].Why != "the 2023 date is a typo" {
		t.Errorf("merged incident %+v", merged.Incident)
	}
	// An error from the store is an error of the command, not a silent success.
	if _, stderr, code := runCLI(t, env, "incidents", "merge", inc["cli-a"], inc["cli-b"], "--why", "again"); code != 1 || !strings.Contains(stderr, "not found") {
		t.Errorf("merge of a merged-away incident: %d %q", code, stderr)
	}

	// With an instance running, the command goes through its API.
	cfg := config.Default()
	cfg.Data = data
	cfg.Stages = []string{"feeder"}
	base := startInstance(t, cfg)
	srvEnv := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_SERVER": base}
	out, stderr, code = runCLI(t, srvEnv, "incidents", "split", inc["cli-a"], "--articles", "cli-c", "--by", "frank", "--why", "cli-c is a second attack")
	if code != 0 {
		t.Fatalf("split: %d %s", code, stderr)
	}
	var split web.CurationResult
	if err := json.Unmarshal([]byte(out), &split); err != nil || split.Split == nil {
		t.Fatalf("split output: %v %s", err, out)
	}
	if len(split.Incident.Sources) != 2 || len(split.Split.Sources) != 1 || split.Split.Curation[0].By != "frank" {
		t.Errorf("split: %+v / %+v", split.Incident, split.Split)
	}
	out, _, code = runCLI(t, srvEnv, "incidents", "show", split.Split.ID)
	if code != 0 || !strings.Contains(out, `"cli-c"`) || !strings.Contains(out, `"action": "split"`) {
		t.Errorf("show of the split-off incident: %d %s", code, out)
	}
}
