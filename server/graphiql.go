package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/graphiql"
	"carrierdesk/internal/seed"
)

// devTokenPath is where GraphiQL's sign-in control gets development tokens.
const devTokenPath = "/dev/token"

// devTokenTTL is how long a token from devTokenPath is valid: a working day.
const devTokenTTL = 8 * time.Hour

// errNoSigningSecret: the server verifies tokens that others sign.
var errNoSigningSecret = errors.New("token: signing needs JWT_SECRET; with a public key or JWKS, tokens come from the identity provider")

// devSignIn reports whether the server hands out development tokens: never
// in production, and only when it signs tokens itself (with a public key or
// JWKS, tokens come from the identity provider).
func devSignIn(cfg Config) bool {
	return !cfg.Production && len(cfg.Auth.Secret) > 0
}

// routeGraphiQL serves GraphiQL at / and its assets, from the binary, and in
// development the token endpoint behind its "sign in as" control.
func routeGraphiQL(mux *http.ServeMux, client *ent.Client, cfg Config) {
	opts := graphiql.Options{Endpoint: "/query"}
	if devSignIn(cfg) {
		opts.TokenPath = devTokenPath
		for _, u := range seed.DemoUsers {
			opts.Users = append(opts.Users, graphiql.User{Email: u.Email, Name: u.Name, Role: string(u.Role), About: u.Description})
		}
		opts.CarrierID = func(ctx context.Context) string { return demoCarrierID(ctx, client) }
		mux.Handle("POST "+devTokenPath, devTokens(client, cfg))
	}
	page, err := graphiql.New(opts)
	if err != nil {
		panic(err) // the page and its assets are embedded at build time
	}
	mux.Handle("GET /{$}", compressLarge(page))
	mux.Handle("GET "+graphiql.AssetPrefix, compressLarge(page))
}

// demoCarrierID is the carrier of the demo carrier user, whose account page
// GraphiQL's tab opens with; empty before the demo data is loaded.
func demoCarrierID(ctx context.Context, client *ent.Client) string {
	for _, u := range seed.DemoUsers {
		if u.Role == enum.RoleCarrier {
			// Choosing an example to show happens before anyone signs in.
			claims, err := findSubject(privacy.DecisionContext(ctx, privacy.Allow), client, u.Email, "")
			if err == nil {
				return claims.CarrierID
			}
		}
	}
	return ""
}

// devTokens signs a development token for an active rep or contact, named by
// e-mail or by role as the token command does, and answers
// {"token", "expiresAt", "role"}. It takes JSON only, which a page on
// another origin cannot send without a CORS preflight that the server refuses.
func devTokens(client *ent.Client, cfg Config) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
			devTokenError(w, http.StatusForbidden, "development tokens are for pages of this server only")
			return
		}
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			devTokenError(w, http.StatusUnsupportedMediaType, `send {"email": "..."} or {"role": "..."} as application/json`)
			return
		}
		var req struct {
			Email string `json:"email"`
			Role  string `json:"role"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil || (req.Email == "") == (req.Role == "") {
			devTokenError(w, http.StatusBadRequest, `send exactly one of {"email": "..."} or {"role": "..."}`)
			return
		}
		now := time.Now()
		token, claims, err := signDevToken(r.Context(), client, cfg, req.Email, req.Role, devTokenTTL, now)
		if err != nil {
			// The error may carry driver text; the log has it, the client a hint.
			slog.WarnContext(r.Context(), "development token refused", "email", req.Email, "role", req.Role, "err", err)
			devTokenError(w, http.StatusNotFound, "no active rep or contact has that e-mail or role; load the demo data with `go run ./server seed`")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"token":     token,
			"role":      claims.Role,
			"expiresAt": now.Add(devTokenTTL).UTC().Format(time.RFC3339),
		})
	})
}

func devTokenError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": message})
}

// signDevToken signs a token valid for ttl from now for the active user with email, or the
// demo user of role: what the token command prints and GraphiQL's sign-in
// control puts in its headers. It passes the server's own iss and aud checks.
func signDevToken(ctx context.Context, client *ent.Client, cfg Config, email, role string, ttl time.Duration, now time.Time) (string, auth.Claims, error) {
	if len(cfg.Auth.Secret) == 0 {
		return "", auth.Claims{}, errNoSigningSecret
	}
	// Looking up a user to sign for happens before there is a viewer.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	claims, err := findSubject(ctx, client, strings.ToLower(email), enum.Role(strings.ToUpper(role)))
	if err != nil {
		return "", auth.Claims{}, err
	}
	claims.Issuer, claims.Audience = cfg.Auth.Issuer, cfg.Auth.Audience
	token, err := auth.Sign(cfg.Auth.Secret, claims, ttl, now)
	if err != nil {
		return "", auth.Claims{}, fmt.Errorf("token: %w", err)
	}
	return token, claims, nil
}
