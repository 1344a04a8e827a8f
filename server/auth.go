package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/viewer"
)

// Authenticator turns a bearer token into a viewer.
type Authenticator struct {
	Verifier *auth.Verifier
	Client   *ent.Client
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
	v, err := rule.LoadViewer(ctx, a.Client, claims.Subject, enum.Role(claims.Role), claims.CarrierID)
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
			writeAuthError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "a bearer token is required")
			return
		}
		v, expires, err := a.Viewer(r.Context(), token)
		switch {
		case errors.Is(err, errUnavailable):
			writeAuthError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "authentication is unavailable; retry later")
			return
		case err != nil:
			slog.InfoContext(r.Context(), "rejected token", "err", err)
			writeAuthError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "the bearer token is invalid or expired")
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
