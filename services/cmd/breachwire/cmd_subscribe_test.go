package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestSubscribeUsageErrors(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"BREACHWIRE_DATA": data, "BREACHWIRE_HTTP": freeAddr(t)}
	for _, args := range [][]string{
		{"subscribe", "--query", "plusnet", "--nats"},
		{"subscribe", "--name", "n", "--nats"},
		{"subscribe", "--name", "n", "--query", "plusnet"},
		{"subscribe", "--name", "n", "--query", "colour:red", "--atom"},
		{"subscribe", "--name", "n", "--query", "plusnet", "--webhook", "file:///etc/passwd"},
		{"subscribe", "--name", "n", "--query", "plusnet", "--nats", "unquoted", "words"},
		{"subscriptions"},
		{"subscriptions", "bogus"},
		{"subscriptions", "show"},
		{"subscriptions", "list", "extra"},
		{"subscriptions", "nats-user", "--user", "alice", "sub_a"},
		{"subscriptions", "nats-user", "--user", "alice", "--nkey", "UABC", "--password-stdin", "sub_a"},
	} {
		if _, errOut, code := runCLI(t, env, args...); code != 2 || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line", args, code, errOut)
		}
	}
}

func TestSubscriptionsOnTheDataDirectory(t *testing.T) {
	env := map[string]string{"BREACHWIRE_DATA": t.TempDir(), "BREACHWIRE_HTTP": freeAddr(t)}
	out, errOut, code := runCLI(t, env, "subscribe", "--name", "ico fines", "--query", "regulator:ico AND action:monetary_penalty", "--nats", "--updates")
	if code != 0 || !strings.Contains(out, `"token": "bwt_`) || !strings.Contains(out, `"secret": "whsec_`) || !strings.Contains(out, `"subject": "bw.alerts.sub_`) {
		t.Fatalf("subscribe: %d %s %s", code, out, errOut)
	}
	out, _, code = runCLI(t, env, "subscriptions", "list")
	if code != 0 || !strings.Contains(out, "ico fines") || !strings.Contains(out, "nats") || strings.Contains(out, "whsec_") {
		t.Fatalf("list: %d %s", code, out)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if out, _, code := runCLI(t, env, "subscriptions", "show", id); code != 0 || !strings.Contains(out, `"updates": true`) {
		t.Errorf("show: %d %s", code, out)
	}
	if _, _, code := runCLI(t, env, "subscriptions", "delete", id); code != 0 {
		t.Errorf("delete: %d", code)
	}
	if _, errOut, code := runCLI(t, env, "subscriptions", "show", id); code != 1 || !strings.Contains(errOut, "no such subscription") {
		t.Errorf("show deleted: %d %s", code, errOut)
	}
}

func TestNATSUserEntry(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(t.Context(), []string{"subscriptions", "nats-user", "--user", "alice", "--password-stdin", "sub_aaaa", "sub_bbbb"},
		strings.NewReader("correct horse\n"), &out, &errb, func(string) string { return "" })
	if code := exitCode(err, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	entry := out.String()
	for _, want := range []string{"alice", "$2", "bw.alerts.sub_aaaa", "bw.alerts.sub_bbbb", "bw.incidents.>"} {
		if !strings.Contains(entry, want) {
			t.Errorf("entry lacks %q:\n%s", want, entry)
		}
	}
	if strings.Contains(entry, "correct horse") {
		t.Error("the password itself is in the entry")
	}
	for _, id := range []string{"sub.>", "*", "sub_a b", `sub_"`} {
		err := run(t.Context(), []string{"subscriptions", "nats-user", "--user", "alice", "--password-stdin", id},
			strings.NewReader("pw\n"), &out, &errb, func(string) string { return "" })
		if code := exitCode(err, &errb); code != 2 {
			t.Errorf("id %q: exit %d", id, code)
		}
	}
}
