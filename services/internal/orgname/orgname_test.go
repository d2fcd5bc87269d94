package orgname

import "testing"

func TestGeneric(t *testing.T) {
	for _, tt := range []struct {
		name string
		want bool
	}{
		{"Logistics Group", true},
		{"Credit Union", true},
		{"Health System", true},
		{"The Health Systems, Inc.", true},
		{"", true},
		{"Keystone Logistics Group", false},
		{"CLP", false},
		{"Co-operative Life Planning", false},
		{"Cathay", false},
	} {
		if got := Generic(tt.name); got != tt.want {
			t.Errorf("Generic(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}
