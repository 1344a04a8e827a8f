package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/seed"
)

// tokenCommand prints a signed development token for a seeded user, alone on
// stdout so that scripts can capture it.
func tokenCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	as := fs.String("as", "", "the rep's or contact's e-mail `address`")
	role := fs.String("role", "", "pick an active user with this `ROLE` instead (ADMIN, MANAGER, ACCOUNT_EXECUTIVE, SUPPORT, STRATEGIC, ANALYST, CARRIER)")
	ttl := fs.Duration("ttl", time.Hour, "how long the token is valid")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*as == "") == (*role == "") {
		return errors.New("token: give exactly one of --as EMAIL or --role ROLE")
	}
	if *ttl <= 0 || *ttl > 30*24*time.Hour {
		return errors.New("token: --ttl must be between 1s and 720h")
	}
	if len(cfg.Auth.Secret) == 0 {
		return errNoSigningSecret
	}
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	token, _, err := signDevToken(ctx, db.Client, cfg, *as, *role, *ttl, time.Now())
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, token)
	return err
}

// findSubject finds the user to sign for: by e-mail, or the demo user of a
// role (falling back to any active user with it).
func findSubject(ctx context.Context, c *ent.Client, email string, role enum.Role) (auth.Claims, error) {
	if role != "" {
		if !role.Valid() {
			return auth.Claims{}, fmt.Errorf("token: unknown role %q", role)
		}
		email = ""
		for _, u := range seed.DemoUsers {
			if u.Role == role {
				email = u.Email
				break
			}
		}
	}
	if email != "" {
		if r, err := c.Rep.Query().Where(rep.Email(email), rep.Active(true)).Only(ctx); err == nil {
			return auth.Claims{Subject: r.ID, Role: string(r.Role)}, nil
		}
		if ct, err := c.Contact.Query().Where(contact.Email(email), contact.Active(true)).Only(ctx); err == nil {
			return auth.Claims{Subject: ct.ID, Role: string(enum.RoleCarrier), CarrierID: ct.CarrierID}, nil
		}
		if role == "" {
			return auth.Claims{}, fmt.Errorf("token: no active rep or contact has the e-mail %q (run `go run ./server seed` for the demo users)", email)
		}
	}
	if role == enum.RoleCarrier {
		ct, err := c.Contact.Query().Where(contact.Active(true)).Order(contact.ByEmail()).First(ctx)
		if err != nil {
			return auth.Claims{}, fmt.Errorf("token: no active carrier contact: %w", err)
		}
		return auth.Claims{Subject: ct.ID, Role: string(enum.RoleCarrier), CarrierID: ct.CarrierID}, nil
	}
	r, err := c.Rep.Query().Where(rep.RoleEQ(role), rep.Active(true)).Order(rep.ByEmail()).First(ctx)
	if err != nil {
		return auth.Claims{}, fmt.Errorf("token: no active rep with role %s: %w", role, err)
	}
	return auth.Claims{Subject: r.ID, Role: string(r.Role)}, nil
}
