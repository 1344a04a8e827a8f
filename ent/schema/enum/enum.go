// Package enum holds the enumerations shared by several entities, so that the
// API has one Region and one Role type rather than one per entity.
package enum

import (
	"fmt"
	"io"
	"strconv"
)

// Region is a geographic sales region of the wholesale business.
type Region string

// The regions.
const (
	RegionNortheast    Region = "NORTHEAST"
	RegionSoutheast    Region = "SOUTHEAST"
	RegionMidwest      Region = "MIDWEST"
	RegionSouthCentral Region = "SOUTH_CENTRAL"
	RegionWest         Region = "WEST"
)

// Values lists the regions for ent.
func (Region) Values() []string {
	return []string{string(RegionNortheast), string(RegionSoutheast), string(RegionMidwest), string(RegionSouthCentral), string(RegionWest)}
}

// MarshalGQL writes the region as a GraphQL enum value.
func (r Region) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Region) UnmarshalGQL(v any) error { return unmarshal(v, r, Region.Values) }

// Role is what a user of the API is, and so what they may see and do.
type Role string

// The roles. CARRIER is a contact at a carrier; the others are internal reps.
const (
	RoleAdmin            Role = "ADMIN"
	RoleManager          Role = "MANAGER"
	RoleAccountExecutive Role = "ACCOUNT_EXECUTIVE"
	RoleSupport          Role = "SUPPORT"
	RoleStrategic        Role = "STRATEGIC"
	RoleAnalyst          Role = "ANALYST"
	RoleCarrier          Role = "CARRIER"
)

// Values lists the roles an internal rep can hold, for ent. CARRIER is not a rep role.
func (Role) Values() []string {
	return []string{string(RoleAdmin), string(RoleManager), string(RoleAccountExecutive), string(RoleSupport), string(RoleStrategic), string(RoleAnalyst)}
}

// Valid reports whether r is a known role, CARRIER included.
func (r Role) Valid() bool {
	if r == RoleCarrier {
		return true
	}
	for _, v := range r.Values() {
		if string(r) == v {
			return true
		}
	}
	return false
}

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(r))) }

// UnmarshalGQL reads a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error { return unmarshal(v, r, Role.Values) }

func unmarshal[T ~string](v any, dst *T, values func(T) []string) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("enum value must be a string")
	}
	for _, ok := range values(*dst) {
		if s == ok {
			*dst = T(s)
			return nil
		}
	}
	return fmt.Errorf("%q is not a valid value", s)
}
