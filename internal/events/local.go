package events

import (
	"context"

	"carrierdesk/ent"
)

// Local is the in-process broker for a single instance on the embedded SQLite
// database: an event is announced when the transaction that wrote it commits.
type Local struct{ hub hub }

// NewLocal returns an in-process broker.
func NewLocal() *Local { return &Local{} }

// Subscribe returns a feed of the events committed from now on.
func (l *Local) Subscribe() *Feed { return l.hub.subscribe() }

// Subscribers is how many feeds are open: a subscription counts once its
// resolver has returned, so that whatever commits later reaches it.
func (l *Local) Subscribers() int { return l.hub.len() }

// Hook announces an event on its transaction's commit, or at once when it was
// written outside a transaction (and so is committed already).
func (l *Local) Hook() ent.Hook {
	return afterCreate(func(_ context.Context, m *ent.EscalationEventMutation, id string) error {
		tx, err := m.Tx()
		if err != nil {
			l.hub.publish(Signal{ID: id})
			return nil
		}
		tx.OnCommit(func(next ent.Committer) ent.Committer {
			return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
				if err := next.Commit(ctx, tx); err != nil {
					return err
				}
				l.hub.publish(Signal{ID: id})
				return nil
			})
		})
		return nil
	})
}

func (*Local) commitOrder() commitOrder { return sqliteOrder{} }

// Close ends every feed.
func (l *Local) Close() error {
	l.hub.close()
	return nil
}
