package sla

import (
	"testing"
	"time"
)

func TestDue(t *testing.T) {
	// 2026-11-27 is a Friday.
	fri := time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC)
	sat := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		sev              string
		opened           time.Time
		respond, resolve time.Time
	}{
		{"SEV1", fri, fri.Add(15 * time.Minute), fri.Add(2 * time.Hour)},
		{"SEV2", fri, fri.Add(30 * time.Minute), fri.Add(4 * time.Hour)},
		{"SEV3", fri, fri.Add(4 * time.Hour), time.Date(2026, 11, 30, 16, 0, 0, 0, time.UTC)},
		{"SEV4", fri, fri.Add(8 * time.Hour), time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC)},
		{"SEV3", sat, sat.Add(4 * time.Hour), time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.sev+" "+tt.opened.Weekday().String(), func(t *testing.T) {
			r, s, err := Due(tt.sev, tt.opened)
			if err != nil || !r.Equal(tt.respond) || !s.Equal(tt.resolve) {
				t.Fatalf("Due = %v, %v, %v; want %v, %v", r, s, err, tt.respond, tt.resolve)
			}
		})
	}
	if _, _, err := Due("SEV9", fri); err == nil {
		t.Fatal("unknown severity accepted")
	}
}
