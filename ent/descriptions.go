//go:build ignore

package main

// What the generated schema's types and enum values mean in the business.
// describeGenerated reads these tables; a name missing here is caught by
// server's TestSchemaIsDescribed, which refuses placeholder descriptions.

// typeDescriptions describe each entity and generated enum type.
var typeDescriptions = map[string]string{
	"Query":                       "Every read. Each viewer sees only what their role allows: a carrier contact, its own carrier's records without internal fields; a rep, the accounts they are assigned.",
	"Account":                     "A billing and service relationship of a carrier (a carrier has many): its number, BAN, market, status and monthly recurring revenue, with the quotes, contracts, RFPs, orders, escalations and reps that belong to it.",
	"AccountAssignment":           "Which rep works an account, in which capacity, from when until when; an assignment without endedAt is current.",
	"Activity":                    "Something a rep did on an account (a meeting, call, e-mail, site visit or note): when, where and a summary. Feeds the weekly team view of activity levels.",
	"AuditChange":                 "One field of an audited write: its old and new value.",
	"AuditEntry":                  "One audited write: who changed which record, when, and the fields it changed.",
	"BusinessReview":              "A quarterly business review (QBR) with a carrier: the quarter, the date, who attends, the agenda and the outcomes.",
	"Carrier":                     "A wholesale client: another telecom carrier that buys Internet access, Ethernet, wavelength, dark fiber, voice and video. Identified by its OCN and CCNA.",
	"Contact":                     "A person at a carrier: a name, e-mail and phone. A contact with a sign-in sees its own carrier's records only.",
	"Contract":                    "A master agreement or a service order on an account: dates, term, monthly charge, total contract value and renewal terms. Price, term and dates are frozen once signed.",
	"Escalation":                  "A problem raised by a carrier or an internal team, with a severity, an owner, a level and response and resolution targets, and a timeline of events. Watch it live with the escalationEvents subscription.",
	"EscalationEvent":             "One entry in an escalation's timeline: a comment, a status change, a reassignment, a level change or an SLA breach.",
	"Holiday":                     "A day without business hours in a region: business-time SLA targets (SEV3, SEV4) skip it.",
	"Order":                       "An ASR (circuits) or LSR (number porting) placed for a carrier, keyed by the carrier's PON, with its desired due date, firm order confirmation and completion.",
	"Quote":                       "A priced offer on an account: line items, term, validity and follow-up dates, and the deal's financial model. Priced content is frozen from submission; reviseQuote returns it to draft.",
	"QuoteLineItem":               "One priced product on a quote: product, bandwidth, A and Z locations, monthly and one-time charges and quantity.",
	"RFP":                         "A carrier's request for proposal: received and due dates, estimated value, owner and outcome.",
	"Rep":                         "An internal person: a manager, an account executive, a support or strategic manager, an analyst or an admin, with a region and a team.",
	"SpecialPricingRequest":       "A special pricing request (SPARC): a request to price a quote below its standard price, with a justification, decided by a manager other than the requester, against a response-time target.",
	"Team":                        "A group of reps with a manager.",
	"AccountAssignmentCapacity":   "The capacity in which a rep works an account.",
	"AccountStatus":               "Where an account stands in its life.",
	"ActivityKind":                "What kind of thing a rep did.",
	"AuditEntryOperation":         "What an audited write did to its record.",
	"BusinessReviewStatus":        "Where a business review stands.",
	"CarrierStatus":               "Whether the carrier is a current client.",
	"CarrierTier":                 "How large and strategic a carrier is for the business, tier 1 the largest.",
	"ContractKind":                "Whether a contract is the master agreement or a service order under one.",
	"ContractStatus":              "Where a contract stands; see the README's state table for the moves.",
	"EscalationCategory":          "What an escalation is about.",
	"EscalationEventKind":         "What an escalation event records.",
	"EscalationLevel":             "Who in the organisation currently owns the escalation's outcome.",
	"EscalationSeverity":          "How badly the carrier is affected; it sets the response and restore targets.",
	"EscalationStatus":            "Where an escalation stands; see the README's state table for the moves.",
	"OrderKind":                   "Which industry form an order uses.",
	"OrderStatus":                 "Where an order stands; see the README's state table for the moves.",
	"QuoteLineItemProduct":        "The wholesale product a line item prices.",
	"QuoteStatus":                 "Where a quote stands; see the README's state table for the moves.",
	"RFPStatus":                   "Where an RFP stands; see the README's state table for the moves.",
	"Region":                      "A sales and support region of the United States; business calendars and holidays are per region.",
	"Role":                        "What an internal user does, and so what the API lets them see and do.",
	"SpecialPricingRequestStatus": "Where a special pricing request stands; see the README's state table for the moves.",
}

// enumValueDescriptions describe each value of the generated enums, by "Type.VALUE".
var enumValueDescriptions = map[string]string{
	"AccountAssignmentCapacity.ACCOUNT_EXECUTIVE": "Owns the sales relationship.",
	"AccountAssignmentCapacity.STRATEGIC":         "Pre-sale: quotes, upsell, RFPs, special pricing, deal models.",
	"AccountAssignmentCapacity.SUPPORT":           "Post-sale: billing, service assurance, contracts, orders, QBRs, porting.",

	"AccountStatus.ONBOARDING": "Newly signed; services are being set up.",
	"AccountStatus.ACTIVE":     "In service and billing.",
	"AccountStatus.AT_RISK":    "In service, but the carrier may leave or shrink: watch closely.",
	"AccountStatus.CHURNED":    "The carrier has left; kept for history.",

	"ActivityKind.MEETING":    "A face-to-face meeting.",
	"ActivityKind.CALL":       "A telephone or video call.",
	"ActivityKind.EMAIL":      "An e-mail exchange.",
	"ActivityKind.SITE_VISIT": "A visit to the carrier's or a customer's site.",
	"ActivityKind.NOTE":       "A note for the file, with no contact.",

	"AuditEntryOperation.CREATE": "The record was created.",
	"AuditEntryOperation.UPDATE": "Fields of the record changed.",
	"AuditEntryOperation.DELETE": "The record was deleted.",

	"BusinessReviewStatus.SCHEDULED": "Planned for its scheduled date.",
	"BusinessReviewStatus.HELD":      "Took place; outcomes are recorded.",
	"BusinessReviewStatus.CANCELLED": "Will not take place.",

	"CarrierStatus.ACTIVE":   "A current client.",
	"CarrierStatus.INACTIVE": "No longer a client, or not yet one; kept for history.",

	"CarrierTier.TIER_1": "A national or international carrier: the largest accounts.",
	"CarrierTier.TIER_2": "A regional carrier.",
	"CarrierTier.TIER_3": "A local or niche carrier.",

	"ContractKind.MASTER_AGREEMENT": "The master agreement: the legal terms every service order under it follows.",
	"ContractKind.SERVICE_ORDER":    "Services bought under a master agreement; it may co-term, ending with its master.",

	"ContractStatus.DRAFT":             "Being written; nothing is committed.",
	"ContractStatus.PENDING_SIGNATURE": "Sent for signature.",
	"ContractStatus.ACTIVE":            "Signed and in force: price, term and dates are frozen; its MRC counts in the account's MRR.",
	"ContractStatus.EXPIRED":           "Ended at its end date without renewal.",
	"ContractStatus.TERMINATED":        "Ended early.",
	"ContractStatus.RENEWED":           "Replaced by its renewal.",

	"EscalationCategory.BILLING":           "An invoice, a charge or a billing dispute.",
	"EscalationCategory.SERVICE_ASSURANCE": "A fault or impairment of a service in operation.",
	"EscalationCategory.ORDER":             "An order that is late, stuck or wrong.",
	"EscalationCategory.PORTABILITY":       "Moving telephone numbers between carriers (LNP).",
	"EscalationCategory.CONTRACT":          "The terms of a contract.",
	"EscalationCategory.OTHER":             "Anything else.",

	"EscalationEventKind.CREATED":       "The escalation was raised.",
	"EscalationEventKind.COMMENT":       "Someone wrote a comment; internal comments are never shown to carriers.",
	"EscalationEventKind.STATUS_CHANGE": "The status moved.",
	"EscalationEventKind.REASSIGNMENT":  "The owner changed.",
	"EscalationEventKind.LEVEL_CHANGE":  "The escalation moved up or down the organisation.",
	"EscalationEventKind.SLA_BREACH":    "A response or resolution target passed with the escalation still open; recorded once per target.",

	"EscalationLevel.REP":      "Handled by the owning rep.",
	"EscalationLevel.MANAGER":  "Raised to the rep's manager.",
	"EscalationLevel.DIRECTOR": "Raised to a director.",

	"EscalationSeverity.SEV1": "Total outage, or throughput under 10%, latency over 100 ms or loss over 5% for 5 minutes or more; restore within 2 hours, around the clock.",
	"EscalationSeverity.SEV2": "Severe intermittent impairment; restore within 4 hours, around the clock.",
	"EscalationSeverity.SEV3": "Degradation, or a billing error with money at stake; resolve within 1 business day.",
	"EscalationSeverity.SEV4": "A question or a request for information; resolve within 3 business days.",

	"EscalationStatus.OPEN":           "Raised; nobody has responded yet (the response target runs).",
	"EscalationStatus.ACKNOWLEDGED":   "The owner has responded.",
	"EscalationStatus.IN_PROGRESS":    "Being worked.",
	"EscalationStatus.PENDING_CLIENT": "Waiting for the carrier; the resolution clock is paused.",
	"EscalationStatus.RESOLVED":       "Fixed; the carrier may still reopen it.",
	"EscalationStatus.CLOSED":         "Done; nothing more will happen.",

	"OrderKind.ASR": "Access Service Request: the industry form for ordering circuits.",
	"OrderKind.LSR": "Local Service Request: the industry form for porting telephone numbers.",

	"OrderStatus.DRAFT":         "Being prepared; not yet sent.",
	"OrderStatus.SUBMITTED":     "Sent; waiting for a firm order confirmation.",
	"OrderStatus.CLARIFICATION": "Returned with a question that must be answered before it can proceed.",
	"OrderStatus.CONFIRMED":     "Firm order confirmation (FOC) received, with a confirmed due date.",
	"OrderStatus.COMPLETED":     "Delivered; frozen from now on.",
	"OrderStatus.CANCELLED":     "Withdrawn before completion.",
	"OrderStatus.REJECTED":      "Refused by the provider.",

	"QuoteLineItemProduct.INTERNET_ACCESS": "Dedicated Internet access.",
	"QuoteLineItemProduct.ETHERNET":        "Carrier Ethernet (E-Line, E-Access).",
	"QuoteLineItemProduct.WAVELENGTH":      "A dedicated optical wavelength.",
	"QuoteLineItemProduct.DARK_FIBER":      "Unlit fiber the carrier lights itself.",
	"QuoteLineItemProduct.VOICE":           "Wholesale voice.",
	"QuoteLineItemProduct.VIDEO":           "Video transport.",

	"QuoteStatus.DRAFT":            "Being priced; the only state in which priced content may change.",
	"QuoteStatus.PENDING_APPROVAL": "Submitted for a manager's approval.",
	"QuoteStatus.APPROVED":         "Approved by someone other than its owner, creator and submitter; ready to send.",
	"QuoteStatus.SENT":             "Sent to the carrier, who can now see it.",
	"QuoteStatus.ACCEPTED":         "Accepted by the carrier; frozen entirely.",
	"QuoteStatus.DECLINED":         "Declined by the carrier.",
	"QuoteStatus.EXPIRED":          "Past its valid-until date without an answer.",

	"RFPStatus.RECEIVED":    "Received from the carrier.",
	"RFPStatus.QUALIFYING":  "Deciding whether to bid.",
	"RFPStatus.IN_PROGRESS": "The response is being written.",
	"RFPStatus.SUBMITTED":   "The response was sent.",
	"RFPStatus.WON":         "The carrier chose us.",
	"RFPStatus.LOST":        "The carrier chose another provider.",
	"RFPStatus.NO_BID":      "We decided not to respond.",

	"Region.NORTHEAST":     "New England, New York, New Jersey and Pennsylvania.",
	"Region.SOUTHEAST":     "The South Atlantic states and the Gulf coast east of Texas.",
	"Region.MIDWEST":       "The Great Lakes and the Plains.",
	"Region.SOUTH_CENTRAL": "Texas, Oklahoma, Arkansas and Louisiana.",
	"Region.WEST":          "The Mountain and Pacific states.",

	"Role.ADMIN":             "Operations staff: everything, including user and team setup.",
	"Role.MANAGER":           "Manager of Client Support: oversees teams, assigns accounts, approves quotes and special prices, is the escalation point.",
	"Role.ACCOUNT_EXECUTIVE": "Carrier account executive: owns the sales relationship of their accounts.",
	"Role.SUPPORT":           "Carrier account support manager: post-sale work on their accounts.",
	"Role.STRATEGIC":         "Strategic advancement manager: pre-sale work on their accounts.",
	"Role.ANALYST":           "Reporting and finance: reads everything, writes nothing.",

	"SpecialPricingRequestStatus.DRAFT":     "Being written by the requester.",
	"SpecialPricingRequestStatus.SUBMITTED": "Sent for a decision; the response-time target runs.",
	"SpecialPricingRequestStatus.IN_REVIEW": "A manager is reviewing it.",
	"SpecialPricingRequestStatus.APPROVED":  "Approved by a manager other than the requester; the quote takes the special price.",
	"SpecialPricingRequestStatus.REJECTED":  "Refused; the quote keeps its standard price.",
	"SpecialPricingRequestStatus.WITHDRAWN": "Withdrawn by the requester.",
}
