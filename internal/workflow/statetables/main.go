// Command statetables writes the workflows' state tables into README.md,
// between the markers, from the machines in package workflow, so that the
// README cannot drift from what the API enforces. go generate runs it.
package main

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"strings"
	"unicode"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/workflow"
)

const (
	begin = "<!-- workflows:start -->"
	end   = "<!-- workflows:end -->"
)

func main() {
	path := "README.md"
	if len(os.Args) > 1 {
		path = os.Args[1]
	}
	readme, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		log.Fatalf("%s: markers %s and %s not found", path, begin, end)
	}
	schema, err := os.ReadFile("schema.graphql")
	if err != nil {
		log.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(begin + "\n")
	for _, m := range workflow.Machines {
		fmt.Fprintf(&b, "\n### %s\n\n", m.Entity)
		fmt.Fprintf(&b, "New records start in `%s`.\n\n", m.Initial)
		b.WriteString("| from | action (mutation) | to | who |\n| --- | --- | --- | --- |\n")
		for _, t := range m.Transitions {
			to := "`" + t.To + "`"
			if t.To == "" {
				to = "(unchanged)"
			}
			action := "the sweep, once the date has passed"
			if t.When != "" {
				action = t.When
			}
			if len(t.Roles) > 0 {
				name := mutation(m.Entity, t.Action)
				if !bytes.Contains(schema, []byte("  "+name+"(")) {
					log.Fatalf("schema.graphql has no mutation %s for %s.%s", name, m.Entity, t.Action)
				}
				action = "`" + name + "`"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", codes(t.From), action, to, who(t))
		}
	}
	b.WriteString("\n" + end)
	out := append(append(append([]byte{}, readme[:i]...), b.String()...), readme[j+len(end):]...)
	if bytes.Equal(out, readme) {
		return
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		log.Fatal(err)
	}
}

func codes(states []string) string {
	out := make([]string, len(states))
	for i, s := range states {
		out[i] = "`" + s + "`"
	}
	return strings.Join(out, ", ")
}

// mutation is the API name of an action: approve on Quote is approveQuote.
func mutation(entity, action string) string {
	noun := map[string]string{"SpecialPricingRequest": "PricingRequest", "Escalation": "Escalation"}[entity]
	if noun == "" {
		noun = entity
	}
	switch {
	case entity == "Escalation" && action == "awaitClient":
		return "awaitClientOnEscalation"
	case entity == "Escalation" && action == "comment":
		return "commentOnEscalation"
	case entity == "Escalation" && action == "raiseLevel":
		return "raiseEscalationLevel"
	case entity == "Contract" && action == "sendForSignature":
		return "sendContractForSignature"
	}
	return action + string(unicode.ToUpper(rune(noun[0]))) + noun[1:]
}

func who(t workflow.Transition) string {
	var names []string
	for _, r := range t.Roles {
		names = append(names, string(r))
	}
	if len(t.Roles) == len(workflow.Internal) && t.Roles[0] == enum.RoleManager && len(names) == 4 {
		names = []string{"staff"}
	}
	if t.System {
		names = append(names, "system")
	}
	if len(names) == 0 {
		return "system"
	}
	return strings.Join(names, ", ")
}
