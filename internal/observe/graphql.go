package observe

import (
	"context"
	"sync"
	"time"

	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// GraphQL is the gqlgen extension that counts and times operations, counts
// the errors of every response by extensions.code, names the operation in the
// access log, and spans it when tracing is on. It finds its Observer in the
// request's context, so behind no Observer.Handler it does nothing.
//
// Use it before the other extensions: the outermost response interceptor sees
// the response as the client gets it.
type GraphQL struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = GraphQL{}

// ExtensionName names the extension for gqlgen.
func (GraphQL) ExtensionName() string { return "Observe" }

// Validate accepts any schema.
func (GraphQL) Validate(graphql.ExecutableSchema) error { return nil }

// dispatchedKey marks the context of an operation that InterceptOperation
// measures; a response without it answered a request error.
type dispatchedKey struct{}

// InterceptOperation measures an operation that passed parsing, validation
// and the limits: a query or mutation until its response, a subscription
// until it is set up (its events are counted by package metrics).
func (GraphQL) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	req := requestFrom(ctx)
	if req == nil {
		return next(ctx)
	}
	o := req.obs
	opCtx := graphql.GetOperationContext(ctx)
	name, kind := operation(opCtx)
	req.setOperation(name)
	req.setViewer(viewer.FromContext(ctx)) // a WebSocket's viewer comes from connection_init
	start := startOf(ctx, opCtx)
	ctx = context.WithValue(ctx, dispatchedKey{}, true)
	var span trace.Span
	if o.tracer != nil {
		ctx, span = o.tracer.Start(ctx, kind+" "+name, trace.WithAttributes(
			semconv.GraphQLOperationName(name),
			semconv.GraphQLOperationTypeKey.String(kind),
		))
	}
	responses := next(ctx)
	if kind == "subscription" {
		o.record(name, kind, start)
		if span != nil {
			span.End()
		}
		return responses
	}
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		once.Do(func() {
			o.record(name, kind, start)
			if span != nil {
				if resp != nil && len(resp.Errors) > 0 {
					span.SetStatus(codes.Error, errorCode(resp.Errors[0].Extensions))
				}
				span.End()
			}
		})
		return resp
	}
}

// InterceptResponse counts the errors of every response, a subscription's
// events included, and measures the requests that failed before running:
// parse, validation and limit errors never reach InterceptOperation.
func (GraphQL) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	req := requestFrom(ctx)
	if req == nil {
		return resp
	}
	o := req.obs
	if resp != nil {
		for _, err := range resp.Errors {
			o.errors.WithLabelValues(o.codes.label(errorCode(err.Extensions))).Inc()
		}
	}
	if ctx.Value(dispatchedKey{}) == nil {
		var opCtx *graphql.OperationContext
		if graphql.HasOperationContext(ctx) {
			opCtx = graphql.GetOperationContext(ctx)
		}
		name, kind := operation(opCtx)
		req.setOperation(name)
		o.record(name, kind, startOf(ctx, opCtx))
	}
	return resp
}

// record counts an operation and its duration since start.
func (o *Observer) record(name, kind string, start time.Time) {
	label := o.names.label(name)
	o.requests.WithLabelValues(label, kind).Inc()
	o.latency.WithLabelValues(label, kind).Observe(time.Since(start).Seconds())
}

// operation names an operation and its type for the metrics and the log:
// "anonymous" when it has no name, "other" when the name is not a plain one,
// and type "unknown" when the request failed before an operation was chosen.
func operation(opCtx *graphql.OperationContext) (name, kind string) {
	kind = unknownLabel
	if opCtx != nil {
		name = opCtx.OperationName
		if opCtx.Operation != nil {
			name, kind = opCtx.Operation.Name, string(opCtx.Operation.Operation)
		}
	}
	switch {
	case name == "":
		return anonymousLabel, kind
	case !plainName(name):
		return otherLabel, kind
	}
	return name, kind
}

// startOf is when gqlgen began reading the operation, or now.
func startOf(ctx context.Context, opCtx *graphql.OperationContext) time.Time {
	if opCtx != nil && !opCtx.Stats.OperationStart.IsZero() {
		return opCtx.Stats.OperationStart
	}
	if t := graphql.GetStartTime(ctx); !t.IsZero() {
		return t
	}
	return time.Now()
}

// errorCode is an error's extensions.code, or "UNKNOWN".
func errorCode(ext map[string]any) string {
	if code, ok := ext["code"].(string); ok && code != "" {
		return code
	}
	return "UNKNOWN"
}
