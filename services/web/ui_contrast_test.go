package web

import (
	"math"
	"regexp"
	"strconv"
	"testing"
)

// The UI's colours meet WCAG 2.1 AA: 4.5:1 for text on the backgrounds it
// is drawn on, 3:1 for the focus ring against the page.
func TestUIColoursContrast(t *testing.T) {
	css, err := uiAssets.ReadFile("ui/assets/ui.css")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`--([a-z-]+):\s*(#[0-9a-fA-F]{6})`).FindAllStringSubmatch(string(css), -1) {
		vars[m[1]] = m[2]
	}
	for _, p := range []struct {
		fg, bg string
		min    float64
	}{
		{"fg", "bg", 4.5}, {"fg", "panel", 4.5}, {"muted", "bg", 4.5}, {"muted", "panel", 4.5},
		{"accent", "bg", 4.5}, {"accent", "panel", 4.5}, {"accent-fg", "accent", 4.5},
		{"danger", "bg", 4.5}, {"accent-fg", "danger", 4.5}, {"ok", "bg", 4.5}, {"ok", "panel", 4.5},
		{"warn", "bg", 4.5}, {"warn", "panel", 4.5}, {"focus", "bg", 3}, {"focus", "panel", 3},
	} {
		a, b := vars[p.fg], vars[p.bg]
		if a == "" || b == "" {
			t.Errorf("--%s or --%s is not a #rrggbb colour in ui.css", p.fg, p.bg)
			continue
		}
		if r := contrast(a, b); r < p.min {
			t.Errorf("--%s on --%s: contrast %.2f, want at least %.1f", p.fg, p.bg, r, p.min)
		}
	}
}

// contrast is the WCAG contrast ratio of two #rrggbb colours.
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (math.Max(la, lb) + 0.05) / (math.Min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var c [3]float64
	for i := range c {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.03928 {
			c[i] = s / 12.92
		} else {
			c[i] = math.Pow((s+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}
