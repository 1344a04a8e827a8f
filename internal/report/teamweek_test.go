package report_test

import (
	"context"
	"testing"

	"carrierdesk/ent"
	"carrierdesk/ent/activity"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/report"
)

// kinds lists activity counts in schema order: meeting, call, e-mail, site visit, note.
func kinds(meeting, call, email, visit, note int) []report.ActivityKindCount {
	return []report.ActivityKindCount{
		{Kind: activity.KindMeeting, Count: meeting},
		{Kind: activity.KindCall, Count: call},
		{Kind: activity.KindEmail, Count: email},
		{Kind: activity.KindSiteVisit, Count: visit},
		{Kind: activity.KindNote, Count: note},
	}
}

func TestTeamWeek(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		cases := []struct {
			name string
			ctx  context.Context
			want []report.RepWeek
		}{
			{
				name: "manager",
				ctx:  w.manager(),
				want: []report.RepWeek{
					// Morgan's e-mail on the unassigned a5, which managers see.
					{RepID: w.mgr, Name: "Morgan Manager", Activities: 1, ActivitiesByKind: kinds(0, 0, 1, 0, 0)},
					// Sam: two calls and a meeting (not Sunday's e-mail nor next
					// Monday's note); raised e1 and e2; sent q5; q1 and q5 overdue.
					{RepID: w.sup1, Name: "Sam Support", Activities: 3, ActivitiesByKind: kinds(1, 2, 0, 0, 0),
						EscalationsOpened: 2, QuotesSent: 1, OverdueFollowUps: 2},
					// Sasha: a site visit; resolved e6; q2's follow-up falls due before the week ends.
					{RepID: w.str1, Name: "Sasha Strategic", Activities: 1, ActivitiesByKind: kinds(0, 0, 0, 1, 0),
						EscalationsResolved: 1, OverdueFollowUps: 1},
				},
			},
			{
				// Sam sees only a1 and a2: Morgan's e-mail on a5 does not count.
				name: "support rep",
				ctx:  w.support1(),
				want: []report.RepWeek{
					{RepID: w.mgr, Name: "Morgan Manager", ActivitiesByKind: kinds(0, 0, 0, 0, 0)},
					{RepID: w.sup1, Name: "Sam Support", Activities: 3, ActivitiesByKind: kinds(1, 2, 0, 0, 0),
						EscalationsOpened: 2, QuotesSent: 1, OverdueFollowUps: 2},
					{RepID: w.str1, Name: "Sasha Strategic", Activities: 1, ActivitiesByKind: kinds(0, 0, 0, 1, 0),
						EscalationsResolved: 1, OverdueFollowUps: 1},
				},
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := report.TeamWeek(tc.ctx, c, w.team1, weekStart)
				if err != nil {
					t.Fatal(err)
				}
				equal(t, "team", got.TeamID, w.team1)
				equal(t, "week", [2]string{got.WeekStart.String(), got.WeekEnd.String()},
					[2]string{weekStart.String(), weekStart.AddDate(0, 0, 7).String()})
				equal(t, "reps", got.Reps, tc.want)
			})
		}
		t.Run("unknown team", func(t *testing.T) {
			_, err := report.TeamWeek(w.manager(), c, "tea_unknown", weekStart)
			if fault.KindOf(err) != fault.NotFound {
				t.Fatalf("got %v, want not found", err)
			}
		})
		t.Run("carrier", func(t *testing.T) {
			// Teams are internal: a carrier contact cannot see one.
			_, err := report.TeamWeek(w.carrierB(), c, w.team1, weekStart)
			if fault.KindOf(err) != fault.NotFound {
				t.Fatalf("got %v, want not found", err)
			}
		})
	})
}
