package revision

import (
	"context"
	"errors"
	"testing"

	"carrierdesk/internal/fault"
)

// TestExpectationIsAboutOneRecord: the version a client expects binds to the
// record it names, so that what hooks write to other records is not checked
// against it.
func TestExpectationIsAboutOneRecord(t *testing.T) {
	v := 3
	ctx := Expect(context.Background(), "quo_1", &v)
	if err := Check(ctx, "quo_1", 3); err != nil {
		t.Errorf("the expected version is a conflict: %v", err)
	}
	if err := Check(ctx, "qli_1", 7); err != nil {
		t.Errorf("another record is checked against the expectation: %v", err)
	}
	err := Check(ctx, "quo_1", 4)
	e, ok := fault.As(err)
	if !ok || e.Kind != fault.Conflict || e.Field != "expectedVersion" || e.Details["currentVersion"] != 4 || e.Details["id"] != "quo_1" {
		t.Errorf("a stale version is %#v", err)
	}
	if _, ok := Expected(Expect(context.Background(), "quo_1", nil), "quo_1"); ok {
		t.Error("a nil version expects something")
	}
}

// TestUnitEndsOnce: a unit begun inside another is the same unit, and its
// end runs what was registered, in order, once.
func TestUnitEndsOnce(t *testing.T) {
	ctx, u, began := Begin(context.Background())
	if !began {
		t.Fatal("a first Begin began nothing")
	}
	if _, inner, began := Begin(ctx); began || inner != u {
		t.Fatal("a nested Begin began another unit")
	}
	u.Record("a").Versioned = true
	if !u.Record("a").Versioned || u.Record("b").Versioned {
		t.Error("records are not kept by ID")
	}
	var ran []int
	u.AtEnd(func(context.Context) error { ran = append(ran, 1); return nil })
	u.AtEnd(func(context.Context) error { ran = append(ran, 2); return errors.New("stop") })
	u.AtEnd(func(context.Context) error { ran = append(ran, 3); return nil })
	if err := u.End(ctx); err == nil || len(ran) != 2 {
		t.Errorf("End ran %v and returned %v; want [1 2] and the error", ran, err)
	}
	if err := u.End(ctx); err != nil || len(ran) != 2 {
		t.Errorf("a second End ran %v", ran)
	}
}
