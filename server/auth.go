package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/viewer"
)

// Authenticator turns a bearer token into a viewer.
type Authenticator struct {
	Verifier *auth.Verifier
	Client   *ent.Client
	Viewers  *ViewerCache // nil loads the viewer on every request
}

// NewAuthenticator returns an authenticator that keeps viewers for
// viewerTTL (none when 0), emptied by every write to reps, contacts and teams
// through client.
func NewAuthenticator(v *auth.Verifier, client *ent.Client, viewerTTL time.Duration) *Authenticator {
	a := &Authenticator{Verifier: v, Client: client, Viewers: NewViewerCache(viewerTTL)}
	if a.Viewers != nil {
		hook := a.Viewers.Hook()
		client.Rep.Use(hook)
		client.Contact.Use(hook)
		client.Team.Use(hook)
	}
	return a
}

// errUnavailable reports that the viewer could not be loaded for want of the database.
var errUnavailable = errors.New("authentication unavailable")

// Viewer verifies token and loads who it names, and says when the token
// expires. Every failure of the token itself is auth.ErrInvalidToken or
// rule.ErrUnknownSubject; a database failure is errUnavailable.
func (a *Authenticator) Viewer(ctx context.Context, token string) (*viewer.Viewer, time.Time, error) {
	claims, err := a.Verifier.Verify(ctx, token)
	if err != nil {
		return nil, time.Time{}, err
	}
	key := viewerKey{claims.Subject, claims.Role, claims.CarrierID}
	if v := a.Viewers.get(key); v != nil {
		return v, claims.ExpiresAt, nil
	}
	gen := a.Viewers.generation()
	v, err := rule.LoadViewer(ctx, a.Client, claims.Subject, enum.Role(claims.Role), claims.CarrierID)
	if err == nil {
		a.Viewers.put(key, v, gen)
	}
	if err != nil && !errors.Is(err, rule.ErrUnknownSubject) {
		slog.ErrorContext(ctx, "loading viewer", "err", err)
		return nil, time.Time{}, errUnavailable
	}
	return v, claims.ExpiresAt, err
}

// Middleware requires a valid bearer token on every request it wraps, except
// WebSocket upgrades, which authenticate in their connection_init message.
func (a *Authenticator) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := bearer(r.Header.Get("Authorization"))
		if !ok {
			writeAuthError(w, http.StatusUnauthorized, fault.Unauthenticated.Code(), "a bearer token is required")
			return
		}
		v, expires, err := a.Viewer(r.Context(), token)
		switch {
		case errors.Is(err, errUnavailable):
			writeAuthError(w, http.StatusServiceUnavailable, fault.Unavailable.Code(), "authentication is unavailable; retry later")
			return
		case err != nil:
			slog.InfoContext(r.Context(), "rejected token", "err", err)
			writeAuthError(w, http.StatusUnauthorized, fault.Unauthenticated.Code(), "the bearer token is invalid or expired")
			return
		}
		ctx := viewer.NewContext(r.Context(), v)
		if isEventStream(r) {
			// A server-sent event stream ends when its token expires.
			var cancel context.CancelFunc
			ctx, cancel = context.WithDeadline(ctx, expires)
			defer cancel()
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func isEventStream(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(h string) (string, bool) {
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func isWebSocketUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// writeAuthError refuses a request before GraphQL runs: a GraphQL-shaped error
// and no data, with the Bearer challenge on 401.
func writeAuthError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="carrierdesk"`)
	}
	writeHTTPError(w, "application/json", status, code, msg)
}

// ViewerCache keeps the viewers tokens name for a short time, so a client's
// requests do not each read its rep, and a manager's teams, before anything
// else: one to three statements per request. Any write to reps, contacts or
// teams through this instance empties it once the write is visible; a
// write through another instance takes effect here within the TTL. Only
// viewers found are kept: an unknown subject is looked up every time.
type ViewerCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	gen     uint64 // counts emptyings: a viewer loaded before one is not kept
	entries map[viewerKey]viewerEntry
}

// viewerCacheMax bounds the cache; a full cache drops what has expired, or everything.
const viewerCacheMax = 10_000

type viewerKey struct{ subject, role, carrierID string }

type viewerEntry struct {
	v     *viewer.Viewer
	until time.Time
}

// NewViewerCache returns a cache keeping viewers for ttl, or nil (no cache) when ttl is 0.
func NewViewerCache(ttl time.Duration) *ViewerCache {
	if ttl <= 0 {
		return nil
	}
	return &ViewerCache{ttl: ttl, now: time.Now, entries: map[viewerKey]viewerEntry{}}
}

func (c *ViewerCache) get(k viewerKey) *viewer.Viewer {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if !ok || !c.now().Before(e.until) {
		return nil
	}
	return e.v
}

func (c *ViewerCache) generation() uint64 {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// put keeps v unless the cache was emptied since gen was read: the viewer may predate that write.
func (c *ViewerCache) put(k viewerKey, v *viewer.Viewer, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	now := c.now()
	if len(c.entries) >= viewerCacheMax {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= viewerCacheMax {
			clear(c.entries)
		}
	}
	c.entries[k] = viewerEntry{v: v, until: now.Add(c.ttl)}
}

// Clear empties the cache.
func (c *ViewerCache) Clear() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// Hook empties the cache when a write it is registered on (reps, contacts,
// teams) becomes visible: at its transaction's commit, or as it returns when
// it has no transaction. A viewer being loaded meanwhile is not kept (put
// compares generations), so no viewer read before the write outlives it.
func (c *ViewerCache) Hook() ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			if txm, ok := m.(interface{ Tx() (*ent.Tx, error) }); ok {
				if tx, err := txm.Tx(); err == nil {
					tx.OnCommit(func(next ent.Committer) ent.Committer {
						return ent.CommitFunc(func(ctx context.Context, tx *ent.Tx) error {
							err := next.Commit(ctx, tx)
							c.Clear()
							return err
						})
					})
					return next.Mutate(ctx, m)
				}
			}
			v, err := next.Mutate(ctx, m)
			c.Clear()
			return v, err
		})
	}
}
