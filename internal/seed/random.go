package seed

import (
	"carrierdesk/internal/workflow"
	"math/rand/v2"
	"time"

	"carrierdesk/internal/money"
)

// option is a value and its weight in a weighted choice.
type option[T any] struct {
	value  T
	weight int
}

// choose picks one option with probability proportional to its weight.
func choose[T any](r *rand.Rand, opts []option[T]) T {
	total := 0
	for _, o := range opts {
		total += o.weight
	}
	n := r.IntN(total)
	for _, o := range opts {
		if n < o.weight {
			return o.value
		}
		n -= o.weight
	}
	return opts[len(opts)-1].value
}

// pick picks one element uniformly.
func pick[T any](r *rand.Rand, xs []T) T {
	return xs[r.IntN(len(xs))]
}

// chance is true with the given percentage.
func chance(r *rand.Rand, percent int) bool {
	return r.IntN(100) < percent
}

// between is a time in [lo, hi], to the minute; lo when hi is not after lo.
func between(r *rand.Rand, lo, hi time.Time) time.Time {
	if !hi.After(lo) {
		return lo
	}
	return lo.Add(time.Duration(r.Int64N(int64(hi.Sub(lo)) + 1))).Truncate(time.Minute)
}

// scaled is d times a random factor in [lo, hi].
func scaled(r *rand.Rand, d time.Duration, lo, hi float64) time.Duration {
	return time.Duration(float64(d) * (lo + r.Float64()*(hi-lo)))
}

// days is n days.
func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// earliest returns the earlier of two times.
func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// latest returns the later of two times.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// around is amount moved by a random percentage in [lo, hi], rounded to whole dollars.
func around(r *rand.Rand, amount money.Amount, lo, hi int) money.Amount {
	pct := int64(lo + r.IntN(hi-lo+1))
	return money.Amount(int64(amount) * pct / 100 / 100 * 100)
}

// orNil is nil for the empty string, so that optional fields with a pattern stay unset.
func orNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// monthsBetween is the whole number of months from start to end, at least one.
func monthsBetween(start, end time.Time) int {
	return max(workflow.MonthsSpanned(workflow.DayOf(start), workflow.DayOf(end)), 1)
}

// addMonths moves t by n months as contract terms count them (workflow.AddMonths),
// at midnight UTC.
func addMonths(t time.Time, n int) time.Time {
	return workflow.AddMonths(workflow.DayOf(t), n).Start(time.UTC)
}
