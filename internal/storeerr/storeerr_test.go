package storeerr

import (
	"errors"
	"fmt"
	"testing"

	"carrierdesk/internal/fault"

	"github.com/lib/pq"
)

func TestTranslatePostgres(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   *pq.Error
		kind  fault.Kind
		field string
	}{
		{"unique, composite key", &pq.Error{Code: "23505", Detail: "Key (carrier_id, pon)=(car_1, PON1) already exists."}, fault.Conflict, "pon"},
		{"unique, no detail", &pq.Error{Code: "23505"}, fault.Conflict, ""},
		{"foreign key", &pq.Error{Code: "23503", Detail: "Key (account_id)=(acc_9) is not present in table \"accounts\"."}, fault.Conflict, "accountID"},
		{"check, named for its fields", &pq.Error{Code: "23514", Constraint: "contract_end_date_after_start_date"}, fault.Invalid, "endDate"},
		{"check, other", &pq.Error{Code: "23514", Constraint: "positive_mrc"}, fault.Invalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Translate(fmt.Errorf("ent: %w", tc.err))
			e, ok := fault.As(err)
			if !ok || e.Kind != tc.kind || e.Field != tc.field {
				t.Fatalf("got %#v, want kind %v field %q", err, tc.kind, tc.field)
			}
			if !errors.Is(err, tc.err) {
				t.Error("the driver's error is no longer the cause")
			}
		})
	}
	// Anything else passes through untouched: a serialization failure, a connection error.
	other := &pq.Error{Code: "40001"}
	if got := Translate(other); got != error(other) {
		t.Errorf("a serialization failure became %v", got)
	}
	if Translate(nil) != nil {
		t.Error("nil became an error")
	}
}
