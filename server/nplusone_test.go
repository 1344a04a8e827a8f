package main

import (
	"carrierdesk/internal/workflow"
	"context"
	"entgo.io/ent/dialect"
	"fmt"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
)

// accountPage is what the web app asks for on a carrier's account page.
const accountPage = `query AccountPage($id: ID!) {
  node(id: $id) {
    ... on Carrier {
      id name ocn
      accounts(first: 50, orderBy: [{field: ACCOUNT_NUMBER}]) {
        totalCount
        edges { node {
          id accountNumber name status mrr
          assignments(first: 10, where: {endedAtIsNil: true}) { edges { node { capacity startedAt rep { id name role } } } }
          quotes(first: 50) {
            totalCount
            edges { node {
              id title status mrc tcv
              lineItems(first: 50) { totalCount edges { node { product bandwidth mrc quantity } } }
            } }
          }
          contracts(first: 50) { totalCount edges { node { id title status endDate tcv } } }
          escalations(first: 50) {
            totalCount
            edges { node {
              id title severity status
              events(first: 50) { totalCount edges { node { kind body createdAt } } }
            } }
          }
        } }
      }
    }
  }
}`

// TestAccountPageStatementsDoNotGrow counts the SQL statements of the account
// page on two portfolios, the second ten times the size of the first: the
// counts must be equal, or some edge is loaded per row (N+1).
func TestAccountPageStatementsDoNotGrow(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		small := buildPortfolio(t, app.db.Client, "SML", 2, 1)
		large := buildPortfolio(t, app.db.Client, "LRG", 20, 10)

		count := func(carrierID string, wantAccounts, wantQuotes int) int64 {
			app.countStatements()
			var out struct {
				Node struct {
					Accounts struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Assignments struct {
									Edges []struct {
										Node struct{ Rep struct{ Name string } }
									}
								}
								Quotes struct {
									TotalCount int
									Edges      []struct {
										Node struct{ LineItems struct{ TotalCount int } }
									}
								}
								Escalations struct {
									Edges []struct {
										Node struct{ Events struct{ TotalCount int } }
									}
								}
							}
						}
					}
				}
			}
			app.ok(t, accountPage, map[string]any{"id": carrierID}, &out)
			n := app.statements.Load()
			accts := out.Node.Accounts
			if accts.TotalCount != wantAccounts || len(accts.Edges) != wantAccounts {
				t.Fatalf("accounts: total %d, %d edges; want %d", accts.TotalCount, len(accts.Edges), wantAccounts)
			}
			for _, a := range accts.Edges {
				if a.Node.Quotes.TotalCount != wantQuotes || len(a.Node.Quotes.Edges) != wantQuotes || len(a.Node.Assignments.Edges) != 1 {
					t.Fatalf("account: %d quotes (%d edges), %d assignments; want %d quotes, 1 assignment",
						a.Node.Quotes.TotalCount, len(a.Node.Quotes.Edges), len(a.Node.Assignments.Edges), wantQuotes)
				}
				for _, q := range a.Node.Quotes.Edges {
					if q.Node.LineItems.TotalCount != 3 {
						t.Fatalf("quote has %d line items; want 3", q.Node.LineItems.TotalCount)
					}
				}
				for _, e := range a.Node.Escalations.Edges {
					if e.Node.Events.TotalCount != 3 {
						t.Fatalf("escalation has %d events; want 3", e.Node.Events.TotalCount)
					}
				}
			}
			return n
		}
		nSmall := count(small, 2, 1)
		nLarge := count(large, 20, 10)
		t.Logf("account page: %d statements for 2 accounts, %d for 20 accounts with 10x the quotes", nSmall, nLarge)
		if nSmall != nLarge {
			t.Fatalf("SQL statements grow with the data: %d for the small portfolio, %d for the large", nSmall, nLarge)
		}
		// On PostgreSQL the read planner serves the page: the viewer, and one statement.
		if app.db.Dialect == dialect.Postgres && nLarge > 2 {
			t.Fatalf("%d statements on PostgreSQL, want at most 2 (the viewer and the planned read)", nLarge)
		}
	})
}

// buildPortfolio writes a carrier with accounts, each with one assigned rep,
// quotes of three line items, contracts and escalations with events (the
// CREATED event plus two comments), and returns the carrier's ID.
func buildPortfolio(t *testing.T, c *ent.Client, ccna string, accounts, perAccount int) string {
	t.Helper()
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	now := time.Now().UTC().Truncate(time.Microsecond)
	car := c.Carrier.Create().
		SetName("Carrier " + ccna).
		SetOcn(ccna[:3] + "1").
		SetCcna(ccna).
		SaveX(ctx)
	rep := c.Rep.Create().
		SetName("Rep " + ccna).
		SetEmail("rep-" + ccna + "@carrierdesk.example").
		SetRole(enum.RoleSupport).
		SetRegion(enum.RegionWest).
		SaveX(ctx)
	for a := range accounts {
		acc := c.Account.Create().
			SetCarrierID(car.ID).
			SetAccountNumber(fmt.Sprintf("%s-%04d", ccna, a)).
			SetBan(fmt.Sprintf("B%s-%04d", ccna, a)).
			SetName(fmt.Sprintf("%s account %d", ccna, a)).
			SetMarket("Dallas").
			SetRegion(enum.RegionSouthCentral).
			SetMrr(money.Amount(100000)).
			SaveX(ctx)
		c.AccountAssignment.Create().
			SetAccountID(acc.ID).
			SetRepID(rep.ID).
			SetCapacity(accountassignment.CapacitySupport).
			ExecX(ctx)
		for q := range perAccount {
			qt := c.Quote.Create().
				SetAccountID(acc.ID).
				SetTitle(fmt.Sprintf("Quote %d", q)).
				SetTermMonths(36).
				SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
				SaveX(ctx)
			for range 3 {
				c.QuoteLineItem.Create().
					SetQuoteID(qt.ID).
					SetProduct(quotelineitem.ProductEthernet).
					SetBandwidth("10 Gbps").
					SetALocation("1 Main St").
					SetMrc(money.Amount(150000)).
					ExecX(ctx)
			}
			c.Contract.Create().
				SetAccountID(acc.ID).
				SetKind("SERVICE_ORDER").
				SetTitle(fmt.Sprintf("Contract %d", q)).
				SetStartDate(workflow.DayOf(now)).
				SetEndDate(workflow.DayOf(now.AddDate(3, 0, 0))).
				SetTermMonths(36).
				SetMrc(money.Amount(450000)).
				ExecX(ctx)
			esc := c.Escalation.Create().
				SetAccountID(acc.ID).
				SetTitle(fmt.Sprintf("Escalation %d", q)).
				SetCategory(escalation.CategoryBilling).
				SetSeverity(escalation.SeveritySev3).
				SaveX(ctx)
			for range 2 {
				c.EscalationEvent.Create().
					SetEscalationID(esc.ID).
					SetKind(escalationevent.KindComment).
					SetBody("looking into it").
					ExecX(ctx)
			}
		}
	}
	return car.ID
}
