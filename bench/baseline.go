package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	_ "expvar" // runtime counters on the debug listener, as the server has them
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

// baselineHandler answers a page with one hand-written SQL query that builds
// the whole JSON document in PostgreSQL: the physical limit the GraphQL
// server is compared with. It reads the subject's ID from the same request
// body the GraphQL server gets, and answers the same bytes. Its query is a
// prepared statement, as the server's statements are (DB_STATEMENT_CACHE), so
// neither side pays PostgreSQL's parsing and planning per request.
//
// The same query unprepared (db and query, no stmt) is measured too: the
// baseline as a handler that sends its SQL text each time, which PostgreSQL
// parses and plans on every request.
type baselineHandler struct {
	stmt  *sql.Stmt
	db    *sql.DB
	query string
}

func (h baselineHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Variables struct {
			ID string `json:"id"`
		} `json:"variables"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	doc, err := h.render(r.Context(), req.Variables.ID)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(doc)
}

// render runs the query for id and compacts PostgreSQL's JSON, which puts
// spaces around its separators, into what gqlgen writes.
func (h baselineHandler) render(ctx context.Context, id string) ([]byte, error) {
	var raw []byte
	row := (*sql.Row)(nil)
	if h.stmt != nil {
		row = h.stmt.QueryRowContext(ctx, id)
	} else {
		row = h.db.QueryRowContext(ctx, h.query, id)
	}
	if err := row.Scan(&raw); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(raw))
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openPool opens a pool sized as the server sizes its own.
func openPool(ctx context.Context, url string, size int) (*sql.DB, error) {
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(size)
	db.SetMaxIdleConns(size)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to %s: %w", redact(url), err)
	}
	return db, nil
}

// serveBaseline is the baseline process (bench -serve-baseline): the pages on
// addr, expvar on debugAddr, until killed. It runs apart from the load
// generator so that its CPU and allocations are measured as the server's are.
func serveBaseline(addr, debugAddr, dbURL string) error {
	ctx := context.Background()
	db, err := openPool(ctx, dbURL, 16)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	for path, query := range map[string]string{"/account": accountPageSQL, "/carrier": carrierPageSQL} {
		stmt, err := db.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("preparing the baseline of %s: %w", path, err)
		}
		mux.Handle("POST "+path, baselineHandler{stmt: stmt})
		mux.Handle("POST "+path+"/unprepared", baselineHandler{db: db, query: query})
	}
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	dln, err := net.Listen("tcp", debugAddr)
	if err != nil {
		return err
	}
	go func() { log.Print(http.Serve(dln, http.DefaultServeMux)) }()
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	return srv.ListenAndServe()
}
