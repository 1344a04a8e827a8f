package schema

import (
	"carrierdesk/internal/date"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect"
)

// Calendar days (the Date scalar, YYYY-MM-DD) are declared as
//
//	field.Time(name).GoType(calendarDay).SchemaType(dateColumn).Annotations(dateScalar, ...)
//
// and stored as PostgreSQL's date and as SQLite's YYYY-MM-DD text, which
// sorts in calendar order; never as an instant, so a day means the same day
// whatever zone the server or the client is in. Instants (something happened
// at a moment) stay plain field.Time.
var (
	calendarDay = date.Date("")
	dateColumn  = map[string]string{dialect.Postgres: "date", dialect.SQLite: "date"}
	dateScalar  = entgql.Type("Date")
)
