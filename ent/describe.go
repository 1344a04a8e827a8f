//go:build ignore

package main

import (
	"fmt"
	"regexp"
	"strings"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc/gen"
	"github.com/vektah/gqlparser/v2/ast"
)

// scopeRelationFilters makes relation filters respect authorization: every
// hasXWith filter carries @visible, whose implementation narrows the nested
// filter to what the viewer may read, so that a filter cannot count or probe
// rows the viewer cannot see. The bare hasX booleans are removed: they would
// test for related rows without such a scope ("has at least one" is written
// hasXWith: [{}] instead).
func scopeRelationFilters(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
		if def.Kind != ast.InputObject || !strings.HasSuffix(name, "WhereInput") {
			continue
		}
		kept := def.Fields[:0]
		for _, f := range def.Fields {
			switch {
			case strings.HasPrefix(f.Name, "has") && strings.HasSuffix(f.Name, "With"):
				f.Directives = append(f.Directives, &ast.Directive{Name: "visible", Location: ast.LocationInputFieldDefinition})
				f.Description = strings.TrimSuffix(f.Description, ".") + "; only related rows the viewer may read are considered. [{}] means at least one."
			case strings.HasPrefix(f.Name, "has") && f.Type.Name() == "Boolean":
				continue
			}
			kept = append(kept, f)
		}
		def.Fields = kept
	}
	return nil
}

// guardInternalFilters puts @internal on the filter fields of internal fields
// (capex, capexGT, irrIsNil, ...), so that a carrier cannot learn by filtering
// what it may not read.
func guardInternalFilters(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
		if def.Kind != ast.Object {
			continue
		}
		where := s.Types[name+"WhereInput"]
		if where == nil {
			continue
		}
		for _, f := range def.Fields {
			if f.Directives.ForName("internal") == nil {
				continue
			}
			for _, w := range where.Fields {
				rest, ok := strings.CutPrefix(w.Name, f.Name)
				if ok && (rest == "" || rest[0] >= 'A' && rest[0] <= 'Z') && w.Directives.ForName("internal") == nil {
					w.Directives = append(w.Directives, &ast.Directive{Name: "internal", Location: ast.LocationInputFieldDefinition})
				}
			}
		}
	}
	return nil
}

// dropAppends removes the appendX fields of update inputs. entgql v0.7.0
// generates m.AppendX(i.X) for them: what a client sent in appendX was
// never written, and with X set too X was appended twice. Setting the whole
// list (X) is what clients have.
func dropAppends(_ *gen.Graph, s *ast.Schema) error {
	for name, def := range s.Types {
		if def.Kind != ast.InputObject || !strings.HasPrefix(name, "Update") {
			continue
		}
		kept := def.Fields[:0]
		for _, f := range def.Fields {
			if !strings.HasPrefix(f.Name, "append") {
				kept = append(kept, f)
			}
		}
		def.Fields = kept
	}
	return nil
}

// describeGenerated gives every type, field, argument and enum value of the
// generated GraphQL schema a description, so that a client browsing the
// schema never meets an undocumented name. Descriptions written on the ent
// schema win; these fill the gaps entgql leaves (inputs, orders, connections).
func describeGenerated(g *gen.Graph, s *ast.Schema) error {
	orders, err := orderFieldDescriptions(g)
	if err != nil {
		return err
	}
	edges := edgeDescriptions(g)
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		if d, ok := typeDescriptions[name]; ok && (def.Description == "" || entgqlEnumDescription.MatchString(def.Description)) {
			def.Description = d
		}
		if def.Description == "" {
			def.Description = typeDescription(name, def)
		}
		for _, f := range def.Fields {
			if f.Description == "" {
				f.Description = edges[name+"."+f.Name]
			}
			if f.Description == "" && name == "Query" {
				f.Description = queryFieldDescription(f)
			}
			if f.Description == "" {
				f.Description = fieldDescription(name, def, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					a.Description = argumentDescription(a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if d := enumValueDescriptions[name+"."+v.Name]; d != "" && v.Description == "" {
				v.Description = d
			}
			if d := orders[name+"."+v.Name]; d != "" && v.Description == "" {
				v.Description = d
			}
			if v.Description == "" {
				v.Description = enumValueDescription(name, v.Name)
			}
		}
	}
	return nil
}

// entgqlEnumDescription is what entgql writes on the enums it generates
// ("Region is enum for the field region"), which tells a client nothing.
var entgqlEnumDescription = regexp.MustCompile(`^\w+ is enum for the field \w+$`)

// edgeDescriptions are the comments of the ent schema's edges, by
// "Type.field": entgql leaves them off the GraphQL fields it generates.
func edgeDescriptions(g *gen.Graph) map[string]string {
	out := map[string]string{}
	for _, n := range g.Nodes {
		for _, e := range n.Edges {
			if c := e.Comment(); c != "" {
				out[n.Name+"."+camel(e.Name)] = c
			}
		}
	}
	return out
}

// orderFieldDescriptions say what each XOrderField value orders by, from
// the comment of the field (or the related entity's field) it names, and
// where the nodes without a value go.
func orderFieldDescriptions(g *gen.Graph) (map[string]string, error) {
	orderTerms := entgql.TemplateFuncs["orderFields"].(func(*gen.Type) ([]*entgql.OrderTerm, error))
	out := map[string]string{}
	for _, n := range g.Nodes {
		terms, err := orderTerms(n)
		if err != nil {
			return nil, err
		}
		for _, t := range terms {
			if t.Field == nil {
				continue
			}
			what := "Orders by " + camel(t.Field.Name)
			nullable := t.Field.Optional || t.Field.Nillable
			if t.IsEdgeFieldTerm() {
				what = "Orders by the " + camel(t.Edge.Name) + "'s " + camel(t.Field.Name)
				nullable = nullable || t.Edge.Optional
			}
			d := what + "."
			if c := strings.TrimSpace(t.Field.Comment()); c != "" {
				d = what + ": " + lowerFirst(strings.TrimSuffix(c, ".")) + "."
			}
			if nullable {
				d += " Nodes without one come last ascending, first descending."
			}
			out[n.Name+"OrderField."+t.GQL] = d
		}
	}
	return out, nil
}

// queryFieldDescription describes a root connection by its node type.
func queryFieldDescription(f *ast.FieldDefinition) string {
	node := strings.TrimSuffix(f.Type.Name(), "Connection")
	if d, ok := typeDescriptions[node]; ok && node != f.Type.Name() {
		return "Every " + node + " the viewer may see (a carrier contact, its own carrier's), a page at a time, filtered by where and ordered by orderBy. " + node + ": " + d
	}
	return ""
}

func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

func typeDescription(name string, def *ast.Definition) string {
	switch {
	case strings.HasSuffix(name, "WhereInput"):
		return fmt.Sprintf("Filter for %s: every field given must hold; and, or and not combine filters.", strings.TrimSuffix(name, "WhereInput"))
	case strings.HasSuffix(name, "OrderField"):
		return fmt.Sprintf("Fields %s connections can be ordered by.", strings.TrimSuffix(name, "OrderField"))
	case strings.HasSuffix(name, "Order"):
		return fmt.Sprintf("Ordering of %s connections.", strings.TrimSuffix(name, "Order"))
	case strings.HasPrefix(name, "Create") && strings.HasSuffix(name, "Input"):
		return fmt.Sprintf("Fields for creating a %s.", strings.TrimSuffix(strings.TrimPrefix(name, "Create"), "Input"))
	case strings.HasPrefix(name, "Update") && strings.HasSuffix(name, "Input"):
		return fmt.Sprintf("Fields for changing a %s; fields left out stay as they are.", strings.TrimSuffix(strings.TrimPrefix(name, "Update"), "Input"))
	case strings.HasSuffix(name, "Connection"):
		return fmt.Sprintf("A page of %s nodes, with its edges, page info and total count.", strings.TrimSuffix(name, "Connection"))
	case strings.HasSuffix(name, "Edge"):
		return fmt.Sprintf("One %s in a connection, with its cursor.", strings.TrimSuffix(name, "Edge"))
	case def.Kind == ast.Enum:
		return fmt.Sprintf("Values of %s.", name)
	}
	return name + "."
}

func fieldDescription(typ string, def *ast.Definition, field string) string {
	switch {
	case strings.HasSuffix(typ, "WhereInput"):
		return wherePredicateDescription(field)
	case strings.HasSuffix(typ, "Order") && field == "direction":
		return "Ascending or descending."
	case strings.HasSuffix(typ, "Order") && field == "field":
		return "The field to order by."
	case strings.HasSuffix(typ, "Connection"):
		switch field {
		case "edges":
			return "The nodes on this page, each with its cursor."
		case "pageInfo":
			return "Cursors and flags for fetching the neighbouring pages."
		case "totalCount":
			return "How many nodes match, across all pages."
		}
	case strings.HasSuffix(typ, "Edge"):
		switch field {
		case "node":
			return "The node."
		case "cursor":
			return "Cursor of this node, for after: and before:."
		}
	case strings.HasPrefix(typ, "Update") && strings.HasPrefix(field, "clear"):
		return "Clears " + lowerFirst(strings.TrimPrefix(field, "clear")) + "."
	case strings.HasPrefix(typ, "Update") && strings.HasPrefix(field, "add"):
		return "Links the given " + lowerFirst(strings.TrimPrefix(field, "add")) + "."
	case strings.HasPrefix(typ, "Update") && strings.HasPrefix(field, "remove"):
		return "Unlinks the given " + lowerFirst(strings.TrimPrefix(field, "remove")) + "."
	case strings.HasSuffix(field, "IDs"):
		return "IDs of the " + strings.TrimSuffix(field, "IDs") + " to link."
	case strings.HasSuffix(field, "ID"):
		return "ID of the " + strings.TrimSuffix(field, "ID") + "."
	}
	return "The " + field + "."
}

// wherePredicateDescription explains a predicate field such as nameContainsFold.
func wherePredicateDescription(field string) string {
	suffixes := []struct{ suffix, text string }{
		{"ContainsFold", "contains the value, ignoring case"},
		{"EqualFold", "equals the value, ignoring case"},
		{"HasPrefix", "starts with the value"},
		{"HasSuffix", "ends with the value"},
		{"Contains", "contains the value"},
		{"NotIn", "is none of the values"},
		{"IsNil", "is empty"},
		{"NotNil", "is set"},
		{"GTE", "is greater than or equal to the value"},
		{"LTE", "is less than or equal to the value"},
		{"GT", "is greater than the value"},
		{"LT", "is less than the value"},
		{"NEQ", "differs from the value"},
		{"In", "is one of the values"},
	}
	switch field {
	case "and":
		return "All of these filters hold."
	case "or":
		return "At least one of these filters holds."
	case "not":
		return "This filter does not hold."
	}
	if strings.HasPrefix(field, "has") && strings.HasSuffix(field, "With") {
		return "Has " + lowerFirst(strings.TrimSuffix(strings.TrimPrefix(field, "has"), "With")) + " matching all of the given filters."
	}
	if strings.HasPrefix(field, "has") {
		return "Has at least one " + lowerFirst(strings.TrimPrefix(field, "has")) + " (or none, when false)."
	}
	for _, s := range suffixes {
		if strings.HasSuffix(field, s.suffix) && len(field) > len(s.suffix) {
			return strings.TrimSuffix(field, s.suffix) + " " + s.text + "."
		}
	}
	return field + " equals the value."
}

func argumentDescription(name string) string {
	switch name {
	case "after":
		return "Returns the nodes after this cursor."
	case "before":
		return "Returns the nodes before this cursor."
	case "first":
		return "Returns the first n nodes (default 20, at most 100)."
	case "last":
		return "Returns the last n nodes (at most 100)."
	case "orderBy":
		return "Ordering; ties are broken by ID so pages are stable."
	case "where":
		return "Filter; only matching nodes are returned and counted."
	}
	return "The " + name + "."
}

func enumValueDescription(typ, value string) string {
	return strings.ToLower(strings.ReplaceAll(value, "_", " ")) + "."
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
