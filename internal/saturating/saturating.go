// Package saturating counts the work a GraphQL document asks for without
// overflowing: a document can multiply pages nested ten deep, or spread a
// fragment a million times, and its count must stay above every limit
// rather than wrap around to a small or negative number that passes.
package saturating

import "strconv"

// Ceiling is where counts stop growing: well past any limit, far from
// overflow, so that adding two counts never overflows either.
const Ceiling = 1 << 40

// Add is a+b, or Ceiling if that is more.
func Add(a, b int) int { return min(a+b, Ceiling) }

// Mul is a*b, or Ceiling if that is more; a and b are not negative.
func Mul(a, b int) int {
	if a != 0 && b > Ceiling/a {
		return Ceiling
	}
	return min(a*b, Ceiling)
}

// Text prints n, or "more than a trillion" where counting stopped, so an
// error message does not quote the ceiling as if it were the count.
func Text(n int) string {
	if n >= Ceiling {
		return "more than a trillion"
	}
	return strconv.Itoa(n)
}
