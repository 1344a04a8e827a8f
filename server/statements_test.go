package main

import (
	"carrierdesk/internal/workflow"
	"context"
	"entgo.io/ent/dialect"
	"testing"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/money"
)

// carrierPage is the web app's carrier page as `make bench` measures it: a
// carrier's first 50 accounts, each with counts of its quotes, contracts and
// open escalations, that is nested totalCount without edges.
const carrierPage = `query CarrierPage($id: ID!) {
  node(id: $id) {
    ... on Carrier {
      id name
      accounts(first: 50, orderBy: [{field: ACCOUNT_NUMBER}]) {
        totalCount
        pageInfo { hasNextPage }
        edges { node {
          id accountNumber mrr
          quotes { totalCount }
          contracts { totalCount }
          escalations(where: {statusNotIn: [RESOLVED, CLOSED]}) { totalCount }
        } }
      }
    }
  }
}`

// TestCarrierPageStatementsDoNotGrow counts the statements of the carrier page
// for 2 accounts with 1 quote, contract and escalation each, and for 20
// accounts with 10 each: nested counts must be one grouped query per
// connection, not one COUNT per account.
func TestCarrierPageStatementsDoNotGrow(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		small := buildPortfolio(t, app.db.Client, "SML", 2, 1)
		large := buildPortfolio(t, app.db.Client, "LRG", 20, 10)
		count := func(carrierID string, accounts, perAccount int) int64 {
			app.countStatements()
			var out struct {
				Node struct {
					Accounts struct {
						TotalCount int
						Edges      []struct {
							Node struct {
								Quotes, Contracts, Escalations struct{ TotalCount int }
							}
						}
					}
				}
			}
			app.ok(t, carrierPage, map[string]any{"id": carrierID}, &out)
			n := app.statements.Load()
			a := out.Node.Accounts
			if a.TotalCount != accounts || len(a.Edges) != accounts {
				t.Fatalf("accounts: total %d, %d edges; want %d", a.TotalCount, len(a.Edges), accounts)
			}
			for _, e := range a.Edges {
				if c := e.Node; c.Quotes.TotalCount != perAccount || c.Contracts.TotalCount != perAccount || c.Escalations.TotalCount != perAccount {
					t.Fatalf("account counts %d quotes, %d contracts, %d open escalations; want %d each",
						c.Quotes.TotalCount, c.Contracts.TotalCount, c.Escalations.TotalCount, perAccount)
				}
			}
			return n
		}
		nSmall, nLarge := count(small, 2, 1), count(large, 20, 10)
		t.Logf("carrier page: %d statements for 2 accounts, %d for 20 accounts with 10x the rows", nSmall, nLarge)
		if nSmall != nLarge {
			t.Fatalf("SQL statements grow with the data: %d for the small portfolio, %d for the large", nSmall, nLarge)
		}
		// On PostgreSQL the read planner serves the page: the viewer, and one statement.
		if app.db.Dialect == dialect.Postgres && nLarge > 2 {
			t.Fatalf("%d statements on PostgreSQL, want at most 2 (the viewer and the planned read)", nLarge)
		}
	})
}

// homeScreen is the mobile home screen, as the README shows it.
const homeScreen = `query Home {
  me {
    role
    rep { name }
    accountCount
    escalations { totalCount nodes { id title severity resolutionBreached } }
    quotes { totalCount nodes { id title status } }
    specialPricingRequests { totalCount nodes { id requestedMrc overdue } }
    overdueFollowUps { totalCount nodes { id title followUpOn } }
    businessReviews { totalCount nodes { id quarter scheduledAt } }
    rfpDeadlines { totalCount nodes { id title dueAt } }
  }
}`

// TestHomeScreenStatementsDoNotGrow counts the statements of `me` for a rep
// with 2 accounts and for one with 20 accounts and ten times the rows, with
// every list of the home screen non-empty, so that a field resolved per
// node (breaches, overdue, the rep) would show as more statements.
func TestHomeScreenStatementsDoNotGrow(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		quiet := busyRep(t, app, "SML", 2, 1)
		busy := busyRep(t, app, "LRG", 20, 10)
		count := func(repID string, accounts int) int64 {
			as := app.as(app.sign(t, auth.Claims{Subject: repID, Role: string(enum.RoleSupport)}))
			app.countStatements()
			type shortlist struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
			var out struct {
				Me struct {
					AccountCount                                                  int
					Escalations, Quotes, SpecialPricingRequests, OverdueFollowUps shortlist
					BusinessReviews, RfpDeadlines                                 shortlist
				}
			}
			as.ok(t, homeScreen, nil, &out)
			n := app.statements.Load()
			me := out.Me
			if me.AccountCount != accounts {
				t.Fatalf("accountCount %d; want %d", me.AccountCount, accounts)
			}
			for name, l := range map[string]shortlist{
				"escalations": me.Escalations, "quotes": me.Quotes, "specialPricingRequests": me.SpecialPricingRequests,
				"overdueFollowUps": me.OverdueFollowUps, "businessReviews": me.BusinessReviews, "rfpDeadlines": me.RfpDeadlines,
			} {
				if l.TotalCount < accounts || len(l.Nodes) != min(l.TotalCount, 10) {
					t.Fatalf("%s: total %d, %d nodes; want at least %d, and the first ten", name, l.TotalCount, len(l.Nodes), accounts)
				}
			}
			return n
		}
		nQuiet, nBusy := count(quiet, 2), count(busy, 20)
		t.Logf("home screen: %d statements for a rep with 2 accounts, %d for one with 20 accounts and 10x the rows", nQuiet, nBusy)
		if nQuiet != nBusy {
			t.Fatalf("SQL statements grow with the data: %d for the quiet rep, %d for the busy one", nQuiet, nBusy)
		}
	})
}

// busyRep builds a portfolio (see buildPortfolio) whose rep owns its
// escalations and quotes, with overdue follow-ups, draft pricing requests,
// and an RFP and a business review per account in the coming week; it
// returns the rep's ID.
func busyRep(t *testing.T, app *testApp, ccna string, accounts, perAccount int) string {
	t.Helper()
	c := app.db.Client
	carrierID := buildPortfolio(t, c, ccna, accounts, perAccount)
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	now := time.Now().UTC()
	r := c.Rep.Query().
		Where(rep.Email("rep-" + ccna + "@carrierdesk.example")).
		OnlyX(ctx)
	ofCarrier := account.CarrierID(carrierID)
	c.Escalation.Update().
		Where(escalation.HasAccountWith(ofCarrier)).
		SetOwnerID(r.ID).
		ExecX(ctx)
	c.Quote.Update().
		Where(quote.HasAccountWith(ofCarrier)).
		SetOwnerID(r.ID).
		SetFollowUpOn(workflow.DayOf(now.AddDate(0, 0, -1))).
		ExecX(ctx)
	for _, q := range c.Quote.Query().Where(quote.HasAccountWith(ofCarrier)).AllX(ctx) {
		c.SpecialPricingRequest.Create().
			SetQuoteID(q.ID).
			SetRequestedByID(r.ID).
			SetJustification("competitive bid").
			SetStandardMrc(money.Amount(450000)).
			SetRequestedMrc(money.Amount(400000)).
			ExecX(ctx)
	}
	for _, a := range c.Account.Query().Where(ofCarrier).AllX(ctx) {
		c.RFP.Create().
			SetAccountID(a.ID).
			SetTitle("Metro ring").
			SetReceivedAt(now.AddDate(0, 0, -3)).
			SetDueAt(now.AddDate(0, 0, 7)).
			SetOwnerID(r.ID).
			ExecX(ctx)
		c.BusinessReview.Create().
			SetAccountID(a.ID).
			SetQuarter("2026-Q4").
			SetScheduledAt(now.AddDate(0, 0, 5)).
			ExecX(ctx)
	}
	return r.ID
}
