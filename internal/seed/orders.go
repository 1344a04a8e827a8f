package seed

import (
	"fmt"
	"time"

	"carrierdesk/ent/account"
	"carrierdesk/ent/order"
	"carrierdesk/ent/quote"
)

type orderPlan struct {
	kind                         order.Kind
	pon, circuitID               string
	status                       order.Status
	created, desiredDue          time.Time
	foc, confirmedDue, completed *time.Time
	tnCount                      int
	quote                        int
}

func (s *seeder) planOrders(a *accountPlan) {
	var accepted []int
	for i, q := range a.quotes {
		if q.status == quote.StatusAccepted {
			accepted = append(accepted, i)
		}
	}
	n := choose(s.rng, []option[int]{{0, 15}, {1, 20}, {2, 25}, {3, 20}, {4, 12}, {6, 8}})
	for range n {
		o := orderPlan{
			kind:  choose(s.rng, []option[order.Kind]{{order.KindASR, 75}, {order.KindLSR, 25}}),
			quote: -1,
		}
		statuses := []option[order.Status]{
			{order.StatusDraft, 8}, {order.StatusSubmitted, 12}, {order.StatusClarification, 8}, {order.StatusConfirmed, 17},
			{order.StatusCompleted, 40}, {order.StatusCancelled, 8}, {order.StatusRejected, 7},
		}
		if a.status == account.StatusOnboarding {
			statuses = statuses[:4]
		}
		o.status = choose(s.rng, closedOnly(a, statuses, order.StatusCompleted, order.StatusCancelled, order.StatusRejected))
		switch o.status {
		case order.StatusDraft, order.StatusSubmitted:
			o.created = s.when(a, time.Hour, days(20))
		case order.StatusClarification:
			o.created = s.when(a, days(2), days(25))
		case order.StatusConfirmed:
			o.created = s.when(a, days(5), days(45))
		default:
			o.created = s.when(a, days(100), days(900))
		}
		lead := 20 + s.rng.IntN(41)
		if o.kind == order.KindLSR {
			lead = 7 + s.rng.IntN(15)
			o.tnCount = pick(s.rng, []int{1, 2, 5, 10, 25, 50, 100, 250, 1000})
		}
		o.desiredDue = o.created.Add(days(lead)).Truncate(24 * time.Hour)
		if o.status == order.StatusConfirmed || o.status == order.StatusCompleted {
			foc := between(s.rng, o.created.Add(days(1)), a.past(o.created.Add(days(10))))
			confirmed := o.desiredDue
			if chance(s.rng, 25) {
				confirmed = confirmed.Add(days(1 + s.rng.IntN(21)))
			}
			confirmed = latest(confirmed, foc.Truncate(24*time.Hour).Add(days(1)))
			o.foc, o.confirmedDue = &foc, &confirmed
			if o.kind == order.KindASR {
				o.circuitID = s.circuitID(a.carrier)
				if len(accepted) > 0 && chance(s.rng, 40) {
					o.quote = pick(s.rng, accepted)
				}
			}
		}
		if o.status == order.StatusCompleted {
			done := a.past(o.confirmedDue.Add(time.Duration(8+s.rng.IntN(10)) * time.Hour))
			o.completed = &done
		}
		kind := "A"
		if o.kind == order.KindLSR {
			kind = "L"
		}
		a.carrier.ponSeq += 1 + s.rng.IntN(9)
		o.pon = fmt.Sprintf("%s-%s%02d-%05d", a.carrier.ccna, kind, o.created.Year()%100, a.carrier.ponSeq)
		a.orders = append(a.orders, o)
	}
}

// circuitID is a circuit ID in one of the formats carriers use. They are kept
// verbatim, odd spacing included, because carriers search for them as written.
func (s *seeder) circuitID(c *carrierPlan) string {
	code := pick(s.rng, circuitServiceCodes)
	serial := 100_000 + s.rng.IntN(900_000)
	switch s.rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%02d.%s.%06d..%s", 10+s.rng.IntN(90), code, serial, pick(s.rng, []string{"SW", "LC", "LGT", c.ccna}))
	case 1:
		return fmt.Sprintf("%d /%s/ %06d /%s", 100+s.rng.IntN(900), code, serial, c.ccna)
	case 2:
		return fmt.Sprintf("%s/%s/%06d/%03d/%s", c.ccna, code, serial, s.rng.IntN(1000), "TWCC")
	default:
		return fmt.Sprintf("%02d.%s.%06d.%03d.%s", 10+s.rng.IntN(90), code, serial, s.rng.IntN(1000), c.ccna)
	}
}
