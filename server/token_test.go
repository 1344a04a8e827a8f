package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
)

// TestTokenCommandCarriesIssuerAndAudience: with JWT_ISSUER and JWT_AUDIENCE
// set beside JWT_SECRET, `token` prints a token the server accepts.
func TestTokenCommandCarriesIssuerAndAudience(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("APP_ENV", "")
	t.Setenv("SQLITE_PATH", filepath.Join(t.TempDir(), "token.db"))
	t.Setenv("JWT_SECRET", strings.Repeat("s", 40))
	t.Setenv("JWT_ISSUER", "https://id.example")
	t.Setenv("JWT_AUDIENCE", "carrierdesk")
	ctx := context.Background()
	cfg, err := LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	db.Client.Rep.Create().SetName("Token Admin").SetEmail("token.admin@example.com").
		SetRole(enum.RoleAdmin).SetRegion(enum.RegionWest).
		SaveX(privacy.DecisionContext(ctx, privacy.Allow))
	db.Close()

	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"token", "--as", "token.admin@example.com"}, &out, &errOut); err != nil {
		t.Fatalf("token: %v (%s)", err, errOut.String())
	}
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := verifier.Verify(ctx, strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("the server refuses the token it printed: %v", err)
	}
	if claims.Role != string(enum.RoleAdmin) {
		t.Fatalf("claims %+v", claims)
	}
}
