package saturating

import (
	"math"
	"testing"
)

func TestArithmetic(t *testing.T) {
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"add below the ceiling", Add(2, 3), 5},
		{"add reaching the ceiling", Add(Ceiling-1, 1), Ceiling},
		{"add past the ceiling", Add(Ceiling, Ceiling), Ceiling},
		{"mul below the ceiling", Mul(100, 1000), 100_000},
		{"mul by zero", Mul(0, math.MaxInt), 0},
		{"mul that would overflow", Mul(1<<32, 1<<32), Ceiling},
		{"mul of pages nested deep", Mul(Mul(Mul(100_000, 100_000), 100_000), 100_000), Ceiling},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Errorf("got %d; want %d", tc.got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	if got := Text(42); got != "42" {
		t.Errorf("Text(42) = %q", got)
	}
	if got := Text(Add(Ceiling, 1)); got != "more than a trillion" {
		t.Errorf("Text(ceiling) = %q", got)
	}
}
