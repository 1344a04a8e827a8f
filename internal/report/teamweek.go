package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/migrate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/team"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/workflow"

	"entgo.io/ent/dialect/sql"
)

// TeamWeekResult is a team's week for the weekly team meeting: one row per
// rep, counting what the viewer may see.
type TeamWeekResult struct {
	// TeamID identifies the team.
	TeamID string
	// WeekStart is the start of the week (inclusive).
	WeekStart time.Time
	// WeekEnd is the end of the week (exclusive): WeekStart plus seven days.
	WeekEnd time.Time
	// Reps is one row per rep: the manager first, then the members by name.
	Reps []RepWeek
}

// RepWeek is one rep's week.
type RepWeek struct {
	// RepID identifies the rep.
	RepID string
	// Name is the rep's name.
	Name string
	// Activities is how many activities the rep logged in the week.
	Activities int
	// ActivitiesByKind is the activities by kind, every kind listed.
	ActivitiesByKind []ActivityKindCount
	// EscalationsOpened is how many escalations the rep owns that were raised in the week.
	EscalationsOpened int
	// EscalationsResolved is how many escalations the rep owns that were resolved in the week.
	EscalationsResolved int
	// QuotesSent is how many of the rep's quotes were sent in the week.
	QuotesSent int
	// OverdueFollowUps is how many of the rep's open quotes had a follow-up date before the week's end.
	OverdueFollowUps int
}

// ActivityKindCount is a number of activities of one kind.
type ActivityKindCount struct {
	// Kind is the kind of activity.
	Kind activity.Kind
	// Count is how many.
	Count int
}

// TeamWeek computes the week starting at weekStart for the team: the team's
// reps, then one grouped query each for activities, escalations and quotes.
// A team the viewer cannot see is not found.
func TeamWeek(ctx context.Context, c *ent.Client, teamID string, weekStart time.Time) (*TeamWeekResult, error) {
	start := utc(weekStart)
	end := start.AddDate(0, 0, 7)
	t, err := c.Team.Query().
		Where(team.ID(teamID)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, fault.E(fault.NotFound, "teamID", "no such team")
	}
	if err != nil {
		return nil, fmt.Errorf("team week: reading team: %w", err)
	}
	members := rep.TeamID(t.ID)
	if t.ManagerID != nil {
		members = rep.Or(members, rep.ID(*t.ManagerID))
	}
	reps, err := c.Rep.Query().
		Where(members).
		Order(rep.ByName(), rep.ByID()).
		Select(rep.FieldID, rep.FieldName).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("team week: reading reps: %w", err)
	}
	// The manager leads the meeting: first, then the members by name.
	if t.ManagerID != nil {
		slices.SortStableFunc(reps, func(a, b *ent.Rep) int {
			return cmp.Compare(boolRank(a.ID != *t.ManagerID), boolRank(b.ID != *t.ManagerID))
		})
	}
	r := &TeamWeekResult{TeamID: t.ID, WeekStart: start, WeekEnd: end, Reps: make([]RepWeek, 0, len(reps))}
	if len(reps) == 0 {
		return r, nil
	}
	ids := make([]string, len(reps))
	for i, rp := range reps {
		ids[i] = rp.ID
	}
	kinds, err := activitiesByRep(ctx, c, ids, start, end)
	if err != nil {
		return nil, fmt.Errorf("team week: activities: %w", err)
	}
	escalations, err := escalationsByRep(ctx, c, ids, start, end)
	if err != nil {
		return nil, fmt.Errorf("team week: escalations: %w", err)
	}
	quotes, err := quotesByRep(ctx, c, ids, start, end)
	if err != nil {
		return nil, fmt.Errorf("team week: quotes: %w", err)
	}
	known := enumValues(migrate.ActivitiesTable, activity.FieldKind)
	for _, rp := range reps {
		w := RepWeek{RepID: rp.ID, Name: rp.Name}
		byKind := kinds[rp.ID]
		for _, k := range ordered(known, byKind) {
			w.ActivitiesByKind = append(w.ActivitiesByKind, ActivityKindCount{Kind: activity.Kind(k), Count: byKind[k]})
			w.Activities += byKind[k]
		}
		e := escalations[rp.ID]
		w.EscalationsOpened, w.EscalationsResolved = e.Opened, e.Resolved
		q := quotes[rp.ID]
		w.QuotesSent, w.OverdueFollowUps = q.Sent, q.Overdue
		r.Reps = append(r.Reps, w)
	}
	return r, nil
}

// activitiesByRep counts activities in [start, end) by rep and kind.
func activitiesByRep(ctx context.Context, c *ent.Client, reps []string, start, end time.Time) (map[string]map[string]int, error) {
	var rows []struct {
		RepID string `sql:"rep_id"`
		Kind  string `sql:"kind"`
		Count int    `sql:"count"`
	}
	err := c.Activity.Query().
		Where(
			activity.RepIDIn(reps...),
			activity.OccurredAtGTE(start),
			activity.OccurredAtLT(end),
		).
		GroupBy(activity.FieldRepID, activity.FieldKind).
		Aggregate(ent.Count()).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]int{}
	for _, row := range rows {
		if out[row.RepID] == nil {
			out[row.RepID] = map[string]int{}
		}
		out[row.RepID][row.Kind] = row.Count
	}
	return out, nil
}

type escalationWeek struct {
	OwnerID  string `sql:"owner_id"`
	Opened   int    `sql:"opened"`
	Resolved int    `sql:"resolved"`
}

// escalationsByRep counts, by owner, escalations raised and resolved in [start, end).
func escalationsByRep(ctx context.Context, c *ent.Client, reps []string, start, end time.Time) (map[string]escalationWeek, error) {
	var rows []escalationWeek
	err := c.Escalation.Query().
		Where(
			escalation.OwnerIDIn(reps...),
			escalation.Or(
				escalation.And(escalation.CreatedAtGTE(start), escalation.CreatedAtLT(end)),
				escalation.And(escalation.ResolvedAtGTE(start), escalation.ResolvedAtLT(end)),
			),
		).
		Modify(func(s *sql.Selector) {
			created, resolved := s.C(escalation.FieldCreatedAt), s.C(escalation.FieldResolvedAt)
			s.Select(s.C(escalation.FieldOwnerID)).
				AppendSelectExprAs(countIf(sql.And(sql.GTE(created, start), sql.LT(created, end))), "opened").
				AppendSelectExprAs(countIf(sql.And(sql.GTE(resolved, start), sql.LT(resolved, end))), "resolved").
				GroupBy(s.C(escalation.FieldOwnerID))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]escalationWeek, len(rows))
	for _, row := range rows {
		out[row.OwnerID] = row
	}
	return out, nil
}

type quoteWeek struct {
	OwnerID string `sql:"owner_id"`
	Sent    int    `sql:"sent"`
	Overdue int    `sql:"overdue"`
}

// quotesByRep counts, by owner, quotes sent in [start, end) and open quotes
// whose follow-up date falls before end.
func quotesByRep(ctx context.Context, c *ent.Client, reps []string, start, end time.Time) (map[string]quoteWeek, error) {
	var rows []quoteWeek
	err := c.Quote.Query().
		Where(
			quote.OwnerIDIn(reps...),
			quote.Or(
				quote.And(quote.SentAtGTE(start), quote.SentAtLT(end)),
				quote.And(quote.FollowUpOnLT(workflow.DayOf(end)), quote.StatusNotIn(terminalQuote...)),
			),
		).
		Modify(func(s *sql.Selector) {
			sent, followUp := s.C(quote.FieldSentAt), s.C(quote.FieldFollowUpOn)
			open := sql.NotIn(s.C(quote.FieldStatus), args(terminalQuote)...)
			s.Select(s.C(quote.FieldOwnerID)).
				AppendSelectExprAs(countIf(sql.And(sql.GTE(sent, start), sql.LT(sent, end))), "sent").
				AppendSelectExprAs(countIf(sql.And(sql.LT(followUp, workflow.DayOf(end)), open)), "overdue").
				GroupBy(s.C(quote.FieldOwnerID))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]quoteWeek, len(rows))
	for _, row := range rows {
		out[row.OwnerID] = row
	}
	return out, nil
}

// args turns enum values into arguments for sql.In and sql.NotIn.
func args[T ~string](values []T) []any {
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = string(v)
	}
	return args
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
