package plan

import (
	stdsql "database/sql"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestRowsSplitsWithoutLosingAnything(t *testing.T) {
	raw := json.RawMessage(`[[1, "a \"quoted\" ] , string", null, {"k": [1, "]"]}, [null, [[2]]]], [true,-3.5e2,"\\"]]`)
	rows, err := Rows(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{`1`, `"a \"quoted\" ] , string"`, `null`, `{"k": [1, "]"]}`, `[null, [[2]]]`},
		{`true`, `-3.5e2`, `"\\"`},
	}
	got := make([][]string, len(rows))
	for i, r := range rows {
		for _, e := range r {
			got[i] = append(got[i], string(e))
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rows %q, want %q", got, want)
	}
	if empty, err := Rows(json.RawMessage(`[]`)); err != nil || len(empty) != 0 {
		t.Fatalf("an empty level: %v, %v", empty, err)
	}
	for _, bad := range []string{`[1,`, `[[1]`, `["a]`, `{}`, `[1 2]`} {
		if _, err := Rows(json.RawMessage(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestSplitEdge(t *testing.T) {
	n, rows, err := SplitEdge(json.RawMessage(`[12, [[1]]]`))
	if err != nil || n != 12 || string(rows) != `[[1]]` {
		t.Fatalf("got %d %s %v", n, rows, err)
	}
	n, rows, err = SplitEdge(json.RawMessage(`[null, null]`))
	if err != nil || n != -1 || !isNull(rows) {
		t.Fatalf("got %d %s %v", n, rows, err)
	}
}

func TestScanConvertsAsTheDriverWould(t *testing.T) {
	var (
		s    stdsql.NullString
		esc  stdsql.NullString
		i    stdsql.NullInt64
		b    stdsql.NullBool
		ts   stdsql.NullTime
		day  stdsql.NullTime
		null stdsql.NullString
		js   []byte
	)
	cols := []json.RawMessage{
		json.RawMessage(`"plain"`), json.RawMessage(`"tab\there \u00e9"`), json.RawMessage(`-42`), json.RawMessage(`true`),
		json.RawMessage(`"2026-12-02T06:34:37.123456+00:00"`), json.RawMessage(`"2026-12-02"`), json.RawMessage(`null`),
		json.RawMessage(`{"a": [1]}`),
	}
	if err := Scan([]any{&s, &esc, &i, &b, &ts, &day, &null, &js}, cols); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 12, 2, 6, 34, 37, 123456000, time.UTC)
	switch {
	case s.String != "plain" || esc.String != "tab\there é" || i.Int64 != -42 || !b.Bool:
		t.Fatalf("scalars: %+v %+v %+v %+v", s, esc, i, b)
	case !ts.Time.Equal(want) || day.Time != time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC):
		t.Fatalf("times: %v %v", ts.Time, day.Time)
	case null.Valid || string(js) != `{"a": [1]}`:
		t.Fatalf("null %+v, JSON %s", null, js)
	}
}
