//go:build ignore

package main

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"

	"entgo.io/ent/entc/gen"
	"entgo.io/ent/schema/field"
)

// Markers in README.md between which the entity diagram is written. Everything
// between them is replaced on every generation, so the diagram cannot drift
// from the ent schema.
const (
	diagramStart = "<!-- entity-graph:start -->"
	diagramEnd   = "<!-- entity-graph:end -->"
)

// diagramSkippedFields are on every entity; listing them on each box only adds noise.
var diagramSkippedFields = map[string]bool{
	"created_at": true,
	"updated_at": true,
}

// entityDiagramHook runs after the ent code is generated and writes the
// Mermaid entity diagram of the graph into the markdown file at path.
func entityDiagramHook(path string) gen.Hook {
	return func(next gen.Generator) gen.Generator {
		return gen.GenerateFunc(func(g *gen.Graph) error {
			if err := next.Generate(g); err != nil {
				return err
			}
			if err := writeEntityDiagram(path, renderEntityDiagram(g)); err != nil {
				return fmt.Errorf("writing entity diagram: %w", err)
			}
			return nil
		})
	}
}

// renderEntityDiagram renders the graph as a Mermaid erDiagram: one box per
// entity with its own scalar fields, one line per relation. Entities and
// relations are sorted and fields keep their schema order, so the output is
// the same on every run.
func renderEntityDiagram(g *gen.Graph) string {
	nodes := append([]*gen.Type(nil), g.Nodes...)
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].Name < nodes[j].Name })

	var b strings.Builder
	b.WriteString("erDiagram\n")
	for _, t := range nodes {
		fmt.Fprintf(&b, "    %s {\n", t.Name)
		if t.ID != nil {
			fmt.Fprintf(&b, "        %s %s PK\n", diagramFieldType(t.ID), t.ID.Name)
		}
		for _, f := range t.Fields {
			if diagramSkippedFields[f.Name] {
				continue
			}
			fmt.Fprintf(&b, "        %s %s", diagramFieldType(f), f.Name)
			if keys := diagramFieldKeys(f); keys != "" {
				b.WriteString(" " + keys)
			}
			b.WriteString("\n")
		}
		b.WriteString("    }\n")
	}
	for _, r := range diagramRelations(nodes) {
		b.WriteString("    " + r + "\n")
	}
	return b.String()
}

// diagramRelations returns one sorted line per relation. A relation declared
// with edge.To and its edge.From inverse is drawn once, from the edge.To side,
// and labelled with both edge names. Many-to-many edges through an edge schema
// are left out: the edge schema's own relations draw them.
func diagramRelations(nodes []*gen.Type) []string {
	inverses := make(map[*gen.Edge]*gen.Edge)
	for _, t := range nodes {
		for _, e := range t.Edges {
			if e.IsInverse() && e.Ref != nil {
				inverses[e.Ref] = e
			}
		}
	}
	var lines []string
	for _, t := range nodes {
		for _, e := range t.Edges {
			if e.IsInverse() || e.Through != nil {
				continue
			}
			inverse := inverses[e]
			if inverse == nil && e.Ref != nil && e.Ref != e {
				inverse = e.Ref
			}
			label := e.Name
			if inverse != nil {
				label += " / " + inverse.Name
			}
			lines = append(lines, fmt.Sprintf("%s %s--%s %s : %q",
				t.Name, diagramOwnerSide(e, inverse), diagramTargetSide(e), e.Type.Name, label))
		}
	}
	sort.Strings(lines)
	return lines
}

// diagramTargetSide is the Mermaid marker for how many targets one owner has.
func diagramTargetSide(e *gen.Edge) string {
	switch {
	case !e.Unique:
		return "o{"
	case e.Optional:
		return "o|"
	default:
		return "||"
	}
}

// diagramOwnerSide is the Mermaid marker for how many owners one target has.
func diagramOwnerSide(e, inverse *gen.Edge) string {
	if inverse != nil {
		switch {
		case !inverse.Unique:
			return "}o"
		case inverse.Optional:
			return "|o"
		default:
			return "||"
		}
	}
	switch e.Rel.Type {
	case gen.O2M, gen.O2O:
		return "|o"
	default:
		return "}o"
	}
}

// diagramFieldType names a field's type the way an API reader knows it: the
// GraphQL scalar when the schema maps one (Money, Region), otherwise the
// storage kind.
func diagramFieldType(f *gen.Field) string {
	if f.IsEnum() {
		return "enum"
	}
	if ant, ok := f.Annotations["EntGQL"].(map[string]any); ok {
		if name, ok := ant["Type"].(string); ok && name != "" {
			return name
		}
	}
	switch f.Type.Type {
	case field.TypeTime:
		return "time"
	case field.TypeBytes:
		return "bytes"
	case field.TypeJSON:
		return "json"
	case field.TypeUUID:
		return "uuid"
	case field.TypeOther:
		return "other"
	default:
		return f.Type.Type.String()
	}
}

// diagramFieldKeys marks foreign keys (edge fields) and unique fields.
func diagramFieldKeys(f *gen.Field) string {
	var keys []string
	if f.IsEdgeField() {
		keys = append(keys, "FK")
	}
	if f.Unique {
		keys = append(keys, "UK")
	}
	return strings.Join(keys, ", ")
}

// writeEntityDiagram replaces what lies between the markers in the file at
// path with the diagram. The file is rewritten only when its content changes.
func writeEntityDiagram(path, diagram string) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	start := bytes.Index(old, []byte(diagramStart))
	end := bytes.Index(old, []byte(diagramEnd))
	if start < 0 || end < start {
		return fmt.Errorf("%s: markers %s and %s not found in this order", path, diagramStart, diagramEnd)
	}
	var b bytes.Buffer
	b.Write(old[:start+len(diagramStart)])
	b.WriteString("\n```mermaid\n")
	b.WriteString(diagram)
	b.WriteString("```\n")
	b.Write(old[end:])
	if bytes.Equal(b.Bytes(), old) {
		return nil
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
