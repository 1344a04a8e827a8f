package report_test

import (
	"carrierdesk/internal/workflow"
	"context"
	"testing"

	"carrierdesk/ent"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/report"
)

func list(ids ...string) report.Shortlist {
	return report.Shortlist{TotalCount: len(ids), IDs: append([]string{}, ids...)}
}

func TestMe(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		cases := []struct {
			name string
			ctx  context.Context
			want report.MeResult
		}{
			{
				name: "support rep",
				ctx:  w.support1(),
				want: report.MeResult{
					Accounts: 2, // a1, a2; a6's assignment ended
					// Open and owned, soonest resolution due first.
					Escalations: list(w.e1, w.e2),
					// Own drafts and approved quotes, soonest expiring first.
					Quotes:                 list(w.q3, w.q1),
					SpecialPricingRequests: list(w.s3),
					// q1 two days overdue, q5 twelve hours; q6 is accepted.
					OverdueFollowUps: list(w.q1, w.q5),
					BusinessReviews:  list(w.b1),
					RFPDeadlines:     list(w.r4),
				},
			},
			{
				name: "manager",
				ctx:  w.manager(),
				want: report.MeResult{
					Accounts: 2, // held by the team: a1, a2
					// The team's open escalations (sup1's), not only the manager's own.
					Escalations:            list(w.e1, w.e2),
					Quotes:                 list(w.q2), // pending approval
					SpecialPricingRequests: list(w.s5), // in review on the team's q3; s4 is on another team's account
					OverdueFollowUps:       list(),
					BusinessReviews:        list(w.b1),
					RFPDeadlines:           list(w.r4),
				},
			},
			{
				name: "carrier contact",
				ctx:  w.carrierB(),
				want: report.MeResult{
					Accounts:               2, // a3, a4
					Escalations:            list(w.e5),
					Quotes:                 list(w.q4), // sent, awaiting their answer
					SpecialPricingRequests: list(),
					OverdueFollowUps:       list(),
					BusinessReviews:        list(w.b4),
					RFPDeadlines:           list(),
				},
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := report.Me(tc.ctx, c, now)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "me", *got, tc.want)
			})
		}
		t.Run("no viewer", func(t *testing.T) {
			_, err := report.Me(context.Background(), c, now)
			if fault.KindOf(err) != fault.Unauthenticated {
				t.Fatalf("got %v, want an unauthenticated error", err)
			}
		})
	})
}

// TestMeShortlistCaps checks that a long list carries its full count but only ShortlistSize IDs.
func TestMeShortlistCaps(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		extra := report.ShortlistSize + 2
		ctx := allow()
		for i := range extra {
			err := c.Quote.Create().
				SetAccountID(w.a1).
				SetOwnerID(w.sup1).
				SetTitle("More").
				SetTermMonths(12).
				SetValidUntil(workflow.DayOf(now.AddDate(0, 1, i))).
				SetFollowUpOn(workflow.DayOf(now.AddDate(0, 0, -1))).
				Exec(ctx)
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := report.Me(w.support1(), c, now)
		if err != nil {
			t.Fatal(err)
		}
		// q1, q5 and the new drafts, all overdue.
		equal(t, "overdue total", got.OverdueFollowUps.TotalCount, extra+2)
		equal(t, "overdue ids", len(got.OverdueFollowUps.IDs), report.ShortlistSize)
		equal(t, "first overdue", got.OverdueFollowUps.IDs[0], w.q1)
	})
}
