package money

import (
	"bytes"
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want Amount
		err  error
	}{
		{"0", 0, nil},
		{"12345.67", 1234567, nil},
		{"12.5", 1250, nil},
		{"-0.07", -7, nil},
		{"1000000000000", Max, nil},
		{"1000000000000.01", 0, ErrRange},
		{"99999999999999999999", 0, ErrRange},
		{"", 0, ErrSyntax},
		{"1.", 0, ErrSyntax},
		{".5", 0, ErrSyntax},
		{"1.234", 0, ErrSyntax},
		{"1e3", 0, ErrSyntax},
		{"+1", 0, ErrSyntax},
		{"1,000.00", 0, ErrSyntax},
		{"--1", 0, ErrSyntax},
		{" 1", 0, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Fatalf("Parse(%q) = %v, %v; want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestString(t *testing.T) {
	for a, want := range map[Amount]string{0: "0.00", 7: "0.07", -7: "-0.07", 1234567: "12345.67", Max: "1000000000000.00"} {
		if got := a.String(); got != want {
			t.Errorf("%d.String() = %q; want %q", int64(a), got, want)
		}
		var buf bytes.Buffer
		a.MarshalGQL(&buf)
		if buf.String() != `"`+want+`"` {
			t.Errorf("MarshalGQL(%d) = %s", int64(a), buf.String())
		}
	}
}

func TestUnmarshalGQLRefusesNumbers(t *testing.T) {
	var a Amount
	if err := a.UnmarshalGQL(12.5); err == nil {
		t.Fatal("UnmarshalGQL(12.5) accepted a float")
	}
	if err := a.UnmarshalGQL("12.50"); err != nil || a != 1250 {
		t.Fatalf("UnmarshalGQL(\"12.50\") = %v, %v", a, err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"0", "1.5", "-12.34", "1000000000000", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a > Max || a < -Max {
			t.Fatalf("Parse(%q) = %d beyond Max", s, int64(a))
		}
		b, err := Parse(a.String())
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %v, %v", s, b, err)
		}
	})
}

func TestCheckCurrency(t *testing.T) {
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"USD", true}, {"CAD", true}, {"EUR", true},
		{"ZZZ", false}, {"usd", false}, {"US", false}, {"USDD", false}, {"", false},
	} {
		if err := CheckCurrency(tc.code); (err == nil) != tc.ok {
			t.Errorf("CheckCurrency(%q) = %v; want ok %v", tc.code, err, tc.ok)
		}
	}
}
