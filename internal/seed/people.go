package seed

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/schema/enum"
)

// seeder holds the state of one Run: the transaction, the random source, and
// the plans of what it creates, which refer to each other by index until the
// rows exist and have IDs.
type seeder struct {
	tx       *ent.Tx
	rng      *rand.Rand
	today    time.Time
	scale    int
	progress io.Writer
	sum      Summary

	carriers   []*carrierPlan
	reps       []*repPlan
	teams      []*teamPlan
	repsByRole map[enum.Role][]int
	accountSeq int
}

type carrierPlan struct {
	name, slug, ocn, ccna string
	tier                  carrier.Tier
	status                carrier.Status
	regions               []enum.Region
	accounts              int
	since                 time.Time
	contacts              []*contactPlan
	ponSeq                int
	lastBAN               string
	currency              string // ISO 4217 currency its accounts bill in
	id                    string
}

type contactPlan struct {
	name, email, title, phone string
	id                        string
}

type repPlan struct {
	name, email, title, phone string
	role                      enum.Role
	region                    enum.Region
	team                      int
	id                        string
}

type teamPlan struct {
	name                   string
	region                 enum.Region
	manager                int
	support, strategic, ae []int
	id                     string
}

// members lists the team's reps below the manager.
func (t *teamPlan) members() []int {
	return append(append(append([]int(nil), t.support...), t.strategic...), t.ae...)
}

// run plans and writes everything, carriers and people first, then accounts in chunks.
func (s *seeder) run(ctx context.Context) error {
	s.planCarriers()
	if err := s.insertCarriers(ctx); err != nil {
		return err
	}
	s.planPeople()
	if err := s.insertPeople(ctx); err != nil {
		return err
	}
	return s.seedAccounts(ctx)
}

// planCarriers names the carriers: the hand-written ones once per run, then
// made-up regional carriers to reach the scale.
func (s *seeder) planCarriers() {
	n := len(namedCarriers) * s.scale
	names := map[string]bool{}
	ocns := map[string]bool{}
	ccnas := map[string]bool{}
	for _, nc := range namedCarriers {
		names[nc.name], ocns[nc.ocn], ccnas[nc.ccna] = true, true, true
	}
	for i := range n {
		c := &carrierPlan{}
		if i < len(namedCarriers) {
			nc := namedCarriers[i]
			c.name, c.slug, c.ocn, c.ccna, c.tier, c.status = nc.name, nc.slug, nc.ocn, nc.ccna, nc.tier, nc.status
			c.currency = carrierCurrencies[nc.slug]
		} else {
			c.name = s.carrierName(names)
			c.slug = slug(c.name)
			c.ocn = s.unique(ocns, s.ocn)
			c.ccna = s.unique(ccnas, s.ccna)
			c.tier = choose(s.rng, []option[carrier.Tier]{{carrier.TierTier1, 15}, {carrier.TierTier2, 40}, {carrier.TierTier3, 45}})
			c.status = choose(s.rng, []option[carrier.Status]{{carrier.StatusActive, 92}, {carrier.StatusInactive, 8}})
		}
		if c.currency == "" {
			c.currency = "USD"
		}
		switch c.tier {
		case carrier.TierTier1:
			c.regions = regions
			c.accounts = 20 + s.rng.IntN(13)
		case carrier.TierTier2:
			c.regions = s.someRegions(2 + s.rng.IntN(2))
			c.accounts = 10 + s.rng.IntN(9)
		default:
			c.regions = s.someRegions(1)
			c.accounts = 3 + s.rng.IntN(7)
		}
		c.since = s.today.AddDate(-2-s.rng.IntN(10), -s.rng.IntN(12), 0)
		c.contacts = s.planContacts(c, i == 0)
		s.carriers = append(s.carriers, c)
	}
}

// carrierName makes up an unused regional carrier name.
func (s *seeder) carrierName(used map[string]bool) string {
	for try := 0; ; try++ {
		name := pick(s.rng, carrierPlaces) + " " + pick(s.rng, carrierKinds)
		if try > 20 {
			name = fmt.Sprintf("%s %d", name, 2+s.rng.IntN(98))
		}
		if !used[name] {
			used[name] = true
			return name
		}
	}
}

// unique draws from next until it gets a value not in used, and claims it.
func (s *seeder) unique(used map[string]bool, next func() string) string {
	for {
		v := next()
		if !used[v] {
			used[v] = true
			return v
		}
	}
}

// ocn is a made-up Operating Company Number: a digit and three digits or capitals.
func (s *seeder) ocn() string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	b := []byte{byte('0' + s.rng.IntN(10)), 0, 0, 0}
	for i := 1; i < 4; i++ {
		b[i] = alnum[s.rng.IntN(len(alnum))]
	}
	return string(b)
}

// ccna is a made-up three-letter carrier code.
func (s *seeder) ccna() string {
	b := make([]byte, 3)
	for i := range b {
		b[i] = byte('A' + s.rng.IntN(26))
	}
	return string(b)
}

// someRegions picks n distinct regions, in the fixed region order.
func (s *seeder) someRegions(n int) []enum.Region {
	chosen := s.rng.Perm(len(regions))[:n]
	var out []enum.Region
	for i, r := range regions {
		for _, c := range chosen {
			if c == i {
				out = append(out, r)
			}
		}
	}
	return out
}

// slug turns a carrier name into the host part of its contacts' e-mail addresses.
func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// planContacts creates the carrier's NOC and billing contacts, and a provisioning
// contact for the larger carriers. The first carrier's NOC contact is the CARRIER demo user.
func (s *seeder) planContacts(c *carrierPlan, demo bool) []*contactPlan {
	area := pick(s.rng, markets).area
	person := func(local, title string) *contactPlan {
		return &contactPlan{
			name:  s.personName(),
			email: local + "@" + c.slug + ".example",
			title: title,
			phone: fmt.Sprintf("+1 %s 555 %04d", area, 100+s.rng.IntN(100)),
		}
	}
	contacts := []*contactPlan{
		person("noc", "NOC Manager"),
		person("billing", "Billing Analyst"),
	}
	if c.tier != carrier.TierTier3 {
		contacts = append(contacts, person("provisioning", "Provisioning Lead"))
	}
	if demo {
		for _, u := range DemoUsers {
			if u.Role == enum.RoleCarrier {
				contacts[0].name, contacts[0].email = u.Name, u.Email
			}
		}
	}
	return contacts
}

// personName is a made-up full name.
func (s *seeder) personName() string {
	return pick(s.rng, firstNames) + " " + pick(s.rng, lastNames)
}

// regionNames label regions in team names.
var regionNames = map[enum.Region]string{
	enum.RegionNortheast:    "Northeast",
	enum.RegionSoutheast:    "Southeast",
	enum.RegionMidwest:      "Midwest",
	enum.RegionSouthCentral: "South Central",
	enum.RegionWest:         "West",
}

// repTitles are the job titles of the roles.
var repTitles = map[enum.Role]string{
	enum.RoleAdmin:            "Operations Administrator",
	enum.RoleManager:          "Manager, Client Support",
	enum.RoleAccountExecutive: "Carrier Account Executive",
	enum.RoleSupport:          "Carrier Account Support Manager",
	enum.RoleStrategic:        "Strategic Advancement Manager",
	enum.RoleAnalyst:          "Revenue Analyst",
}

// planPeople creates the admin and analyst, then four teams per unit of scale,
// each with a manager and three to five members. The first team is the demo
// manager's, with the demo AE, support and strategic reps on it.
func (s *seeder) planPeople() {
	s.repsByRole = map[enum.Role][]int{}
	emails := map[string]bool{}
	demo := map[enum.Role]DemoUser{}
	for _, u := range DemoUsers {
		demo[u.Role] = u
		emails[u.Email] = true
	}
	add := func(role enum.Role, region enum.Region, team int, demoUser bool) int {
		r := &repPlan{role: role, region: region, team: team, title: repTitles[role]}
		if demoUser {
			r.name, r.email = demo[role].Name, demo[role].Email
		} else {
			r.name = s.personName()
			local := strings.ToLower(strings.ReplaceAll(r.name, " ", "."))
			r.email = s.unique(emails, func() string {
				return fmt.Sprintf("%s%s@carrierdesk.example", local, suffix(emails, local))
			})
		}
		r.phone = fmt.Sprintf("+1 %s 555 %04d", areaOf(region), 100+s.rng.IntN(100))
		s.reps = append(s.reps, r)
		i := len(s.reps) - 1
		s.repsByRole[role] = append(s.repsByRole[role], i)
		return i
	}
	add(enum.RoleAdmin, enum.RegionSouthCentral, -1, true)
	add(enum.RoleAnalyst, enum.RegionNortheast, -1, true)
	for t := range len(teamRegions) * s.scale {
		region := teamRegions[t%len(teamRegions)]
		team := &teamPlan{name: regionNames[region] + " Carrier Support", region: region}
		if t >= len(teamRegions) {
			team.name = fmt.Sprintf("%s %d", team.name, t/len(teamRegions)+1)
		}
		first := t == 0
		team.manager = add(enum.RoleManager, region, -1, first)
		team.support = append(team.support, add(enum.RoleSupport, region, t, first))
		team.strategic = append(team.strategic, add(enum.RoleStrategic, region, t, first))
		team.ae = append(team.ae, add(enum.RoleAccountExecutive, region, t, first))
		extra := s.rng.IntN(3)
		if first {
			extra = 1
		}
		for range extra {
			if s.rng.IntN(2) == 0 || first {
				team.support = append(team.support, add(enum.RoleSupport, region, t, false))
			} else {
				team.strategic = append(team.strategic, add(enum.RoleStrategic, region, t, false))
			}
		}
		s.teams = append(s.teams, team)
	}
}

// suffix numbers a repeated e-mail local part: "", then "2", "3"...
func suffix(used map[string]bool, local string) string {
	if !used[local+"@carrierdesk.example"] {
		return ""
	}
	for n := 2; ; n++ {
		if !used[fmt.Sprintf("%s%d@carrierdesk.example", local, n)] {
			return fmt.Sprint(n)
		}
	}
}

// areaOf is a phone area code in the region.
func areaOf(r enum.Region) string {
	for _, m := range markets {
		if m.region == r {
			return m.area
		}
	}
	return "555"
}
