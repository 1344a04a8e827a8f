// Package workflow holds the support team's workflows: which action moves a
// quote, a special pricing request, a contract, an RFP, an order or an
// escalation from which state to which, who may take it, and what else the
// action writes (timestamps, timeline events, derived records). The machines
// are data, so the README's state tables are generated from them and an ent
// hook can refuse any status change they do not allow, whoever writes it.
package workflow

import (
	"fmt"
	"slices"
	"strings"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"
)

// Machine is one workflow: the transitions between the states of an entity's status.
type Machine struct {
	Entity      string // the entity, as in the API: "Quote"
	Initial     string // the state a new record starts in
	Transitions []Transition
}

// Transition is an action that moves a record from one of From to To.
type Transition struct {
	Action string      // as in the API's mutation names: "approve" is approveQuote
	From   []string    // states the action may be taken in
	To     string      // the state it leads to; "" keeps the state (comments, reassignment)
	Roles  []enum.Role // who may take it; ADMIN always may
	System bool        // taken by the program itself (expiry, SLA sweeps) as well
	When   string      // what takes a System transition, when not the sweep
}

// Internal are the roles of staff who work accounts.
var Internal = []enum.Role{enum.RoleManager, enum.RoleAccountExecutive, enum.RoleSupport, enum.RoleStrategic}

// Step checks that v may take action on a record in state from, and returns the next state.
func (m *Machine) Step(v *viewer.Viewer, action, from string) (string, error) {
	t := m.transition(action)
	if t == nil {
		return "", fmt.Errorf("workflow: %s has no action %q", m.Entity, action)
	}
	if !slices.Contains(t.From, from) {
		return "", &fault.Error{
			Kind: fault.InvalidTransition,
			Op:   strings.ToLower(m.Entity) + "." + action,
			Msg:  fmt.Sprintf("cannot %s a %s that is %s", action, strings.ToLower(m.Entity), from),
		}
	}
	system := v == nil && t.System
	if !system && (v == nil || (!v.Is(enum.RoleAdmin) && !v.Is(t.Roles...))) {
		return "", &fault.Error{
			Kind: fault.Forbidden,
			Op:   strings.ToLower(m.Entity) + "." + action,
			Msg:  fmt.Sprintf("your role may not %s a %s", action, strings.ToLower(m.Entity)),
		}
	}
	if t.To == "" {
		return from, nil
	}
	return t.To, nil
}

// Permits reports whether some action moves a record from one state to another.
func (m *Machine) Permits(from, to string) bool {
	if from == to {
		return true
	}
	for _, t := range m.Transitions {
		if t.To == to && slices.Contains(t.From, from) {
			return true
		}
	}
	return false
}

func (m *Machine) transition(action string) *Transition {
	for i := range m.Transitions {
		if m.Transitions[i].Action == action {
			return &m.Transitions[i]
		}
	}
	return nil
}

// roles builds a role list.
func roles(r ...enum.Role) []enum.Role { return r }

var (
	manager   = roles(enum.RoleManager)
	staffOrCo = append(slices.Clone(Internal), enum.RoleCarrier)
)

// Quote: draft, approval by a manager, sent to the carrier, answered by the carrier.
var Quote = &Machine{Entity: "Quote", Initial: "DRAFT", Transitions: []Transition{
	{Action: "submit", From: []string{"DRAFT"}, To: "PENDING_APPROVAL", Roles: Internal},
	{Action: "approve", From: []string{"PENDING_APPROVAL"}, To: "APPROVED", Roles: manager},
	{Action: "reject", From: []string{"PENDING_APPROVAL"}, To: "DRAFT", Roles: manager},
	{Action: "revise", From: []string{"PENDING_APPROVAL", "APPROVED", "SENT"}, To: "DRAFT", Roles: Internal},
	{Action: "send", From: []string{"APPROVED"}, To: "SENT", Roles: Internal},
	{Action: "accept", From: []string{"SENT"}, To: "ACCEPTED", Roles: staffOrCo},
	{Action: "decline", From: []string{"SENT"}, To: "DECLINED", Roles: staffOrCo},
	{Action: "expire", From: []string{"APPROVED", "SENT"}, To: "EXPIRED", System: true},
}}

// SpecialPricingRequest: a rep asks, a manager decides.
var SpecialPricingRequest = &Machine{Entity: "SpecialPricingRequest", Initial: "DRAFT", Transitions: []Transition{
	{Action: "submit", From: []string{"DRAFT"}, To: "SUBMITTED", Roles: Internal},
	{Action: "review", From: []string{"SUBMITTED"}, To: "IN_REVIEW", Roles: manager},
	{Action: "approve", From: []string{"SUBMITTED", "IN_REVIEW"}, To: "APPROVED", Roles: manager},
	{Action: "reject", From: []string{"SUBMITTED", "IN_REVIEW"}, To: "REJECTED", Roles: manager},
	{Action: "withdraw", From: []string{"DRAFT", "SUBMITTED", "IN_REVIEW"}, To: "WITHDRAWN", Roles: Internal},
}}

// Contract: signature, service, and renewal, termination or expiry. Renewing
// drafts a successor and keeps the contract's state; the successor's
// activation supersedes it (RENEWED) in the same transaction.
var Contract = &Machine{Entity: "Contract", Initial: "DRAFT", Transitions: []Transition{
	{Action: "sendForSignature", From: []string{"DRAFT"}, To: "PENDING_SIGNATURE", Roles: Internal},
	{Action: "activate", From: []string{"PENDING_SIGNATURE"}, To: "ACTIVE", Roles: Internal},
	{Action: "renew", From: []string{"ACTIVE", "EXPIRED"}, Roles: Internal},
	{Action: "supersede", From: []string{"ACTIVE", "EXPIRED"}, To: "RENEWED", System: true, When: "its renewal's `activateContract`, in the same transaction"},
	{Action: "terminate", From: []string{"ACTIVE"}, To: "TERMINATED", Roles: manager},
	{Action: "expire", From: []string{"ACTIVE"}, To: "EXPIRED", System: true},
}}

// RFP: from receipt to a decision.
var RFP = &Machine{Entity: "RFP", Initial: "RECEIVED", Transitions: []Transition{
	{Action: "qualify", From: []string{"RECEIVED"}, To: "QUALIFYING", Roles: Internal},
	{Action: "start", From: []string{"QUALIFYING"}, To: "IN_PROGRESS", Roles: Internal},
	{Action: "submit", From: []string{"IN_PROGRESS"}, To: "SUBMITTED", Roles: Internal},
	{Action: "win", From: []string{"SUBMITTED"}, To: "WON", Roles: Internal},
	{Action: "lose", From: []string{"SUBMITTED"}, To: "LOST", Roles: Internal},
	{Action: "noBid", From: []string{"RECEIVED", "QUALIFYING", "IN_PROGRESS"}, To: "NO_BID", Roles: Internal},
}}

// Order: an ASR or LSR from submission to completion.
var Order = &Machine{Entity: "Order", Initial: "DRAFT", Transitions: []Transition{
	{Action: "submit", From: []string{"DRAFT", "CLARIFICATION"}, To: "SUBMITTED", Roles: Internal},
	{Action: "clarify", From: []string{"SUBMITTED"}, To: "CLARIFICATION", Roles: Internal},
	{Action: "confirm", From: []string{"SUBMITTED"}, To: "CONFIRMED", Roles: Internal},
	{Action: "complete", From: []string{"CONFIRMED"}, To: "COMPLETED", Roles: Internal},
	{Action: "cancel", From: []string{"DRAFT", "SUBMITTED", "CLARIFICATION", "CONFIRMED"}, To: "CANCELLED", Roles: Internal},
	{Action: "reject", From: []string{"SUBMITTED", "CLARIFICATION"}, To: "REJECTED", Roles: Internal},
}}

// Escalation: worked under SLA clocks; pending the client pauses resolution.
var Escalation = &Machine{Entity: "Escalation", Initial: "OPEN", Transitions: []Transition{
	{Action: "acknowledge", From: []string{"OPEN"}, To: "ACKNOWLEDGED", Roles: Internal},
	{Action: "start", From: []string{"OPEN", "ACKNOWLEDGED"}, To: "IN_PROGRESS", Roles: Internal},
	{Action: "awaitClient", From: []string{"ACKNOWLEDGED", "IN_PROGRESS"}, To: "PENDING_CLIENT", Roles: Internal},
	{Action: "resume", From: []string{"PENDING_CLIENT"}, To: "IN_PROGRESS", Roles: staffOrCo},
	{Action: "resolve", From: []string{"ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT"}, To: "RESOLVED", Roles: Internal},
	{Action: "close", From: []string{"RESOLVED"}, To: "CLOSED", Roles: staffOrCo},
	{Action: "reopen", From: []string{"RESOLVED"}, To: "IN_PROGRESS", Roles: staffOrCo},
	{Action: "reassign", From: open, Roles: Internal},
	{Action: "raiseLevel", From: open, Roles: staffOrCo},
	{Action: "comment", From: append(slices.Clone(open), "RESOLVED", "CLOSED"), Roles: staffOrCo},
}}

// open are the states of an escalation that is still being worked.
var open = []string{"OPEN", "ACKNOWLEDGED", "IN_PROGRESS", "PENDING_CLIENT"}

// Machines lists every workflow, for the README and the status hook.
var Machines = []*Machine{Quote, SpecialPricingRequest, Contract, RFP, Order, Escalation}

// For returns the machine of an entity type, or nil.
func For(entity string) *Machine {
	for _, m := range Machines {
		if m.Entity == entity {
			return m
		}
	}
	return nil
}
