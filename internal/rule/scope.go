// Package rule holds carrierdesk's authorization: which rows each viewer may
// read (scopes) and the ent privacy rules built from them. The scopes are the
// single source of truth: privacy filters use them for every query and update,
// and the GraphQL layer uses them to keep relation filters from looking past
// what the viewer may read.
package rule

import (
	"slices"
	"strings"

	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/ent/predicate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/viewer"

	"entgo.io/ent/dialect/sql"
)

// Each scope returns the predicates that restrict an entity to what v may
// read: none for viewers who read everything, a false predicate for viewers
// who read none of it.

func nothing(s *sql.Selector) { s.Where(sql.False()) }

// unrestricted reports a viewer whose reads are not narrowed.
func unrestricted(v *viewer.Viewer) bool { return v.SeesEverything() }

// AccountScope: carriers read their own accounts; reps the accounts they or
// (for a manager) their team currently hold; managers also the unassigned
// accounts, which they hand out.
func AccountScope(v *viewer.Viewer) []predicate.Account {
	switch {
	case v == nil:
		return []predicate.Account{nothing}
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.Account{account.CarrierID(v.CarrierID)}
	case v.Is(enum.RoleManager):
		return []predicate.Account{account.Or(
			heldBy(v.Reps),
			account.Not(account.HasAssignmentsWith(accountassignment.EndedAtIsNil())),
		)}
	default:
		return []predicate.Account{heldBy(v.Reps)}
	}
}

func heldBy(reps []string) predicate.Account {
	return account.HasAssignmentsWith(accountassignment.RepIDIn(reps...), accountassignment.EndedAtIsNil())
}

func visibleAccount(v *viewer.Viewer) predicate.Account { return account.And(AccountScope(v)...) }

// CarrierScope: a carrier reads itself; reps the carriers of their accounts.
func CarrierScope(v *viewer.Viewer) []predicate.Carrier {
	switch {
	case v == nil:
		return []predicate.Carrier{nothing}
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.Carrier{carrier.ID(v.CarrierID)}
	default:
		return []predicate.Carrier{carrier.HasAccountsWith(visibleAccount(v))}
	}
}

// ContactScope: the contacts of the carriers the viewer reads.
func ContactScope(v *viewer.Viewer) []predicate.Contact {
	switch {
	case v == nil:
		return []predicate.Contact{nothing}
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.Contact{contact.CarrierID(v.CarrierID)}
	default:
		return []predicate.Contact{contact.HasCarrierWith(CarrierScope(v)...)}
	}
}

// RepScope: staff read the whole internal directory; carriers none of it.
func RepScope(v *viewer.Viewer) []predicate.Rep {
	if v.Internal() {
		return nil
	}
	return []predicate.Rep{nothing}
}

// TeamScope: as reps.
func TeamScope(v *viewer.Viewer) []predicate.Team {
	if v.Internal() {
		return nil
	}
	return []predicate.Team{nothing}
}

// AccountAssignmentScope: internal only; who works an account is not the carrier's business.
func AccountAssignmentScope(v *viewer.Viewer) []predicate.AccountAssignment {
	switch {
	case !v.Internal():
		return []predicate.AccountAssignment{nothing}
	case unrestricted(v):
		return nil
	default:
		return []predicate.AccountAssignment{accountassignment.HasAccountWith(visibleAccount(v))}
	}
}

// QuoteScope: quotes of visible accounts; a carrier only once sent to them, never drafts.
func QuoteScope(v *viewer.Viewer) []predicate.Quote {
	switch {
	case v == nil:
		return []predicate.Quote{nothing}
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.Quote{quote.HasAccountWith(visibleAccount(v)), quote.SentAtNotNil()}
	default:
		return []predicate.Quote{quote.HasAccountWith(visibleAccount(v))}
	}
}

// QuoteLineItemScope: the lines of visible quotes.
func QuoteLineItemScope(v *viewer.Viewer) []predicate.QuoteLineItem {
	if unrestricted(v) {
		return nil
	}
	return []predicate.QuoteLineItem{quotelineitem.HasQuoteWith(QuoteScope(v)...)}
}

// SpecialPricingRequestScope: internal only, under visible accounts.
func SpecialPricingRequestScope(v *viewer.Viewer) []predicate.SpecialPricingRequest {
	switch {
	case !v.Internal():
		return []predicate.SpecialPricingRequest{nothing}
	case unrestricted(v):
		return nil
	default:
		return []predicate.SpecialPricingRequest{specialpricingrequest.HasQuoteWith(quote.HasAccountWith(visibleAccount(v)))}
	}
}

// ContractScope: contracts of visible accounts.
func ContractScope(v *viewer.Viewer) []predicate.Contract {
	if unrestricted(v) {
		return nil
	}
	return []predicate.Contract{contract.HasAccountWith(visibleAccount(v))}
}

// RFPScope: RFPs of visible accounts.
func RFPScope(v *viewer.Viewer) []predicate.RFP {
	if unrestricted(v) {
		return nil
	}
	return []predicate.RFP{rfp.HasAccountWith(visibleAccount(v))}
}

// OrderScope: orders of visible accounts; a carrier's by its own key.
func OrderScope(v *viewer.Viewer) []predicate.Order {
	switch {
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.Order{order.CarrierID(v.CarrierID)}
	default:
		return []predicate.Order{order.HasAccountWith(visibleAccount(v))}
	}
}

// BusinessReviewScope: reviews of visible accounts.
func BusinessReviewScope(v *viewer.Viewer) []predicate.BusinessReview {
	if unrestricted(v) {
		return nil
	}
	return []predicate.BusinessReview{businessreview.HasAccountWith(visibleAccount(v))}
}

// ActivityScope: internal only, under visible accounts.
func ActivityScope(v *viewer.Viewer) []predicate.Activity {
	switch {
	case !v.Internal():
		return []predicate.Activity{nothing}
	case unrestricted(v):
		return nil
	default:
		return []predicate.Activity{activity.HasAccountWith(visibleAccount(v))}
	}
}

// EscalationScope: escalations of visible accounts.
func EscalationScope(v *viewer.Viewer) []predicate.Escalation {
	if unrestricted(v) {
		return nil
	}
	return []predicate.Escalation{escalation.HasAccountWith(visibleAccount(v))}
}

// EscalationEventScope: the timeline of visible escalations; a carrier never sees internal events.
func EscalationEventScope(v *viewer.Viewer) []predicate.EscalationEvent {
	switch {
	case unrestricted(v):
		return nil
	case v.Is(enum.RoleCarrier):
		return []predicate.EscalationEvent{escalationevent.HasEscalationWith(EscalationScope(v)...), escalationevent.Internal(false)}
	default:
		return []predicate.EscalationEvent{escalationevent.HasEscalationWith(EscalationScope(v)...)}
	}
}

// EscalationEventScopeKey names what EscalationEventScope lets v read, from
// exactly the viewer facts that scope reads: viewers with one key read the
// same events, so a live stream may read once for all of them. "" for no
// viewer (nothing to share).
func EscalationEventScopeKey(v *viewer.Viewer) string {
	switch {
	case v == nil || v.Role == "":
		return ""
	case unrestricted(v):
		return "all"
	case v.Is(enum.RoleCarrier):
		return "carrier:" + v.CarrierID
	case v.Is(enum.RoleManager):
		return "manager:" + strings.Join(sortedCopy(v.Reps), ",")
	default:
		return "reps:" + strings.Join(sortedCopy(v.Reps), ",")
	}
}

func sortedCopy(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// AuditEntryScope: the audit trail is for admins and managers.
func AuditEntryScope(v *viewer.Viewer) []predicate.AuditEntry {
	if v.Is(enum.RoleAdmin, enum.RoleManager) {
		return nil
	}
	return []predicate.AuditEntry{nothing}
}

// AuditChangeScope: as the entries.
func AuditChangeScope(v *viewer.Viewer) []predicate.AuditChange {
	if v.Is(enum.RoleAdmin, enum.RoleManager) {
		return nil
	}
	return []predicate.AuditChange{nothing}
}
