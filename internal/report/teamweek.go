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
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/migrate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/team"
	"carrierdesk/internal/date"
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
	// EscalationsOpened is how many escalations raised in the week the rep owns now.
	EscalationsOpened int
	// EscalationsResolved is how many times in the week the rep resolved an
	// escalation (the actor of the change on its timeline), whoever owns it.
	EscalationsResolved int
	// QuotesSent is how many quotes the rep owns now were sent in the week.
	QuotesSent int
	// OverdueFollowUps is how many quotes the rep owns now were, at the week's
	// end, open (not accepted, declined or expired) with a follow-up date
	// before the week's end: both as they stood then, from the audit trail.
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
	Opened   int
	Resolved int
}

// escalationsByRep counts escalations raised in [start, end) by their
// owner, and resolutions made in [start, end) by who made them: the actor of
// the RESOLVED status change on the escalation's timeline, which is written
// with the audit entry of the change, not the owner (a manager or a
// colleague may resolve an escalation someone else owns).
func escalationsByRep(ctx context.Context, c *ent.Client, reps []string, start, end time.Time) (map[string]escalationWeek, error) {
	var opened []struct {
		RepID string `sql:"owner_id"`
		Count int    `sql:"count"`
	}
	err := c.Escalation.Query().
		Where(
			escalation.OwnerIDIn(reps...),
			escalation.CreatedAtGTE(start),
			escalation.CreatedAtLT(end),
		).
		GroupBy(escalation.FieldOwnerID).
		Aggregate(ent.Count()).
		Scan(ctx, &opened)
	if err != nil {
		return nil, err
	}
	var resolved []struct {
		RepID string `sql:"actor_rep_id"`
		Count int    `sql:"count"`
	}
	err = c.EscalationEvent.Query().
		Where(
			escalationevent.KindEQ(escalationevent.KindStatusChange),
			escalationevent.ToValue(escalation.StatusResolved.String()),
			escalationevent.ActorRepIDIn(reps...),
			escalationevent.CreatedAtGTE(start),
			escalationevent.CreatedAtLT(end),
		).
		GroupBy(escalationevent.FieldActorRepID).
		Aggregate(ent.Count()).
		Scan(ctx, &resolved)
	if err != nil {
		return nil, err
	}
	out := map[string]escalationWeek{}
	for _, row := range opened {
		w := out[row.RepID]
		w.Opened = row.Count
		out[row.RepID] = w
	}
	for _, row := range resolved {
		w := out[row.RepID]
		w.Resolved = row.Count
		out[row.RepID] = w
	}
	return out, nil
}

type quoteWeek struct {
	Sent    int
	Overdue int
}

// quotesByRep counts, by owner, quotes sent in [start, end), and quotes
// whose follow-up was overdue at the week's end: created before end, with a
// follow-up date before end and a status not yet final, both as they stood
// at end. The audit trail gives a quote's status and follow-up date at end
// (the from-value of the first change after it), so a quote accepted or
// re-dated since still counts for the week it was overdue in.
func quotesByRep(ctx context.Context, c *ent.Client, reps []string, start, end time.Time) (map[string]quoteWeek, error) {
	var sent []struct {
		RepID string `sql:"owner_id"`
		Count int    `sql:"count"`
	}
	err := c.Quote.Query().
		Where(
			quote.OwnerIDIn(reps...),
			quote.SentAtGTE(start),
			quote.SentAtLT(end),
		).
		GroupBy(quote.FieldOwnerID).
		Aggregate(ent.Count()).
		Scan(ctx, &sent)
	if err != nil {
		return nil, err
	}
	var open []struct {
		RepID           string     `sql:"owner_id"`
		FollowUpOn      *date.Date `sql:"follow_up_on"`
		FollowUpChanged int        `sql:"follow_up_changed"`
		FollowUpAtEnd   *string    `sql:"follow_up_at_end"`
		StatusAtEnd     string     `sql:"status_at_end"`
	}
	err = c.Quote.Query().
		Where(
			quote.OwnerIDIn(reps...),
			quote.CreatedAtLT(end),
		).
		Modify(func(s *sql.Selector) {
			changed, from := trailChangeAfter(s, "Quote", "followUpOn", end)
			status := trailFieldAt(s, "Quote", "status", s.C(quote.FieldStatus), end)
			// Only quotes whose follow-up date was set before end, now or then.
			s.Where(sql.Or(
				sql.LT(s.C(quote.FieldFollowUpOn), workflow.DayOf(end)),
				sql.P(func(b *sql.Builder) { changed.write(b); b.WriteString(" = 1") }),
			))
			s.Select(s.C(quote.FieldOwnerID), s.C(quote.FieldFollowUpOn)).
				AppendSelectExprAs(changed.querier(), "follow_up_changed").
				AppendSelectExprAs(from.querier(), "follow_up_at_end").
				AppendSelectExprAs(status.querier(), "status_at_end")
		}).
		Scan(ctx, &open)
	if err != nil {
		return nil, err
	}
	out := map[string]quoteWeek{}
	for _, row := range sent {
		w := out[row.RepID]
		w.Sent = row.Count
		out[row.RepID] = w
	}
	for _, row := range open {
		followUp := row.FollowUpOn
		if row.FollowUpChanged != 0 {
			followUp = nil
			if row.FollowUpAtEnd != nil {
				t, err := trailTime(*row.FollowUpAtEnd)
				if err != nil {
					return nil, err
				}
				followUp = date.Ptr(date.Of(t, time.UTC))
			}
		}
		if followUp == nil || !followUp.Before(workflow.DayOf(end)) || slices.Contains(terminalQuote, quote.Status(row.StatusAtEnd)) {
			continue
		}
		w := out[row.RepID]
		w.Overdue++
		out[row.RepID] = w
	}
	return out, nil
}

// trailTime reads a time or a calendar date as the audit trail writes it.
func trailTime(text string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
		if t, err := time.Parse(layout, text); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("reading %q of the audit trail as a time", text)
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
