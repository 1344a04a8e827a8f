package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
)

// largeTableRows is the size from which a sequential scan counts as a
// problem: below it PostgreSQL rightly prefers reading the few pages whole.
const largeTableRows = 10000

// planCheck is what EXPLAIN says about one statement.
type planCheck struct {
	SQL         string   `json:"sql"`
	LargeScans  []string `json:"largeSeqScans,omitempty"` // sequential scans of large tables: "table (rows)"
	SmallScans  []string `json:"smallSeqScans,omitempty"` // of small tables, which are fine
	Error       string   `json:"error,omitempty"`
	TopNode     string   `json:"topNode"`
	PlannedRows float64  `json:"plannedRows"`
	ExecutionMs float64  `json:"executionMs,omitempty"` // EXPLAIN ANALYZE's execution time, for reads
}

// tableSizes is the planner's row estimate of every table in the schema.
func tableSizes(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, `SELECT c.relname, c.reltuples::bigint FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = current_schema()`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sizes := map[string]int64{}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			return nil, err
		}
		sizes[name] = n
	}
	return sizes, rows.Err()
}

// explain runs EXPLAIN of each distinct statement with the arguments it was
// sent with, and lists its sequential scans.
func explain(ctx context.Context, db *sql.DB, stmts []capturedStatement, sizes map[string]int64) []planCheck {
	seen := map[string]bool{}
	var out []planCheck
	for _, s := range stmts {
		if seen[s.SQL] || s.SQL == "" {
			continue
		}
		seen[s.SQL] = true
		c := planCheck{SQL: s.SQL}
		// Reads are run as well, for their time in the database; anything
		// else is only planned.
		how := "EXPLAIN (FORMAT JSON) "
		if word, _, _ := strings.Cut(strings.TrimSpace(s.SQL), " "); strings.EqualFold(word, "SELECT") {
			how = "EXPLAIN (ANALYZE, FORMAT JSON) "
		}
		var doc []byte
		if err := db.QueryRowContext(ctx, how+s.SQL, s.Args...).Scan(&doc); err != nil {
			c.Error = err.Error()
			out = append(out, c)
			continue
		}
		var plans []struct {
			Plan          planNode
			ExecutionTime float64 `json:"Execution Time"`
		}
		if err := json.Unmarshal(doc, &plans); err != nil || len(plans) == 0 {
			c.Error = fmt.Sprintf("reading the plan: %v", err)
			out = append(out, c)
			continue
		}
		c.TopNode, c.PlannedRows, c.ExecutionMs = plans[0].Plan.NodeType, plans[0].Plan.PlanRows, plans[0].ExecutionTime
		plans[0].Plan.walk(func(n planNode) {
			if n.NodeType != "Seq Scan" {
				return
			}
			scan := fmt.Sprintf("%s (%d rows)", n.RelationName, sizes[n.RelationName])
			if sizes[n.RelationName] >= largeTableRows {
				c.LargeScans = append(c.LargeScans, scan)
			} else {
				c.SmallScans = append(c.SmallScans, scan)
			}
		})
		out = append(out, c)
	}
	return out
}

type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	PlanRows     float64    `json:"Plan Rows"`
	Plans        []planNode `json:"Plans"`
}

func (n planNode) walk(fn func(planNode)) {
	fn(n)
	for _, c := range n.Plans {
		c.walk(fn)
	}
}

// shortSQL is the start of a statement on one line, for the report.
func shortSQL(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
