// Package natsauth writes the NATS users of journalists for deploy/nats/: each
// may read its own alert subjects and incident events, and publish nothing.
package natsauth

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"

	"github.com/breachwire/breachwire/services/internal/bus"
)

// ServiceUser is the breachwire process's own user in deploy/nats/; no
// journalist may take its name.
const ServiceUser = "breachwire"

// PasswordCost is the bcrypt cost of HashPassword, the one `nats server
// passwd` uses.
const PasswordCost = 11

// Journalist is one journalist's NATS user. It logs in either with User and
// the password behind PasswordHash, or with the nkey seed behind NKey.
type Journalist struct {
	// User names the journalist: the login name of a password user, and a
	// comment beside an nkey user (NATS nkey users have no name).
	User string
	// PasswordHash is a bcrypt hash (HashPassword), never a password.
	PasswordHash string
	// NKey is a public user nkey ("U..."), instead of a password.
	NKey string
	// SubscriptionIDs are the alert subscriptions whose bw.alerts.<id>
	// subjects the journalist may read.
	SubscriptionIDs []string
}

// ErrInvalid marks input that cannot become a user entry.
var ErrInvalid = errors.New("invalid journalist")

var (
	// Subscription ids become subject tokens: no dots, wildcards or space.
	subscriptionIDPattern = regexp.MustCompile(`^[a-z0-9_]{1,128}$`)
	userPattern           = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)
	// A complete bcrypt hash; its alphabet needs no quoting in NATS config.
	bcryptPattern = regexp.MustCompile(`^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$`)
)

// ValidSubscriptionID reports why id cannot name an alert subject, or nil.
func ValidSubscriptionID(id string) error {
	if !subscriptionIDPattern.MatchString(id) {
		return fmt.Errorf("%w: subscription id %q: want 1 to 128 of a-z, 0-9 and _", ErrInvalid, id)
	}
	return nil
}

// HashPassword returns the bcrypt hash of password for a user entry.
func HashPassword(password string) (string, error) {
	if password == "" {
		return "", fmt.Errorf("%w: empty password", ErrInvalid)
	}
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// Subjects are the subjects j may subscribe to: its alerts, then incident events.
func (j Journalist) Subjects() []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range j.SubscriptionIDs {
		if !seen[id] {
			seen[id] = true
			out = append(out, bus.SubjectAlertsPrefix+id)
		}
	}
	return append(out, bus.SubjectIncidentsAll)
}

// Validate reports why j cannot become a user entry, or nil.
func (j Journalist) Validate() error {
	if !userPattern.MatchString(j.User) {
		return fmt.Errorf("%w: user %q: want 1 to 64 of A-Z, a-z, 0-9 and ._@- starting with a letter or digit", ErrInvalid, j.User)
	}
	if strings.EqualFold(j.User, ServiceUser) {
		return fmt.Errorf("%w: user %q is the service's own", ErrInvalid, j.User)
	}
	switch {
	case j.PasswordHash != "" && j.NKey != "":
		return fmt.Errorf("%w: user %s: a password hash or an nkey, not both", ErrInvalid, j.User)
	case j.PasswordHash != "":
		if !bcryptPattern.MatchString(j.PasswordHash) {
			return fmt.Errorf("%w: user %s: password hash is not a bcrypt hash (never give the password itself)", ErrInvalid, j.User)
		}
		if _, err := bcrypt.Cost([]byte(j.PasswordHash)); err != nil {
			return fmt.Errorf("%w: user %s: password hash: %v", ErrInvalid, j.User, err)
		}
	case j.NKey != "":
		if !nkeys.IsValidPublicUserKey(j.NKey) {
			return fmt.Errorf("%w: user %s: %q is not a public user nkey", ErrInvalid, j.User, j.NKey)
		}
	default:
		return fmt.Errorf("%w: user %s: no password hash and no nkey", ErrInvalid, j.User)
	}
	for _, id := range j.SubscriptionIDs {
		if err := ValidSubscriptionID(id); err != nil {
			return fmt.Errorf("user %s: %w", j.User, err)
		}
	}
	return nil
}

// JournalistUser renders j as one entry of the users list in
// deploy/nats/journalists.conf.
func JournalistUser(j Journalist) (string, error) {
	if err := j.Validate(); err != nil {
		return "", err
	}
	// Every value is quoted, and Validate admits no character that a quoted
	// NATS config string would read as an escape, a variable or its end.
	var b strings.Builder
	b.WriteString("  {\n")
	if j.NKey != "" {
		fmt.Fprintf(&b, "    # %s\n", j.User)
		fmt.Fprintf(&b, "    nkey: %q\n", j.NKey)
	} else {
		fmt.Fprintf(&b, "    user: %q\n", j.User)
		fmt.Fprintf(&b, "    password: %q\n", j.PasswordHash)
	}
	subjects := j.Subjects()
	quoted := make([]string, len(subjects))
	for i, s := range subjects {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	b.WriteString("    permissions: {\n")
	b.WriteString("      publish: { deny: [\">\"] }\n")
	fmt.Fprintf(&b, "      subscribe: { allow: [%s] }\n", strings.Join(quoted, ", "))
	b.WriteString("    }\n")
	b.WriteString("  }\n")
	return b.String(), nil
}

// JournalistsFile renders a whole deploy/nats/journalists.conf.
func JournalistsFile(js []Journalist) (string, error) {
	var b strings.Builder
	b.WriteString("# Journalists' NATS users, included into the JOURNALISTS account of\n")
	b.WriteString("# nats-server.conf. Written by breachwire's natsauth package.\n")
	b.WriteString("users: [\n")
	users, nkeys := map[string]bool{}, map[string]bool{}
	for _, j := range js {
		entry, err := JournalistUser(j)
		if err != nil {
			return "", err
		}
		if users[strings.ToLower(j.User)] {
			return "", fmt.Errorf("%w: user %s is listed twice", ErrInvalid, j.User)
		}
		users[strings.ToLower(j.User)] = true
		if j.NKey != "" {
			if nkeys[j.NKey] {
				return "", fmt.Errorf("%w: user %s: nkey %s is listed twice", ErrInvalid, j.User, j.NKey)
			}
			nkeys[j.NKey] = true
		}
		b.WriteString(entry)
	}
	b.WriteString("]\n")
	return b.String(), nil
}
