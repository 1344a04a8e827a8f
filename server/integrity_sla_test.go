package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/workflow"
)

// Issue 11, "Time: dates and business calendars" (SLA): business-day targets
// run on the account's calendar (time zone, 08:00-18:00 Monday to Friday,
// holidays), pauses count in business time, a late action writes its
// SLA_BREACH event at once and exactly once, and the time to restore leaves
// out the time pending the client.

// slaChicago is the default calendar's time zone, America/Chicago.
var slaChicago = mustZone("America/Chicago")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// slaClock sets the workflows' clock to at until the test ends; the returned
// function moves it.
func slaClock(t *testing.T, at time.Time) func(time.Time) {
	t.Helper()
	prev := workflow.Now
	t.Cleanup(func() { workflow.Now = prev })
	set := func(at time.Time) { workflow.Now = func() time.Time { return at.UTC() } }
	set(at)
	return set
}

// openedAt creates an escalation of severity on the fixture's account as if
// raised at at (through the schema's hooks, which set its clocks).
func (fx *wfxFixture) openedAt(t *testing.T, severity string, at time.Time) string {
	t.Helper()
	fx.seq++
	return fx.app.db.Client.Escalation.Create().
		SetAccountID(fx.account).
		SetTitle(fmt.Sprintf("SLA %s %d", severity, fx.seq)).
		SetCategory(escalation.CategoryBilling).
		SetSeverity(escalation.Severity(severity)).
		SetOwnerID(fx.rep["SUPPORT"]).
		SetCreatedAt(at.UTC()).
		SaveX(allowCtx()).ID
}

// breachEvents is the SLA_BREACH events on an escalation's timeline, by body.
func (fx *wfxFixture) breachEvents(t *testing.T, id string) map[string]int {
	t.Helper()
	n := map[string]int{}
	for _, e := range fx.events(t, id) {
		if e.Kind == "SLA_BREACH" {
			n[e.Body]++
		}
	}
	return n
}

func wantInstant(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s; want %s", what, got.In(want.Location()), want)
	}
}

// TestSLABusinessDaysFollowTheAccountsCalendar: SEV3 and SEV4 targets run in
// business hours of the account's time zone (else its support team's, else
// America/Chicago), never in UTC weekdays, and are never due outside
// business hours; SEV1 and SEV2 run 24x7.
func TestSLABusinessDaysFollowTheAccountsCalendar(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		at := func(loc *time.Location, d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, loc) }

		t.Run("default calendar: America/Chicago", func(t *testing.T) {
			// Friday 19:00 in Chicago is Saturday 01:00 UTC.
			e := fx.escalation(t, fx.openedAt(t, "SEV3", at(slaChicago, 20, 19, 0)))
			wantInstant(t, "responseDueAt", e.ResponseDueAt, at(slaChicago, 23, 12, 0))
			wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, at(slaChicago, 23, 18, 0))
		})

		t.Run("SEV1 runs 24x7", func(t *testing.T) {
			opened := at(slaChicago, 21, 3, 0) // a Saturday night
			e := fx.escalation(t, fx.openedAt(t, "SEV1", opened))
			wantInstant(t, "responseDueAt", e.ResponseDueAt, opened.Add(15*time.Minute))
			wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, opened.Add(2*time.Hour))
		})

		t.Run("the support team's time zone", func(t *testing.T) {
			team := app.db.Client.Rep.GetX(allowCtx(), fx.rep["SUPPORT"]).TeamID
			app.ok(t, `mutation($id: ID!) { updateTeam(id: $id, input: {timeZone: "America/New_York"}) { id timeZone } }`, map[string]any{"id": *team}, nil)
			ny := mustZone("America/New_York")
			e := fx.escalation(t, fx.openedAt(t, "SEV4", at(ny, 20, 17, 30)))
			// Half an hour on Friday, then 10 hours on each of Monday and Tuesday, 9.5 on Wednesday.
			wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, at(ny, 25, 17, 30))
			wantInstant(t, "responseDueAt", e.ResponseDueAt, at(ny, 23, 15, 30))
		})

		t.Run("the account's own time zone comes first", func(t *testing.T) {
			app.ok(t, `mutation($id: ID!) { updateAccount(id: $id, input: {timeZone: "America/Los_Angeles"}) { id timeZone } }`, map[string]any{"id": fx.account}, nil)
			la := mustZone("America/Los_Angeles")
			e := fx.escalation(t, fx.openedAt(t, "SEV3", at(la, 23, 6, 0)))
			wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, at(la, 23, 18, 0))
			wantInstant(t, "responseDueAt", e.ResponseDueAt, at(la, 23, 12, 0))
		})

		t.Run("a time zone must be an IANA name", func(t *testing.T) {
			app.fails(t, `mutation($id: ID!) { updateAccount(id: $id, input: {timeZone: "Mars/Olympus"}) { id } }`, map[string]any{"id": fx.account}, "BAD_USER_INPUT", "timeZone")
			if a := app.db.Client.Account.GetX(allowCtx(), fx.account); a.TimeZone == nil || *a.TimeZone != "America/Los_Angeles" {
				t.Errorf("refused time zone written: %v", a.TimeZone)
			}
		})
	})
}

// TestSLAHolidaysAreAdminMaintained: admins keep the holiday list through the
// API, staff read it, carriers do not; business-day targets skip holidays of
// every region and of the account's region.
func TestSLAHolidaysAreAdminMaintained(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		const create = `mutation($input: CreateHolidayInput!) { createHoliday(input: $input) { id date name region } }`
		holiday := func(date, name string, region any) map[string]any {
			return map[string]any{"input": map[string]any{"date": date, "name": name, "region": region}}
		}
		var out struct {
			CreateHoliday struct{ ID, Date, Name string }
		}
		app.ok(t, create, holiday("2026-11-26", "Thanksgiving Day", nil), &out)
		if out.CreateHoliday.Date != "2026-11-26" {
			t.Errorf("created %+v", out.CreateHoliday)
		}
		app.ok(t, create, holiday("2026-11-27", "Day after Thanksgiving (West)", "WEST"), nil)

		for _, role := range []string{"MANAGER", "SUPPORT", "ANALYST", "CARRIER"} {
			app.as(fx.token[role]).fails(t, create, holiday("2026-12-24", "Christmas Eve", nil), "FORBIDDEN", "")
			app.as(fx.token[role]).fails(t, `mutation($id: ID!) { updateHoliday(id: $id, input: {name: "renamed"}) { id } }`,
				map[string]any{"id": out.CreateHoliday.ID}, "FORBIDDEN", "")
		}
		app.fails(t, create, holiday("2026-13-01", "Nonsense", nil), "BAD_USER_INPUT", "date")
		if n := app.db.Client.Holiday.Query().CountX(allowCtx()); n != 2 {
			t.Errorf("%d holidays after refused writes; want 2", n)
		}
		if h := app.db.Client.Holiday.GetX(allowCtx(), out.CreateHoliday.ID); h.Name != "Thanksgiving Day" {
			t.Errorf("refused rename written: %q", h.Name)
		}

		count := func(role string) int {
			var got struct{ Holidays struct{ TotalCount int } }
			app.as(fx.token[role]).ok(t, `query { holidays { totalCount } }`, nil, &got)
			return got.Holidays.TotalCount
		}
		if n := count("SUPPORT"); n != 2 {
			t.Errorf("support reads %d holidays; want 2", n)
		}
		if n := count("CARRIER"); n != 0 {
			t.Errorf("a carrier reads %d holidays; want none", n)
		}

		// SEV4 from Wednesday 17:00 before Thanksgiving: 1 hour on Wednesday,
		// no Thursday, Friday (a holiday only in the West, not on this
		// NORTHEAST account), Monday, and 9 hours on Tuesday.
		e := fx.escalation(t, fx.openedAt(t, "SEV4", time.Date(2026, 11, 25, 17, 0, 0, 0, slaChicago)))
		wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, time.Date(2026, 12, 1, 17, 0, 0, 0, slaChicago))
	})
}

// TestSLAPauseCountsBusinessTime: resuming from pending the client moves a
// business-day target by the business time of the pause only (a weekend adds
// none); a SEV1 pause moves it by clock time.
func TestSLAPauseCountsBusinessTime(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, slaChicago) }
		tick := slaClock(t, at(20, 10, 5))
		pause := func(id string, from, to time.Time) wfxEscalation {
			tick(from)
			fx.step(t, "SUPPORT", "awaitClientOnEscalation", "", id)
			tick(to)
			return fx.step(t, "CARRIER", "resumeEscalation", "", id)
		}

		weekend := fx.openedAt(t, "SEV3", at(20, 10, 0)) // due Monday 10:00
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", weekend)
		e := pause(weekend, at(20, 18, 30), at(23, 7, 0))
		wantInstant(t, "resolutionDueAt after a weekend pause", e.ResolutionDueAt, at(23, 10, 0))

		hours := fx.openedAt(t, "SEV3", at(20, 10, 0))
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", hours)
		e = pause(hours, at(20, 17, 0), at(23, 9, 0)) // one business hour on Friday, one on Monday
		wantInstant(t, "resolutionDueAt after two business hours paused", e.ResolutionDueAt, at(23, 12, 0))

		late := fx.openedAt(t, "SEV3", at(20, 10, 0))
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", late)
		e = pause(late, at(20, 15, 0), at(23, 9, 0)) // four business hours paused: Monday 10:00 + 4 h
		wantInstant(t, "resolutionDueAt", e.ResolutionDueAt, at(23, 14, 0))
		if e.ResolutionBreached {
			t.Errorf("breached after a pause within the target: %+v", e)
		}

		outage := fx.openedAt(t, "SEV1", at(20, 17, 0))
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", outage)
		e = pause(outage, at(20, 18, 0), at(21, 6, 0))
		wantInstant(t, "SEV1 resolutionDueAt", e.ResolutionDueAt, at(20, 19, 0).Add(12*time.Hour))
	})
}

// TestSLALateActionWritesTheBreachEvent: an acknowledgement or resolution
// after its due time writes the SLA_BREACH event itself, at once, and the
// sweep that comes later writes none.
func TestSLALateActionWritesTheBreachEvent(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()

		ack := fx.create(t, "Escalation", "OPEN")
		c.Escalation.UpdateOneID(ack).SetResponseDueAt(time.Now().UTC().Add(-time.Minute)).ExecX(ctx)
		e := fx.step(t, "SUPPORT", "acknowledgeEscalation", "", ack)
		if e.ResponseBreachedAt == nil || !e.ResponseBreached {
			t.Errorf("acknowledged late: %+v", e)
		}

		resolve := fx.create(t, "Escalation", "IN_PROGRESS")
		c.Escalation.UpdateOneID(resolve).SetResolutionDueAt(time.Now().UTC().Add(-time.Minute)).ExecX(ctx)
		e = fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "late fix"`, resolve)
		if e.ResolutionBreachedAt == nil || !e.ResolutionBreached {
			t.Errorf("resolved late: %+v", e)
		}

		onTime := fx.create(t, "Escalation", "OPEN")
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", onTime)

		for id, want := range map[string]map[string]int{
			ack:     {"response target missed": 1},
			resolve: {"resolution target missed": 1},
			onTime:  {},
		} {
			if got := fx.breachEvents(t, id); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: SLA_BREACH events before the sweep %v; want %v", id, got, want)
			}
		}
		swept, err := sweepOnce(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if swept.ResponseBreaches != 0 || swept.ResolutionBreaches != 0 {
			t.Errorf("the sweep flagged again: %+v", swept)
		}
		for _, id := range []string{ack, resolve} {
			for body, n := range fx.breachEvents(t, id) {
				if n != 1 {
					t.Errorf("%s: %d %q events after the sweep", id, n, body)
				}
			}
		}
	})
}

// TestSLABreachEventExactlyOnceUnderRace: sweeps and late actions racing on
// the same escalations write one SLA_BREACH event per missed target, whoever
// wins.
func TestSLABreachEventExactlyOnceUnderRace(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		const n = 6
		past := time.Now().UTC().Add(-time.Minute)
		var unacked, overdue []string
		for range n {
			id := fx.create(t, "Escalation", "OPEN")
			c.Escalation.UpdateOneID(id).SetResponseDueAt(past).ExecX(ctx)
			unacked = append(unacked, id)
			id = fx.create(t, "Escalation", "IN_PROGRESS")
			c.Escalation.UpdateOneID(id).SetResolutionDueAt(past).ExecX(ctx)
			overdue = append(overdue, id)
		}

		var wg sync.WaitGroup
		errs := make(chan error, 8*n)
		// Staggered starts, so that actions win some races and sweeps others.
		act := func(delay time.Duration, role, query string, vars map[string]any) {
			defer wg.Done()
			time.Sleep(delay)
			if res := app.as(fx.token[role]).do(t, query, vars); len(res.Errors) > 0 {
				errs <- fmt.Errorf("%s: %s", query, res.Raw)
			}
		}
		for i := range n {
			wg.Add(4)
			delay := time.Duration(i%3) * 5 * time.Millisecond
			go act(delay, "SUPPORT", `mutation($id: ID!) { acknowledgeEscalation(id: $id) { id } }`, map[string]any{"id": unacked[i]})
			go act(delay, "SUPPORT", `mutation($id: ID!) { resolveEscalation(id: $id, resolution: "fixed") { id } }`, map[string]any{"id": overdue[i]})
			// Comments are actions too: they notice the breach as well.
			go act(delay, "CARRIER", `mutation($id: ID!) { commentOnEscalation(id: $id, body: "any news?") { id } }`, map[string]any{"id": overdue[i]})
			go func() {
				defer wg.Done()
				time.Sleep(time.Duration(i) * 4 * time.Millisecond)
				if _, err := sweepOnce(context.Background(), c); err != nil {
					errs <- fmt.Errorf("sweep: %w", err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}

		for _, tc := range []struct {
			ids  []string
			body string
		}{{unacked, "response target missed"}, {overdue, "resolution target missed"}} {
			for _, id := range tc.ids {
				got, err := c.EscalationEvent.Query().
					Where(escalationevent.EscalationID(id), escalationevent.KindEQ(escalationevent.KindSLABreach)).
					All(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != 1 || got[0].Body != tc.body {
					t.Errorf("%s: %d SLA_BREACH events (%v); want one %q", id, len(got), got, tc.body)
				}
			}
		}
	})
}

// TestSLATimeToRestoreExcludesPendingClient: the time to restore of an
// escalation, and the mean per severity in the portfolio, leave out the time
// pending the client.
func TestSLATimeToRestoreExcludesPendingClient(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		t0 := time.Date(2026, 11, 18, 9, 0, 0, 0, slaChicago)
		tick := slaClock(t, t0)
		restore := func(id string) *int {
			var out struct {
				Node struct{ TimeToRestoreSeconds, PendingClientSeconds *int }
			}
			app.ok(t, `query($id: ID!) { node(id: $id) { ... on Escalation { timeToRestoreSeconds pendingClientSeconds } } }`, map[string]any{"id": id}, &out)
			return out.Node.TimeToRestoreSeconds
		}

		resumed := fx.openedAt(t, "SEV1", t0)
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", resumed)
		tick(t0.Add(time.Hour))
		fx.step(t, "SUPPORT", "awaitClientOnEscalation", "", resumed)
		tick(t0.Add(4 * time.Hour))
		fx.step(t, "CARRIER", "resumeEscalation", "", resumed)
		if got := restore(resumed); got != nil {
			t.Errorf("time to restore %v before resolution", *got)
		}
		tick(t0.Add(5 * time.Hour))
		fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "replaced the optic"`, resumed)
		if got := restore(resumed); got == nil || *got != 2*3600 {
			t.Errorf("time to restore %v; want 2 hours (5 less 3 pending the client)", got)
		}

		tick(t0)
		whilePaused := fx.openedAt(t, "SEV1", t0)
		fx.step(t, "SUPPORT", "acknowledgeEscalation", "", whilePaused)
		tick(t0.Add(3 * time.Hour))
		fx.step(t, "SUPPORT", "awaitClientOnEscalation", "", whilePaused)
		tick(t0.Add(8 * time.Hour))
		fx.step(t, "SUPPORT", "resolveEscalation", `, resolution: "the client fixed their CPE"`, whilePaused)
		if got := restore(whilePaused); got == nil || *got != 3*3600 {
			t.Errorf("time to restore %v; want 3 hours (8 less 5 pending the client)", got)
		}

		var out struct {
			Portfolio struct {
				EscalationsBySeverity []struct {
					Severity           string
					MeanHoursToRestore *float64
				}
			}
		}
		app.ok(t, `query { portfolio { escalationsBySeverity { severity meanHoursToRestore } } }`, nil, &out)
		for _, s := range out.Portfolio.EscalationsBySeverity {
			switch {
			case s.Severity == "SEV1" && (s.MeanHoursToRestore == nil || *s.MeanHoursToRestore != 2.5):
				t.Errorf("SEV1 MTTR %v; want 2.5 hours", s.MeanHoursToRestore)
			case s.Severity != "SEV1" && s.MeanHoursToRestore != nil:
				t.Errorf("%s MTTR %v with nothing resolved", s.Severity, *s.MeanHoursToRestore)
			}
		}

		var agg struct {
			EscalationAggregate struct {
				Rows []struct {
					Keys   []string
					Values []struct{ Float *float64 }
				}
			}
		}
		app.ok(t, `query { escalationAggregate(groupBy: ["severity"], measures: [{op: AVG, field: "hoursToRestore"}], where: {severity: SEV1}) { rows { keys values { float } } } }`, nil, &agg)
		if rows := agg.EscalationAggregate.Rows; len(rows) != 1 || rows[0].Values[0].Float == nil || *rows[0].Values[0].Float != 2.5 {
			t.Errorf("escalationAggregate AVG hoursToRestore = %+v; want SEV1 2.5", rows)
		}
	})
}

// TestSLAPricingResponseFollowsTheCalendar: a special pricing request is due
// two business days of the account's calendar after submission.
func TestSLAPricingResponseFollowsTheCalendar(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		// Friday 19:00 in Chicago (Saturday 01:00 UTC): the clock starts on Monday at 08:00.
		slaClock(t, time.Date(2026, 11, 20, 19, 0, 0, 0, slaChicago))
		id := fx.create(t, "SpecialPricingRequest", "DRAFT")
		var out struct {
			SubmitPricingRequest struct{ ResponseDueAt time.Time }
		}
		app.as(fx.token["STRATEGIC"]).ok(t, `mutation($id: ID!) { submitPricingRequest(id: $id) { responseDueAt } }`, map[string]any{"id": id}, &out)
		wantInstant(t, "responseDueAt", out.SubmitPricingRequest.ResponseDueAt, time.Date(2026, 11, 24, 18, 0, 0, 0, slaChicago))
	})
}

// TestSLABreachRuleIsOneRule: the breach rules as Go functions (the
// escalation's fields) and as ent predicates (the sweep) agree on every
// state an escalation can be in.
func TestSLABreachRuleIsOneRule(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		c, ctx := app.db.Client, allowCtx()
		now := time.Now().UTC().Truncate(time.Second)
		ago := func(d time.Duration) time.Time { return now.Add(-d) }
		for _, set := range []func(u *ent.EscalationUpdateOne){
			func(u *ent.EscalationUpdateOne) { u.SetResponseDueAt(ago(time.Hour)).ClearAcknowledgedAt() },
			func(u *ent.EscalationUpdateOne) {
				u.SetResponseDueAt(ago(time.Hour)).SetAcknowledgedAt(ago(time.Minute))
			},
			func(u *ent.EscalationUpdateOne) {
				u.SetResponseDueAt(ago(time.Minute)).SetAcknowledgedAt(ago(time.Hour))
			},
			func(u *ent.EscalationUpdateOne) { u.SetResponseDueAt(now.Add(time.Hour)).ClearAcknowledgedAt() },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(ago(time.Hour)) },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(now.Add(time.Hour)) },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(ago(time.Hour)).SetPausedAt(ago(2 * time.Hour)) },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(ago(time.Hour)).SetPausedAt(ago(time.Minute)) },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(ago(time.Hour)).SetResolvedAt(ago(time.Minute)) },
			func(u *ent.EscalationUpdateOne) { u.SetResolutionDueAt(ago(time.Minute)).SetResolvedAt(ago(time.Hour)) },
			func(u *ent.EscalationUpdateOne) {
				u.SetResponseBreachedAt(ago(time.Hour)).SetResolutionBreachedAt(ago(time.Hour))
			},
		} {
			u := c.Escalation.UpdateOneID(fx.create(t, "Escalation", "IN_PROGRESS")).
				SetResponseDueAt(now.Add(time.Hour)).
				SetResolutionDueAt(now.Add(2 * time.Hour))
			set(u)
			u.ExecX(ctx)
		}
		all := c.Escalation.Query().AllX(ctx)
		for _, rule := range []struct {
			name string
			fn   func(*ent.Escalation, time.Time) bool
			p    predicate.Escalation
		}{
			{"response", workflow.ResponseBreached, workflow.ResponseBreachedAt(now)},
			{"resolution", workflow.ResolutionBreached, workflow.ResolutionBreachedAt(now)},
		} {
			matched := map[string]bool{}
			for _, id := range c.Escalation.Query().Where(rule.p).IDsX(ctx) {
				matched[id] = true
			}
			yes := 0
			for _, e := range all {
				if rule.fn(e, now) != matched[e.ID] {
					t.Errorf("%s breach of %+v: Go says %v, the predicate %v", rule.name, e, rule.fn(e, now), matched[e.ID])
				}
				if matched[e.ID] {
					yes++
				}
			}
			if yes == 0 || yes == len(all) {
				t.Errorf("%s: %d of %d breached; the cases should split", rule.name, yes, len(all))
			}
		}
	})
}
