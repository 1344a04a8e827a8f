package graphiql

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesAreTheREADMEs: the tabs GraphiQL opens with are the README's
// examples, word for word, so the two cannot drift apart.
func TestExamplesAreTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	examples := Examples()
	if len(examples) != len(tabOrder) {
		t.Errorf("%d example files, %d tabs", len(examples), len(tabOrder))
	}
	for _, name := range tabOrder {
		q, ok := examples[name]
		if !ok {
			t.Errorf("no example %s", name)
			continue
		}
		if !strings.Contains(string(readme), "```graphql\n"+q+"```") {
			t.Errorf("examples/%s is not a graphql block of the README; copy it from there:\n%s", name, q)
		}
	}
}

// TestVendoredFilesAreThePinnedOnes: every file in vendor/ is the one
// vendor.sh recorded from the npm registry, so nobody edits them by hand.
func TestVendoredFilesAreThePinnedOnes(t *testing.T) {
	f, err := os.Open("vendor/VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[string]string{}
	files := false
	for s := bufio.NewScanner(f); s.Scan(); {
		line := s.Text()
		if line == "# file sha256" {
			files = true
			continue
		}
		if fields := strings.Fields(line); files && len(fields) == 2 {
			want[fields[1]] = fields[0]
		}
	}
	entries, err := os.ReadDir("vendor")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == "VERSIONS" {
			continue
		}
		b, err := os.ReadFile(filepath.Join("vendor", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); want[e.Name()] != got {
			t.Errorf("vendor/%s has sha256 %s, VERSIONS says %q: run vendor.sh", e.Name(), got, want[e.Name()])
		}
		delete(want, e.Name())
	}
	for name := range want {
		t.Errorf("VERSIONS lists vendor/%s, which is missing: run vendor.sh", name)
	}
	for _, lic := range []string{"LICENSE.graphiql", "LICENSE.react", "LICENSE.react-dom"} {
		if _, err := os.Stat(filepath.Join("vendor", lic)); err != nil {
			t.Errorf("the licence is missing: %v", err)
		}
	}
}
