// Package revision carries the version of a record a client last saw, so an
// update made from stale data is refused as a conflict instead of silently
// overwriting someone else's change (optimistic concurrency), and the unit of
// change within which a record moves by one version and gets one audit entry,
// however many writes the hooks and workflows make for it.
package revision

import (
	"context"
	"fmt"
	"sync"

	"carrierdesk/internal/fault"
)

type (
	expectKey struct{}
	unitKey   struct{}
)

// expectation is the version a client expects one record to have.
type expectation struct {
	id      string
	version int
}

// Expect returns ctx carrying the version the client expects record id to
// have; a nil version expects nothing. The expectation is about that record
// only: what hooks and workflows write to other records is not checked.
func Expect(ctx context.Context, id string, version *int) context.Context {
	if version == nil {
		return ctx
	}
	return context.WithValue(ctx, expectKey{}, expectation{id: id, version: *version})
}

// Expected returns the version ctx expects record id to have, if any.
func Expected(ctx context.Context, id string) (int, bool) {
	e, ok := ctx.Value(expectKey{}).(expectation)
	if !ok || e.id != id {
		return 0, false
	}
	return e.version, true
}

// Check refuses, as a Conflict, a record at version current when ctx expects
// another: for actions that read a record and may not write it.
func Check(ctx context.Context, id string, current int) error {
	if want, ok := Expected(ctx, id); ok && want != current {
		return Conflict(id, want, current)
	}
	return nil
}

// Conflict is the refusal of a change made from version want of record id,
// which is at version current: it tells the client the version to reload.
func Conflict(id string, want, current int) error {
	return &fault.Error{
		Kind:  fault.Conflict,
		Field: "expectedVersion",
		Msg:   fmt.Sprintf("is %d, but the record is at version %d: reload it and apply your change again", want, current),
		Details: map[string]any{
			"id":             id,
			"currentVersion": current,
		},
	}
}

// A Unit is one change a client asked for (one mutation, or one write made
// outside the API): within it, each record it touches moves by one version
// and gets one audit entry, whatever hooks and workflows write inside it.
type Unit struct {
	mu      sync.Mutex
	records map[string]*Record
	ends    []func(context.Context) error
}

// Record is what a unit knows about one record it touched.
type Record struct {
	// Versioned: the record's version has moved in this unit (or the
	// record was created in it), so further writes leave it be.
	Versioned bool
	// Audited: the audit trail has taken the record as the unit found it and
	// will write its entry when the unit ends.
	Audited bool
	// Writes counts the unit's writes to the record.
	Writes int
}

// Begin returns ctx within a unit: the one ctx is in already, or a new one.
// began reports a new unit, which the caller ends.
func Begin(ctx context.Context) (_ context.Context, u *Unit, began bool) {
	if u, ok := ctx.Value(unitKey{}).(*Unit); ok {
		return ctx, u, false
	}
	u = &Unit{records: map[string]*Record{}}
	return context.WithValue(ctx, unitKey{}, u), u, true
}

// Record returns what the unit knows about record id, for the caller to update.
func (u *Unit) Record(id string) *Record {
	u.mu.Lock()
	defer u.mu.Unlock()
	r, ok := u.records[id]
	if !ok {
		r = &Record{}
		u.records[id] = r
	}
	return r
}

// AtEnd runs f when the unit ends, after the functions registered before it.
func (u *Unit) AtEnd(f func(context.Context) error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.ends = append(u.ends, f)
}

// End runs what was registered to run at the unit's end, in order, and stops
// at the first error; the caller then abandons the unit's transaction.
func (u *Unit) End(ctx context.Context) error {
	u.mu.Lock()
	ends := u.ends
	u.ends = nil
	u.mu.Unlock()
	for _, f := range ends {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}
