// Package pricing holds the rules of special prices that are arithmetic
// rather than workflow: how a price granted for a whole quote is recorded
// line by line.
package pricing

import "math/big"

// Spread divides total over lines in proportion to their weights (each
// line's MRC times quantity), in whole cents: every line gets the floor of
// its exact share, and the cents left over go to the line with the largest
// weight (the first of equals), so the shares add up to total exactly.
// With no weight at all, the whole total goes to the first line. Weights
// and total are never negative.
func Spread(total int64, weights []int64) []int64 {
	shares := make([]int64, len(weights))
	if len(weights) == 0 {
		return shares
	}
	var sum big.Int
	largest := 0
	for i, w := range weights {
		sum.Add(&sum, big.NewInt(w))
		if w > weights[largest] {
			largest = i
		}
	}
	if sum.Sign() == 0 {
		shares[0] = total
		return shares
	}
	left := total
	var share big.Int
	for i, w := range weights {
		share.Mul(big.NewInt(total), big.NewInt(w))
		share.Quo(&share, &sum) // both non-negative: the floor
		shares[i] = share.Int64()
		left -= shares[i]
	}
	shares[largest] += left
	return shares
}
