package money

import (
	"regexp"

	"carrierdesk/internal/fault"

	"golang.org/x/text/currency"
)

// isoShape is three capitals: the only spelling stored, so that equal
// currencies compare equal in SQL.
var isoShape = regexp.MustCompile(`^[A-Z]{3}$`)

// CheckCurrency accepts an ISO 4217 currency code in capitals ("USD", "CAD").
// The list of codes is golang.org/x/text/currency's, which is generated from
// the Unicode CLDR and kept current by the Go team, rather than one typed here.
func CheckCurrency(code string) error {
	if _, err := currency.ParseISO(code); err != nil || !isoShape.MatchString(code) {
		return fault.InvalidField("currency", "must be an ISO 4217 currency code in capitals, such as USD or CAD")
	}
	return nil
}
