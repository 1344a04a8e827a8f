package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TrustedDocuments is the allow-list of operations the clients were built
// with: with a manifest, only its documents run, named by their SHA-256.
type TrustedDocuments struct {
	Manifest string      // TRUSTED_DOCUMENTS: the manifest file; empty runs any operation
	LogOnly  bool        // TRUSTED_DOCUMENTS_MODE=log: run unknown operations and log them, for rollout
	Exempt   []enum.Role // TRUSTED_DOCUMENTS_EXEMPT_ROLES: viewers who may run ad hoc operations
	byHash   map[string]string
}

// apolloManifestFormat is the format field of Apollo's persisted query manifest.
const apolloManifestFormat = "apollo-persisted-query-manifest"

// loadTrustedDocuments reads TRUSTED_DOCUMENTS* and the manifest they name.
func loadTrustedDocuments(getenv func(string) string) (TrustedDocuments, error) {
	t := TrustedDocuments{Manifest: getenv("TRUSTED_DOCUMENTS")}
	mode, exempt := getenv("TRUSTED_DOCUMENTS_MODE"), getenv("TRUSTED_DOCUMENTS_EXEMPT_ROLES")
	switch mode {
	case "", "enforce":
	case "log":
		t.LogOnly = true
	default:
		return t, fmt.Errorf("TRUSTED_DOCUMENTS_MODE must be enforce or log, not %q", mode)
	}
	internal := enum.Role("").Values() // CARRIER is not among them: carrier users are outsiders
	for _, r := range strings.Split(exempt, ",") {
		role := enum.Role(strings.TrimSpace(r))
		switch {
		case role == "":
		case !slices.Contains(internal, string(role)):
			return t, fmt.Errorf("TRUSTED_DOCUMENTS_EXEMPT_ROLES: %q is not an internal role; use a comma-separated list of %s", role, strings.Join(internal, ", "))
		default:
			t.Exempt = append(t.Exempt, role)
		}
	}
	if t.Manifest == "" {
		if mode != "" || exempt != "" {
			return t, errors.New("TRUSTED_DOCUMENTS_MODE and TRUSTED_DOCUMENTS_EXEMPT_ROLES apply to a manifest: set TRUSTED_DOCUMENTS too")
		}
		return t, nil
	}
	b, err := os.ReadFile(t.Manifest)
	if err != nil {
		return t, fmt.Errorf("TRUSTED_DOCUMENTS: reading the manifest: %w", err)
	}
	if t.byHash, err = parseManifest(b); err != nil {
		return t, fmt.Errorf("TRUSTED_DOCUMENTS %s: %w", t.Manifest, err)
	}
	return t, nil
}

// parseManifest reads either manifest the client tool chains write: a JSON
// object from hash to document (GraphQL Code Generator's client preset,
// Relay, gql.tada), or Apollo's persisted query manifest. Each hash must be
// the SHA-256 of its document's exact text, as clients compute it.
func parseManifest(b []byte) (map[string]string, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	byHash := map[string]string{}
	add := func(hash, name, body string) error {
		if body == "" {
			return fmt.Errorf("%s (%q) has no document text", name, hash)
		}
		sum := sha256.Sum256([]byte(body))
		if want := hex.EncodeToString(sum[:]); strings.TrimPrefix(hash, "sha256:") != want {
			return fmt.Errorf("%s: %q is not the SHA-256 of its document (%s): generate the manifest with SHA-256 hashes of the exact text", name, hash, want)
		}
		byHash[strings.TrimPrefix(hash, "sha256:")] = body
		return nil
	}
	if raw, ok := top["format"]; ok {
		var format string
		if json.Unmarshal(raw, &format) != nil || format != apolloManifestFormat {
			return nil, fmt.Errorf("format %s is not %q, and a manifest of hashes has no format field", raw, apolloManifestFormat)
		}
		var m struct {
			Version    int `json:"version"`
			Operations []struct {
				ID   string `json:"id"`
				Name string `json:"name"`
				Body string `json:"body"`
			} `json:"operations"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("not an %s: %w", apolloManifestFormat, err)
		}
		if m.Version != 1 {
			return nil, fmt.Errorf("%s version %d: only version 1 is known", apolloManifestFormat, m.Version)
		}
		for i, op := range m.Operations {
			if err := add(op.ID, fmt.Sprintf("operation %d (%s)", i, op.Name), op.Body); err != nil {
				return nil, err
			}
		}
	} else {
		for _, hash := range slices.Sorted(maps.Keys(top)) {
			var body string
			if err := json.Unmarshal(top[hash], &body); err != nil {
				return nil, fmt.Errorf("the value of %q is not a string: a manifest maps each document's hash to its text", hash)
			}
			if err := add(hash, "an entry", body); err != nil {
				return nil, err
			}
		}
	}
	if len(byHash) == 0 {
		return nil, errors.New("the manifest holds no documents")
	}
	return byHash, nil
}

func init() {
	// Refused before it starts, an operation on a WebSocket ends with an
	// error message, as a validation failure does, rather than a result.
	errcode.RegisterErrorType(fault.CodePersistedQueryNotFound, errcode.KindProtocol)
}

// trustedOperations runs the manifest's documents only, whatever the
// transport. Register it before AutomaticPersistedQuery: it resolves the
// manifest's hashes itself, so they need no registration, and refuses an
// unknown hash before the APQ cache is asked; a query text it judges by its
// own hash, so a query registered in that cache (by an exempt viewer, or
// in log mode) gets no one else past it.
type trustedOperations struct{ docs TrustedDocuments }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = trustedOperations{}

// ExtensionName names the extension for gqlgen.
func (trustedOperations) ExtensionName() string { return "TrustedDocuments" }

// Validate accepts any schema.
func (trustedOperations) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters lets a request run when its query text, or the
// hash it sends alone, is a manifest document's. Introspection is no
// different: an ad hoc query, for exempt viewers only.
func (t trustedOperations) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	v := viewer.FromContext(ctx)
	if v.Is(t.docs.Exempt...) {
		return nil
	}
	hash := persistedQueryHash(p.Extensions)
	if p.Query != "" {
		// The text decides; a hash sent with it that disagrees is APQ's to refuse.
		sum := sha256.Sum256([]byte(p.Query))
		hash = hex.EncodeToString(sum[:])
		if _, ok := t.docs.byHash[hash]; ok {
			return nil
		}
	} else if body, ok := t.docs.byHash[hash]; ok {
		p.Query = body
		return nil
	}
	if t.docs.LogOnly {
		if p.Query == "" {
			logUntrusted(ctx, p.OperationName, hash) // the APQ cache may know it; nothing else will
		} else {
			// Logged once it has parsed, under the name its document gives it.
			graphql.GetOperationContext(ctx).Stats.SetExtension(untrustedStats, hash)
		}
		return nil
	}
	return &gqlerror.Error{
		Message:    "this operation is not one of the server's trusted documents: send the hash of a document in the client's manifest (extensions.persistedQuery.sha256Hash, or documentId)",
		Extensions: map[string]any{"code": fault.CodePersistedQueryNotFound},
	}
}

// MutateOperationContext logs an operation that runs outside the manifest in log mode.
func (trustedOperations) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if hash, ok := rc.Stats.GetExtension(untrustedStats).(string); ok {
		logUntrusted(ctx, rc.Operation.Name, hash)
	}
	return nil
}

// untrustedStats names the hash of an operation outside the manifest among an operation's stats.
const untrustedStats = "UntrustedDocument"

// logUntrusted logs an operation the manifest does not hold: its name and
// hash, which is what a manifest lacking it needs, and never its variables.
func logUntrusted(ctx context.Context, operation, hash string) {
	var role enum.Role
	if v := viewer.FromContext(ctx); v != nil {
		role = v.Role
	}
	slog.WarnContext(ctx, "operation outside the trusted documents", "operation", operation, "hash", hash, "role", role)
}

// persistedQueryHash is the hash of an APQ extension, or "".
func persistedQueryHash(ext map[string]any) string {
	pq, _ := ext["persistedQuery"].(map[string]any)
	hash, _ := pq["sha256Hash"].(string)
	return hash
}

// withDocumentID turns the documentId of a persisted document request (the
// GraphQL over HTTP specification's appendix) into the APQ extension, which
// the trusted documents and the APQ cache both read: a SHA-256 document
// identifier ("sha256:" and the hash) or the bare hash, as GraphQL Code
// Generator's clients send it. Any other identifier names no document here,
// and is answered as an unknown hash is.
func withDocumentID(ext map[string]any, id string) (map[string]any, error) {
	hash := strings.TrimPrefix(id, "sha256:")
	if sent := persistedQueryHash(ext); ext["persistedQuery"] != nil && sent != hash {
		return nil, errors.New("documentId and extensions.persistedQuery name different documents: send one")
	}
	ext = maps.Clone(ext)
	if ext == nil {
		ext = map[string]any{}
	}
	ext["persistedQuery"] = map[string]any{"version": 1, "sha256Hash": hash}
	return ext, nil
}

// withDocumentIDJSON is withDocumentID for a request still in JSON (an event
// stream's body, a WebSocket subscribe payload), which gqlgen decodes
// without documentId: the request unchanged when it has none.
func withDocumentIDJSON(request []byte) ([]byte, error) {
	if !bytes.Contains(request, []byte(`"documentId"`)) {
		return request, nil
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(request, &fields) != nil || fields["documentId"] == nil {
		return request, nil // gqlgen reports what does not decode
	}
	var id string
	if json.Unmarshal(fields["documentId"], &id) != nil {
		return nil, errors.New("documentId must be a string")
	}
	var ext map[string]any
	if raw := fields["extensions"]; raw != nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // numbers as they were sent
		if dec.Decode(&ext) != nil {
			return nil, errors.New("extensions must be a JSON object")
		}
	}
	ext, err := withDocumentID(ext, id)
	if err != nil {
		return nil, err
	}
	if fields["extensions"], err = json.Marshal(ext); err != nil {
		return nil, err
	}
	delete(fields, "documentId")
	return json.Marshal(fields)
}
