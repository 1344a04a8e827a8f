package events

import (
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/ids"
)

// A subscriber must get every event exactly once, in an order that follows
// commits: an event's ID (a UUIDv7) or creation time is taken before its
// transaction commits, and a transaction can stay open for as long as a lock
// wait or a slow sweep lasts while any number of others commit. So what a
// subscriber has had is described the way PostgreSQL describes what a
// statement sees: a snapshot, which names the transactions whose writes are
// visible. Each event row carries its transaction's ID (commit_txid); an event
// was had if its transaction is visible in the subscriber's snapshot. The
// snapshot stays a few bytes however many transactions commit after a slow one:
// the slow one is simply listed as in progress until it commits.
//
// SQLite commits one writer at a time and hands out rowids in that order, so
// there a snapshot is a rowid bound (xmin = xmax, nothing in progress).

// snapshot is a set of committed transactions: all below xmin, and those
// below xmax other than the ones listed in xip (in progress when it was taken).
type snapshot struct {
	xmin, xmax int64
	xip        []int64 // sorted, each in [xmin, xmax)
}

// visible reports whether the writes of transaction tx are in the snapshot.
func (s snapshot) visible(tx int64) bool {
	if tx < s.xmin {
		return true
	}
	if tx >= s.xmax {
		return false
	}
	_, inProgress := slices.BinarySearch(s.xip, tx)
	return !inProgress
}

// parseSnapshot reads PostgreSQL's text form of pg_snapshot, "xmin:xmax:xip,...".
func parseSnapshot(text string) (snapshot, error) {
	parts := strings.Split(text, ":")
	if len(parts) != 3 {
		return snapshot{}, fmt.Errorf("snapshot %q: want xmin:xmax:xip", text)
	}
	var s snapshot
	var err error
	if s.xmin, err = strconv.ParseInt(parts[0], 10, 64); err != nil {
		return snapshot{}, fmt.Errorf("snapshot %q: %w", text, err)
	}
	if s.xmax, err = strconv.ParseInt(parts[1], 10, 64); err != nil {
		return snapshot{}, fmt.Errorf("snapshot %q: %w", text, err)
	}
	if parts[2] != "" {
		for _, x := range strings.Split(parts[2], ",") {
			tx, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				return snapshot{}, fmt.Errorf("snapshot %q: %w", text, err)
			}
			s.xip = append(s.xip, tx)
		}
	}
	slices.Sort(s.xip)
	if !s.valid() {
		return snapshot{}, fmt.Errorf("snapshot %q is inconsistent", text)
	}
	return s, nil
}

func (s snapshot) valid() bool {
	if s.xmin < 0 || s.xmax < s.xmin || len(s.xip) > maxInProgress {
		return false
	}
	for i, tx := range s.xip {
		if tx < s.xmin || tx >= s.xmax || (i > 0 && tx <= s.xip[i-1]) {
			return false
		}
	}
	return true
}

// maxListed bounds the transactions a snapshot the server hands out lists as
// in progress, and with it a cursor's length: at most two snapshots of eight
// varints each, an event ID and a few numbers, under 200 characters however
// many writers are in flight (see bounded).
const maxListed = 8

// bounded is the largest part of now that lists at most maxListed
// transactions in progress and contains had (a part of now, as everything a
// subscriber had was committed when now was taken). When more are in progress
// it stops at the first one past the limit, and whatever committed after that
// is held back until the older ones end; held says so.
func bounded(had, now snapshot) (s snapshot, held bool) {
	if len(now.xip) <= maxListed {
		return now, false
	}
	// Below had.xmax, every transaction in progress now was in progress for
	// had too, so had's own bound holds there.
	return now.before(max(now.xip[maxListed], had.xmax)), true
}

// before is the part of s with transactions before tx.
func (s snapshot) before(tx int64) snapshot {
	if tx >= s.xmax {
		return s
	}
	b := snapshot{xmin: min(s.xmin, tx), xmax: tx}
	for _, x := range s.xip {
		if x < tx {
			b.xip = append(b.xip, x)
		}
	}
	return b
}

// maxInProgress bounds the transactions a cursor may list as in progress: more
// than PostgreSQL's connections of every instance together would be in flight
// at once only for a forged cursor.
const maxInProgress = 1000

// position is where an event falls in delivery order: its transaction, then its ID.
type position struct {
	tx int64
	id string
}

func (p position) after(q position) bool {
	return p.tx > q.tx || (p.tx == q.tx && p.id > q.id)
}

// progress is what one subscriber has had: every event visible in had and,
// while it works through the events of a newer snapshot page by page, those
// visible in next up to and including last.
type progress struct {
	had  snapshot
	next *snapshot
	last position
}

// has reports whether the event at p was had.
func (g progress) has(p position) bool {
	if g.had.visible(p.tx) {
		return true
	}
	return g.next != nil && g.next.visible(p.tx) && !p.after(g.last)
}

// Cursors are versioned so that their form can change without mistaking an
// old one for a new one.
const cursorVersion = 1

// cursor encodes the progress opaquely and compactly: varints, each relative
// to the snapshot's xmin, so it is a few dozen bytes whatever the numbers.
func (g progress) cursor() string {
	b := []byte{cursorVersion}
	b = appendSnapshot(b, g.had, 0)
	if g.next != nil {
		b = append(b, 1)
		b = appendSnapshot(b, *g.next, g.had.xmin)
		b = binary.AppendVarint(b, g.last.tx-g.had.xmin)
		b = append(b, idBytes(g.last.id)...)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func appendSnapshot(b []byte, s snapshot, base int64) []byte {
	b = binary.AppendVarint(b, s.xmin-base)
	b = binary.AppendUvarint(b, uint64(s.xmax-s.xmin))
	b = binary.AppendUvarint(b, uint64(len(s.xip)))
	for _, tx := range s.xip {
		b = binary.AppendUvarint(b, uint64(tx-s.xmin))
	}
	return b
}

// errBadCursor answers an after: argument that is neither a cursor nor an event ID.
var errBadCursor = fault.InvalidField("after", "is not a cursor of escalationEvents")

// parseCursor reads a cursor made by progress.cursor.
func parseCursor(s string) (progress, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) < 2 || raw[0] != cursorVersion {
		return progress{}, errBadCursor
	}
	r := &cursorReader{b: raw[1:]}
	var g progress
	// The first snapshot is relative to its own xmin, which is written as is.
	g.had = r.snapshot(0)
	if r.more() {
		if r.byte() != 1 {
			return progress{}, errBadCursor
		}
		next := r.snapshot(g.had.xmin)
		g.next = &next
		g.last.tx = g.had.xmin + r.varint()
		g.last.id = r.eventID()
	}
	if r.bad || r.more() || !g.had.valid() || (g.next != nil && !g.next.valid()) {
		return progress{}, errBadCursor
	}
	return g, nil
}

// cursorReader decodes a cursor, remembering whether anything was amiss.
type cursorReader struct {
	b   []byte
	bad bool
}

func (r *cursorReader) more() bool { return !r.bad && len(r.b) > 0 }

func (r *cursorReader) byte() byte {
	if len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *cursorReader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cursorReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > 1<<62 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *cursorReader) snapshot(base int64) snapshot {
	var s snapshot
	s.xmin = base + r.varint()
	s.xmax = s.xmin + int64(r.uvarint())
	n := r.uvarint()
	if n > maxInProgress {
		r.bad = true
		return s
	}
	for range n {
		s.xip = append(s.xip, s.xmin+int64(r.uvarint()))
	}
	return s
}

func (r *cursorReader) eventID() string {
	if len(r.b) < 16 {
		r.bad = true
		return ""
	}
	id := eventPrefix + idEncoding.EncodeToString(r.b[:16])
	r.b = r.b[16:]
	return id
}

// eventPrefix and idEncoding spell escalation event IDs as package ids does;
// a test holds them to it.
const eventPrefix = "eev_"

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// idBytes is the 16-byte UUID of an event ID, or nil if id is not one.
func idBytes(id string) []byte {
	if typ, ok := ids.TypeOf(id); !ok || typ != "EscalationEvent" {
		return nil
	}
	b, err := idEncoding.DecodeString(id[len(eventPrefix):])
	if err != nil || len(b) != 16 {
		return nil
	}
	return b
}
