//go:build ignore

// gqlgen generates graph/generated.go from gqlgen.yml, as `go tool gqlgen
// generate` does, with one plugin: entity objects resolve their fields on the
// goroutine that marshals them. It runs from the repository root through
// `go generate ./...`.
//
// gqlgen starts a goroutine for every field that has a resolver, on every
// object: on the carrier page (50 accounts, three filtered connections each)
// that is 150 goroutines per request, each of which grows its stack to hold
// the 12 KiB frame of a generated where-input unmarshaller. The profile put
// 21% of the server's CPU in that stack copying. The fields of entity objects
// (ent types: entities, connections, edges) read what entgql has already
// eager-loaded, so running them one after another loses no parallelism; the
// report objects, whose fields each run their own SQL, keep theirs.
package main

import (
	"fmt"
	"go/types"
	"log"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// entPackage holds the Go types of the entity objects.
const entPackage = "carrierdesk/ent"

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		log.Fatalf("loading gqlgen.yml: %v", err)
	}
	if err := api.Generate(cfg, api.AddPlugin(sequentialEntities{})); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
}

// sequentialEntities turns off per-field goroutines on entity objects.
type sequentialEntities struct{}

func (sequentialEntities) Name() string { return "sequentialEntities" }

// GenerateCode runs after the data is built and before the executor is
// written from it, so the objects it changes are the ones rendered.
func (sequentialEntities) GenerateCode(data *codegen.Data) error {
	n := 0
	for _, o := range data.Objects {
		if o.Root || !fromPackage(o.Type, entPackage) {
			continue
		}
		o.DisableConcurrency = true
		n++
	}
	if n == 0 {
		return fmt.Errorf("no object has a Go type in %s: the plugin would do nothing", entPackage)
	}
	return nil
}

// fromPackage reports whether t, or what it points to, is a named type of pkg.
func fromPackage(t types.Type, pkg string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg
}
