package events

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"carrierdesk/ent"

	"github.com/lib/pq"
)

// Channel is the PostgreSQL notification channel of escalation events; the
// payload of a notification is an event ID.
const Channel = "carrierdesk_escalation_events"

// ListenerSuffix ends the application_name of the listener's connection, so an
// operator (or a test) can tell it from the pool's.
const ListenerSuffix = "-events"

// pingInterval is how often the listener's connection is checked, which also
// dates the last moment it was known to be listening.
const pingInterval = 10 * time.Second

// Postgres is the broker of several instances sharing one PostgreSQL database:
// a writer announces an event with pg_notify in its own transaction (so the
// notification goes out on commit and never on rollback), and every instance
// LISTENs on one dedicated connection and fans the IDs out locally.
//
// When that connection is lost, lib/pq reconnects and listens again; the
// broker then has every subscriber look in the table for what it has not had.
type Postgres struct {
	hub      hub
	listener *pq.Listener
	// down is set from the disconnect until the resync after reconnecting.
	down atomic.Bool
	stop context.CancelFunc
	wg   sync.WaitGroup
}

// ListenPostgres connects a listener to the database at dsn.
func ListenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	dsn, err := listenerDSN(dsn)
	if err != nil {
		return nil, err
	}
	p := &Postgres{}
	p.listener = pq.NewListener(dsn, 100*time.Millisecond, 5*time.Second, p.connectionEvent)
	listening := make(chan error, 1)
	go func() { listening <- p.listener.Listen(Channel) }()
	select {
	case err = <-listening:
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		p.listener.Close()
		return nil, fmt.Errorf("listening for escalation events: %w", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	p.stop = stop
	p.wg.Add(2)
	go func() { defer p.wg.Done(); p.dispatch() }()
	go func() { defer p.wg.Done(); p.ping(runCtx) }()
	return p, nil
}

// listenerDSN names the listener's connection after the pool's, plus ListenerSuffix.
func listenerDSN(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parsing the database URL: %w", err)
	}
	q := u.Query()
	name := q.Get("application_name")
	if name == "" {
		name = "carrierdesk"
	}
	q.Set("application_name", name+ListenerSuffix)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Subscribe returns a feed of the events committed from now on.
func (p *Postgres) Subscribe() *Feed { return p.hub.subscribe() }

// Subscribers is how many feeds are open: a subscription counts once its
// resolver has returned, so that whatever commits later reaches it.
func (p *Postgres) Subscribers() int { return p.hub.len() }

// Hook announces an event with pg_notify through the writer's own connection:
// inside a transaction PostgreSQL delivers it at commit, and drops it on rollback.
func (p *Postgres) Hook() ent.Hook {
	return afterCreate(func(ctx context.Context, m *ent.EscalationEventMutation, id string) error {
		if _, err := m.ExecContext(ctx, "SELECT pg_notify($1, $2)", Channel, id); err != nil {
			return fmt.Errorf("announcing escalation event: %w", err)
		}
		return nil
	})
}

func (*Postgres) commitOrder() commitOrder { return postgresOrder{} }

// Close stops listening and ends every feed.
func (p *Postgres) Close() error {
	p.stop()
	err := p.listener.Close()
	p.wg.Wait()
	p.hub.close()
	return err
}

// connectionEvent runs on lib/pq's goroutine when the connection changes.
func (p *Postgres) connectionEvent(ev pq.ListenerEventType, err error) {
	switch ev {
	case pq.ListenerEventDisconnected:
		p.down.Store(true)
		slog.Warn("escalation event listener disconnected", "err", err)
	case pq.ListenerEventReconnected:
		slog.Info("escalation event listener reconnected")
	case pq.ListenerEventConnectionAttemptFailed:
		slog.Warn("escalation event listener cannot reconnect", "err", err)
	}
}

// dispatch fans notifications out until the listener closes. A nil
// notification is lib/pq saying it reconnected and some may have been lost.
func (p *Postgres) dispatch() {
	for n := range p.listener.Notify {
		if n == nil {
			p.resync()
			continue
		}
		if n.Channel != Channel {
			continue
		}
		p.hub.publish(Signal{ID: n.Extra})
	}
}

// resync tells every subscriber that notifications may have been lost while
// the listener was away: each looks in the table, as itself, for what it has
// not had. lib/pq listens again before it reports the reconnection, so
// whatever commits after that is notified.
func (p *Postgres) resync() {
	p.down.Store(false)
	p.hub.publish(Signal{Resync: true})
	slog.Info("escalation event listener resynced")
}

// ping checks the connection now and then; a ping that succeeds while up
// moves the time the listener is known to have been listening.
func (p *Postgres) ping(ctx context.Context) {
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !p.down.Load() {
			_ = p.listener.Ping() // a dead connection shows up as a disconnect event
		}
	}
}
