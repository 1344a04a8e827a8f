// Package replica sends the reads that may be slightly stale (reports, and
// every query of a read-only role) to PostgreSQL hot standbys, and every
// other statement to the primary.
//
// Driver is an ent dialect.Driver over the primary's driver and the
// standbys'. A read goes to a standby only when its context allows it
// (AllowStandby, which the GraphQL layer sets), a standby is in rotation (it
// answers and lags at most REPLICA_MAX_LAG behind, as a background check
// measures), and that standby has replayed the viewer's own last write.
// Writes, transactions and raw SQL always use the primary; a read a standby
// fails is run again on the primary, so a standby going away costs a client
// nothing but time.
package replica

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"carrierdesk/internal/metrics"
	"carrierdesk/internal/viewer"

	"entgo.io/ent/dialect"
)

// Target is where a read went.
type Target string

// The targets of reads.
const (
	Primary Target = "primary"
	Replica Target = "replica"
)

// Standby is a hot standby reads may go to.
type Standby struct {
	name   string
	driver dialect.Driver
	db     *sql.DB
	status atomic.Pointer[status]
}

// status is a standby as the last check found it.
type status struct {
	inRotation bool
	replayed   LSN           // WAL replayed; kept from the check before while unreachable
	lag        time.Duration // how far behind the primary it was
	reason     string        // why it is out of rotation
}

// NewStandby is the standby reached through drv, whose pool db the health
// check uses; name (host:port, never a password) is for logs. It is out of
// rotation until checked.
func NewStandby(name string, drv dialect.Driver, db *sql.DB) *Standby {
	s := &Standby{name: name, driver: drv, db: db}
	s.status.Store(&status{reason: "not checked yet"})
	return s
}

// Close closes the standby's driver and pool, for a standby never handed to New.
func (s *Standby) Close() error { return s.driver.Close() }

// Driver routes ent's statements between the primary and the standbys.
type Driver struct {
	primary   dialect.Driver
	primaryDB *sql.DB
	standbys  []*Standby
	maxLag    time.Duration
	interval  time.Duration
	next      atomic.Uint32 // round robin over the standbys

	mu      sync.Mutex
	written map[string]LSN // subject -> the primary's position after its last write

	samples []sample // the primary's recent positions; the check's goroutine only
	reads   [2]atomic.Int64
	stop    context.CancelFunc
	done    chan struct{}
}

// sample is where the primary's WAL was at a moment.
type sample struct {
	at  time.Time
	lsn LSN
}

var _ dialect.Driver = (*Driver)(nil)

// New routes between primary (with its pool primaryDB) and standbys, taking
// a standby out of rotation while it lags more than maxLag. It checks the
// standbys once before it returns, then in the background until Close.
func New(ctx context.Context, primary dialect.Driver, primaryDB *sql.DB, standbys []*Standby, maxLag time.Duration) *Driver {
	d := &Driver{
		primary:   primary,
		primaryDB: primaryDB,
		standbys:  standbys,
		maxLag:    maxLag,
		interval:  min(max(maxLag/5, 100*time.Millisecond), time.Second),
		written:   map[string]LSN{},
		done:      make(chan struct{}),
	}
	d.check(ctx)
	watchCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	d.stop = stop
	go d.watch(watchCtx)
	return d
}

// Reads is how many reads this driver sent to target, for tests and logs;
// the metric carrierdesk_db_reads_total counts them for the process.
func (d *Driver) Reads(target Target) int64 { return d.reads[targetIndex(target)].Load() }

// StandbyStatus is a standby as the last check found it.
type StandbyStatus struct {
	Name       string
	InRotation bool
	Replayed   LSN
	Lag        time.Duration
	Reason     string // why it is out of rotation
}

// Status is every standby as the last check found it.
func (d *Driver) Status() []StandbyStatus {
	out := make([]StandbyStatus, len(d.standbys))
	for i, s := range d.standbys {
		st := s.status.Load()
		out[i] = StandbyStatus{Name: s.name, InRotation: st.inRotation, Replayed: st.replayed, Lag: st.lag, Reason: st.reason}
	}
	return out
}

func targetIndex(t Target) int {
	if t == Replica {
		return 1
	}
	return 0
}

func (d *Driver) count(t Target) {
	d.reads[targetIndex(t)].Add(1)
	metrics.DatabaseReads.WithLabelValues(string(t)).Inc()
}

// Query reads from a standby when ctx allows it and one is fit, else from the primary.
func (d *Driver) Query(ctx context.Context, query string, args, v any) error {
	s := d.standbyFor(ctx)
	if s == nil {
		d.count(Primary)
		return d.primary.Query(ctx, query, args, v)
	}
	err := s.driver.Query(ctx, query, args, v)
	if err == nil {
		d.count(Replica)
		return nil
	}
	if ctx.Err() != nil {
		return err
	}
	// Down, restarting, or cancelled by a conflict with recovery: the primary
	// answers this read, and the next check decides when the standby is back.
	d.takeOut(s, err)
	d.count(Primary)
	return d.primary.Query(ctx, query, args, v)
}

// Exec writes on the primary and remembers the write for read-your-writes.
func (d *Driver) Exec(ctx context.Context, query string, args, v any) error {
	if err := d.primary.Exec(ctx, query, args, v); err != nil {
		return err
	}
	d.wrote(ctx)
	return nil
}

// Tx begins a transaction on the primary.
func (d *Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.primary.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &committer{Tx: tx, ctx: ctx, d: d}, nil
}

// BeginTx begins a transaction with options on the primary, where its driver can.
func (d *Driver) BeginTx(ctx context.Context, opts *sql.TxOptions) (dialect.Tx, error) {
	b, ok := d.primary.(interface {
		BeginTx(context.Context, *sql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &committer{Tx: tx, ctx: ctx, d: d}, nil
}

// execQuerier is database/sql's statement interface, which ent's drivers
// and transactions also offer.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

var errNoExecQuerier = errors.New("ExecContext and QueryContext are not supported by the primary's driver")

// ExecContext runs raw SQL on the primary.
func (d *Driver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	eq, ok := d.primary.(execQuerier)
	if !ok {
		return nil, errNoExecQuerier
	}
	r, err := eq.ExecContext(ctx, query, args...)
	if err == nil {
		d.wrote(ctx)
	}
	return r, err
}

// QueryContext runs raw SQL on the primary: its readers (the event stream)
// need what was just committed.
func (d *Driver) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	eq, ok := d.primary.(execQuerier)
	if !ok {
		return nil, errNoExecQuerier
	}
	return eq.QueryContext(ctx, query, args...)
}

// Dialect is the primary's.
func (d *Driver) Dialect() string { return d.primary.Dialect() }

// Close stops the checks and closes the standbys and the primary.
func (d *Driver) Close() error {
	d.stop()
	<-d.done
	var errs []error
	for _, s := range d.standbys {
		errs = append(errs, s.Close())
	}
	return errors.Join(append(errs, d.primary.Close())...)
}

// committer is a transaction on the primary that remembers its commit for
// read-your-writes.
type committer struct {
	dialect.Tx
	ctx context.Context
	d   *Driver
}

// Commit commits, then notes where the primary's WAL is.
func (t *committer) Commit() error {
	if err := t.Tx.Commit(); err != nil {
		return err
	}
	t.d.wrote(t.ctx)
	return nil
}

// ExecContext runs raw SQL in the transaction.
func (t *committer) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	eq, ok := t.Tx.(execQuerier)
	if !ok {
		return nil, errNoExecQuerier
	}
	return eq.ExecContext(ctx, query, args...)
}

// QueryContext runs raw SQL in the transaction.
func (t *committer) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	eq, ok := t.Tx.(execQuerier)
	if !ok {
		return nil, errNoExecQuerier
	}
	return eq.QueryContext(ctx, query, args...)
}

// standbyFor picks a standby in rotation that has replayed what the viewer
// and the client last wrote, or nil for the primary.
func (d *Driver) standbyFor(ctx context.Context) *Standby {
	if len(d.standbys) == 0 || !standbyAllowed(ctx) {
		return nil
	}
	need := d.writtenBy(viewer.FromContext(ctx).Subject())
	if c := clientFrom(ctx); c != nil && c.After > need {
		need = c.After
	}
	n := uint32(len(d.standbys))
	start := d.next.Add(1)
	for i := range n {
		s := d.standbys[(start+i)%n]
		if st := s.status.Load(); st.inRotation && st.replayed >= need {
			return s
		}
	}
	return nil
}

func (d *Driver) writtenBy(subject string) LSN {
	if subject == "" {
		return 0
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.written[subject]
}

// wrote notes, after a commit under ctx, where the primary's WAL is: the
// viewer's reads go to the primary until a standby has replayed that far,
// and the client is told, for its requests to other instances.
func (d *Driver) wrote(ctx context.Context) {
	if len(d.standbys) == 0 {
		return
	}
	subject := viewer.FromContext(ctx).Subject()
	c := clientFrom(ctx)
	if subject == "" && (c == nil || c.Wrote == nil) {
		return // the program's own writes: sweeps, migrations, the seed
	}
	// The write is committed even if the request has just been cancelled.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	lsn, err := d.primaryLSN(lctx)
	if err != nil {
		slog.WarnContext(ctx, "replica: reading the primary's WAL position after a write", "err", err)
		return
	}
	if subject != "" {
		d.mu.Lock()
		if lsn > d.written[subject] {
			d.written[subject] = lsn
		}
		d.mu.Unlock()
	}
	if c != nil && c.Wrote != nil {
		c.Wrote(lsn)
	}
}

func (d *Driver) primaryLSN(ctx context.Context) (LSN, error) {
	var text string
	if err := d.primaryDB.QueryRowContext(ctx, `SELECT pg_current_wal_lsn()::text`).Scan(&text); err != nil {
		return 0, err
	}
	return ParseLSN(text)
}

// takeOut takes a standby whose read failed out of rotation until the next check.
func (d *Driver) takeOut(s *Standby, err error) {
	prev := s.status.Load()
	next := *prev
	next.inRotation, next.reason = false, "a read failed"
	if s.status.CompareAndSwap(prev, &next) && prev.inRotation {
		slog.Warn("replica out of rotation: the primary serves its reads", "replica", s.name, "reason", next.reason, "err", err)
		d.countInRotation()
	}
}

func (d *Driver) countInRotation() {
	n := 0
	for _, s := range d.standbys {
		if s.status.Load().inRotation {
			n++
		}
	}
	metrics.ReplicasInRotation.Set(float64(n))
}

// watch checks the standbys every interval until ctx ends.
func (d *Driver) watch(ctx context.Context) {
	defer close(d.done)
	t := time.NewTicker(d.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.check(ctx)
		}
	}
}

// check measures each standby against the primary: reachable, still a
// standby, and how far behind. The lag is the age of the newest position the
// primary had that the standby has replayed: 0 when it has replayed
// everything the primary had at this check (an idle primary is no lag), and
// growing while replay stands still and the primary moves on.
func (d *Driver) check(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, max(2*d.interval, 500*time.Millisecond))
	defer cancel()
	now := time.Now()
	head, err := d.primaryLSN(ctx)
	headKnown := err == nil
	if headKnown {
		d.samples = append(d.samples, sample{at: now, lsn: head})
		keep := now.Add(-d.maxLag - 2*d.interval)
		for len(d.samples) > 1 && d.samples[0].at.Before(keep) {
			d.samples = d.samples[1:]
		}
	}
	for _, s := range d.standbys {
		d.checkStandby(ctx, s, now, head, headKnown)
	}
	d.countInRotation()
	d.forgetReplayed()
}

func (d *Driver) checkStandby(ctx context.Context, s *Standby, now time.Time, head LSN, headKnown bool) {
	prev := s.status.Load()
	next := status{replayed: prev.replayed, lag: prev.lag}
	var (
		inRecovery bool
		replayed   sql.NullString
	)
	err := s.db.QueryRowContext(ctx, `SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text`).Scan(&inRecovery, &replayed)
	switch {
	case err != nil:
		next.reason = "unreachable"
	case !inRecovery || !replayed.Valid:
		next.reason = "not a standby"
	default:
		if next.replayed, err = ParseLSN(replayed.String); err != nil {
			next.reason = "unreadable WAL position"
			break
		}
		lag, known := d.lag(now, next.replayed, head, headKnown)
		switch {
		case !known:
			next.reason = "behind every position the primary had in the last " + (d.maxLag + 2*d.interval).String()
		case lag > d.maxLag:
			next.lag, next.reason = lag, fmt.Sprintf("lags %s behind the primary", lag.Round(time.Millisecond))
		default:
			next.lag, next.inRotation = lag, true
		}
	}
	s.status.Store(&next)
	switch {
	case prev.inRotation && !next.inRotation:
		slog.Warn("replica out of rotation: the primary serves its reads", "replica", s.name, "reason", next.reason, "err", err)
	case !prev.inRotation && next.inRotation:
		slog.Info("replica in rotation", "replica", s.name, "lag", next.lag)
	}
}

// lag is how long ago the primary was last at a position the standby has
// replayed; not known when the standby is behind every recent sample.
func (d *Driver) lag(now time.Time, replayed, head LSN, headKnown bool) (time.Duration, bool) {
	if headKnown && replayed >= head {
		return 0, true
	}
	for i := len(d.samples) - 1; i >= 0; i-- {
		if d.samples[i].lsn <= replayed {
			return now.Sub(d.samples[i].at), true
		}
	}
	return 0, false
}

// forgetReplayed drops the writes every standby has replayed: reads after
// them may go anywhere again.
func (d *Driver) forgetReplayed() {
	least := LSN(1<<64 - 1)
	for _, s := range d.standbys {
		least = min(least, s.status.Load().replayed)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for subject, lsn := range d.written {
		if lsn <= least {
			delete(d.written, subject)
		}
	}
}
