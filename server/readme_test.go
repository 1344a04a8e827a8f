package main

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"carrierdesk/ent/auditentry"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/seed"
)

// TestREADMEListsDemoUsers keeps the README's table of demo users true to the seed.
func TestREADMEListsDemoUsers(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, u := range seed.DemoUsers {
		if !strings.Contains(readme, "| `"+u.Email+"` | `"+string(u.Role)+"` |") {
			t.Errorf("README does not list demo user %s with role %s", u.Email, u.Role)
		}
	}
}

// TestREADMEExamplesRun runs every GraphQL example in the README against a
// small portfolio: an example that no longer fits the schema fails here.
func TestREADMEExamplesRun(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var examples []string
	// The retrying example is a sequence of requests: TestREADMERetryExampleRuns runs it.
	readme := strings.Replace(string(b), readmeSection(string(b), retrySection), "", 1)
	for _, block := range strings.Split(readme, "```graphql\n")[1:] {
		q := strings.SplitN(block, "```", 2)[0]
		if strings.HasPrefix(q, "subscription") {
			continue // streamed over WebSocket or SSE, as server/subscription_test.go does
		}
		examples = append(examples, q)
	}
	if len(examples) < 3 {
		t.Fatalf("found %d GraphQL examples in the README; want the web, mobile and reporting ones", len(examples))
	}
	backends(t, func(t *testing.T, app *testApp) {
		carrier := buildPortfolio(t, app.db.Client, "RDM", 2, 2)
		team := app.db.Client.Team.Create().SetName("README team").SetRegion(enum.RegionWest).SaveX(allowCtx())
		vars := map[string]any{"carrier": carrier, "team": team.ID, "week": "2026-11-23T00:00:00Z"}
		for _, q := range examples {
			var data map[string]any
			app.ok(t, q, vars, &data)
			if len(data) == 0 {
				t.Errorf("example returned no data:\n%s", q)
			}
		}
	})
}

// retrySection is the README section of the retrying example.
const retrySection = "## Retrying and offline writes"

// readmeSection is the text of the README section headed title, up to the next section.
func readmeSection(readme, title string) string {
	i := strings.Index(readme, "\n"+title+"\n")
	if i < 0 {
		return ""
	}
	rest := readme[i+1:]
	if j := strings.Index(rest[len(title):], "\n## "); j >= 0 {
		return rest[:len(title)+j+1]
	}
	return rest
}

// fencedBlocks are the bodies of the section's code blocks in language lang, in order.
func fencedBlocks(section, lang string) []string {
	var out []string
	for _, block := range strings.Split(section, "```"+lang+"\n")[1:] {
		out = append(out, strings.SplitN(block, "```", 2)[0])
	}
	return out
}

// TestREADMERetryExampleRuns runs the README's worked example of retrying
// and offline writes, request by request, as the owner of an escalation on
// their phone and their manager, and compares each answer with the one the
// README shows (IDs aside): a retried mutation answered once, a queued
// write refused with the current version, a re-read and a re-applied write.
func TestREADMERetryExampleRuns(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := readmeSection(string(b), retrySection)
	ops := map[string]string{}
	for _, q := range fencedBlocks(section, "graphql") {
		fields := strings.Fields(q)
		if len(fields) < 2 {
			t.Fatalf("unnamed operation in the README example:\n%s", q)
		}
		ops[strings.SplitN(fields[1], "(", 2)[0]] = q
	}
	answers := fencedBlocks(section, "json")
	backends(t, func(t *testing.T, app *testApp) {
		fx := newWfxFixture(t, app)
		id := app.db.Client.Escalation.Create().
			SetAccountID(fx.account).
			SetTitle("Packet loss on wave 12").
			SetCategory(escalation.CategoryServiceAssurance).
			SetSeverity(escalation.SeveritySev2).
			SetOwnerID(fx.rep["SUPPORT"]).
			SaveX(allowCtx()).ID
		phone, manager := app.as(fx.token["SUPPORT"]), app.as(fx.token["MANAGER"])
		const ackKey, resolveKey, reapplyKey = "0b7f7c52-9d0e-4c39-a1c4-7f0a2b6e11d1", "5e2d8a41-3f6b-4b8e-9c1a-2d4e6f8a0b3c", "c4a1e9d2-7b3f-4e5a-8d6c-1f2e3a4b5c6d"
		steps := []struct {
			who     *testApp
			op      string
			version int // 0: no version
			key     string
		}{
			{phone, "Escalation", 0, ""},
			{phone, "Acknowledge", 1, ackKey},
			{phone, "Acknowledge", 1, ackKey}, // the retry after the lost answer
			{manager, "Raise", 0, ""},
			{phone, "Resolve", 2, resolveKey}, // queued offline, from version 2
			{phone, "Escalation", 0, ""},
			{phone, "Resolve", 3, reapplyKey},
		}
		if len(answers) != len(steps) {
			t.Fatalf("the README shows %d answers for %d requests", len(answers), len(steps))
		}
		for i, s := range steps {
			q, ok := ops[s.op]
			if !ok {
				t.Fatalf("the README has no operation %s", s.op)
			}
			vars := map[string]any{"id": id}
			if s.version > 0 {
				vars["version"] = s.version
			}
			var headers []string
			if s.key != "" {
				headers = []string{"Idempotency-Key", s.key}
			}
			res := s.who.do(t, q, vars, headers...)
			var got, want any
			if err := json.Unmarshal([]byte(anyID.ReplaceAllString(res.Raw, "<id>")), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(anyID.ReplaceAllString(answers[i], "<id>")), &want); err != nil {
				t.Fatalf("README answer %d is not JSON: %v\n%s", i+1, err, answers[i])
			}
			if !jsonContains(got, want) {
				t.Errorf("step %d (%s): the README shows\n%s\nthe server answered\n%s", i+1, s.op, answers[i], res.Raw)
			}
		}
		if n := app.db.Client.AuditEntry.Query().Where(auditentry.EntityID(id), auditentry.Action("escalation.acknowledge")).CountX(allowCtx()); n != 1 {
			t.Errorf("the retried acknowledgement wrote %d audit entries; want 1", n)
		}
	})
}

// anyID matches a global ID, which differs from run to run.
var anyID = regexp.MustCompile(`[a-z]{3}_[0-9abcdefghjkmnpqrstvwxyz]{26}`)

// jsonContains reports whether got has everything want has: the same
// scalars, and objects with at least want's keys (got may say more).
func jsonContains(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !jsonContains(gv, wv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !jsonContains(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return got == want
}
