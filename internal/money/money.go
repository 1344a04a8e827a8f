// Package money holds exact amounts of money. An Amount is a whole number of
// cents stored as a 64-bit integer column and sent to clients as a decimal
// string ("12345.67"), so no float ever stands between a client and the column.
package money

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Amount is an exact amount of money in cents (hundredths of the currency unit).
type Amount int64

// Max is the largest amount accepted from clients: a trillion units, far beyond
// any wholesale deal, leaving head room for sums over many rows.
const Max Amount = 1_000_000_000_000_00

// ErrSyntax reports text that is not a decimal amount with at most two decimals.
var ErrSyntax = errors.New("must be a decimal string with at most two decimals, such as \"1234.50\"")

// ErrRange reports an amount beyond Max.
var ErrRange = errors.New("is out of range")

// Parse reads a decimal amount such as "1234", "-12.5" or "0.07".
func Parse(s string) (Amount, error) {
	neg := false
	body := s
	if strings.HasPrefix(body, "-") {
		neg, body = true, body[1:]
	}
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || len(frac) > 2 || (hasDot && frac == "") || len(whole) > 13 {
		if len(whole) > 13 && digits(whole) {
			return 0, ErrRange
		}
		return 0, ErrSyntax
	}
	if !digits(whole) || !digits(frac) {
		return 0, ErrSyntax
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(w*100 + f)
	if a > Max {
		return 0, ErrRange
	}
	if neg {
		a = -a
	}
	return a, nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// String formats the amount with exactly two decimals.
func (a Amount) String() string {
	sign := ""
	u := uint64(a)
	if a < 0 {
		sign, u = "-", uint64(-a)
	}
	return fmt.Sprintf("%s%d.%02d", sign, u/100, u%100)
}

// Cents returns the amount as a whole number of cents.
func (a Amount) Cents() int64 { return int64(a) }

// MarshalGQL writes the amount as a GraphQL string.
func (a Amount) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(a.String()))
}

// UnmarshalGQL reads a decimal string. Numbers are refused: a JSON number
// may already have passed through a float in the client.
func (a *Amount) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, not a number", ErrSyntax)
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*a = p
	return nil
}

// MarshalJSON writes the amount as a decimal string, as the API does.
func (a Amount) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(a.String())), nil
}

// UnmarshalJSON reads a decimal string.
func (a *Amount) UnmarshalJSON(b []byte) error {
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("%w, not %s", ErrSyntax, b)
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*a = p
	return nil
}
