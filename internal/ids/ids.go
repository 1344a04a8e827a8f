// Package ids makes the identifiers carrierdesk hands to clients: a short type
// prefix and a random, time-ordered suffix, such as "acc_01jd5x0m3c9y8v6q2k7t4w1n5e".
//
// The prefix lets node(id:) find the right table without a lookup; the suffix is
// a UUIDv7 (74 random bits) so that nobody can count or guess records, while
// inserts stay append-only in the primary-key index.
package ids

import (
	"encoding/base32"
	"strings"

	"github.com/google/uuid"
)

// prefixes maps each entity type to its ID prefix. One table, so that a prefix
// can never be claimed by two types.
var prefixes = map[string]string{
	"Carrier":               "car",
	"Contact":               "con",
	"Account":               "acc",
	"Rep":                   "rep",
	"Team":                  "tea",
	"AccountAssignment":     "asg",
	"Quote":                 "quo",
	"QuoteLineItem":         "qli",
	"SpecialPricingRequest": "spr",
	"Contract":              "ctr",
	"RFP":                   "rfp",
	"Order":                 "ord",
	"BusinessReview":        "qbr",
	"Activity":              "act",
	"Escalation":            "esc",
	"EscalationEvent":       "eev",
	"AuditEntry":            "aud",
	"AuditChange":           "auc",
	"IdempotencyKey":        "idk",
	"Holiday":               "hol",
}

var types = func() map[string]string {
	m := make(map[string]string, len(prefixes))
	for t, p := range prefixes {
		m[p] = t
	}
	return m
}()

// encoding is lower-case Crockford-style base32 without padding: 26 characters
// for 16 bytes, safe in URLs, and sorting as text sorts by creation time.
var encoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// Len is the length of every ID: a three-letter prefix, "_", 26 characters.
const Len = 3 + 1 + 26

// New returns a fresh ID for an entity of the named type. It panics on a type
// that has no prefix, which is a programming error caught by the first test.
func New(typ string) string {
	p, ok := prefixes[typ]
	if !ok {
		panic("ids: no prefix for type " + typ)
	}
	u := uuid.Must(uuid.NewV7())
	return p + "_" + encoding.EncodeToString(u[:])
}

// NewFunc returns a generator of IDs for the named type, for ent defaults.
func NewFunc(typ string) func() string {
	if _, ok := prefixes[typ]; !ok {
		panic("ids: no prefix for type " + typ)
	}
	return func() string { return New(typ) }
}

// TypeOf returns the entity type an ID belongs to, and whether the ID is well formed.
func TypeOf(id string) (string, bool) {
	if len(id) != Len || id[3] != '_' {
		return "", false
	}
	t, ok := types[id[:3]]
	if !ok {
		return "", false
	}
	if _, err := encoding.DecodeString(id[4:]); err != nil || strings.ToLower(id[4:]) != id[4:] {
		return "", false
	}
	return t, true
}
