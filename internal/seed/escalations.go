package seed

import (
	"fmt"
	"slices"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/internal/sla"
)

type escalationPlan struct {
	title, description             string
	category                       escalation.Category
	severity                       escalation.Severity
	status                         escalation.Status
	level                          escalation.Level
	owner                          int
	raisedByRep, raisedByContact   int
	created, updated               time.Time
	responseDue, resolutionDue     time.Time
	acknowledged, resolved, closed *time.Time
	events                         []eventPlan
	id                             string
}

// eventPlan is one timeline entry. Reassignments name reps by index in fromRep
// and toRep; their IDs become the from and to values when the reps exist.
type eventPlan struct {
	kind                   escalationevent.Kind
	internal               bool
	body, from, to         string
	fromRep, toRep         int
	actorRep, actorContact int
	at                     time.Time
}

// nominalResolution is the resolution target of a severity as a plain
// duration, for spreading seeded times around it; due times come from package sla.
func nominalResolution(sev escalation.Severity) time.Duration {
	t := sla.Targets[string(sev)]
	return t.Resolve + days(t.BusinessDays)
}

// dueTimes are an escalation's response and resolution due times, as the schema's hook sets them
// for an account on the default calendar (the seeded accounts set no time zone, and no holidays are seeded).
func dueTimes(sev escalation.Severity, opened time.Time) (time.Time, time.Time) {
	respond, resolve, err := sla.Due(string(sev), opened, sla.Default())
	if err != nil {
		panic("seed: " + err.Error()) // Severities come from the generated enum; sla must know them all.
	}
	return respond, resolve
}

// timeToRestore is a resolved escalation's time to restore, in seconds: the
// seed never waits on the client, so it is opening to resolution.
func (e *escalationPlan) timeToRestore() *int {
	if e.resolved == nil {
		return nil
	}
	s := int(e.resolved.Sub(e.created) / time.Second)
	return &s
}

// categoriesBySeverity makes outages mostly service assurance and questions mostly "other".
var categoriesBySeverity = map[escalation.Severity][]option[escalation.Category]{
	escalation.SeveritySev1: {{escalation.CategoryServiceAssurance, 75}, {escalation.CategoryOrder, 10}, {escalation.CategoryPortability, 15}},
	escalation.SeveritySev2: {{escalation.CategoryServiceAssurance, 75}, {escalation.CategoryOrder, 10}, {escalation.CategoryPortability, 15}},
	escalation.SeveritySev3: {
		{escalation.CategoryBilling, 35}, {escalation.CategoryServiceAssurance, 25}, {escalation.CategoryOrder, 15},
		{escalation.CategoryPortability, 10}, {escalation.CategoryContract, 15},
	},
	escalation.SeveritySev4: {
		{escalation.CategoryOther, 35}, {escalation.CategoryBilling, 20}, {escalation.CategoryContract, 20},
		{escalation.CategoryOrder, 15}, {escalation.CategoryPortability, 10},
	},
}

// statusNotes are what a rep writes when moving an escalation to a status.
var statusNotes = map[escalation.Status]string{
	escalation.StatusAcknowledged:  "Acknowledged; looking into it.",
	escalation.StatusInProgress:    "Working with the responsible team.",
	escalation.StatusPendingClient: "Waiting for the carrier to confirm a test window.",
	escalation.StatusResolved:      "Resolved; please confirm on your side.",
	escalation.StatusClosed:        "Closed after confirmation from the carrier.",
}

func (s *seeder) planEscalations(a *accountPlan) {
	n := s.rng.IntN(15)
	switch a.status {
	case account.StatusOnboarding:
		n = s.rng.IntN(5)
	case account.StatusChurned:
		n = s.rng.IntN(7)
	}
	for range n {
		a.escalations = append(a.escalations, s.planEscalation(a))
	}
}

// planEscalation plans an escalation with due times from its severity and a
// timeline that walks the status path to where it stands.
func (s *seeder) planEscalation(a *accountPlan) escalationPlan {
	sev := choose(s.rng, []option[escalation.Severity]{
		{escalation.SeveritySev1, 10}, {escalation.SeveritySev2, 20}, {escalation.SeveritySev3, 40}, {escalation.SeveritySev4, 30},
	})
	e := escalationPlan{
		severity: sev,
		category: choose(s.rng, categoriesBySeverity[sev]),
		status: choose(s.rng, closedOnly(a, []option[escalation.Status]{
			{escalation.StatusOpen, 12}, {escalation.StatusAcknowledged, 12}, {escalation.StatusInProgress, 14},
			{escalation.StatusPendingClient, 10}, {escalation.StatusResolved, 12}, {escalation.StatusClosed, 40},
		}, escalation.StatusClosed)),
		owner:           a.repFor(a.support),
		raisedByRep:     -1,
		raisedByContact: -1,
	}
	levels := []option[escalation.Level]{{escalation.LevelRep, 70}, {escalation.LevelManager, 22}, {escalation.LevelDirector, 8}}
	if sev == escalation.SeveritySev1 {
		levels = []option[escalation.Level]{{escalation.LevelRep, 40}, {escalation.LevelManager, 40}, {escalation.LevelDirector, 20}}
	}
	e.level = choose(s.rng, levels)
	topic := pick(s.rng, escalationTopics[e.category])
	e.title = fmt.Sprintf(topic[0], s.escalationDetail(a, e.category))
	e.description = topic[1]
	if e.status == escalation.StatusOpen && chance(s.rng, 30) {
		e.owner = -1
	}
	if chance(s.rng, 60) {
		e.raisedByContact = s.rng.IntN(len(a.carrier.contacts))
	} else {
		e.raisedByRep = a.repFor(a.support, a.ae)
	}

	respond := sla.Targets[string(sev)].Respond
	resolution := nominalResolution(sev)
	final := a.end.Add(-time.Minute)
	switch e.status {
	case escalation.StatusResolved, escalation.StatusClosed:
		if e.status == escalation.StatusResolved {
			e.created = s.when(a, days(6), days(14))
		} else {
			e.created = s.when(a, days(10), days(700))
		}
		ack := e.created.Add(scaled(s.rng, respond, 0.2, 1.5)).Truncate(time.Minute)
		resolved := latest(e.created.Add(scaled(s.rng, resolution, 0.3, 1.3)), ack.Add(10*time.Minute)).Truncate(time.Minute)
		e.acknowledged, e.resolved = &ack, &resolved
		final = resolved
		if e.status == escalation.StatusClosed {
			closed := resolved.Add(time.Duration(1+s.rng.IntN(72)) * time.Hour)
			e.closed = &closed
			final = closed
		}
	default:
		open := scaled(s.rng, resolution, 0.1, 2) + 10*time.Minute
		if e.status == escalation.StatusPendingClient {
			open = scaled(s.rng, resolution, 0.5, 6) + time.Hour
		}
		e.created = latest(a.end.Add(-open), a.opened).Truncate(time.Minute)
		if e.status != escalation.StatusOpen {
			ack := e.created.Add(min(scaled(s.rng, respond, 0.2, 1.5), final.Sub(e.created)*3/10)).Truncate(time.Minute)
			e.acknowledged = &ack
		}
	}
	e.responseDue, e.resolutionDue = dueTimes(sev, e.created)
	s.planTimeline(a, &e, final)
	return e
}

// escalationDetail is what an escalation title names: a BAN, a PON or a market.
func (s *seeder) escalationDetail(a *accountPlan, c escalation.Category) string {
	kind := order.KindASR
	switch c {
	case escalation.CategoryBilling:
		return a.ban
	case escalation.CategoryPortability:
		kind = order.KindLSR
		fallthrough
	case escalation.CategoryOrder:
		var pons []string
		for _, o := range a.orders {
			if o.kind == kind {
				pons = append(pons, o.pon)
			}
		}
		if len(pons) > 0 {
			return pick(s.rng, pons)
		}
	}
	return a.market.name
}

// statusPath is the sequence of statuses an escalation went through to reach its own.
func (s *seeder) statusPath(final escalation.Status) []escalation.Status {
	path := []escalation.Status{escalation.StatusOpen}
	switch final {
	case escalation.StatusOpen:
		return path
	case escalation.StatusAcknowledged:
		return append(path, escalation.StatusAcknowledged)
	case escalation.StatusPendingClient:
		return append(path, escalation.StatusAcknowledged, escalation.StatusInProgress, escalation.StatusPendingClient)
	}
	path = append(path, escalation.StatusAcknowledged, escalation.StatusInProgress)
	if final == escalation.StatusInProgress {
		return path
	}
	if chance(s.rng, 15) {
		path = append(path, escalation.StatusPendingClient, escalation.StatusInProgress)
	}
	path = append(path, escalation.StatusResolved)
	if final == escalation.StatusClosed {
		path = append(path, escalation.StatusClosed)
	}
	return path
}

// planTimeline writes the escalation's events after its creation: each status change,
// comments (internal or not), level changes, a reassignment and an SLA breach,
// in time order and no later than final.
func (s *seeder) planTimeline(a *accountPlan, e *escalationPlan, final time.Time) {
	actor := e.owner
	if actor < 0 {
		actor = a.repFor(a.support)
	}
	event := func(kind escalationevent.Kind, at time.Time) eventPlan {
		return eventPlan{kind: kind, at: at, actorRep: -1, actorContact: -1, fromRep: -1, toRep: -1}
	}
	// The CREATED event is written by the schema's hook when the escalation is created.
	var events []eventPlan

	path := s.statusPath(e.status)
	prev := e.created
	for i := 1; i < len(path); i++ {
		to := path[i]
		var at time.Time
		switch {
		case to == escalation.StatusAcknowledged:
			at = *e.acknowledged
		case to == escalation.StatusResolved:
			at = *e.resolved
		case to == escalation.StatusClosed:
			at = *e.closed
		default:
			limit := final
			if e.resolved != nil {
				limit = *e.resolved
			}
			at = prev.Add(scaled(s.rng, limit.Sub(prev), 0.1, 0.4)).Truncate(time.Minute)
		}
		ev := event(escalationevent.KindStatusChange, at)
		ev.from, ev.to, ev.body, ev.actorRep = string(path[i-1]), string(to), statusNotes[to], actor
		events = append(events, ev)
		prev = at
	}

	for range choose(s.rng, []option[int]{{0, 55}, {1, 35}, {2, 10}}) {
		ev := event(escalationevent.KindComment, between(s.rng, e.created.Add(time.Minute), final))
		switch choose(s.rng, []option[string]{{"internal", 35}, {"rep", 35}, {"carrier", 30}}) {
		case "internal":
			ev.internal, ev.body, ev.actorRep = true, pick(s.rng, internalComments), actor
		case "rep":
			ev.body, ev.actorRep = pick(s.rng, repComments), actor
		default:
			ev.body, ev.actorContact = pick(s.rng, carrierComments), s.rng.IntN(len(a.carrier.contacts))
		}
		events = append(events, ev)
	}

	if e.level != escalation.LevelRep {
		at := between(s.rng, e.created.Add(time.Minute), final)
		ev := event(escalationevent.KindLevelChange, at)
		ev.from, ev.to, ev.actorRep = string(escalation.LevelRep), string(escalation.LevelManager), a.team.manager
		ev.body = "Raised to the manager of client support."
		events = append(events, ev)
		if e.level == escalation.LevelDirector {
			ev := event(escalationevent.KindLevelChange, between(s.rng, at.Add(time.Minute), final))
			ev.from, ev.to, ev.actorRep = string(escalation.LevelManager), string(escalation.LevelDirector), a.team.manager
			ev.body = "Raised to the director: customer impact and repeat failure."
			events = append(events, ev)
		}
	}

	if e.owner >= 0 && chance(s.rng, 10) {
		var others []int
		for _, r := range a.team.support {
			if r != e.owner {
				others = append(others, r)
			}
		}
		if len(others) > 0 {
			ev := event(escalationevent.KindReassignment, between(s.rng, e.created.Add(time.Minute), final))
			ev.internal, ev.fromRep, ev.toRep, ev.actorRep = true, pick(s.rng, others), e.owner, a.team.manager
			ev.body = "Reassigned to the account's support manager."
			events = append(events, ev)
		}
	}

	until := a.end
	if e.resolved != nil {
		until = *e.resolved
	}
	if e.resolutionDue.Before(until) {
		ev := event(escalationevent.KindSLABreach, e.resolutionDue)
		ev.internal = true
		ev.body = fmt.Sprintf("Resolution target missed: due %s.", e.resolutionDue.Format("Mon 2 Jan 15:04 MST"))
		events = append(events, ev)
	}

	slices.SortStableFunc(events, func(x, y eventPlan) int { return x.at.Compare(y.at) })
	prev = e.created
	for i := range events {
		if !events[i].at.After(prev) {
			events[i].at = prev.Add(time.Second)
		}
		prev = events[i].at
	}
	e.events = events
	e.updated = prev
}
