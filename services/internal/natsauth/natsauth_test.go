package natsauth_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/conf"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"github.com/breachwire/breachwire/services/internal/natsauth"
)

var update = flag.Bool("update", false, "rewrite testdata/ golden files")

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Test values, not anyone's credentials: the bcrypt hash (cost 4) of
// "alice-test-password" and a public key whose seed was thrown away.
const (
	testHash = "$2a$04$XccOPTulATxm6dzbCiKJzOhFnTZ4vpj9QTLtdBBfGxZCFspS9MbI2"
	testNKey = "UDC5IXHT4K33C47I6ICCGFEV7T4DXTDGTI3CZXB2FXDBZQAXD46YKH4D"
)

func TestJournalistsFileGolden(t *testing.T) {
	got, err := natsauth.JournalistsFile([]natsauth.Journalist{
		{User: "alice", PasswordHash: testHash, SubscriptionIDs: []string{"sub_a1", "sub_a2", "sub_a1"}},
		{User: "bob@example.org", NKey: testNKey, SubscriptionIDs: []string{"sub_b"}},
		{User: "carol", PasswordHash: testHash}, // incident events only
	})
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "journalists.conf")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("journalists file differs from %s (go test -update rewrites it):\n%s", golden, got)
	}
	// The server's own parser reads exactly the permissions we meant.
	users := parseUsers(t, got)
	if len(users) != 3 {
		t.Fatalf("%d users parsed, want 3", len(users))
	}
	if users[0]["user"] != "alice" || users[0]["password"] != testHash {
		t.Errorf("alice parsed as %v", users[0])
	}
	if users[1]["nkey"] != testNKey || users[1]["user"] != nil {
		t.Errorf("bob parsed as %v", users[1])
	}
	if got, want := allowed(t, users[0]), []string{"bw.alerts.sub_a1", "bw.alerts.sub_a2", "bw.incidents.>"}; !slices.Equal(got, want) {
		t.Errorf("alice may subscribe to %v, want %v", got, want)
	}
	if got, want := allowed(t, users[2]), []string{"bw.incidents.>"}; !slices.Equal(got, want) {
		t.Errorf("carol may subscribe to %v, want %v", got, want)
	}
}

func TestJournalistUserRejects(t *testing.T) {
	ok := natsauth.Journalist{User: "alice", PasswordHash: testHash, SubscriptionIDs: []string{"sub_a"}}
	with := func(f func(*natsauth.Journalist)) natsauth.Journalist {
		j := ok
		j.SubscriptionIDs = slices.Clone(ok.SubscriptionIDs)
		f(&j)
		return j
	}
	hostileIDs := []string{
		"", "a.b", "*", ">", "sub_a.>", "sub_*", "a b", "a\tb", "a\nb", "a\"b", "a'b", "a\\b",
		"$VAR", "${VAR}", "a]b", "a}b", "a,b", "a#b", "a//b", "SUB_A", "sub-a", "süb", "a\x00b",
		strings.Repeat("a", 129), "sub_a\"] }, subscribe: { allow: [\">",
	}
	cases := map[string]natsauth.Journalist{
		"no user":                  with(func(j *natsauth.Journalist) { j.User = "" }),
		"user with quote":          with(func(j *natsauth.Journalist) { j.User = `al"ice` }),
		"user with newline":        with(func(j *natsauth.Journalist) { j.User = "alice\nuser: x" }),
		"user with space":          with(func(j *natsauth.Journalist) { j.User = "al ice" }),
		"user as variable":         with(func(j *natsauth.Journalist) { j.User = "$HOME" }),
		"service user":             with(func(j *natsauth.Journalist) { j.User = "breachwire" }),
		"service user, other case": with(func(j *natsauth.Journalist) { j.User = "BreachWire" }),
		"no credential":            with(func(j *natsauth.Journalist) { j.PasswordHash = "" }),
		"plain password":           with(func(j *natsauth.Journalist) { j.PasswordHash = "alice-test-password" }),
		"truncated hash":           with(func(j *natsauth.Journalist) { j.PasswordHash = testHash[:40] }),
		"hash with quote":          with(func(j *natsauth.Journalist) { j.PasswordHash = testHash[:59] + `"` }),
		"both hash and nkey":       with(func(j *natsauth.Journalist) { j.NKey = testNKey }),
		"account nkey":             with(func(j *natsauth.Journalist) { j.PasswordHash, j.NKey = "", "A"+testNKey[1:] }),
		"nkey seed":                with(func(j *natsauth.Journalist) { j.PasswordHash, j.NKey = "", "SU"+testNKey[2:] }),
	}
	for _, id := range hostileIDs {
		cases["subscription id "+strings.ReplaceAll(id, "\n", `\n`)] = with(func(j *natsauth.Journalist) {
			j.SubscriptionIDs = append(j.SubscriptionIDs, id)
		})
	}
	for name, j := range cases {
		t.Run(name, func(t *testing.T) {
			out, err := natsauth.JournalistUser(j)
			if !errors.Is(err, natsauth.ErrInvalid) {
				t.Fatalf("accepted (err %v):\n%s", err, out)
			}
			if out != "" {
				t.Errorf("output beside an error: %q", out)
			}
		})
	}
	if _, err := natsauth.JournalistUser(ok); err != nil {
		t.Fatalf("the valid journalist: %v", err)
	}
}

func TestJournalistsFileRejectsDuplicates(t *testing.T) {
	for name, js := range map[string][]natsauth.Journalist{
		"same user": {
			{User: "alice", PasswordHash: testHash},
			{User: "Alice", PasswordHash: testHash},
		},
		"same nkey": {
			{User: "bob", NKey: testNKey},
			{User: "bob2", NKey: testNKey},
		},
	} {
		if _, err := natsauth.JournalistsFile(js); !errors.Is(err, natsauth.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestHashPassword(t *testing.T) {
	h, err := natsauth.HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte("correct horse")); err != nil {
		t.Fatalf("hash does not match its password: %v", err)
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != natsauth.PasswordCost {
		t.Errorf("cost %d, want %d", cost, natsauth.PasswordCost)
	}
	if _, err := natsauth.JournalistUser(natsauth.Journalist{User: "dave", PasswordHash: h}); err != nil {
		t.Errorf("own hash refused: %v", err)
	}
	if _, err := natsauth.HashPassword(""); !errors.Is(err, natsauth.ErrInvalid) {
		t.Errorf("empty password: %v", err)
	}
	if _, err := natsauth.HashPassword(strings.Repeat("x", 73)); err == nil {
		t.Error("a password bcrypt would truncate was hashed")
	}
}

// parseUsers reads a journalists file as the server does.
func parseUsers(t testing.TB, file string) []map[string]any {
	t.Helper()
	m, err := conf.Parse(file)
	if err != nil {
		t.Fatalf("server cannot parse:\n%s\n%v", file, err)
	}
	if len(m) != 1 {
		t.Fatalf("top-level keys %v, want users alone", m)
	}
	list, ok := m["users"].([]any)
	if !ok {
		t.Fatalf("users is %T", m["users"])
	}
	var out []map[string]any
	for _, u := range list {
		um, ok := u.(map[string]any)
		if !ok {
			t.Fatalf("user entry is %T", u)
		}
		out = append(out, um)
	}
	return out
}

// allowed returns a parsed user's subscribe allow list, and checks that it
// may publish nothing.
func allowed(t testing.TB, user map[string]any) []string {
	t.Helper()
	perms, _ := user["permissions"].(map[string]any)
	pub, _ := perms["publish"].(map[string]any)
	if deny, _ := pub["deny"].([]any); len(pub) != 1 || len(deny) != 1 || deny[0] != ">" {
		t.Errorf("publish permissions %v, want deny [>] alone", perms["publish"])
	}
	sub, _ := perms["subscribe"].(map[string]any)
	if len(perms) != 2 || len(sub) != 1 {
		t.Errorf("permissions %v, want publish and subscribe allow alone", perms)
	}
	var out []string
	list, _ := sub["allow"].([]any)
	for _, s := range list {
		str, ok := s.(string)
		if !ok {
			t.Fatalf("subject %v is %T", s, s)
		}
		out = append(out, str)
	}
	return out
}
