package main

import (
	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/date"
	"context"
	"testing"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/order"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/internal/money"
	"carrierdesk/internal/workflow"
)

// This file proves the contract and order rules of issue 11 ("Contracts",
// "Orders (ASR / LSR)" and "frozen once committed"), through the real handler
// on both databases: each refusal names its field and writes nothing; the
// rules hold for writers other than GraphQL too.

const icCreateContract = `mutation($input: CreateContractInput!) {
  createContract(input: $input) { id status startDate endDate termMonths mrc nrc tcv quoteID masterID coTermed }
}`

const icUpdateContract = `mutation($id: ID!, $input: UpdateContractInput!) {
  updateContract(id: $id, input: $input) { id startDate endDate termMonths mrc nrc tcv }
}`

// icContract is a contract as the API returns it.
type icContract struct {
	ID, Status, Mrc, Nrc, Tcv string
	StartDate, EndDate        date.Date
	TermMonths                int
	QuoteID, MasterID         *string
	CoTermed                  bool
}

// icDay is a calendar day in the future, at midnight UTC.
func icDay(y int, m time.Month, d int) date.Date { return date.New(y, m, d) }

func icContracts(t *testing.T, app *testApp) int {
	t.Helper()
	return app.db.Client.Contract.Query().CountX(allowCtx())
}

func icOrders(t *testing.T, app *testApp) int {
	t.Helper()
	return app.db.Client.Order.Query().CountX(allowCtx())
}

// icQuote writes a quote on accountID in status, with one line of the given MRC and NRC, for term months.
func icQuote(t *testing.T, app *testApp, accountID string, status quote.Status, mrc, nrc money.Amount, term int) string {
	t.Helper()
	c, ctx := app.db.Client, allowCtx()
	id := c.Quote.Create().
		SetAccountID(accountID).
		SetTitle("Integrity quote").
		SetTermMonths(term).
		SetValidUntil(workflow.DayOf(time.Now().AddDate(0, 1, 0))).
		SaveX(ctx)
	c.QuoteLineItem.Create().
		SetQuoteID(id.ID).
		SetProduct(quotelineitem.ProductEthernet).
		SetBandwidth("10 Gbps").
		SetALocation("1 Main St, Boston").
		SetMrc(mrc).
		SetNrc(nrc).
		SaveX(ctx)
	// Priced as a draft, then through the workflow, approved by a manager who does not own it.
	approver := c.Rep.Query().
		Where(rep.RoleEQ(enum.RoleManager), rep.IDNEQ(wfxStr(id.OwnerID))).
		FirstIDX(ctx)
	walkQuote(t, c, id.ID, string(status), approver, time.Now().UTC())
	return id.ID
}

func icOtherAccount(t *testing.T, app *testApp) string {
	t.Helper()
	return app.db.Client.Account.Query().Where(account.AccountNumber("WF-B1")).OnlyIDX(allowCtx())
}

// icContractInput is a valid service order input: 36 months from 2027-01-01.
func icContractInput(accountID string) map[string]any {
	return map[string]any{
		"accountID": accountID, "kind": "SERVICE_ORDER", "title": "Integrity contract",
		"startDate": "2027-01-01", "endDate": "2030-01-01", "termMonths": 36, "mrc": "1000.00",
	}
}

// TestContractTermAgreesWithDates: 36 months with dates one month apart is
// refused; the term is the months the dates span (a part month counting as
// whole), and an update of the term alone moves the end date with it.
func TestContractTermAgreesWithDates(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		in := icContractInput(fx.account)
		before := icContracts(t, app)
		support.fails(t, icCreateContract, map[string]any{"input": withFields(in, "endDate", "2027-02-01")}, "BAD_USER_INPUT", "termMonths")
		if n := icContracts(t, app); n != before {
			t.Fatalf("a refused contract was written: %d contracts, want %d", n, before)
		}
		// The last day of the term is as good as the anniversary.
		var out struct{ CreateContract icContract }
		support.ok(t, icCreateContract, map[string]any{"input": withFields(in, "endDate", "2029-12-31")}, &out)
		k := out.CreateContract
		if k.TermMonths != 36 || k.Tcv != "36000.00" {
			t.Errorf("created %+v", k)
		}
		// A new term moves the end date; new dates derive the term.
		var upd struct{ UpdateContract icContract }
		support.ok(t, icUpdateContract, map[string]any{"id": k.ID, "input": map[string]any{"termMonths": 12}}, &upd)
		if u := upd.UpdateContract; u.EndDate != icDay(2028, 1, 1) || u.Tcv != "12000.00" {
			t.Errorf("after termMonths 12: %+v; want end 2028-01-01, TCV 12000.00", u)
		}
		support.ok(t, icUpdateContract, map[string]any{"id": k.ID, "input": map[string]any{"endDate": "2029-01-01"}}, &upd)
		if u := upd.UpdateContract; u.TermMonths != 24 || u.Tcv != "24000.00" {
			t.Errorf("after endDate 2029-01-01: %+v; want 24 months, TCV 24000.00", u)
		}
		support.fails(t, icUpdateContract, map[string]any{"id": k.ID, "input": map[string]any{"endDate": "2027-02-01", "termMonths": 36}}, "BAD_USER_INPUT", "termMonths")
		if got := app.db.Client.Contract.GetX(allowCtx(), k.ID); got.TermMonths != 24 || got.EndDate != icDay(2029, 1, 1) {
			t.Errorf("a refused update changed the contract: %+v", got)
		}
	})
}

// TestContractPriceComesFromItsQuote: a contract linked to an accepted quote
// carries the quote's MRC, NRC and term; different input, a quote that is not
// ACCEPTED and another account's quote are refused.
func TestContractPriceComesFromItsQuote(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		accepted := icQuote(t, app, fx.account, quote.StatusAccepted, 820000, 100000, 36)
		draft := icQuote(t, app, fx.account, quote.StatusDraft, 820000, 0, 36)
		foreign := icQuote(t, app, icOtherAccount(t, app), quote.StatusAccepted, 820000, 0, 36)
		in := withFields(icContractInput(fx.account), "quoteID", accepted)
		before := icContracts(t, app)
		for _, tc := range []struct {
			name  string
			input map[string]any
			field string
		}{
			{"MRC 99,999 on a quote of 8,200", withFields(in, "mrc", "99999.00"), "mrc"},
			{"another NRC", withFields(in, "mrc", "8200.00", "nrc", "5.00"), "nrc"},
			{"another term", withFields(in, "mrc", "8200.00", "termMonths", 12, "endDate", "2028-01-01"), "termMonths"},
			{"a DRAFT quote", withFields(in, "mrc", "8200.00", "quoteID", draft), "quoteID"},
			{"another account's quote", withFields(in, "mrc", "8200.00", "quoteID", foreign), "quoteID"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				support.fails(t, icCreateContract, map[string]any{"input": tc.input}, "BAD_USER_INPUT", tc.field)
				if n := icContracts(t, app); n != before {
					t.Fatalf("a refused contract was written")
				}
			})
		}
		var out struct{ CreateContract icContract }
		support.ok(t, icCreateContract, map[string]any{"input": withFields(in, "mrc", "8200.00")}, &out)
		if k := out.CreateContract; k.Mrc != "8200.00" || k.Nrc != "1000.00" || k.Tcv != "296200.00" || wfxStr(k.QuoteID) != accepted {
			t.Errorf("contract from the quote = %+v; want MRC 8200.00, NRC 1000.00 copied, TCV 296200.00", k)
		}
		// Linking an existing draft contract to a draft quote is refused too.
		plain := withFields(icContractInput(fx.account), "mrc", "8200.00")
		support.ok(t, icCreateContract, map[string]any{"input": plain}, &out)
		support.fails(t, icUpdateContract, map[string]any{"id": out.CreateContract.ID, "input": map[string]any{"quoteID": draft}}, "BAD_USER_INPUT", "quoteID")
		// Orders follow the same rule for their quote.
		support.fails(t, icCreateOrder, map[string]any{"input": withFields(icOrderInput(fx.account, "ASR", "INT-Q1"), "quoteID", draft)}, "BAD_USER_INPUT", "quoteID")
		support.fails(t, icCreateOrder, map[string]any{"input": withFields(icOrderInput(fx.account, "ASR", "INT-Q2"), "quoteID", foreign)}, "BAD_USER_INPUT", "quoteID")
		support.ok(t, icCreateOrder, map[string]any{"input": withFields(icOrderInput(fx.account, "ASR", "INT-Q3"), "quoteID", accepted)}, nil)
	})
}

// TestContractMasterAgreementRules: a master agreement has no master; a
// service order's master is a master agreement of the same account; a
// co-termed add-on ends with its master, never after it.
func TestContractMasterAgreementRules(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		var out struct{ CreateContract icContract }
		master := withFields(icContractInput(fx.account), "kind", "MASTER_AGREEMENT", "title", "MSA")
		support.ok(t, icCreateContract, map[string]any{"input": master}, &out)
		masterID := out.CreateContract.ID
		support.ok(t, icCreateContract, map[string]any{"input": withFields(icContractInput(fx.account), "masterID", masterID)}, &out)
		serviceOrder := out.CreateContract.ID
		before := icContracts(t, app)
		addOn := withFields(icContractInput(fx.account), "masterID", masterID, "coTermed", true,
			"startDate", "2028-01-01", "endDate", "2030-01-01", "termMonths", 24)
		for _, tc := range []struct {
			name  string
			input map[string]any
			field string
		}{
			{"a master agreement with a master", withFields(master, "masterID", masterID), "masterID"},
			{"a master that is a service order", withFields(icContractInput(fx.account), "masterID", serviceOrder), "masterID"},
			{"a co-termed add-on ending after its master", withFields(addOn, "endDate", "2031-01-01", "termMonths", 36), "endDate"},
			{"a co-termed contract without a master", withFields(addOn, "masterID", nil), "coTermed"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				support.fails(t, icCreateContract, map[string]any{"input": tc.input}, "BAD_USER_INPUT", tc.field)
				if n := icContracts(t, app); n != before {
					t.Fatalf("a refused contract was written")
				}
			})
		}
		support.ok(t, icCreateContract, map[string]any{"input": addOn}, &out)
		// A master's end date moves its co-termed add-ons' with it.
		support.ok(t, icUpdateContract, map[string]any{"id": masterID, "input": map[string]any{"termMonths": 48}}, nil)
		if k := app.db.Client.Contract.GetX(allowCtx(), out.CreateContract.ID); k.EndDate != icDay(2031, 1, 1) || k.TermMonths != 36 {
			t.Errorf("co-termed add-on after its master moved to 2031-01-01: end %s, term %d", k.EndDate, k.TermMonths)
		}
		// A master agreement that has service orders cannot become one.
		support.fails(t, icUpdateContract, map[string]any{"id": masterID, "input": map[string]any{"kind": "SERVICE_ORDER"}}, "BAD_USER_INPUT", "kind")
	})
}

// TestSignedContractIsFrozen: from PENDING_SIGNATURE on, price, term and
// dates are frozen for every writer; the title is not.
func TestSignedContractIsFrozen(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		changes := map[string]any{
			"mrc":        "1.00",
			"nrc":        "1.00",
			"termMonths": 12,
			"startDate":  fx.now.AddDate(0, -6, 0).Format(time.DateOnly),
			"endDate":    fx.now.AddDate(5, 0, 0).Format(time.DateOnly),
		}
		for _, state := range []string{"PENDING_SIGNATURE", "ACTIVE", "EXPIRED", "TERMINATED", "RENEWED"} {
			id := fx.create(t, "Contract", state)
			before := app.db.Client.Contract.GetX(allowCtx(), id)
			for field, v := range changes {
				app.fails(t, icUpdateContract, map[string]any{"id": id, "input": map[string]any{field: v}}, "INVALID_TRANSITION", field)
			}
			// Not through the API either.
			if err := app.db.Client.Contract.UpdateOneID(id).SetMrc(1).Exec(allowCtx()); err == nil {
				t.Errorf("%s: a direct write changed the MRC", state)
			}
			if err := app.db.Client.Contract.Update().Where(contract.ID(id)).AddTermMonths(1).Exec(allowCtx()); err == nil {
				t.Errorf("%s: a many-row update changed the term", state)
			}
			after := app.db.Client.Contract.GetX(allowCtx(), id)
			if after.Mrc != before.Mrc || after.TermMonths != before.TermMonths || after.EndDate != before.EndDate || after.Version != before.Version {
				t.Errorf("%s: refused updates changed the contract: %+v", state, after)
			}
			support.ok(t, icUpdateContract, map[string]any{"id": id, "input": map[string]any{"title": "Renamed " + state}}, nil)
		}
		draft := fx.create(t, "Contract", "DRAFT")
		support.ok(t, icUpdateContract, map[string]any{"id": draft, "input": map[string]any{"mrc": "5000.00"}}, nil)
	})
}

const icRenew = `mutation($id: ID!, $input: RenewContractInput!) {
  renewContract(id: $id, input: $input) { id status startDate endDate termMonths renewalOfID }
}`

// TestRenewalWaitsForTheSuccessor: renewContract drafts the successor and
// leaves the old contract ACTIVE; the successor's activation marks it RENEWED
// in the same transaction and moves the master's co-termed add-ons to the
// successor, their end with it.
func TestRenewalWaitsForTheSuccessor(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		support := app.as(fx.token["SUPPORT"])
		end := workflow.DayOf(fx.now).AddMonths(2)
		master := c.Contract.Create().
			SetAccountID(fx.account).
			SetKind(contract.KindMasterAgreement).
			SetTitle("MSA").
			SetStartDate(end.AddMonths(-36)).
			SetEndDate(end).
			SetTermMonths(36).
			SetMrc(500000).
			SetStatus(contract.StatusActive).
			SaveX(ctx).ID
		addOn := c.Contract.Create().
			SetAccountID(fx.account).
			SetKind(contract.KindServiceOrder).
			SetTitle("Add-on").
			SetStartDate(end.AddMonths(-12)).
			SetEndDate(end).
			SetTermMonths(12).
			SetMrc(100000).
			SetMasterID(master).
			SetCoTermed(true).
			SetStatus(contract.StatusActive).
			SaveX(ctx).ID

		var out struct {
			RenewContract struct {
				ID, Status  string
				EndDate     date.Date
				TermMonths  int
				RenewalOfID *string
			}
		}
		support.ok(t, icRenew, map[string]any{"id": master, "input": map[string]any{"termMonths": 24}}, &out)
		successor := out.RenewContract.ID
		if got := fx.status(t, "Contract", master); got != "ACTIVE" {
			t.Fatalf("renewed master is %s before its successor activates; want ACTIVE", got)
		}
		if out.RenewContract.Status != "DRAFT" || wfxStr(out.RenewContract.RenewalOfID) != master {
			t.Fatalf("successor = %+v", out.RenewContract)
		}
		// A second renewal of the same contract is refused.
		support.fails(t, icRenew, map[string]any{"id": master, "input": map[string]any{"termMonths": 12}}, "CONFLICT", "")

		support.ok(t, `mutation($id: ID!) { sendContractForSignature(id: $id) { id } }`, map[string]any{"id": successor}, nil)
		if got := fx.status(t, "Contract", master); got != "ACTIVE" {
			t.Fatalf("master is %s while its successor awaits signature; want ACTIVE", got)
		}
		support.ok(t, `mutation($id: ID!) { activateContract(id: $id) { id status } }`, map[string]any{"id": successor}, nil)
		if got := fx.status(t, "Contract", master); got != "RENEWED" {
			t.Errorf("master is %s after its successor activated; want RENEWED", got)
		}
		k := c.Contract.GetX(ctx, addOn)
		newEnd := c.Contract.GetX(ctx, successor).EndDate
		if wfxStr(k.MasterID) != successor || k.EndDate != newEnd || k.TermMonths != 36 || k.Tcv != 36*100000 {
			t.Errorf("co-termed add-on after the master's renewal: master %v end %s term %d tcv %d; want the successor, %s, 36, 3600000",
				wfxStr(k.MasterID), k.EndDate, k.TermMonths, k.Tcv, newEnd)
		}
	})
}

// TestEvergreenRenewalExtendsTermAndTCV: the sweep's evergreen renewal moves
// the end date a year and the term and TCV with it, and a co-termed add-on's
// end with its master's.
func TestEvergreenRenewalExtendsTermAndTCV(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		end := workflow.DayOf(fx.now).AddDays(-1)
		master := c.Contract.Create().
			SetAccountID(fx.account).
			SetKind(contract.KindMasterAgreement).
			SetTitle("Evergreen MSA").
			SetStartDate(end.AddMonths(-12)).
			SetEndDate(end).
			SetTermMonths(12).
			SetMrc(100000).
			SetAutoRenew(true).
			SetStatus(contract.StatusActive).
			SaveX(ctx).ID
		addOn := c.Contract.Create().
			SetAccountID(fx.account).
			SetKind(contract.KindServiceOrder).
			SetTitle("Co-termed").
			SetStartDate(end.AddMonths(-6)).
			SetEndDate(end).
			SetTermMonths(6).
			SetMrc(10000).
			SetMasterID(master).
			SetCoTermed(true).
			SetStatus(contract.StatusActive).
			SaveX(ctx).ID
		if _, err := workflow.Sweep(context.Background(), c, workflow.Now()); err != nil {
			t.Fatal(err)
		}
		var out struct {
			Node struct {
				Status     string
				EndDate    date.Date
				TermMonths int
				Tcv        string
			}
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Contract { status endDate termMonths tcv } } }`, map[string]any{"id": master}, &out)
		if k := out.Node; k.Status != "ACTIVE" || k.EndDate != end.AddMonths(12) || k.TermMonths != 24 || k.Tcv != "24000.00" {
			t.Errorf("evergreen master after the sweep = %+v; want ACTIVE to %s, 24 months, TCV 24000.00", k, end.AddMonths(12))
		}
		app.ok(t, `query($id: ID!) { node(id: $id) { ... on Contract { status endDate termMonths tcv } } }`, map[string]any{"id": addOn}, &out)
		if k := out.Node; k.Status != "ACTIVE" || k.EndDate != end.AddMonths(12) || k.TermMonths != 18 || k.Tcv != "1800.00" {
			t.Errorf("co-termed add-on after the sweep = %+v; want ACTIVE to %s, 18 months, TCV 1800.00", k, end.AddMonths(12))
		}
	})
}

const icCreateOrder = `mutation($input: CreateOrderInput!) { createOrder(input: $input) { id pon } }`

const icUpdateOrder = `mutation($id: ID!, $input: UpdateOrderInput!) { updateOrder(id: $id, input: $input) { id } }`

const icConfirm = `mutation($id: ID!, $input: ConfirmOrderInput!) {
  confirmOrder(id: $id, input: $input) { id status focDate confirmedDueDate submittedAt focMet dueDateSlipped }
}`

func icOrderInput(accountID, kind, pon string) map[string]any {
	in := map[string]any{"accountID": accountID, "kind": kind, "pon": pon, "desiredDueDate": time.Now().UTC().AddDate(0, 2, 0).Format(time.DateOnly)}
	if kind == "LSR" {
		in["tnCount"] = 10
	}
	return in
}

// TestOrderInputRules: a DDD in the past, an ASR with numbers to port, an LSR
// with none, and a PON that differs only in case on one carrier are refused.
func TestOrderInputRules(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		support.ok(t, icCreateOrder, map[string]any{"input": icOrderInput(fx.account, "ASR", "LMN-2026-0001")}, nil)
		before := icOrders(t, app)
		for _, tc := range []struct {
			name, code, field string
			input             map[string]any
		}{
			{"DDD in 2020", "BAD_USER_INPUT", "desiredDueDate", withFields(icOrderInput(fx.account, "ASR", "INT-1"), "desiredDueDate", "2020-06-01")},
			{"ASR with 500 numbers", "BAD_USER_INPUT", "tnCount", withFields(icOrderInput(fx.account, "ASR", "INT-2"), "tnCount", 500)},
			{"LSR with no numbers", "BAD_USER_INPUT", "tnCount", withFields(icOrderInput(fx.account, "LSR", "INT-3"), "tnCount", 0)},
			{"LSR with numbers left out", "BAD_USER_INPUT", "tnCount", withFields(icOrderInput(fx.account, "LSR", "INT-4"), "tnCount", nil)},
			{"PON differing only in case", "CONFLICT", "pon", icOrderInput(fx.account, "ASR", "lmn-2026-0001")},
		} {
			t.Run(tc.name, func(t *testing.T) {
				support.fails(t, icCreateOrder, map[string]any{"input": tc.input}, tc.code, tc.field)
				if n := icOrders(t, app); n != before {
					t.Fatalf("a refused order was written")
				}
			})
		}
		// Another carrier may use the same PON.
		app.ok(t, icCreateOrder, map[string]any{"input": icOrderInput(icOtherAccount(t, app), "ASR", "lmn-2026-0001")}, nil)
		// The database refuses it too, whoever writes.
		err := app.db.Client.Order.Create().
			SetAccountID(fx.account).
			SetKind(order.KindASR).
			SetPon("Lmn-2026-0001").
			SetDesiredDueDate(workflow.DayOf(fx.now.AddDate(0, 1, 0))).
			Exec(allowCtx())
		if err == nil {
			t.Errorf("a direct write took a PON differing only in case")
		}
		// DDD moved into the past on an open order.
		id := fx.create(t, "Order", "DRAFT")
		support.fails(t, icUpdateOrder, map[string]any{"id": id, "input": map[string]any{"desiredDueDate": "2020-06-01"}}, "BAD_USER_INPUT", "desiredDueDate")
		// An ASR cannot be given numbers to port later either.
		support.fails(t, icUpdateOrder, map[string]any{"id": id, "input": map[string]any{"tnCount": 500}}, "BAD_USER_INPUT", "tnCount")
	})
}

// TestOrderConfirmationDates: submission is recorded; the FOC is on or after
// it; the confirmed due date is not in the past and on or after the FOC.
func TestOrderConfirmationDates(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		id := fx.create(t, "Order", "DRAFT")
		var sub struct {
			SubmitOrder struct{ SubmittedAt *time.Time }
		}
		support.ok(t, `mutation($id: ID!) { submitOrder(id: $id) { submittedAt } }`, map[string]any{"id": id}, &sub)
		if sub.SubmitOrder.SubmittedAt == nil || time.Since(*sub.SubmitOrder.SubmittedAt) > time.Minute {
			t.Fatalf("submittedAt after submission = %v", sub.SubmitOrder.SubmittedAt)
		}
		today := fx.now.Truncate(24 * time.Hour)
		dateText := func(d time.Time) string { return d.Format(time.DateOnly) }
		for _, tc := range []struct {
			name, field string
			input       map[string]any
		}{
			{"FOC before submission", "focDate", map[string]any{"focDate": dateText(today.AddDate(0, 0, -3)), "confirmedDueDate": dateText(today.AddDate(0, 1, 0)), "circuitID": "12.KFGS.1..NY"}},
			{"confirmed due in the past", "confirmedDueDate", map[string]any{"focDate": dateText(today), "confirmedDueDate": dateText(today.AddDate(0, 0, -1)), "circuitID": "12.KFGS.1..NY"}},
			{"confirmed due before the FOC", "confirmedDueDate", map[string]any{"focDate": dateText(today.AddDate(0, 0, 5)), "confirmedDueDate": dateText(today.AddDate(0, 0, 2)), "circuitID": "12.KFGS.1..NY"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				support.fails(t, icConfirm, map[string]any{"id": id, "input": tc.input}, "BAD_USER_INPUT", tc.field)
				if got := fx.status(t, "Order", id); got != "SUBMITTED" {
					t.Fatalf("a refused confirmation left the order %s", got)
				}
			})
		}
		// Not past the API either: a direct write of an FOC before submission.
		if err := app.db.Client.Order.UpdateOneID(id).SetFocDate(workflow.DayOf(today.AddDate(0, 0, -3))).Exec(allowCtx()); err == nil {
			t.Errorf("a direct write set an FOC before submission")
		}
		var out struct {
			ConfirmOrder struct {
				Status         string
				FocMet         *bool
				DueDateSlipped bool
			}
		}
		support.ok(t, icConfirm, map[string]any{"id": id, "input": map[string]any{"focDate": dateText(today), "confirmedDueDate": dateText(today.AddDate(0, 2, 0)), "circuitID": "12.KFGS.1..NY"}}, &out)
		if o := out.ConfirmOrder; o.Status != "CONFIRMED" || o.FocMet == nil || !*o.FocMet || !o.DueDateSlipped {
			t.Errorf("confirmed order = %+v; want CONFIRMED, focMet, due date slipped past the DDD", o)
		}
	})
}

// TestCompletedOrderIsImmutable: nothing changes a completed order, through
// the API or not.
func TestCompletedOrderIsImmutable(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		id := fx.create(t, "Order", "COMPLETED")
		before := app.db.Client.Order.GetX(allowCtx(), id)
		for field, v := range map[string]any{
			"desiredDueDate": fx.now.AddDate(0, 3, 0).Format(time.DateOnly),
			"circuitID":      "99.XXXX.000000..NY",
		} {
			app.fails(t, icUpdateOrder, map[string]any{"id": id, "input": map[string]any{field: v}}, "INVALID_TRANSITION", field)
		}
		if err := app.db.Client.Order.UpdateOneID(id).SetCircuitID("99.XXXX.000000..NY").Exec(allowCtx()); err == nil {
			t.Errorf("a direct write changed a completed order's circuit ID")
		}
		if err := app.db.Client.Order.Update().Where(order.ID(id)).SetCircuitID("99.XXXX.000000..NY").Exec(allowCtx()); err == nil {
			t.Errorf("a many-row update changed a completed order's circuit ID")
		}
		if after := app.db.Client.Order.GetX(allowCtx(), id); after.CircuitID != before.CircuitID || after.Version != before.Version || after.DesiredDueDate != before.DesiredDueDate {
			t.Errorf("refused updates changed the order: %+v", after)
		}
	})
}

// TestOrderKPIs: FOC met (within the target of business days after
// submission) and due-date slips are in the order aggregates and in the
// portfolio's order figures.
func TestOrderKPIs(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		support := app.as(fx.token["SUPPORT"])
		today := fx.now.Truncate(24 * time.Hour)
		dateText := func(d time.Time) string { return d.Format(time.DateOnly) }
		submitted := func(ago int) string {
			id := fx.create(t, "Order", "SUBMITTED")
			c.Order.UpdateOneID(id).SetSubmittedAt(today.AddDate(0, 0, -ago)).ExecX(ctx)
			return id
		}
		confirm := func(id string, due time.Time) {
			support.ok(t, icConfirm, map[string]any{"id": id, "input": map[string]any{"focDate": dateText(today), "confirmedDueDate": dateText(due), "circuitID": "12.KFGS." + id[4:10] + "..NY"}}, nil)
		}
		onTime := submitted(1)
		late := submitted(20)
		confirm(onTime, today.AddDate(0, 0, 14)) // before the DDD: no slip
		confirm(late, today.AddDate(0, 3, 0))    // after the DDD: a slip
		submitted(0)                             // no FOC yet

		var agg struct {
			OrderAggregate struct {
				Rows []struct {
					Keys   []*string
					Values []struct{ Int *int64 }
				}
			}
		}
		app.ok(t, `{ orderAggregate(measures: [{op: COUNT}], groupBy: ["focMet", "dueDateSlipped"]) { rows { keys values { int } } } }`, nil, &agg)
		got := map[string]int64{}
		for _, r := range agg.OrderAggregate.Rows {
			got[wfxStr(r.Keys[0])+"/"+wfxStr(r.Keys[1])] = *r.Values[0].Int
		}
		if got["true/false"] != 1 || got["false/true"] != 1 || got["/false"] != 1 {
			t.Errorf("orders by focMet/dueDateSlipped = %v", got)
		}
		var p struct {
			Portfolio struct {
				Orders struct {
					FocReturned, FocMet, FocMissed, Completed, CompletedLate, ConfirmedAfterDesired, DueDateSlips int
					FocTargetBusinessDays                                                                         int
				}
			}
		}
		app.ok(t, `{ portfolio { orders { focReturned focMet focMissed completed completedLate confirmedAfterDesired dueDateSlips focTargetBusinessDays } } }`, nil, &p)
		if o := p.Portfolio.Orders; o.FocReturned != 2 || o.FocMet != 1 || o.FocMissed != 1 || o.ConfirmedAfterDesired != 1 || o.DueDateSlips != 1 || o.FocTargetBusinessDays != workflow.FOCTargetBusinessDays {
			t.Errorf("portfolio order figures = %+v", o)
		}
	})
}
