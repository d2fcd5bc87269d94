package bus

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
)

// MsgID derives a content-based Nats-Msg-Id from its parts.
func MsgID(parts ...string) string {
	h := sha256.New()
	for i, p := range parts {
		if i > 0 {
			h.Write([]byte{0})
		}
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// validToken reports whether s can be one token of a NATS subject.
func validToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ".*> \t\r\n")
}

// Clip cuts s to at most n bytes without splitting a UTF-8 sequence. Stages
// clip what they copy from outside into messages, which must stay under
// NATS's 1 MiB payload limit.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
