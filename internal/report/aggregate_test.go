package report_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/report"

	"entgo.io/ent/dialect/sql"
)

// Values for expected aggregate rows.
func amount(c int64) report.AggregateValue {
	a := money.Amount(c)
	return report.AggregateValue{Money: &a}
}

func whole(n int64) report.AggregateValue { return report.AggregateValue{Int: &n} }

func floating(f float64) report.AggregateValue { return report.AggregateValue{Float: &f} }

var none = report.AggregateValue{}

func row(keys []string, values ...report.AggregateValue) report.AggregateRow {
	r := report.AggregateRow{Keys: make([]*string, len(keys)), Values: values}
	for i := range keys {
		if keys[i] != "<nil>" {
			r.Keys[i] = &keys[i]
		}
	}
	return r
}

func keys(k ...string) []string { return k }

// format writes rows for comparison: money and whole numbers exactly, floats to six decimals.
func format(rows []report.AggregateRow) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString("[")
		for _, k := range r.Keys {
			if k == nil {
				b.WriteString("<nil> ")
			} else {
				b.WriteString(*k + " ")
			}
		}
		b.WriteString("|")
		for _, v := range r.Values {
			switch {
			case v.Money != nil:
				fmt.Fprintf(&b, " $%s", v.Money)
			case v.Int != nil:
				fmt.Fprintf(&b, " %d", *v.Int)
			case v.Float != nil:
				fmt.Fprintf(&b, " %.6f", math.Round(*v.Float*1e6)/1e6)
			default:
				b.WriteString(" null")
			}
		}
		b.WriteString("] ")
	}
	return b.String()
}

func TestAggregate(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		northeast := enum.RegionNortheast
		sent := quote.StatusSent
		cases := []struct {
			name      string
			ctx       context.Context
			spec      report.AggregateSpec
			want      []report.AggregateRow
			truncated bool
		}{
			{
				name: "accounts by status",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					GroupBy:  []string{"status"},
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "mrr"}, {Op: report.OpAvg, Field: "mrr"}},
				},
				want: []report.AggregateRow{
					// 17,500.00 / 3 = 5,833.333… rounds to 5,833.33.
					row(keys("ACTIVE"), whole(3), amount(1750000), amount(583333)),
					row(keys("AT_RISK"), whole(1), amount(250050), amount(250050)),
					row(keys("CHURNED"), whole(1), amount(100000), amount(100000)),
					row(keys("ONBOARDING"), whole(1), amount(30000), amount(30000)),
				},
			},
			{
				name: "sent quotes through the generated where input",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   "quotes",
					GroupBy:  []string{"STATUS"},
					Measures: []report.Measure{{Op: "avg", Field: "mrc"}, {Op: report.OpSum, Field: "tcv"}, {Op: report.OpMin, Field: "termMonths"}, {Op: report.OpAvg, Field: "term_months"}},
					Where:    &ent.QuoteWhereInput{Status: &sent},
				},
				want: []report.AggregateRow{
					// (3,000.00 + 800.01) / 2 = 1,900.005, rounded half away from zero.
					row(keys("SENT"), amount(190001), amount(3600000+980012), whole(12), floating(12)),
				},
			},
			{
				name: "time to resolve by severity",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:  report.AggregateEscalation,
					GroupBy: []string{"severity"},
					Measures: []report.Measure{
						{Op: report.OpCount},
						{Op: report.OpCount, Field: "resolvedAt"},
						{Op: report.OpAvg, Field: "hoursToResolve"},
						{Op: report.OpMax, Field: "hours_to_resolve"},
					},
				},
				want: []report.AggregateRow{
					row(keys("SEV1"), whole(2), whole(1), floating(1), floating(1)),
					row(keys("SEV2"), whole(2), whole(1), floating(75), floating(75)),
					row(keys("SEV3"), whole(1), whole(1), floating(30), floating(30)),
					row(keys("SEV4"), whole(1), whole(0), none, none),
				},
			},
			{
				name: "activities by ISO week",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateActivity,
					GroupBy:  []string{"occurredAt:week"},
					Measures: []report.Measure{{Op: report.OpCount}},
				},
				want: []report.AggregateRow{
					row(keys("2026-03-02"), whole(1)), // Sunday 8 March
					row(keys("2026-03-09"), whole(6)),
					row(keys("2026-03-16"), whole(1)), // Monday 16 March
				},
			},
			{
				name: "activities by day and kind",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateActivity,
					GroupBy:  []string{"occurred_at:day", "kind"},
					Measures: []report.Measure{{Op: report.OpCount}},
				},
				want: []report.AggregateRow{
					row(keys("2026-03-08", "EMAIL"), whole(1)),
					row(keys("2026-03-09", "CALL"), whole(1)),
					row(keys("2026-03-10", "CALL"), whole(2)),
					row(keys("2026-03-11", "MEETING"), whole(1)),
					row(keys("2026-03-12", "SITE_VISIT"), whole(1)),
					row(keys("2026-03-13", "EMAIL"), whole(1)),
					row(keys("2026-03-16", "NOTE"), whole(1)),
				},
			},
			{
				name: "activities by month and year",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateActivity,
					GroupBy:  []string{"occurredAt:month", "occurredAt:year"},
					Measures: []report.Measure{{Op: report.OpCount}},
				},
				want: []report.AggregateRow{row(keys("2026-03-01", "2026-01-01"), whole(8))},
			},
			{
				name: "contracts by auto-renewal",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateContract,
					GroupBy:  []string{"autoRenew"},
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "mrc"}},
				},
				want: []report.AggregateRow{
					row(keys("false"), whole(6), amount(1510000)),
					row(keys("true"), whole(1), amount(100000)),
				},
			},
			{
				name: "orders by quote, without a quote last",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateOrder,
					GroupBy:  []string{"quoteID"},
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "tnCount"}},
				},
				want: []report.AggregateRow{
					row(keys(w.q6), whole(1), whole(0)),
					row(keys("<nil>"), whole(2), whole(40)),
				},
			},
			{
				name: "accounts without grouping",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "mrr"}, {Op: report.OpMin, Field: "mrr"}, {Op: report.OpMax, Field: "mrr"}},
				},
				want: []report.AggregateRow{row(nil, whole(6), amount(2130050), amount(30000), amount(1000000))},
			},
			{
				name: "where input",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					Measures: []report.Measure{{Op: report.OpCount}},
					Where:    &ent.AccountWhereInput{Region: &northeast},
				},
				want: []report.AggregateRow{row(nil, whole(3))},
			},
			{
				name: "where predicate",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					Measures: []report.Measure{{Op: report.OpCount}},
					Where:    account.StatusEQ(account.StatusChurned),
				},
				want: []report.AggregateRow{row(nil, whole(1))},
			},
			{
				name: "where selector function",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					Measures: []report.Measure{{Op: report.OpCount}},
					Where:    func(s *sql.Selector) { s.Where(sql.GT(s.C(account.FieldMrr), 100000)) },
				},
				want: []report.AggregateRow{row(nil, whole(3))}, // a1, a2, a3
			},
			{
				name: "support rep sees their accounts only",
				ctx:  w.support1(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "mrr"}},
				},
				want: []report.AggregateRow{row(nil, whole(2), amount(1250050))},
			},
			{
				name: "carrier sees its own accounts only",
				ctx:  w.carrierB(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					GroupBy:  []string{"carrierID"},
					Measures: []report.Measure{{Op: report.OpCount}, {Op: report.OpSum, Field: "mrr"}},
				},
				want: []report.AggregateRow{row(keys(w.carB), whole(2), amount(800000))},
			},
			{
				name: "carrier sees no activities",
				ctx:  w.carrierB(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateActivity,
					Measures: []report.Measure{{Op: report.OpCount}},
				},
				want: []report.AggregateRow{row(nil, whole(0))},
			},
			{
				name: "limit",
				ctx:  w.admin(),
				spec: report.AggregateSpec{
					Entity:   report.AggregateAccount,
					GroupBy:  []string{"status"},
					Measures: []report.Measure{{Op: report.OpCount}},
					Limit:    2,
				},
				want:      []report.AggregateRow{row(keys("ACTIVE"), whole(3)), row(keys("AT_RISK"), whole(1))},
				truncated: true,
			},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				got, err := report.Aggregate(tc.ctx, c, tc.spec)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := format(got.Rows), format(tc.want); g != w {
					t.Errorf("rows:\n got %s\nwant %s", g, w)
				}
				equal(t, "truncated", got.Truncated, tc.truncated)
			})
		}
	})
}

func TestAggregateRefuses(t *testing.T) {
	backends(t, func(t *testing.T, c *ent.Client) {
		w := build(t, c)
		count := []report.Measure{{Op: report.OpCount}}
		cases := []struct {
			name  string
			ctx   context.Context
			spec  report.AggregateSpec
			field string
		}{
			{"unknown entity", w.admin(), report.AggregateSpec{Entity: "CARRIER", Measures: count}, "entity"},
			{"unknown group field", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"name"}, Measures: count}, "groupBy"},
			{"time without bucket", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"createdAt"}, Measures: count}, "groupBy"},
			{"unknown bucket", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"createdAt:hour"}, Measures: count}, "groupBy"},
			{"bucket on an enum", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"status:month"}, Measures: count}, "groupBy"},
			{"group by a measure", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"mrr"}, Measures: count}, "groupBy"},
			{"too many groups", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, GroupBy: []string{"status", "region", "market", "currency"}, Measures: count}, "groupBy"},
			{"no measures", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount}, "measures"},
			{"unknown op", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: []report.Measure{{Op: "MEDIAN", Field: "mrr"}}}, "measures"},
			{"sum of an enum", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: []report.Measure{{Op: report.OpSum, Field: "status"}}}, "measures"},
			{"sum without field", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: []report.Measure{{Op: report.OpSum}}}, "measures"},
			{"field of another entity", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: []report.Measure{{Op: report.OpSum, Field: "tcv"}}}, "measures"},
			{"where of another entity", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: count, Where: &ent.QuoteWhereInput{}}, "where"},
			{"limit too large", w.admin(), report.AggregateSpec{Entity: report.AggregateAccount, Measures: count, Limit: report.MaxAggregateLimit + 1}, "limit"},
			{"internal field for a carrier", w.carrierB(), report.AggregateSpec{Entity: report.AggregateEscalation, GroupBy: []string{"ownerID"}, Measures: count}, "groupBy"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := report.Aggregate(tc.ctx, c, tc.spec)
				e, ok := fault.As(err)
				if !ok || e.Kind != fault.Invalid || e.Field != tc.field {
					t.Fatalf("got %v, want an invalid %s", err, tc.field)
				}
			})
		}
	})
}
