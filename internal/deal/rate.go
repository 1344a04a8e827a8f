package deal

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Rate is an exact rate in millionths: 0.015 (1.5%) is Rate(15000). Churn,
// discount rates and IRR travel as decimal strings, like money, so a client
// never sees a float's rounding.
type Rate int64

// RateScale is the number of Rate units in 1 (100%).
const RateScale Rate = 1_000_000

// ErrRateSyntax reports text that is not a decimal rate with at most six decimals.
var ErrRateSyntax = errors.New("must be a decimal string with at most six decimals, such as \"0.015\"")

// ErrRateRange reports a rate whose whole part has more than twelve digits.
var ErrRateRange = errors.New("is out of range")

// maxRateWholeDigits keeps every parsed rate, times RateScale, inside int64.
const maxRateWholeDigits = 12

// ParseRate reads a decimal rate such as "0.015", "-0.25" or "3".
func ParseRate(s string) (Rate, error) {
	neg := false
	body := s
	if strings.HasPrefix(body, "-") {
		neg, body = true, body[1:]
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > 6 || !digits(whole) || !digits(frac) {
		return 0, ErrRateSyntax
	}
	if len(whole) > maxRateWholeDigits {
		return 0, ErrRateRange
	}
	frac += strings.Repeat("0", 6-len(frac))
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	r := Rate(w*int64(RateScale) + f)
	if neg {
		r = -r
	}
	return r, nil
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// String formats the rate as the shortest exact decimal: "0.015", "0.1", "0".
func (r Rate) String() string {
	sign := ""
	u := uint64(r)
	if r < 0 {
		sign, u = "-", -u
	}
	whole, frac := u/uint64(RateScale), u%uint64(RateScale)
	if frac == 0 {
		return fmt.Sprintf("%s%d", sign, whole)
	}
	return strings.TrimRight(fmt.Sprintf("%s%d.%06d", sign, whole, frac), "0")
}

// Millionths returns the rate as a whole number of millionths.
func (r Rate) Millionths() int64 { return int64(r) }

// MarshalGQL writes the rate as a GraphQL string.
func (r Rate) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(r.String()))
}

// UnmarshalGQL reads a decimal string. Numbers are refused: a JSON number
// may already have passed through a float in the client.
func (r *Rate) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, not a number", ErrRateSyntax)
	}
	p, err := ParseRate(s)
	if err != nil {
		return err
	}
	*r = p
	return nil
}
