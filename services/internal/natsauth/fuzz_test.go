package natsauth_test

import (
	"slices"
	"testing"

	"github.com/breachwire/breachwire/services/internal/natsauth"
)

// FuzzJournalistUser checks that whatever user name and subscription id come
// in, an entry is either refused or read back by the server's parser as
// exactly that user, allowed exactly that alert subject and incident events.
func FuzzJournalistUser(f *testing.F) {
	for _, seed := range [][2]string{
		{"alice", "sub_a"},
		{"bob@example.org", "sub_0123456789abcdef"},
		{"alice", "a.b"},
		{"alice", ">"},
		{"alice", "*"},
		{"alice", `a"] }, subscribe: { allow: [">`},
		{"alice\"\nuser: x", "sub_a"},
		{"$HOME", "$HOME"},
		{"a\\", "b\\"},
		{"a b", "c d"},
		{"alice", "a\u2028b"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, user, id string) {
		for _, cred := range []natsauth.Journalist{{PasswordHash: testHash}, {NKey: testNKey}} {
			j := cred
			j.User, j.SubscriptionIDs = user, []string{id}
			file, err := natsauth.JournalistsFile([]natsauth.Journalist{j})
			if err != nil {
				if natsauth.ValidSubscriptionID(id) == nil && j.Validate() == nil {
					t.Fatalf("valid journalist refused: %v", err)
				}
				continue
			}
			users := parseUsers(t, file)
			if len(users) != 1 {
				t.Fatalf("%d users parsed from\n%s", len(users), file)
			}
			if j.NKey == "" && users[0]["user"] != user {
				t.Fatalf("user parsed as %q, want %q", users[0]["user"], user)
			}
			if got, want := allowed(t, users[0]), []string{"bw.alerts." + id, "bw.incidents.>"}; !slices.Equal(got, want) {
				t.Fatalf("allowed %q, want %q, from\n%s", got, want, file)
			}
		}
	})
}
