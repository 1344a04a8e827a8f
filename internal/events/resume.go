package events

import (
	"context"
	"sync"
	"time"
)

// Resumes remembers, for a short while, where each subscription a client
// named with a resume key had got to, so that re-subscribing with the
// original variables (as graphql-ws's retry does) continues from there
// rather than from the original after:. The transport records a cursor only
// once the client has shown it received the event (see server/websocket.go).
// It is per instance and bounded: ResumeTTL per entry, ResumesPerViewer per
// viewer and ResumesMax in all, the oldest forgotten first.
type Resumes struct {
	mu      sync.Mutex
	entries map[resumeID]resumeEntry
	now     func() time.Time
}

// Bounds of a Resumes.
const (
	ResumeTTL        = 10 * time.Minute
	ResumesPerViewer = 32
	ResumesMax       = 10000
)

type resumeID struct{ viewer, key string }

type resumeEntry struct {
	cursor  string
	expires time.Time
}

// NewResumes returns an empty store.
func NewResumes() *Resumes {
	return &Resumes{entries: map[resumeID]resumeEntry{}, now: time.Now}
}

// Cursor is the last cursor remembered for viewer's subscription key.
func (r *Resumes) Cursor(viewer, key string) (string, bool) {
	if r == nil || viewer == "" || key == "" {
		return "", false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.entries[resumeID{viewer, key}]
	if !ok || !r.now().Before(e.expires) {
		return "", false
	}
	return e.cursor, true
}

// Remember records cursor as where viewer's subscription key has got to.
func (r *Resumes) Remember(viewer, key, cursor string) {
	if r == nil || viewer == "" || key == "" || cursor == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	id := resumeID{viewer, key}
	if _, ok := r.entries[id]; !ok {
		r.makeRoom(viewer, now)
	}
	r.entries[id] = resumeEntry{cursor: cursor, expires: now.Add(ResumeTTL)}
}

// makeRoom drops expired entries and, if viewer or the store is still full,
// the oldest entry of each.
func (r *Resumes) makeRoom(viewer string, now time.Time) {
	var oldest, viewersOldest *resumeID
	mine := 0
	for id, e := range r.entries {
		if !now.Before(e.expires) {
			delete(r.entries, id)
			continue
		}
		if oldest == nil || e.expires.Before(r.entries[*oldest].expires) {
			oldest = &id
		}
		if id.viewer == viewer {
			mine++
			if viewersOldest == nil || e.expires.Before(r.entries[*viewersOldest].expires) {
				viewersOldest = &id
			}
		}
	}
	if mine >= ResumesPerViewer {
		delete(r.entries, *viewersOldest)
	} else if len(r.entries) >= ResumesMax {
		delete(r.entries, *oldest)
	}
}

type resumesKey struct{}

// NewResumesContext carries the store that subscriptions in ctx resume from.
func NewResumesContext(ctx context.Context, r *Resumes) context.Context {
	return context.WithValue(ctx, resumesKey{}, r)
}

// ResumesFromContext is the store NewResumesContext carries, or nil.
func ResumesFromContext(ctx context.Context) *Resumes {
	r, _ := ctx.Value(resumesKey{}).(*Resumes)
	return r
}
