package main

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestWorkloadsAreValid keeps the benchmark's operations valid against the
// schema: a renamed field would otherwise surface only when someone runs
// make bench (the portfolio query went stale when money became per
// currency).
func TestWorkloadsAreValid(t *testing.T) {
	var sources []*ast.Source
	for _, name := range []string{"../schema.graphql", "../ent.graphql"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sources = append(sources, &ast.Source{Name: name, Input: string(b)})
	}
	schema, err := gqlparser.LoadSchema(sources...)
	if err != nil {
		t.Fatal(err)
	}
	for name, query := range map[string]string{
		"account": accountPageQuery, "carrier": carrierPageQuery, "me": meQuery,
		"aggregate": aggregateQuery, "portfolio": portfolioQuery,
	} {
		if _, errs := gqlparser.LoadQuery(schema, query); len(errs) > 0 {
			t.Errorf("%s: %v", name, errs)
		}
	}
}
