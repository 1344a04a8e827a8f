package paging

import (
	"strings"
	"testing"
	"time"

	"carrierdesk/internal/fault"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

var columns = map[string]Column{
	"id":           {Kind: String},
	"title":        {Kind: String},
	"follow_up_on": {Kind: Date, Nullable: true},
	"sent_at":      {Kind: Time, Nullable: true},
	"term_months":  {Kind: Int},
}

// where is the WHERE clause the predicates put on a select of quotes.
func where(t *testing.T, after, before *entgql.Cursor[string], o *entgql.MultiCursorsOptions) (string, []any) {
	t.Helper()
	ps, err := Predicates(columns, after, before, o)
	if err != nil {
		t.Fatal(err)
	}
	s := sql.Dialect(dialect.Postgres).Select("id").From(sql.Table("quotes"))
	for _, p := range ps {
		p(s)
	}
	q, args := s.Query()
	return q[strings.Index(q, "WHERE"):], args
}

func options(reverse bool, fields []string, dirs ...entgql.OrderDirection) *entgql.MultiCursorsOptions {
	id := entgql.OrderDirectionAsc
	if reverse {
		id = entgql.OrderDirectionDesc
	}
	return &entgql.MultiCursorsOptions{FieldID: "id", DirectionID: id, Fields: fields, Directions: dirs}
}

func TestNullsComeLast(t *testing.T) {
	asc := options(false, []string{"follow_up_on"}, entgql.OrderDirectionAsc)
	got, _ := where(t, &entgql.Cursor[string]{ID: "quo_1", Value: []any{"2026-03-02"}}, nil, asc)
	want := `WHERE "quotes"."follow_up_on" > $1 OR "quotes"."follow_up_on" IS NULL OR ("quotes"."follow_up_on" = $2 AND "quotes"."id" > $3)`
	if got != want {
		t.Errorf("after a date, ascending:\n got %s\nwant %s", got, want)
	}
	// After a null, ascending: only the nulls with a later ID.
	got, _ = where(t, &entgql.Cursor[string]{ID: "quo_1", Value: []any{nil}}, nil, asc)
	if want := `WHERE "quotes"."follow_up_on" IS NULL AND "quotes"."id" > $1`; got != want {
		t.Errorf("after a null, ascending:\n got %s\nwant %s", got, want)
	}
	// After a null, descending: every value, then the nulls with a later ID.
	desc := options(false, []string{"follow_up_on"}, entgql.OrderDirectionDesc)
	got, _ = where(t, &entgql.Cursor[string]{ID: "quo_1", Value: []any{nil}}, nil, desc)
	if want := `WHERE "quotes"."follow_up_on" IS NOT NULL OR ("quotes"."follow_up_on" IS NULL AND "quotes"."id" > $1)`; got != want {
		t.Errorf("after a null, descending:\n got %s\nwant %s", got, want)
	}
}

func TestBeforeWithLastReadsBackwards(t *testing.T) {
	// last: the pager reverses every direction; before keeps the rows that
	// come before the cursor in the order the client asked for.
	o := options(true, []string{"term_months"}, entgql.OrderDirectionDesc) // the client asked ascending
	got, _ := where(t, nil, &entgql.Cursor[string]{ID: "quo_9", Value: []any{int64(36)}}, o)
	if want := `WHERE "quotes"."term_months" < $1 OR ("quotes"."term_months" = $2 AND "quotes"."id" < $3)`; got != want {
		t.Errorf("before, reading backwards:\n got %s\nwant %s", got, want)
	}
}

func TestCursorThatDoesNotFit(t *testing.T) {
	sentAt := options(false, []string{"sent_at"}, entgql.OrderDirectionAsc)
	for _, tc := range []struct {
		name string
		c    *entgql.Cursor[string]
		o    *entgql.MultiCursorsOptions
	}{
		{"no values", &entgql.Cursor[string]{ID: "quo_1"}, sentAt},
		{"two values for one", &entgql.Cursor[string]{ID: "quo_1", Value: []any{time.Now(), "x"}}, sentAt},
		{"text for a time", &entgql.Cursor[string]{ID: "quo_1", Value: []any{"yesterday"}}, sentAt},
		{"a null never stored", &entgql.Cursor[string]{ID: "quo_1", Value: []any{nil}}, options(false, []string{"title"}, entgql.OrderDirectionAsc)},
	} {
		_, err := Predicates(columns, tc.c, nil, tc.o)
		if e, ok := fault.As(err); !ok || e.Kind != fault.Invalid || e.Field != "after" {
			t.Errorf("%s: %v, want BAD_USER_INPUT naming after", tc.name, err)
		}
	}
	if _, err := Predicates(columns, nil, &entgql.Cursor[string]{ID: "quo_1", Value: []any{"not a date"}},
		options(false, []string{"follow_up_on"}, entgql.OrderDirectionAsc)); err == nil || !strings.Contains(err.Error(), "before") {
		t.Errorf("a bad before cursor: %v", err)
	}
}

func TestNoOrderingCursor(t *testing.T) {
	// Without orderBy the pager orders by ID alone and its cursors hold no values.
	got, args := where(t, &entgql.Cursor[string]{ID: "quo_5"}, nil, options(false, nil))
	if want := `WHERE "quotes"."id" > $1`; got != want || len(args) != 1 || args[0] != "quo_5" {
		t.Errorf("got %s %v", got, args)
	}
}
