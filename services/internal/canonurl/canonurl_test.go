package canonurl

import (
	"net/url"
	"testing"
)

func TestCanonical(t *testing.T) {
	base, _ := url.Parse("https://news.example.org/section/feed.xml")
	cases := []struct{ in, want string }{
		{"https://News.Example.ORG/2024/05/story?utm_source=rss&utm_medium=feed", "https://news.example.org/2024/05/story"},
		{"HTTPS://news.example.org:443/a?b=2&a=1#comments", "https://news.example.org/a?a=1&b=2"},
		{"http://news.example.org:80", "http://news.example.org/"},
		{"http://news.example.org:8080/x", "http://news.example.org:8080/x"},
		{"/2024/story?fbclid=abc&id=7", "https://news.example.org/2024/story?id=7"},
		{"story.html?gclid=1&UTM_CAMPAIGN=x", "https://news.example.org/section/story.html"},
		{"https://user:pw@news.example.org/p", "https://news.example.org/p"},
		{"https://news.example.org./p", "https://news.example.org/p"},
		{"https://news.example.org/caf%C3%A9/%7Euser", "https://news.example.org/caf%C3%A9/~user"},
		{"https://[2001:DB8::1]:443/p", "https://[2001:db8::1]/p"},
		{"https://news.example.org/p?", "https://news.example.org/p"},
		{"https://news.example.org/p?q=a%20b&mc_cid=9", "https://news.example.org/p?q=a+b"},
	}
	for _, tc := range cases {
		got, err := Canonical(tc.in, base)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, in := range []string{"", "   ", "mailto:a@example.org", "javascript:alert(1)", "ftp://example.org/x", "http://", "http://%zz"} {
		if got, err := Canonical(in, nil); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"https://a.example/x?utm_source=1&b=2#f", "/rel?x=1", "http://[::1]:80/", "https://é.example/ü?q=%zz"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://base.example/dir/")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := Canonical(in, base)
		if err != nil {
			return
		}
		again, err := Canonical(out, nil)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse again: %v", out, in, err)
		}
		if again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}
