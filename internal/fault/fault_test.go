package fault

import (
	"fmt"
	"testing"
)

func TestAPIName(t *testing.T) {
	for in, want := range map[string]string{
		"name": "name", "circuit_id": "circuitID", "account_number": "accountNumber",
		"id": "id", "sla_breached": "slaBreached", "response_due_at": "responseDueAt",
	} {
		if got := APIName(in); got != want {
			t.Errorf("APIName(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestKindOfWrapped(t *testing.T) {
	err := fmt.Errorf("saving: %w", InvalidField("pon", "is too long"))
	if KindOf(err) != Invalid {
		t.Fatalf("KindOf = %v", KindOf(err))
	}
	if KindOf(fmt.Errorf("plain")) != Internal {
		t.Fatal("plain error not Internal")
	}
	if Invalid.Code() != "BAD_USER_INPUT" || Kind(99).Code() != "INTERNAL" {
		t.Fatal("codes")
	}
}
