package events

import (
	"encoding/base32"
	"encoding/base64"
	"slices"
	"time"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/ids"
)

// Lookback bounds how much later than the events after it an event may
// commit: the time between taking an ID (a UUIDv7, so a timestamp) and
// committing it, plus the clock skew between instances. Within it a subscriber
// remembers what it was sent, so that an event committed out of ID order is
// sent once, late, rather than lost or repeated.
const Lookback = 30 * time.Second

// maxRemembered caps the recent IDs a cursor carries; past it the oldest are
// taken as done, which narrows the lookback only under a burst of events.
const maxRemembered = 64

// eventPrefix and idEncoding spell escalation event IDs as package ids does;
// a test holds them to it.
const eventPrefix = "eev_"

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// idAt is the smallest event ID that can be taken at t: event IDs sort as text
// in the order of their timestamps.
func idAt(t time.Time) string {
	var u [16]byte
	ms := uint64(t.UnixMilli())
	for i := range 6 {
		u[i] = byte(ms >> (8 * (5 - i)))
	}
	return eventPrefix + idEncoding.EncodeToString(u[:])
}

// idTime is when the event ID was taken.
func idTime(id string) time.Time {
	b := idBytes(id)
	if b == nil {
		return time.Time{}
	}
	var ms int64
	for _, c := range b[:6] {
		ms = ms<<8 | int64(c)
	}
	return time.UnixMilli(ms)
}

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

// window is what one subscriber has had, so that nothing is sent twice:
// every event with an ID at or below low is done; seen holds the IDs above low
// that were sent, and before those that were there when a live subscription
// began. Both are sorted.
type window struct {
	low    string
	seen   []string
	before []string
}

// admits reports whether the event id is still to be sent. A live event,
// announced after the subscription began, is sent even if the subscription
// found it at the start: it committed meanwhile.
func (w *window) admits(id string, live bool) bool {
	if id <= w.low {
		return false
	}
	if _, found := slices.BinarySearch(w.seen, id); found {
		return false
	}
	_, found := slices.BinarySearch(w.before, id)
	return live || !found
}

// add records that id was sent, and forgets what lies more than Lookback
// before the newest event sent.
func (w *window) add(id string) {
	if i, found := slices.BinarySearch(w.seen, id); !found {
		w.seen = slices.Insert(w.seen, i, id)
	}
	w.prune(idAt(idTime(w.seen[len(w.seen)-1]).Add(-Lookback)))
}

// prune takes everything at or below floor as done, and keeps at most
// maxRemembered IDs by taking the oldest as done too.
func (w *window) prune(floor string) {
	w.low = max(w.low, floor)
	if all := w.remembered(); len(all) > maxRemembered {
		w.low = max(w.low, all[len(all)-maxRemembered-1])
	}
	done := func(id string) bool { return id <= w.low }
	w.seen = slices.DeleteFunc(w.seen, done)
	w.before = slices.DeleteFunc(w.before, done)
}

// remembered is seen and before, merged in order.
func (w *window) remembered() []string {
	all := slices.Concat(w.seen, w.before)
	slices.Sort(all)
	return slices.Compact(all)
}

// cursor encodes the window opaquely: the UUIDs of low and of the IDs it
// remembers. A subscription resumed from it has had all of them.
func (w *window) cursor() string {
	all := w.remembered()
	raw := make([]byte, 0, 16*(1+len(all)))
	raw = append(raw, idBytes(w.low)...)
	for _, id := range all {
		raw = append(raw, idBytes(id)...)
	}
	return base64.RawURLEncoding.EncodeToString(raw)
}

// errBadCursor answers an after: argument that is neither a cursor nor an event ID.
var errBadCursor = fault.InvalidField("after", "is not a cursor of escalationEvents")

// parseCursor reads a cursor made by window.cursor. A plain event ID is taken
// too, as "everything after this event", for clients that start from a
// timeline they queried.
func parseCursor(s string) (window, error) {
	if idBytes(s) != nil {
		return window{low: s}, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) == 0 || len(raw)%16 != 0 || len(raw) > 16*(1+maxRemembered) {
		return window{}, errBadCursor
	}
	var w window
	for i := 0; i < len(raw); i += 16 {
		id := eventPrefix + idEncoding.EncodeToString(raw[i:i+16])
		switch {
		case i == 0:
			w.low = id
		case id <= w.low || (len(w.seen) > 0 && id <= w.seen[len(w.seen)-1]):
			return window{}, errBadCursor
		default:
			w.seen = append(w.seen, id)
		}
	}
	return w, nil
}
