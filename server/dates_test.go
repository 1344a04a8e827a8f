package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/quote"
	"carrierdesk/internal/date"
	"carrierdesk/internal/workflow"

	"entgo.io/ent/dialect"
)

// dateSpelling is how the Date scalar is spelled on the wire.
var dateSpelling = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// dayOf is the calendar day of an optional fixture time.
func dayOf(t *time.Time) *date.Date {
	if t == nil {
		return nil
	}
	return date.Ptr(workflow.DayOf(*t))
}

// inChicago runs the rest of the test with the process's local zone set to
// America/Chicago, where a UTC midnight is still the day before.
func inChicago(t *testing.T) {
	t.Helper()
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	local := time.Local
	time.Local = chicago
	t.Cleanup(func() { time.Local = local })
}

// storedDay is a date column as the database holds it, as text.
func storedDay(t *testing.T, app *testApp, table, column, id string) string {
	t.Helper()
	q := fmt.Sprintf("SELECT CAST(%s AS TEXT) FROM %s WHERE id = ?", column, table)
	if app.db.Dialect == dialect.Postgres {
		q = strings.Replace(q, "?", "$1", 1)
	}
	var s string
	if err := app.db.DB.QueryRow(q, id).Scan(&s); err != nil {
		t.Fatalf("reading %s.%s: %v", table, column, err)
	}
	return s
}

// TestDateIsTheSameDayEverywhere: the Chicago case. Calendar dates go
// in as YYYY-MM-DD and come out as the same day, stored as that day (not as
// a UTC midnight), with the server's zone set to Chicago.
func TestDateIsTheSameDayEverywhere(t *testing.T) {
	inChicago(t)
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])

		var q struct {
			CreateQuote struct{ ID, ValidUntil, FollowUpOn string }
		}
		support.ok(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id validUntil followUpOn } }`, map[string]any{"input": map[string]any{
			"accountID": fx.account, "title": "Chicago", "termMonths": 12, "validUntil": "2027-01-15", "followUpOn": "2027-01-14",
		}}, &q)
		if q.CreateQuote.ValidUntil != "2027-01-15" || q.CreateQuote.FollowUpOn != "2027-01-14" {
			t.Errorf("quote dates came back as %+v; want 2027-01-15 and 2027-01-14", q.CreateQuote)
		}
		if got := storedDay(t, app, "quotes", "valid_until", q.CreateQuote.ID); got != "2027-01-15" {
			t.Errorf("valid_until is stored as %q; want the day 2027-01-15", got)
		}

		var k struct {
			CreateContract struct{ ID, StartDate, EndDate string }
		}
		support.ok(t, `mutation($input: CreateContractInput!) { createContract(input: $input) { id startDate endDate } }`, map[string]any{"input": map[string]any{
			"accountID": fx.account, "kind": "SERVICE_ORDER", "title": "Chicago", "startDate": "2027-01-01", "endDate": "2027-12-31",
			"termMonths": 12, "mrc": "100.00",
		}}, &k)
		if k.CreateContract.StartDate != "2027-01-01" || k.CreateContract.EndDate != "2027-12-31" {
			t.Errorf("contract dates came back as %+v", k.CreateContract)
		}
		if got := storedDay(t, app, "contracts", "end_date", k.CreateContract.ID); got != "2027-12-31" {
			t.Errorf("end_date is stored as %q; want 2027-12-31", got)
		}

		id := fx.create(t, "Order", "SUBMITTED")
		var o struct {
			ConfirmOrder struct{ DesiredDueDate, FocDate, ConfirmedDueDate string }
		}
		support.ok(t, `mutation($id: ID!, $input: ConfirmOrderInput!) { confirmOrder(id: $id, input: $input) { desiredDueDate focDate confirmedDueDate } }`,
			map[string]any{"id": id, "input": map[string]any{"focDate": "2027-01-15", "confirmedDueDate": "2027-01-29", "circuitID": "12.KFGS.000123..NY"}}, &o)
		if o.ConfirmOrder.FocDate != "2027-01-15" || o.ConfirmOrder.ConfirmedDueDate != "2027-01-29" || !dateSpelling.MatchString(o.ConfirmOrder.DesiredDueDate) {
			t.Errorf("order dates came back as %+v", o.ConfirmOrder)
		}
		if got := storedDay(t, app, "orders", "foc_date", id); got != "2027-01-15" {
			t.Errorf("foc_date is stored as %q; want 2027-01-15", got)
		}
	})
}

// TestDateRefusesDateTimes: a date-time, or anything but YYYY-MM-DD, is
// BAD_USER_INPUT naming the input field or filter, and nothing is written.
func TestDateRefusesDateTimes(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		support := app.as(fx.token["SUPPORT"])
		c, ctx := app.db.Client, allowCtx()
		before := c.Quote.Query().CountX(ctx)
		for _, bad := range []string{"2027-01-15T00:00:00Z", "2027-01-15T00:00Z", "2027-1-15", "15/01/2027", "2027-02-30", ""} {
			support.fails(t, `mutation($input: CreateQuoteInput!) { createQuote(input: $input) { id } }`, map[string]any{"input": map[string]any{
				"accountID": fx.account, "title": "Bad", "termMonths": 12, "validUntil": bad,
			}}, "BAD_USER_INPUT", "validUntil")
		}
		support.fails(t, fmt.Sprintf(`mutation { createQuote(input: {accountID: %q, title: "Bad", termMonths: 12, validUntil: "2027-01-15T00:00:00Z"}) { id } }`, fx.account),
			nil, "BAD_USER_INPUT", "validUntil")
		if n := c.Quote.Query().CountX(ctx); n != before {
			t.Errorf("refused quotes were written: %d quotes, had %d", n, before)
		}

		support.fails(t, `query($d: Date) { quotes(where: {validUntilLT: $d}) { totalCount } }`, map[string]any{"d": "2027-01-15T00:00:00Z"}, "BAD_USER_INPUT", "validUntilLT")
		support.fails(t, `query { quotes(where: {validUntilLT: "2027-01-15T00:00:00Z"}) { totalCount } }`, nil, "BAD_USER_INPUT", "validUntilLT")

		id := fx.create(t, "Order", "SUBMITTED")
		support.fails(t, `mutation($id: ID!, $input: ConfirmOrderInput!) { confirmOrder(id: $id, input: $input) { id } }`,
			map[string]any{"id": id, "input": map[string]any{"focDate": "2027-01-15T00:00:00Z", "confirmedDueDate": "2027-01-29", "circuitID": "12.KFGS.000123..NY"}},
			"BAD_USER_INPUT", "focDate")
		if got := fx.status(t, "Order", id); got != "SUBMITTED" {
			t.Errorf("a refused confirmation left the order %s", got)
		}
	})
}

// TestDateFiltersOrderAndPages: filters compare days, ordering follows the
// calendar, and cursor pages over a date field neither repeat nor skip rows
// (ties included), on both databases.
func TestDateFiltersOrderAndPages(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		days := []string{"2027-01-15", "2026-12-31", "2027-01-15", "2027-02-01", "2026-12-30", "2027-01-15", "2026-12-31"}
		for _, d := range days {
			id := fx.create(t, "Quote", "DRAFT")
			c.Quote.UpdateOneID(id).SetValidUntil(date.MustParse(d)).ExecX(ctx)
		}

		var count struct{ Quotes struct{ TotalCount int } }
		app.ok(t, `query { quotes(where: {validUntilGTE: "2026-12-31", validUntilLT: "2027-02-01"}) { totalCount } }`, nil, &count)
		if count.Quotes.TotalCount != 5 {
			t.Errorf("quotes valid from 2026-12-31 to before 2027-02-01: %d; want 5", count.Quotes.TotalCount)
		}
		app.ok(t, `query { quotes(where: {validUntil: "2027-01-15"}) { totalCount } }`, nil, &count)
		if count.Quotes.TotalCount != 3 {
			t.Errorf("quotes valid until 2027-01-15: %d; want 3", count.Quotes.TotalCount)
		}

		for _, dir := range []string{"ASC", "DESC"} {
			var seen []string
			ids := map[string]bool{}
			var after any
			for page := 0; page < 10; page++ {
				var out struct {
					Quotes struct {
						Edges []struct {
							Node struct{ ID, ValidUntil string }
						}
						PageInfo struct {
							HasNextPage bool
							EndCursor   string
						}
					}
				}
				app.ok(t, `query($after: Cursor, $dir: OrderDirection!) {
				  quotes(first: 2, after: $after, orderBy: [{field: VALID_UNTIL, direction: $dir}]) {
				    edges { node { id validUntil } } pageInfo { hasNextPage endCursor }
				  }
				}`, map[string]any{"after": after, "dir": dir}, &out)
				for _, e := range out.Quotes.Edges {
					if ids[e.Node.ID] {
						t.Errorf("%s: quote %s on two pages", dir, e.Node.ID)
					}
					ids[e.Node.ID] = true
					seen = append(seen, e.Node.ValidUntil)
				}
				if !out.Quotes.PageInfo.HasNextPage {
					break
				}
				after = out.Quotes.PageInfo.EndCursor
			}
			if len(seen) != len(days) {
				t.Errorf("%s: pages held %d quotes; want %d: %v", dir, len(seen), len(days), seen)
			}
			for i := 1; i < len(seen); i++ {
				if (dir == "ASC" && seen[i] < seen[i-1]) || (dir == "DESC" && seen[i] > seen[i-1]) {
					t.Errorf("%s: pages out of order: %v", dir, seen)
					break
				}
			}
		}
	})
}

// TestQuoteValidThroughTheEndOfItsDay: valid until a day means through the
// end of that day, UTC (workflow.DayZone): a quote valid until today can
// still be accepted, and the sweep leaves it; one valid until yesterday
// cannot.
func TestQuoteValidThroughTheEndOfItsDay(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		carrier := app.as(fx.token["CARRIER"])
		today := workflow.DayOf(workflow.Now())
		sent := func(validUntil date.Date) string {
			id := fx.create(t, "Quote", "SENT")
			c.Quote.UpdateOneID(id).SetValidUntil(validUntil).ExecX(ctx)
			return id
		}
		lastDay, lapsed := sent(today), sent(today.AddDays(-1))
		if _, err := workflow.Sweep(ctx, c, workflow.Now()); err != nil {
			t.Fatal(err)
		}
		if got := fx.status(t, "Quote", lastDay); got != "SENT" {
			t.Errorf("the sweep left a quote on its last valid day %s; want SENT", got)
		}
		carrier.ok(t, `mutation($id: ID!) { acceptQuote(id: $id) { id } }`, map[string]any{"id": lastDay}, nil)
		if got := fx.status(t, "Quote", lastDay); got != string(quote.StatusAccepted) {
			t.Errorf("a quote accepted on its last valid day is %s", got)
		}
		if got := fx.status(t, "Quote", lapsed); got != "EXPIRED" {
			t.Errorf("a quote valid until yesterday is %s after the sweep; want EXPIRED", got)
		}
	})
}
