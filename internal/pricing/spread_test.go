package pricing

import (
	"slices"
	"testing"
)

func TestSpread(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		weights []int64
		want    []int64
	}{
		{"one line", 125000, []int64{150000}, []int64{125000}},
		{"even", 100, []int64{50, 50}, []int64{50, 50}},
		// 1000 x 1/3 = 333.33...: the cent left over goes to the largest line.
		{"thirds", 1000, []int64{100, 100, 100}, []int64{334, 333, 333}},
		{"remainder on the largest", 1001, []int64{1, 2, 7}, []int64{100, 200, 701}},
		{"zero weights", 500, []int64{0, 0}, []int64{500, 0}},
		{"zero total", 0, []int64{3, 4}, []int64{0, 0}},
		// Products far beyond int64: 10^15 cents x 10^17.
		{"huge", 1_000_000_000_000_000, []int64{100_000_000_000_000_000, 300_000_000_000_000_000}, []int64{250_000_000_000_000, 750_000_000_000_000}},
		{"none", 100, nil, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Spread(tt.total, tt.weights)
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Spread(%d, %v) = %v; want %v", tt.total, tt.weights, got, tt.want)
			}
			var sum int64
			for _, s := range got {
				sum += s
			}
			if len(got) > 0 && sum != tt.total {
				t.Errorf("shares add up to %d; want %d", sum, tt.total)
			}
		})
	}
}
