package rules

import (
	"testing"
)

func TestSplitSentences(t *testing.T) {
	text := "Acme Ltd. said on Tuesday that 1.5 million records were exposed. Mr. J. Smith, its C.E.O., apologised!\n" +
		"Headline without a stop\nThe U.S. regulator was told (within 72 hours). \"We are sorry,\" it said. e.g. this stays.\n\n" +
		"Visit acme.example.com for details... Customers were contacted."
	want := []string{
		"Acme Ltd. said on Tuesday that 1.5 million records were exposed.",
		"Mr. J. Smith, its C.E.O., apologised!",
		"Headline without a stop",
		"The U.S. regulator was told (within 72 hours).",
		"\"We are sorry,\" it said. e.g. this stays.",
		"Visit acme.example.com for details...",
		"Customers were contacted.",
	}
	got := splitSentences(text)
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("%q", text[s.start:s.end])
		}
		t.Fatalf("%d sentences, want %d", len(got), len(want))
	}
	d := newDoc(text, "")
	for i, w := range want {
		if s := text[got[i].start:got[i].end]; s != w {
			t.Errorf("sentence %d = %q, want %q", i, s, w)
		}
		ev := d.evidence(i)
		if text[ev.Start:ev.End] != ev.Text {
			t.Errorf("evidence %d offsets do not slice its text", i)
		}
		if d.sentenceAt(got[i].start) != i || d.sentenceAt(got[i].end-1) != i {
			t.Errorf("sentenceAt wrong for %d", i)
		}
	}
}

func TestSplitSentencesHostileInput(t *testing.T) {
	for _, s := range []string{"", ".", "....", "\n\n\n", "a.b.c.d", "\xff\xfe.", "Ü. Ö! ", "?!?!"} {
		for _, sp := range splitSentences(s) {
			if sp.start < 0 || sp.end > len(s) || sp.start >= sp.end {
				t.Fatalf("%q: bad span %+v", s, sp)
			}
		}
	}
}

func FuzzSplitSentences(f *testing.F) {
	f.Add("One. Two! Three? Four\nFive… Six 1.5 m.")
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for _, sp := range splitSentences(s) {
			if sp.start < last || sp.end > len(s) || sp.start >= sp.end {
				t.Fatalf("bad span %+v after %d in %q", sp, last, s)
			}
			last = sp.end
		}
	})
}
