package deal

import (
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"
)

// Decimal is an exact decimal number as text, for values that need more
// places than a Rate's six, such as the monthly IRR: "0.019802627296179713026", "-0.5".
type Decimal string

// decimalPlaces is how many decimals a computed Decimal keeps. The IRR's
// growth factor is known to 2^-90 of itself (about 1e-26 at the top of the
// search), so 24 places are all significant, and (1+m)^12 - 1 recomputed
// from them is within 1e-9 of the annual rate even at 1000% a month.
const decimalPlaces = 24

// errDecimalSyntax reports text that is not a plain decimal number.
var errDecimalSyntax = errors.New("must be a decimal string, such as \"0.0198\"")

// decimalOf formats x to decimalPlaces places, without trailing zeros.
func decimalOf(x *big.Float) Decimal {
	s := x.Text('f', decimalPlaces)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return Decimal(s)
}

// Float returns the decimal as a big.Float of the model's precision.
func (d Decimal) Float() (*big.Float, error) {
	f, ok := newFloat().SetString(string(d))
	if !ok {
		return nil, errDecimalSyntax
	}
	return f, nil
}

// String returns the decimal text.
func (d Decimal) String() string { return string(d) }

// MarshalGQL writes the decimal as a GraphQL string.
func (d Decimal) MarshalGQL(w io.Writer) {
	_, _ = io.WriteString(w, strconv.Quote(string(d)))
}

// UnmarshalGQL reads a decimal string; numbers are refused, as for Rate.
func (d *Decimal) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("%w, not a number", errDecimalSyntax)
	}
	body := strings.TrimPrefix(s, "-")
	whole, frac, hasDot := strings.Cut(body, ".")
	if whole == "" || (hasDot && frac == "") || !digits(whole) || !digits(frac) {
		return errDecimalSyntax
	}
	*d = Decimal(s)
	return nil
}
