package deal

import (
	"bytes"
	"errors"
	"testing"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want Rate
		err  error
	}{
		{"0", 0, nil},
		{"0.015", 15000, nil},
		{"0.1", 100000, nil},
		{"1", 1000000, nil},
		{"0.000001", 1, nil},
		{"-0.25", -250000, nil},
		{"9.999999", 9999999, nil},
		{"999999999999.999999", 999999999999999999, nil},
		{"1000000000000", 0, ErrRateRange},
		{"", 0, ErrRateSyntax},
		{"-", 0, ErrRateSyntax},
		{".5", 0, ErrRateSyntax},
		{"1.", 0, ErrRateSyntax},
		{"0.0000001", 0, ErrRateSyntax},
		{"1e-3", 0, ErrRateSyntax},
		{"+0.1", 0, ErrRateSyntax},
		{"--1", 0, ErrRateSyntax},
		{"0,5", 0, ErrRateSyntax},
		{" 0.1", 0, ErrRateSyntax},
		{"1.5%", 0, ErrRateSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("ParseRate(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestRateString(t *testing.T) {
	tests := []struct {
		r    Rate
		want string
	}{
		{0, "0"},
		{15000, "0.015"},
		{100000, "0.1"},
		{1, "0.000001"},
		{2138428, "2.138428"},
		{-250000, "-0.25"},
		{-1000000, "-1"},
		{30000000, "30"},
		{999999999999999999, "999999999999.999999"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Fatalf("Rate(%d).String() = %q; want %q", int64(tt.r), got, tt.want)
			}
			back, err := ParseRate(tt.want)
			if err != nil || back != tt.r {
				t.Fatalf("ParseRate(%q) = %d, %v; want %d", tt.want, back, err, int64(tt.r))
			}
			var buf bytes.Buffer
			tt.r.MarshalGQL(&buf)
			if buf.String() != `"`+tt.want+`"` {
				t.Fatalf("MarshalGQL = %s", buf.String())
			}
		})
	}
}

func TestRateUnmarshalGQL(t *testing.T) {
	tests := []struct {
		in   any
		want Rate
		ok   bool
	}{
		{"0.015", 15000, true},
		{"-0.5", -500000, true},
		{0.015, 0, false},
		{int64(1), 0, false},
		{"0.0000001", 0, false},
		{nil, 0, false},
	}
	for _, tt := range tests {
		var r Rate
		err := r.UnmarshalGQL(tt.in)
		if (err == nil) != tt.ok || r != tt.want {
			t.Errorf("UnmarshalGQL(%#v) = %d, %v; want %d, ok=%v", tt.in, r, err, tt.want, tt.ok)
		}
	}
}

func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"0", "0.015", "-1.5", "999999999999.999999", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		back, err := ParseRate(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, r, r.String(), back, err)
		}
	})
}
