package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"carrierdesk/ent"
	"carrierdesk/graph"
	"carrierdesk/internal/viewer"

	"entgo.io/contrib/entgql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
)

// NewGraphQLHandler builds the GraphQL endpoint with its transports chosen
// explicitly: SSE must come before POST, since both answer POST requests.
func NewGraphQLHandler(client *ent.Client, cfg Config, authn *Authenticator) http.Handler {
	srv := handler.New(graph.NewSchema(client))
	srv.AddTransport(transport.SSE{})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 10 * time.Second,
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token, ok := bearer(payload.Authorization())
			if !ok {
				return nil, nil, errors.New("a bearer token is required in connection_init")
			}
			v, err := authn.Viewer(ctx, token)
			if err != nil {
				return nil, nil, errors.New("the bearer token is invalid or expired")
			}
			return viewer.NewContext(ctx, v), nil, nil
		},
	})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(graph.Introspection{})
	srv.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	srv.Use(graph.PageLimits{Default: cfg.DefaultPage, Max: cfg.MaxPage})
	srv.Use(graph.AuditOperation{})
	srv.Use(entgql.Transactioner{TxOpener: client})
	srv.SetErrorPresenter(graph.PresentError)
	srv.SetRecoverFunc(graph.Recover)
	return srv
}

// NewHandler is the whole HTTP surface: GraphiQL, GraphQL and the probes.
func NewHandler(db *Database, cfg Config, authn *Authenticator) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", playground.Handler("carrierdesk", "/query"))
	mux.Handle("/query", authn.Middleware(NewGraphQLHandler(db.Client, cfg, authn)))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.DB.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}
