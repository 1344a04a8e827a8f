package graph

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"

	"carrierdesk/ent"
	"carrierdesk/ent/idempotencykey"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Transactions runs every mutation operation in one database transaction:
// all of its writes land, or none. A mutation sent with an Idempotency-Key
// also records its response in that transaction, so that a retry with the
// same key returns the first response and writes nothing, even when the
// first response never reached the client.
type Transactions struct {
	Client *ent.Client
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = Transactions{}

// ExtensionName names the extension for gqlgen.
func (Transactions) ExtensionName() string { return "Transactions" }

// Validate accepts any schema.
func (Transactions) Validate(graphql.ExecutableSchema) error { return nil }

type idempotencyKey struct{}

// WithIdempotencyKey returns ctx carrying the client's Idempotency-Key.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, key)
}

// InterceptResponse wraps a mutation in a transaction.
func (t Transactions) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	key, _ := ctx.Value(idempotencyKey{}).(string)
	subject := viewer.FromContext(ctx).Subject()
	hash := requestHash(oc)
	// The keys are the program's own bookkeeping, past the viewer's rules.
	system := privacy.DecisionContext(ctx, privacy.Allow)
	if key != "" {
		if rsp := t.replay(system, subject, key, hash); rsp != nil {
			return rsp
		}
	}
	txCtx, tx, err := t.Client.OpenTx(ctx)
	if err != nil {
		return errorResponse(ctx, fault.E(fault.Unavailable, "", "the database is not available; retry later"), err)
	}
	defer func() {
		if r := recover(); r != nil {
			_ = tx.Rollback()
			panic(r)
		}
	}()
	txClient := ent.FromContext(txCtx)
	var record *ent.IdempotencyKey
	if key != "" {
		record, err = txClient.IdempotencyKey.Create().
			SetSubject(subject).
			SetKey(key).
			SetRequestHash(hash).
			Save(privacy.DecisionContext(txCtx, privacy.Allow))
		if err != nil {
			_ = tx.Rollback()
			// Another request with this key committed first (PostgreSQL waits
			// for it at the unique index): answer as it did.
			if rsp := t.replay(system, subject, key, hash); rsp != nil {
				return rsp
			}
			return errorResponse(ctx, fault.E(fault.Conflict, "Idempotency-Key", "is in use by a request still running; retry shortly"), err)
		}
	}
	rsp := next(txCtx)
	if len(rsp.Errors) > 0 {
		_ = tx.Rollback()
		return &graphql.Response{Errors: rsp.Errors, Extensions: rsp.Extensions}
	}
	if record != nil {
		body, err := json.Marshal(rsp)
		if err == nil {
			err = txClient.IdempotencyKey.UpdateOne(record).
				SetResponse(string(body)).
				Exec(privacy.DecisionContext(txCtx, privacy.Allow))
		}
		if err != nil {
			_ = tx.Rollback()
			if isUnavailable(err) { // the database went away mid-transaction: nothing was written
				return errorResponse(ctx, fault.E(fault.Unavailable, "", "the database is not available; retry later"), err)
			}
			return errorResponse(ctx, fault.E(fault.Internal, "", "internal error"), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return errorResponse(ctx, fault.E(fault.Unavailable, "", "the change could not be saved; retry later"), err)
	}
	return rsp
}

// replay returns the stored response of an earlier request with this key,
// an error if the key was used with other input, or nil if it is new.
func (t Transactions) replay(ctx context.Context, subject, key, hash string) *graphql.Response {
	rec, err := t.Client.IdempotencyKey.Query().
		Where(idempotencykey.Subject(subject), idempotencykey.Key(key)).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
		return nil
	case err != nil:
		return errorResponse(ctx, fault.E(fault.Unavailable, "", "the database is not available; retry later"), err)
	case rec.RequestHash != hash:
		return errorResponse(ctx, fault.E(fault.Invalid, "Idempotency-Key", "was already used with a different request: use a new key for new input"), nil)
	case rec.Response == "":
		return nil
	}
	var rsp graphql.Response
	if err := json.Unmarshal([]byte(rec.Response), &rsp); err != nil {
		return errorResponse(ctx, fault.E(fault.Internal, "", "internal error"), err)
	}
	if rsp.Extensions == nil {
		rsp.Extensions = map[string]any{}
	}
	rsp.Extensions["idempotentReplay"] = true
	return &rsp
}

// requestHash identifies the input of an operation: the document, the
// operation name and the variables (JSON encodes map keys in order).
func requestHash(oc *graphql.OperationContext) string {
	vars, _ := json.Marshal(oc.Variables)
	h := sha256.New()
	for _, part := range []string{oc.RawQuery, "\x00", oc.OperationName, "\x00", string(vars)} {
		h.Write([]byte(part))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// errorResponse is a response of one error, presented as every error is.
func errorResponse(ctx context.Context, e *fault.Error, cause error) *graphql.Response {
	if cause != nil {
		slog.ErrorContext(ctx, "mutation transaction", "err", errors.Join(e, cause))
	}
	return &graphql.Response{Errors: gqlerror.List{toGQL(ctx, e)}}
}
