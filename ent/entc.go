//go:build ignore

// entc generates the ent client and the entgql GraphQL schema (ent.graphql).
// It runs from the repository root through `go generate ./...`.
package main

import (
	"log"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/entc"
	"entgo.io/ent/entc/gen"
)

func main() {
	if err := patchPagination(); err != nil {
		log.Fatalf("patching entgql's pagination template: %v", err)
	}
	ex, err := entgql.NewExtension(
		entgql.WithConfigPath("gqlgen.yml"),
		entgql.WithSchemaGenerator(),
		entgql.WithSchemaPath("ent.graphql"),
		entgql.WithWhereInputs(true),
		entgql.WithNodeDescriptor(false),
		entgql.WithSchemaHook(describeGenerated, scopeRelationFilters, guardInternalFilters, connectionNodes, dropAppends),
	)
	if err != nil {
		log.Fatalf("creating entgql extension: %v", err)
	}
	err = entc.Generate("./ent/schema", &gen.Config{
		Features: []gen.Feature{
			gen.FeaturePrivacy,
			gen.FeatureEntQL,
			gen.FeatureIntercept,
			gen.FeatureNamedEdges,
			gen.FeatureUpsert,
			gen.FeatureModifier,
			gen.FeatureExecQuery,
			gen.FeatureLock,
			gen.FeatureVersionedMigration,
		},
		Hooks:     []gen.Hook{entityDiagramHook("README.md")},
		Templates: []*gen.Template{gqlCursorTemplate, gqlPlanTemplate},
	}, entc.Extensions(ex))
	if err != nil {
		log.Fatalf("running ent codegen: %v", err)
	}
}
