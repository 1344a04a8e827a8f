package seed

import (
	"context"
	"slices"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/auditentry"
	"carrierdesk/ent/contract"
	"carrierdesk/internal/money"
)

// historyYears is how far back the seeded MRR history reaches.
const historyYears = 1

// mrrMove is one change of an account's MRR (and, for churn, its status) as
// the audit trail records it, which is where revenue retention reads history.
type mrrMove struct {
	at       time.Time
	delta    money.Amount // change of MRR; for churn, minus what it last billed
	action   string       // the workflow action that made it
	churn    bool         // the account churned: status to CHURNED, MRR to zero
	from, to money.Amount // filled in by history, walking back from today's MRR
}

// history is the account's MRR moves over the past year, oldest first,
// following its contracts: a service order that started in the year
// expanded the MRR by its MRC, one that expired or was terminated in it
// contracted the MRR; an account that churned in the year lost what its
// contracts billed. Walking back from today's MRR (the sum of its ACTIVE
// contracts) gives each move's from and to, so the trail ends where the
// account is. The seeder bypasses the audit hook, so it writes these itself.
func (s *seeder) history(a *accountPlan) []mrrMove {
	since := s.today.AddDate(-historyYears, 0, 0)
	inYear := func(t time.Time) bool { return t.After(since) && !t.After(s.today) }
	var moves []mrrMove
	if a.status == account.StatusChurned {
		var billed money.Amount
		for _, c := range a.contracts {
			if c.status == contract.StatusExpired || c.status == contract.StatusTerminated {
				billed += c.mrc
			}
		}
		if billed > 0 && inYear(a.end) {
			moves = append(moves, mrrMove{at: a.end, delta: -billed, action: "account.churn", churn: true})
		}
		return walkBack(moves, a.mrr)
	}
	for _, c := range a.contracts {
		if c.kind != contract.KindServiceOrder || c.mrc == 0 {
			continue
		}
		switch {
		case c.status == contract.StatusActive && inYear(c.start) && c.start.After(a.opened):
			moves = append(moves, mrrMove{at: c.start, delta: c.mrc, action: "contract.activate"})
		case c.status == contract.StatusExpired && inYear(c.end):
			moves = append(moves, mrrMove{at: c.end, delta: -c.mrc, action: "contract.expire"})
		case c.status == contract.StatusTerminated && inYear(c.end):
			moves = append(moves, mrrMove{at: c.end, delta: -c.mrc, action: "contract.terminate"})
		}
	}
	return walkBack(moves, a.mrr)
}

// walkBack orders moves by time and gives each its from and to, ending at
// today's MRR; moves that would take the MRR below zero are dropped.
func walkBack(moves []mrrMove, today money.Amount) []mrrMove {
	slices.SortFunc(moves, func(x, y mrrMove) int { return x.at.Compare(y.at) })
	after := today
	kept := make([]mrrMove, 0, len(moves))
	for i := len(moves) - 1; i >= 0; i-- {
		m := moves[i]
		if after-m.delta < 0 {
			continue
		}
		m.to, m.from = after, after-m.delta
		after = m.from
		kept = append(kept, m)
	}
	slices.Reverse(kept)
	return kept
}

// insertHistory writes each account's MRR moves of the past year as audit
// entries, one change of mrr each (and of status for churn), at the time
// they happened.
func (s *seeder) insertHistory(ctx context.Context, accounts []*accountPlan) error {
	type move struct {
		account *accountPlan
		mrrMove
	}
	var moves []move
	for _, a := range accounts {
		for _, m := range s.history(a) {
			moves = append(moves, move{a, m})
		}
	}
	entries := make([]string, len(moves))
	err := insert(ctx, "audit entries", len(moves),
		func(i int) *ent.AuditEntryCreate {
			m := moves[i]
			return s.tx.AuditEntry.Create().
				SetEntityType(ent.TypeAccount).
				SetEntityID(m.account.id).
				SetOperation(auditentry.OperationUpdate).
				SetAction(m.action).
				SetAPIOperation("system").
				SetCreatedAt(m.at)
		},
		func(ctx context.Context, b []*ent.AuditEntryCreate) ([]*ent.AuditEntry, error) {
			return s.tx.AuditEntry.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.AuditEntry) { entries[i] = e.ID },
	)
	if err != nil {
		return err
	}
	var changes []*ent.AuditChangeCreate
	for i, m := range moves {
		changes = append(changes, s.tx.AuditChange.Create().
			SetEntryID(entries[i]).
			SetField("mrr").
			SetFromValue(m.from.String()).
			SetToValue(m.to.String()))
		if m.churn {
			changes = append(changes, s.tx.AuditChange.Create().
				SetEntryID(entries[i]).
				SetField("status").
				SetFromValue(account.StatusActive.String()).
				SetToValue(account.StatusChurned.String()))
		}
	}
	return insert(ctx, "audit changes", len(changes),
		func(i int) *ent.AuditChangeCreate { return changes[i] },
		func(ctx context.Context, b []*ent.AuditChangeCreate) ([]*ent.AuditChange, error) {
			return s.tx.AuditChange.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.AuditChange) {},
	)
}
