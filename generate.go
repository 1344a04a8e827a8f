// Package carrierdesk is the root of the carrierdesk GraphQL API. This file
// holds the one code-generation chain: ent and entgql, then gqlgen.
package carrierdesk

//go:generate go run ./ent/entc.go ./ent/describe.go ./ent/diagram.go ./ent/paging.go ./ent/descriptions.go ./ent/plan.go
//go:generate go run ./graph/gqlgen.go
//go:generate go run ./internal/workflow/statetables README.md
