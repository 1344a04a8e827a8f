package report_test

import (
	"carrierdesk/internal/workflow"
	"fmt"
	"sync/atomic"
	"testing"

	"carrierdesk/ent"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/escalation"
	"carrierdesk/internal/money"
	"carrierdesk/internal/report"

	"entgo.io/ent/dialect"
)

// TestQueryCounts guards the promise that reports are computed in SQL: each
// runs a fixed number of statements, the same before and after the data grows.
func TestQueryCounts(t *testing.T) {
	for _, name := range []string{dialect.SQLite, dialect.Postgres} {
		t.Run(name, func(t *testing.T) {
			var statements atomic.Int64
			c := openCountingClient(t, name, &statements)
			w := build(t, c)
			reports := []struct {
				name string
				want int64
				run  func() error
			}{
				// Accounts, top carriers, their names, escalations, time to restore, quotes, SPARCs, RFPs, renewals, orders.
				{"portfolio", 10, func() error { _, err := report.Portfolio(w.manager(), c, now); return err }},
				// Six lists and the account count.
				{"me", 7, func() error { _, err := report.Me(w.support1(), c, now); return err }},
				// The team, its reps, activities, escalations raised, resolutions, quotes sent, follow-ups.
				{"team week", 7, func() error { _, err := report.TeamWeek(w.manager(), c, w.team1, weekStart); return err }},
				{"aggregate", 1, func() error {
					_, err := report.Aggregate(w.manager(), c, report.AggregateSpec{
						Entity:   report.AggregateEscalation,
						GroupBy:  []string{"severity", "createdAt:week"},
						Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpAvg, Field: "hoursToResolve"}},
					})
					return err
				}},
			}
			count := func() map[string]int64 {
				got := map[string]int64{}
				for _, r := range reports {
					statements.Store(0)
					if err := r.run(); err != nil {
						t.Fatalf("%s: %v", r.name, err)
					}
					got[r.name] = statements.Load()
				}
				return got
			}
			before := count()
			grow(t, c, w, 25)
			after := count()
			for _, r := range reports {
				if before[r.name] != r.want || after[r.name] != r.want {
					t.Errorf("%s: %d statements, then %d with more data; want %d", r.name, before[r.name], after[r.name], r.want)
				}
			}
		})
	}
}

// grow adds n more escalations, activities and quotes on the team's accounts.
func grow(t *testing.T, c *ent.Client, w *world, n int) {
	t.Helper()
	ctx := allow()
	for i := range n {
		err := c.Escalation.Create().
			SetAccountID(w.a1).
			SetOwnerID(w.sup1).
			SetTitle(fmt.Sprintf("More trouble %d", i)).
			SetCategory(escalation.CategoryBilling).
			SetSeverity(escalation.SeveritySev3).
			SetCreatedAt(weekStart.AddDate(0, 0, i%7)).
			Exec(ctx)
		if err == nil {
			err = c.Activity.Create().
				SetAccountID(w.a2).
				SetRepID(w.str1).
				SetKind(activity.KindCall).
				SetOccurredAt(weekStart.AddDate(0, 0, i%7)).
				SetSummary("Called").
				Exec(ctx)
		}
		if err == nil {
			err = c.Quote.Create().
				SetAccountID(w.a1).
				SetOwnerID(w.sup1).
				SetTitle("More").
				SetMrc(money.Amount(100 * i)).
				SetTermMonths(12).
				SetValidUntil(workflow.DayOf(now.AddDate(0, 1, 0))).
				SetFollowUpOn(workflow.DayOf(now.AddDate(0, 0, -i))).
				Exec(ctx)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}
