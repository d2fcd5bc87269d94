package config

import (
	"flag"
	"slices"
	"testing"
)

// Flags may come after the positional arguments; after "--" nothing is a flag.
func TestFlagsAnywhere(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		why        string
		positional []string
	}{
		{[]string{"split", "inc-1", "--why", "w", "extra"}, "w", []string{"split", "inc-1", "extra"}},
		{[]string{"--why", "w", "a", "b"}, "w", []string{"a", "b"}},
		{[]string{"a", "--", "--why", "b"}, "", []string{"a", "--why", "b"}},
		{[]string{"a", "-why=x"}, "x", []string{"a"}},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		why := fs.String("why", "", "")
		_, rest, err := Load(fs, tc.args, func(string) string { return "" })
		if err != nil || *why != tc.why || !slices.Equal(rest, tc.positional) {
			t.Errorf("%q: why %q rest %q err %v; want %q %q", tc.args, *why, rest, err, tc.why, tc.positional)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	if _, _, err := Load(fs, []string{"a", "--nope"}, func(string) string { return "" }); err == nil {
		t.Errorf("an unknown flag after a positional argument was accepted")
	}
}
