package main

import "testing"

// TestIntIsANumber: the specification's input coercion: "12" is not an Int,
// as a variable or inside an input object; 12 is.
func TestIntIsANumber(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		const page = `query($n: Int) { quotes(first: $n) { totalCount } }`
		app.ok(t, page, jsonObject{"n": 12}, nil)
		app.fails(t, page, jsonObject{"n": "12"}, "BAD_USER_INPUT", "n")
		account := app.db.Client.Account.Query().FirstIDX(allowCtx())
		before := app.db.Client.Quote.Query().CountX(allowCtx())
		app.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"title": "Stringly", "termMonths": "12", "validUntil": fixtureDate(3650), "accountID": account}},
			"BAD_USER_INPUT", "termMonths")
		if after := app.db.Client.Quote.Query().CountX(allowCtx()); after != before {
			t.Errorf("a refused quote was written")
		}
	})
}
