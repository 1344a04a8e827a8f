package report

import (
	"cmp"
	"slices"

	"carrierdesk/internal/money"
)

// MoneyTotal is an amount of money in one currency. Amounts in different
// currencies are never added: every money figure of a report is a list of
// these, one per currency, ordered by currency code (empty when there is
// nothing to add up).
type MoneyTotal struct {
	// Currency is the ISO 4217 code of the amount.
	Currency string
	// Amount is the sum, in that currency.
	Amount money.Amount
}

// addMoney adds amount in currency to totals, keeping one entry per currency
// in code order, and returns the totals.
func addMoney(totals []MoneyTotal, currency string, amount money.Amount) []MoneyTotal {
	i, found := slices.BinarySearchFunc(totals, currency, func(t MoneyTotal, c string) int { return cmp.Compare(t.Currency, c) })
	if found {
		totals[i].Amount += amount
		return totals
	}
	return slices.Insert(totals, i, MoneyTotal{Currency: currency, Amount: amount})
}

// addAllMoney adds every total of more to totals.
func addAllMoney(totals []MoneyTotal, more []MoneyTotal) []MoneyTotal {
	for _, t := range more {
		totals = addMoney(totals, t.Currency, t.Amount)
	}
	return totals
}

// totalIn is the amount of totals in currency, zero when it has none.
func totalIn(totals []MoneyTotal, currency string) money.Amount {
	for _, t := range totals {
		if t.Currency == currency {
			return t.Amount
		}
	}
	return 0
}
