package main

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// placeholder reports a description that says nothing a client developer
// could not read off the name it describes: "Account.", "The name.",
// "sev1.", "Values of Region.", "Region is enum for the field region".
func placeholder(name, d string) bool {
	words := func(s string) string {
		s = strings.ToLower(s)
		for _, p := range []string{"the ", "values of ", "a ", "an "} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, s)
	}
	return words(d) == words(name) || enumFor.MatchString(d)
}

var enumFor = regexp.MustCompile(`(?i)is enum for the field`)

// TestSchemaIsDescribed: every type, field, argument, input field and enum
// value a client can introspect has a description that says what it means
// in the business, not a placeholder spelling out its name.
func TestSchemaIsDescribed(t *testing.T) {
	app := newTestApp(t, "sqlite3")
	var out struct {
		Schema struct {
			Types []struct {
				Name, Kind, Description string
				Fields                  []struct {
					Name, Description string
					Args              []struct{ Name, Description string }
				}
				InputFields []struct{ Name, Description string }
				EnumValues  []struct{ Name, Description string }
			}
		} `json:"__schema"`
	}
	app.ok(t, `{ __schema { types { name kind description
		fields(includeDeprecated: true) { name description args { name description } }
		inputFields { name description }
		enumValues(includeDeprecated: true) { name description } } } }`, nil, &out)
	var bad []string
	check := func(where, d string) {
		d = strings.TrimSpace(d)
		name := where[strings.LastIndexAny(where, ".(")+1:]
		name = strings.TrimSuffix(name, ")")
		if d == "" || placeholder(name, d) {
			bad = append(bad, fmt.Sprintf("%s: %q", where, d))
		}
	}
	for _, ty := range out.Schema.Types {
		if strings.HasPrefix(ty.Name, "__") || builtinScalar[ty.Name] {
			continue
		}
		check(ty.Name, ty.Description)
		for _, f := range ty.Fields {
			check(ty.Name+"."+f.Name, f.Description)
			for _, a := range f.Args {
				check(ty.Name+"."+f.Name+"("+a.Name+")", a.Description)
			}
		}
		for _, f := range ty.InputFields {
			check(ty.Name+"."+f.Name, f.Description)
		}
		for _, v := range ty.EnumValues {
			check(ty.Name+"."+v.Name, v.Description)
		}
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Fatalf("%d schema elements are undescribed or described by a placeholder:\n%s", len(bad), strings.Join(bad, "\n"))
	}
}

var builtinScalar = map[string]bool{"String": true, "Int": true, "Float": true, "Boolean": true, "ID": true}
