package seed

import (
	"context"
	"fmt"

	"carrierdesk/ent"
)

// batchSize is how many rows go into one INSERT: large enough to amortise the
// round trip, small enough to stay under SQLite's and PostgreSQL's limits on
// bound parameters.
const batchSize = 500

// accountsPerChunk is how many accounts, with everything under them, are
// planned and written at a time; it bounds memory at large scales.
const accountsPerChunk = 250

// insert saves n rows in batches, building row i with build, and hands each
// saved entity with its index to saved (to record the new ID).
func insert[C, E any](ctx context.Context, what string, n int, build func(i int) C, save func(context.Context, []C) ([]E, error), saved func(i int, e E)) error {
	for lo := 0; lo < n; lo += batchSize {
		hi := min(lo+batchSize, n)
		batch := make([]C, 0, hi-lo)
		for i := lo; i < hi; i++ {
			batch = append(batch, build(i))
		}
		rows, err := save(ctx, batch)
		if err != nil {
			return fmt.Errorf("seed: creating %s: %w", what, err)
		}
		for j, e := range rows {
			saved(lo+j, e)
		}
	}
	return nil
}

// child is a row under an account, with that account.
type child[T any] struct {
	account *accountPlan
	row     *T
}

// childrenOf lists the rows of one kind under the given accounts, in order.
func childrenOf[T any](accounts []*accountPlan, rows func(*accountPlan) []T) []child[T] {
	var out []child[T]
	for _, a := range accounts {
		rs := rows(a)
		for i := range rs {
			out = append(out, child[T]{a, &rs[i]})
		}
	}
	return out
}

func (s *seeder) insertCarriers(ctx context.Context) error {
	err := insert(ctx, "carriers", len(s.carriers),
		func(i int) *ent.CarrierCreate {
			c := s.carriers[i]
			return s.tx.Carrier.Create().
				SetName(c.name).
				SetOcn(c.ocn).
				SetCcna(c.ccna).
				SetTier(c.tier).
				SetStatus(c.status).
				SetCreatedAt(c.since).
				SetUpdatedAt(c.since)
		},
		func(ctx context.Context, b []*ent.CarrierCreate) ([]*ent.Carrier, error) {
			return s.tx.Carrier.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Carrier) { s.carriers[i].id = e.ID },
	)
	if err != nil {
		return err
	}
	s.sum.Carriers = len(s.carriers)

	type contactRow struct {
		carrier *carrierPlan
		contact *contactPlan
	}
	var contacts []contactRow
	for _, c := range s.carriers {
		for _, p := range c.contacts {
			contacts = append(contacts, contactRow{c, p})
		}
	}
	err = insert(ctx, "contacts", len(contacts),
		func(i int) *ent.ContactCreate {
			r := contacts[i]
			return s.tx.Contact.Create().
				SetCarrierID(r.carrier.id).
				SetName(r.contact.name).
				SetEmail(r.contact.email).
				SetTitle(r.contact.title).
				SetPhone(r.contact.phone).
				SetCreatedAt(r.carrier.since).
				SetUpdatedAt(r.carrier.since)
		},
		func(ctx context.Context, b []*ent.ContactCreate) ([]*ent.Contact, error) {
			return s.tx.Contact.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Contact) { contacts[i].contact.id = e.ID },
	)
	if err != nil {
		return err
	}
	s.sum.Contacts = len(contacts)
	report(s.progress, "seed: carriers %d, contacts %d", s.sum.Carriers, s.sum.Contacts)
	return nil
}

// insertPeople writes reps without a team (managers, admin, analyst), then the
// teams with their managers, then the team members.
func (s *seeder) insertPeople(ctx context.Context) error {
	since := s.today.AddDate(-3, 0, 0)
	saveReps := func(ctx context.Context, b []*ent.RepCreate) ([]*ent.Rep, error) {
		return s.tx.Rep.CreateBulk(b...).
			Save(ctx)
	}
	var leads, members []int
	for i, r := range s.reps {
		if r.team < 0 {
			leads = append(leads, i)
		} else {
			members = append(members, i)
		}
	}
	buildRep := func(r *repPlan) *ent.RepCreate {
		c := s.tx.Rep.Create().
			SetName(r.name).
			SetEmail(r.email).
			SetRole(r.role).
			SetRegion(r.region).
			SetTitle(r.title).
			SetPhone(r.phone).
			SetCreatedAt(since).
			SetUpdatedAt(since)
		if r.team >= 0 {
			c.SetTeamID(s.teams[r.team].id)
		}
		return c
	}
	err := insert(ctx, "reps", len(leads),
		func(i int) *ent.RepCreate { return buildRep(s.reps[leads[i]]) },
		saveReps,
		func(i int, e *ent.Rep) { s.reps[leads[i]].id = e.ID },
	)
	if err != nil {
		return err
	}
	err = insert(ctx, "teams", len(s.teams),
		func(i int) *ent.TeamCreate {
			t := s.teams[i]
			return s.tx.Team.Create().
				SetName(t.name).
				SetRegion(t.region).
				SetManagerID(s.reps[t.manager].id).
				SetCreatedAt(since).
				SetUpdatedAt(since)
		},
		func(ctx context.Context, b []*ent.TeamCreate) ([]*ent.Team, error) {
			return s.tx.Team.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Team) { s.teams[i].id = e.ID },
	)
	if err != nil {
		return err
	}
	err = insert(ctx, "reps", len(members),
		func(i int) *ent.RepCreate { return buildRep(s.reps[members[i]]) },
		saveReps,
		func(i int, e *ent.Rep) { s.reps[members[i]].id = e.ID },
	)
	if err != nil {
		return err
	}
	s.sum.Teams, s.sum.Reps = len(s.teams), len(s.reps)
	report(s.progress, "seed: teams %d, reps %d", s.sum.Teams, s.sum.Reps)
	return nil
}

// seedAccounts plans and writes the accounts carrier by carrier, a chunk at a time.
func (s *seeder) seedAccounts(ctx context.Context) error {
	total := 0
	for _, c := range s.carriers {
		total += c.accounts
	}
	// Hooks write events of their own (the CREATED entry of each escalation), so
	// events are counted in the database rather than from the plan.
	eventsBefore, err := s.tx.EscalationEvent.Query().Count(ctx)
	if err != nil {
		return fmt.Errorf("seed: counting escalation events: %w", err)
	}
	var chunk []*accountPlan
	flush := func() error {
		if err := s.insertAccounts(ctx, chunk); err != nil {
			return err
		}
		chunk = chunk[:0]
		report(s.progress, "seed: accounts %d/%d (quotes %d, escalations %d)", s.sum.Accounts, total, s.sum.Quotes, s.sum.Escalations)
		return nil
	}
	for ci, c := range s.carriers {
		for k := range c.accounts {
			chunk = append(chunk, s.planAccount(c, ci == 0 && k == 0))
			if len(chunk) == accountsPerChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
	if len(chunk) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	eventsAfter, err := s.tx.EscalationEvent.Query().Count(ctx)
	if err != nil {
		return fmt.Errorf("seed: counting escalation events: %w", err)
	}
	s.sum.EscalationEvents = eventsAfter - eventsBefore
	return nil
}

// insertAccounts writes a chunk of accounts and everything under them, parents before children.
func (s *seeder) insertAccounts(ctx context.Context, accounts []*accountPlan) error {
	steps := []func(context.Context, []*accountPlan) error{
		s.insertAccountRows,
		s.insertAssignments,
		s.insertRFPs,
		s.insertQuotes,
		s.insertLineItems,
		s.insertPricingRequests,
		s.insertContracts,
		s.insertOrders,
		s.insertReviews,
		s.insertActivities,
		s.insertEscalations,
		s.insertEvents,
		s.insertHistory,
	}
	for _, step := range steps {
		if err := step(ctx, accounts); err != nil {
			return err
		}
	}
	return nil
}
