package main

import (
	"testing"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/auditentry"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed"
	"carrierdesk/internal/workflow"
)

// This file proves the money and currency rules of issue 11 through the real
// handler on both databases: ISO 4217 codes only; quotes and contracts carry
// their account's currency; an account's MRR is the MRC of its ACTIVE
// contracts, kept by the contract hooks; no report adds two currencies.

// moneyFixture is a carrier with an account in USD and one in CAD.
type moneyFixture struct {
	carrier, usd, cad string
}

func newMoneyFixture(t *testing.T, app *testApp) moneyFixture {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	var fx moneyFixture
	fx.carrier = c.Carrier.Create().SetName("Maple Fibre").SetOcn("7M01").SetCcna("MPL").SaveX(ctx).ID
	created := time.Now().UTC().AddDate(-1, 0, 0)
	fx.usd = c.Account.Create().SetCarrierID(fx.carrier).SetAccountNumber("MPL-USD").SetBan("BAN-MPL-USD").
		SetName("Maple Fibre – Buffalo").SetMarket("Buffalo").SetRegion(enum.RegionNortheast).
		SetStatus(account.StatusActive).SetCreatedAt(created).SaveX(ctx).ID
	fx.cad = c.Account.Create().SetCarrierID(fx.carrier).SetAccountNumber("MPL-CAD").SetBan("BAN-MPL-CAD").
		SetName("Maple Fibre – Toronto").SetMarket("Toronto").SetRegion(enum.RegionNortheast).
		SetStatus(account.StatusActive).SetCurrency("CAD").SetCreatedAt(created).SaveX(ctx).ID
	return fx
}

// activeContract writes an ACTIVE contract of mrc on the account, as a signed one would be.
func (fx moneyFixture) activeContract(t *testing.T, app *testApp, accountID string, mrc money.Amount) string {
	t.Helper()
	// It ends in 20 days, inside the portfolio's 30-day renewal window.
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, -12, 20)
	return app.db.Client.Contract.Create().SetAccountID(accountID).SetKind(contract.KindServiceOrder).
		SetTitle("Active service order").SetStatus(contract.StatusActive).
		SetStartDate(workflow.DayOf(start)).SetEndDate(workflow.DayOf(start.AddDate(0, 12, 0))).SetTermMonths(12).SetMrc(mrc).
		SaveX(allowCtx()).ID
}

// TestMoneyCurrencyIsISO4217: ZZZ (and lower case) are not ISO 4217 codes.
func TestMoneyCurrencyIsISO4217(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newMoneyFixture(t, app)
		before := app.db.Client.Account.Query().CountX(allowCtx())
		app.fails(t, `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"accountNumber": "MPL-ZZZ", "ban": "BAN-MPL-ZZZ", "name": "Nowhere", "market": "Ottawa",
				"region": "NORTHEAST", "carrierID": fx.carrier, "currency": "ZZZ"}}, "BAD_USER_INPUT", "currency")
		if after := app.db.Client.Account.Query().CountX(allowCtx()); after != before {
			t.Errorf("refused account written: %d accounts, want %d", after, before)
		}
		for _, code := range []string{"ZZZ", "cad"} {
			app.fails(t, `mutation($id: ID!, $cur: String!) { updateAccount(id: $id, input: {currency: $cur}) { id } }`,
				jsonObject{"id": fx.usd, "cur": code}, "BAD_USER_INPUT", "currency")
		}
		app.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"title": "Odd money", "termMonths": 12, "validUntil": fixtureDate(30), "accountID": fx.usd, "currency": "ZZZ"}},
			"BAD_USER_INPUT", "currency")
		if got := app.db.Client.Account.GetX(allowCtx(), fx.usd).Currency; got != "USD" {
			t.Errorf("account currency %s after refused updates; want USD", got)
		}
	})
}

// TestMoneyDealsCarryTheAccountCurrency: a quote or contract takes its
// account's currency; another one (an EUR quote on a CAD account) is
// refused, and an account's currency is locked while it has deals.
func TestMoneyDealsCarryTheAccountCurrency(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newMoneyFixture(t, app)
		var q struct {
			CreateQuote struct{ ID, Currency string }
		}
		app.ok(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id currency } }`,
			jsonObject{"input": jsonObject{"title": "Toronto ring", "termMonths": 36, "validUntil": fixtureDate(30), "accountID": fx.cad}}, &q)
		if q.CreateQuote.Currency != "CAD" {
			t.Errorf("quote on a CAD account is in %s; want CAD", q.CreateQuote.Currency)
		}
		quotes := app.db.Client.Quote.Query().CountX(allowCtx())
		app.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"title": "Euro ring", "termMonths": 36, "validUntil": fixtureDate(30), "accountID": fx.cad, "currency": "EUR"}},
			"BAD_USER_INPUT", "currency")
		app.fails(t, `mutation($id: ID!) { updateQuote(id: $id, input: {currency: "EUR"}) { id } }`,
			jsonObject{"id": q.CreateQuote.ID}, "BAD_USER_INPUT", "currency")
		if n := app.db.Client.Quote.Query().CountX(allowCtx()); n != quotes {
			t.Errorf("refused quote written: %d quotes, want %d", n, quotes)
		}
		if cur := app.db.Client.Quote.GetX(allowCtx(), q.CreateQuote.ID).Currency; cur != "CAD" {
			t.Errorf("quote currency %s after a refused update; want CAD", cur)
		}

		contractInput := func(cur string) jsonObject {
			in := jsonObject{"kind": "SERVICE_ORDER", "title": "Toronto wave", "startDate": fixtureDate(0), "endDate": fixtureDate(365),
				"termMonths": 12, "mrc": "1000.00", "accountID": fx.cad}
			if cur != "" {
				in["currency"] = cur
			}
			return in
		}
		var k struct {
			CreateContract struct{ Currency string }
		}
		app.ok(t, `mutation($input: CreateContractInput!) { createContract(input: $input) { currency } }`,
			jsonObject{"input": contractInput("")}, &k)
		if k.CreateContract.Currency != "CAD" {
			t.Errorf("contract on a CAD account is in %s; want CAD", k.CreateContract.Currency)
		}
		app.ok(t, `mutation($input: CreateContractInput!) { createContract(input: $input) { currency } }`,
			jsonObject{"input": contractInput("CAD")}, nil)
		contracts := app.db.Client.Contract.Query().CountX(allowCtx())
		app.fails(t, `mutation($input: CreateContractInput!) { createContract(input: $input) { id } }`,
			jsonObject{"input": contractInput("USD")}, "BAD_USER_INPUT", "currency")
		if n := app.db.Client.Contract.Query().CountX(allowCtx()); n != contracts {
			t.Errorf("refused contract written: %d contracts, want %d", n, contracts)
		}

		// The CAD account has deals in CAD: its currency is locked. The USD one has none.
		app.fails(t, `mutation($id: ID!) { updateAccount(id: $id, input: {currency: "USD"}) { id } }`,
			jsonObject{"id": fx.cad}, "BAD_USER_INPUT", "currency")
		if cur := app.db.Client.Account.GetX(allowCtx(), fx.cad).Currency; cur != "CAD" {
			t.Errorf("account currency %s after a refused change; want CAD", cur)
		}
		app.ok(t, `mutation($id: ID!) { updateAccount(id: $id, input: {currency: "EUR"}) { id } }`, jsonObject{"id": fx.usd}, nil)
	})
}

// TestMoneyAccountMRRFollowsActiveContracts: an account's MRR is the MRC of
// its ACTIVE contracts, moved in the transaction of the contract change and
// recorded in the audit trail; it is no longer an input.
func TestMoneyAccountMRRFollowsActiveContracts(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newMoneyFixture(t, app)
		res := app.do(t, `mutation($input: CreateAccountInput!) { createAccount(input: $input) { id } }`,
			jsonObject{"input": jsonObject{"accountNumber": "MPL-MRR", "ban": "BAN-MPL-MRR", "name": "Typed MRR", "market": "Ottawa",
				"region": "NORTHEAST", "carrierID": fx.carrier, "mrr": "100000.00"}})
		if res.Code() != "GRAPHQL_VALIDATION_FAILED" && res.Code() != "BAD_USER_INPUT" {
			t.Errorf("createAccount with a typed MRR: %s; want it refused", res.Raw)
		}
		app.fails(t, `mutation($id: ID!) { updateAccount(id: $id, input: {mrr: "5.00"}) { id } }`, jsonObject{"id": fx.cad}, "GRAPHQL_VALIDATION_FAILED", "")

		mrr := func() string {
			var out struct{ Node struct{ Mrr string } }
			app.ok(t, `query($id: ID!) { node(id: $id) { ... on Account { mrr } } }`, jsonObject{"id": fx.cad}, &out)
			return out.Node.Mrr
		}
		create := func(title, mrc string) string {
			var out struct{ CreateContract struct{ ID string } }
			app.ok(t, `mutation($input: CreateContractInput!) { createContract(input: $input) { id } }`,
				jsonObject{"input": jsonObject{"kind": "SERVICE_ORDER", "title": title, "startDate": fixtureDate(0), "endDate": fixtureDate(365),
					"termMonths": 12, "mrc": mrc, "accountID": fx.cad}}, &out)
			return out.CreateContract.ID
		}
		activate := func(id string) {
			app.ok(t, `mutation($id: ID!) { sendContractForSignature(id: $id) { id } }`, jsonObject{"id": id}, nil)
			app.ok(t, `mutation($id: ID!) { activateContract(id: $id) { id } }`, jsonObject{"id": id}, nil)
		}
		first := create("Ring", "1000.00")
		if got := mrr(); got != "0.00" {
			t.Errorf("MRR %s with a draft contract only; want 0.00", got)
		}
		activate(first)
		if got := mrr(); got != "1000.00" {
			t.Errorf("MRR %s after activating a contract of 1000.00; want 1000.00", got)
		}
		second := create("Spur", "250.50")
		activate(second)
		if got := mrr(); got != "1250.50" {
			t.Errorf("MRR %s with two active contracts; want 1250.50", got)
		}
		app.ok(t, `mutation($id: ID!) { terminateContract(id: $id, reason: "carrier exit") { id } }`, jsonObject{"id": first}, nil)
		if got := mrr(); got != "250.50" {
			t.Errorf("MRR %s after terminating the 1000.00 contract; want 250.50", got)
		}
		// Any writer, not only GraphQL: a contract written straight through ent moves it too.
		fx.activeContract(t, app, fx.cad, 1_000_00)
		if got := mrr(); got != "1250.50" {
			t.Errorf("MRR %s after an ent write of an active contract; want 1250.50", got)
		}
		// The trail records each move, under the action that made it.
		entries := app.db.Client.AuditEntry.Query().
			Where(auditentry.EntityID(fx.cad), auditentry.ActionIn("contract.activate", "contract.terminate")).
			CountX(allowCtx())
		if entries != 3 {
			t.Errorf("%d audit entries of the account's MRR under contract actions; want 3", entries)
		}
	})
}

// TestMoneyReportsNeverAddCurrencies: a CAD account's 100,000 MRR is never
// added to USD: the portfolio, aggregates and retention give a total per currency.
func TestMoneyReportsNeverAddCurrencies(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newMoneyFixture(t, app)
		fx.activeContract(t, app, fx.usd, 2_000_00)
		fx.activeContract(t, app, fx.cad, 100_000_00)
		c := app.db.Client
		c.Quote.Create().SetAccountID(fx.usd).SetTitle("USD quote").SetTermMonths(12).SetValidUntil(workflow.DayOf(time.Now().AddDate(0, 1, 0))).SaveX(allowCtx())
		c.Quote.Create().SetAccountID(fx.cad).SetTitle("CAD quote").SetTermMonths(12).SetValidUntil(workflow.DayOf(time.Now().AddDate(0, 1, 0))).SaveX(allowCtx())
		if cur := c.Quote.Query().Where(quote.Title("CAD quote")).OnlyX(allowCtx()).Currency; cur != "CAD" {
			t.Fatalf("an ent write of a quote on a CAD account is in %s; want CAD", cur)
		}

		type total struct{ Currency, Amount string }
		want := []total{{"CAD", "100000.00"}, {"USD", "2000.00"}}
		same := func(what string, got []total, want []total) {
			t.Helper()
			if len(got) != len(want) {
				t.Errorf("%s: %v; want %v", what, got, want)
				return
			}
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s: %v; want %v", what, got, want)
					return
				}
			}
		}
		var p struct {
			Portfolio struct {
				Mrr       []total
				ByCarrier []struct{ Mrr []total }
				ByRegion  []struct {
					Region string
					Mrr    []total
				}
				ByStatus []struct {
					Status string
					Mrr    []total
				}
				Pipeline []struct {
					Status   string
					Mrc, Tcv []total
				}
				Renewals []struct {
					Days int
					Mrr  []total
				}
			}
		}
		app.ok(t, `{ portfolio {
			mrr { currency amount }
			byCarrier { mrr { currency amount } }
			byRegion { region mrr { currency amount } }
			byStatus { status mrr { currency amount } }
			atRisk { mrr { currency amount } }
			pipeline { status mrc { currency amount } tcv { currency amount } }
			renewals { days mrr { currency amount } }
		} }`, nil, &p)
		same("portfolio mrr", p.Portfolio.Mrr, want)
		if len(p.Portfolio.ByCarrier) != 1 {
			t.Fatalf("byCarrier: %+v; want one carrier", p.Portfolio.ByCarrier)
		}
		same("byCarrier mrr", p.Portfolio.ByCarrier[0].Mrr, want)
		for _, r := range p.Portfolio.ByRegion {
			if r.Region == "NORTHEAST" {
				same("byRegion NORTHEAST", r.Mrr, want)
			} else {
				same("byRegion "+r.Region, r.Mrr, nil)
			}
		}
		for _, s := range p.Portfolio.ByStatus {
			if s.Status == "ACTIVE" {
				same("byStatus ACTIVE", s.Mrr, want)
			}
		}
		for _, r := range p.Portfolio.Renewals {
			if r.Days == 30 {
				same("renewals", r.Mrr, want)
			}
		}
		for _, q := range p.Portfolio.Pipeline {
			if q.Status == "DRAFT" {
				same("pipeline DRAFT mrc", q.Mrc, []total{{"CAD", "0.00"}, {"USD", "0.00"}})
			}
		}

		var agg struct {
			AccountAggregate struct {
				Rows []struct {
					Keys     []*string
					Currency *string
					Values   []struct{ Money *string }
				}
			}
		}
		app.ok(t, `{ accountAggregate(measures: [{op: SUM, field: "mrr"}], groupBy: ["region"]) { rows { keys currency values { money } } } }`, nil, &agg)
		var rows []total
		for _, r := range agg.AccountAggregate.Rows {
			if r.Currency == nil || r.Values[0].Money == nil {
				t.Fatalf("aggregate row without a currency: %+v", r)
			}
			rows = append(rows, total{*r.Currency, *r.Values[0].Money})
		}
		same("accountAggregate SUM(mrr) by region", rows, want)

		var ret struct {
			RevenueRetention struct {
				ByCurrency []struct {
					Currency  string
					Expansion string
				}
			}
		}
		app.ok(t, `query($from: Time!, $to: Time!) { revenueRetention(from: $from, to: $to) { byCurrency { currency expansion } } }`,
			jsonObject{"from": time.Now().UTC().AddDate(0, -1, 0).Format(time.RFC3339), "to": time.Now().UTC().Add(time.Minute).Format(time.RFC3339)}, &ret)
		rows = nil
		for _, r := range ret.RevenueRetention.ByCurrency {
			rows = append(rows, total{r.Currency, r.Expansion})
		}
		// Both accounts existed a month ago and their contracts arrived since: expansion, per currency.
		same("revenueRetention expansion", rows, want)
	})
}

// TestSeededYearHasExpansionAndChurn: the demo data's past year shows
// expansion beside contraction and churn (so GRR < 100% and NRR != GRR),
// and a second currency kept consistently across accounts, quotes and
// contracts, with each account's MRR the MRC of its active contracts.
func TestSeededYearHasExpansionAndChurn(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		ctx := allowCtx()
		if _, err := seed.Run(ctx, app.db.Client, seed.Options{Scale: 1}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		var out struct {
			RevenueRetention struct {
				ByCurrency []struct {
					Currency                                   string
					StartingMRR, Expansion, Contraction, Churn string
					GrossRetention, NetRetention               *float64
				}
			}
		}
		app.ok(t, `query($from: Time!, $to: Time!) { revenueRetention(from: $from, to: $to) {
			byCurrency { currency startingMRR expansion contraction churn grossRetention netRetention } } }`,
			jsonObject{"from": now.AddDate(-1, 0, 0).Format(time.RFC3339), "to": now.Add(time.Minute).Format(time.RFC3339)}, &out)
		currencies := map[string]bool{}
		for _, r := range out.RevenueRetention.ByCurrency {
			currencies[r.Currency] = true
			if r.Currency != "USD" {
				continue
			}
			t.Logf("USD year: starting %s, expansion %s, contraction %s, churn %s", r.StartingMRR, r.Expansion, r.Contraction, r.Churn)
			if r.GrossRetention == nil || r.NetRetention == nil {
				t.Fatalf("USD retention has no ratios: %+v", r)
			}
			if *r.GrossRetention >= 1 || *r.NetRetention == *r.GrossRetention {
				t.Errorf("USD year: GRR %.4f, NRR %.4f; want GRR below 1 and NRR apart from it", *r.GrossRetention, *r.NetRetention)
			}
			if r.Expansion == "0.00" || (r.Contraction == "0.00" && r.Churn == "0.00") {
				t.Errorf("USD year: expansion %s, contraction %s, churn %s; want expansion and losses", r.Expansion, r.Contraction, r.Churn)
			}
		}
		if !currencies["USD"] || !currencies["CAD"] {
			t.Errorf("seeded currencies %v; want USD and CAD", currencies)
		}

		c := app.db.Client
		for _, a := range c.Account.Query().WithQuotes().WithContracts().AllX(ctx) {
			var active money.Amount
			for _, q := range a.Edges.Quotes {
				if q.Currency != a.Currency {
					t.Fatalf("account %s in %s has a quote in %s", a.AccountNumber, a.Currency, q.Currency)
				}
			}
			for _, k := range a.Edges.Contracts {
				if k.Currency != a.Currency {
					t.Fatalf("account %s in %s has a contract in %s", a.AccountNumber, a.Currency, k.Currency)
				}
				if k.Status == contract.StatusActive {
					active += k.Mrc
				}
			}
			if a.Mrr != active {
				t.Fatalf("account %s: MRR %s, active contracts %s", a.AccountNumber, a.Mrr, active)
			}
		}
	})
}
