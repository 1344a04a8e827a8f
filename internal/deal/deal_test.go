package deal

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"testing"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
)

func amount(t testing.TB, s string) money.Amount {
	t.Helper()
	a, err := money.Parse(s)
	if err != nil {
		t.Fatalf("money.Parse(%q): %v", s, err)
	}
	return a
}

func rate(t testing.TB, s string) Rate {
	t.Helper()
	r, err := ParseRate(s)
	if err != nil {
		t.Fatalf("ParseRate(%q): %v", s, err)
	}
	return r
}

// annuityNPV is the closed form cf0 + a(1 - y^-n)/(y - 1), with y the 12th
// root of 1+d found by bisection: a different route from Evaluate's Newton
// steps and Horner sum. Rounding is big.Float's own exact decimal rounding,
// half to even.
func annuityNPV(t testing.TB, cf0, a money.Amount, n int, d Rate) money.Amount {
	t.Helper()
	const prec = 320
	f := func() *big.Float { return new(big.Float).SetPrec(prec) }
	target := f().Quo(f().SetInt64(int64(RateScale+d)), f().SetInt64(int64(RateScale)))
	lo, hi := f().SetInt64(1), f().SetInt64(2)
	for range prec {
		mid := f().Add(lo, hi)
		mid.Quo(mid, f().SetInt64(2))
		p := f().SetInt64(1)
		for range 12 {
			p.Mul(p, mid)
		}
		if p.Cmp(target) <= 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	pv := f().SetInt64(int64(a) * int64(n))
	if d != 0 {
		yn := f().SetInt64(1)
		for range n {
			yn.Mul(yn, lo)
		}
		factor := f().Sub(f().SetInt64(1), f().Quo(f().SetInt64(1), yn))
		factor.Quo(factor, f().Sub(lo, f().SetInt64(1)))
		pv.Mul(f().SetInt64(int64(a)), factor)
	}
	pv.Add(pv, f().SetInt64(int64(cf0)))
	cents, ok := new(big.Int).SetString(pv.Text('f', 0), 10)
	if !ok || !cents.IsInt64() {
		t.Fatalf("annuityNPV: %s", pv.Text('f', 0))
	}
	return money.Amount(cents.Int64())
}

// workedExample is the deal in DOMAIN.md.
func workedExample(t testing.TB) Input {
	return Input{
		TermMonths:  36,
		MRC:         amount(t, "6000"),
		NRC:         amount(t, "5000"),
		Capex:       amount(t, "120000"),
		MonthlyOpex: amount(t, "1500"),
	}
}

func TestWorkedExample(t *testing.T) {
	for _, d := range []string{"0", "0.1", "0.08", "9.999999"} {
		t.Run("discount "+d, func(t *testing.T) {
			in := workedExample(t)
			in.AnnualDiscountRate = rate(t, d)
			res, err := Evaluate(in)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.CashFlows) != 37 {
				t.Fatalf("%d cash flows; want 37", len(res.CashFlows))
			}
			if res.CashFlows[0] != amount(t, "-115000") {
				t.Errorf("month 0 = %s; want -115000.00", res.CashFlows[0])
			}
			for m, cf := range res.CashFlows[1:] {
				if cf != amount(t, "4500") {
					t.Errorf("month %d = %s; want 4500.00", m+1, cf)
				}
			}
			if res.PaybackMonth == nil || *res.PaybackMonth != 26 {
				t.Errorf("payback = %v; want month 26", res.PaybackMonth)
			}
			if res.IRR == nil || *res.IRR < rate(t, "0.264") || *res.IRR > rate(t, "0.266") {
				t.Fatalf("IRR = %v (%q); want about 0.265", res.IRR, res.IRRReason)
			}
			// 0.265817 is (1+r)^12-1 for the root r of the annuity, found
			// outside Go with 80-digit decimals.
			if *res.IRR != rate(t, "0.265817") || res.IRRReason != "" {
				t.Errorf("IRR = %s, %q; want 0.265817", res.IRR, res.IRRReason)
			}
			if want := annuityNPV(t, amount(t, "-115000"), amount(t, "4500"), 36, in.AnnualDiscountRate); res.NPV != want {
				t.Errorf("NPV = %s; want %s", res.NPV, want)
			}
			if res.TCV != amount(t, "221000") {
				t.Errorf("TCV = %s; want 221000.00", res.TCV)
			}
		})
	}
}

func TestNPVKnownValues(t *testing.T) {
	// Values found outside Go with 80-digit decimals.
	tests := []struct {
		name string
		in   Input
		want money.Amount // cents
	}{
		{"worked example at 10%", func() Input { in := workedExample(t); in.AnnualDiscountRate = rate(t, "0.1"); return in }(), 25339_06},
		{"worked example undiscounted", workedExample(t), 47000_00},
		{"largest amounts at 10%", largest(t, "0.1"), 76_056_168_755_600_36},
		{"largest amounts at 0.0001%", largest(t, "0.000001"), 118_999_395_002_326_36},
		{"largest amounts undiscounted", largest(t, "0"), 118_999_999_999_998_80},
		{"largest amounts at 999.9999%", largest(t, "9.999999"), 3_521_029_865_139_44},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.NPV != tt.want {
				t.Fatalf("NPV = %s; want %s", res.NPV, tt.want)
			}
		})
	}
}

// largest is a deal at the top of every range: money.Max a month for ten
// years, sums far beyond float64's 2^53 exact integers.
func largest(t testing.TB, discount string) Input {
	return Input{
		TermMonths:         MaxTermMonths,
		MRC:                money.Max,
		Capex:              money.Max,
		MonthlyOpex:        1,
		AnnualDiscountRate: rate(t, discount),
	}
}

func TestNoSignChange(t *testing.T) {
	tests := []struct {
		name    string
		in      Input
		payback *int
	}{
		{"no capex, positive margin", Input{TermMonths: 24, MRC: amount(t, "1000"), MonthlyOpex: amount(t, "200")}, ptr(0)},
		{"NRC covers capex", Input{TermMonths: 12, MRC: amount(t, "1000"), NRC: amount(t, "5000"), Capex: amount(t, "4000")}, ptr(0)},
		{"opex above MRC, no NRC", Input{TermMonths: 12, MRC: amount(t, "1000"), MonthlyOpex: amount(t, "1200")}, ptr(0)},
		{"capex, never any margin", Input{TermMonths: 12, MRC: amount(t, "1000"), Capex: amount(t, "10"), MonthlyOffNetCost: amount(t, "1000")}, nil},
		{"all zero", Input{TermMonths: 3}, ptr(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.IRR != nil || res.IRRReason != ReasonNoSignChange {
				t.Errorf("IRR = %v, %q; want none, %q", res.IRR, res.IRRReason, ReasonNoSignChange)
			}
			if (res.PaybackMonth == nil) != (tt.payback == nil) || (tt.payback != nil && *res.PaybackMonth != *tt.payback) {
				t.Errorf("payback = %v; want %v", res.PaybackMonth, tt.payback)
			}
		})
	}
}

func ptr(i int) *int { return &i }

func TestChurn(t *testing.T) {
	in := workedExample(t)
	in.MonthlyChurn = rate(t, "0.02")
	res, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	for m, want := range map[int]string{
		0:  "-115000",
		1:  "4500",    // no churn before the first month is billed
		2:  "4380",    // 6000 x 0.98 - 1500
		3:  "4262.40", // 6000 x 0.9604 - 1500
		4:  "4147.15", // 5647.152 rounds down
		36: "1458.45", // 6000 x 0.98^35 = 2958.4477...
	} {
		if got := res.CashFlows[m]; got != amount(t, want) {
			t.Errorf("month %d = %s; want %s", m, got, want)
		}
	}
	flat, err := Evaluate(workedExample(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.IRR == nil || *res.IRR >= *flat.IRR {
		t.Errorf("IRR with churn = %v; want below %s without", res.IRR, flat.IRR)
	}
	if res.PaybackMonth != nil && *res.PaybackMonth <= 26 {
		t.Errorf("payback with churn = %d; want later than 26", *res.PaybackMonth)
	}
}

func TestChurnRoundsHalfToEven(t *testing.T) {
	// 1.00 x 0.985 = 0.985 exactly: a tie, which goes to the even cent.
	// 1.00 x 0.985^2 = 0.970225 is no tie.
	res, err := Evaluate(Input{TermMonths: 3, MRC: amount(t, "1"), MonthlyChurn: rate(t, "0.015")})
	if err != nil {
		t.Fatal(err)
	}
	want := []money.Amount{0, 100, 98, 97}
	for m := range want {
		if res.CashFlows[m] != want[m] {
			t.Errorf("month %d = %s; want %s", m, res.CashFlows[m], want[m])
		}
	}
	// 1.03 x 0.985 = 1.01455, 1.03 x 0.985^2 = 0.99933175.
	res, err = Evaluate(Input{TermMonths: 3, MRC: amount(t, "1.03"), MonthlyChurn: rate(t, "0.015")})
	if err != nil {
		t.Fatal(err)
	}
	want = []money.Amount{0, 103, 101, 100}
	for m := range want {
		if res.CashFlows[m] != want[m] {
			t.Errorf("MRC 1.03: month %d = %s; want %s", m, res.CashFlows[m], want[m])
		}
	}
}

// TestSeveralSignChanges: flows that change sign more than once have no
// single IRR; the note says how often they change sign.
func TestSeveralSignChanges(t *testing.T) {
	tests := []struct {
		name    string
		in      Input
		changes int
		payback int
	}{
		// Heavy churn turns the margin negative by month 6: flows go -, +, -,
		// and NPV crosses zero at about 7.76% and 120% a month.
		{"heavy churn", Input{
			TermMonths:   24,
			MRC:          amount(t, "100000"),
			Capex:        amount(t, "50000"),
			MonthlyOpex:  amount(t, "20000"),
			MonthlyChurn: rate(t, "0.3"),
		}, 2, 1},
		// Issue 11: evaluateDeal(termMonths: 24, mrc: "5000", capex: "1000",
		// monthlyOpex: "4000", monthlyChurn: "0.05") once reported 2,461% a year.
		{"issue 11", Input{
			TermMonths:   24,
			MRC:          amount(t, "5000"),
			Capex:        amount(t, "1000"),
			MonthlyOpex:  amount(t, "4000"),
			MonthlyChurn: rate(t, "0.05"),
		}, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("cash flows change sign %d times: the IRR is not unique", tt.changes)
			if res.IRR != nil || res.IRRMonthly != nil || res.IRRReason != want {
				t.Fatalf("IRR = %v, monthly %v, %q; want none, %q", res.IRR, res.IRRMonthly, res.IRRReason, want)
			}
			if res.PaybackMonth == nil || *res.PaybackMonth != tt.payback {
				t.Errorf("payback = %v; want month %d", res.PaybackMonth, tt.payback)
			}
		})
	}
	res, err := Evaluate(tests[0].in)
	if err != nil {
		t.Fatal(err)
	}
	if res.CashFlows[5] != amount(t, "4010") || res.CashFlows[6] != amount(t, "-3193") {
		t.Fatalf("months 5, 6 = %s, %s; want 4010.00, -3193.00", res.CashFlows[5], res.CashFlows[6])
	}
}

// TestMonthlyIRR: the monthly rate has the digits to recompute the annual
// one, (1+r)^12 - 1, to 1e-9.
func TestMonthlyIRR(t *testing.T) {
	tests := []struct {
		name   string
		in     Input
		annual string // exact, or to 12 decimals, found outside Go
	}{
		// -1000 then +1100: exactly 10% a month.
		{"one month", Input{TermMonths: 1, MRC: amount(t, "1100"), Capex: amount(t, "1000")}, "2.138428376721"},
		{"worked example", workedExample(t), ""},
		{"ten years at 110% a month", Input{TermMonths: 120, MRC: amount(t, "1100"), Capex: amount(t, "1000")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if res.IRRMonthly == nil || res.IRR == nil {
				t.Fatalf("IRR = %v, monthly %v, %q", res.IRR, res.IRRMonthly, res.IRRReason)
			}
			m, err := res.IRRMonthly.Float()
			if err != nil {
				t.Fatalf("monthly %q: %v", *res.IRRMonthly, err)
			}
			y := newFloat().Add(m, newFloat().SetInt64(1))
			// NPV at the reported monthly rate vanishes against the flows' size.
			if !isRoot(res.CashFlows, y) {
				t.Errorf("monthly %s is not a root of the flows", *res.IRRMonthly)
			}
			a := newFloat().SetInt64(1)
			for range 12 {
				a.Mul(a, y)
			}
			a.Sub(a, newFloat().SetInt64(1))
			// The recomputed annual rate rounds to the reported one...
			six := newFloat().Mul(a, newFloat().SetInt64(int64(RateScale)))
			if got := Rate(roundHalfEven(six).Int64()); got != *res.IRR {
				t.Errorf("(1+%s)^12 - 1 = %s rounds to %s; want the reported %s", *res.IRRMonthly, a.Text('f', 15), got, res.IRR)
			}
			// ...and, where the exact figure is known, is within 1e-9 of it.
			if tt.annual != "" {
				want, _ := newFloat().SetString(tt.annual)
				diff := newFloat().Sub(a, want)
				if diff.Abs(diff).Cmp(newFloat().SetFloat64(1e-9)) > 0 {
					t.Errorf("(1+%s)^12 - 1 = %s; want %s to 1e-9", *res.IRRMonthly, a.Text('f', 15), tt.annual)
				}
			}
		})
	}
	if res, _ := Evaluate(Input{TermMonths: 1, MRC: amount(t, "1100"), Capex: amount(t, "1000")}); res.IRRMonthly == nil || *res.IRRMonthly != "0.1" {
		t.Errorf("monthly IRR of -1000, +1100 = %v; want 0.1", res.IRRMonthly)
	}
}

func TestTerms(t *testing.T) {
	tests := []struct {
		name    string
		term    int
		field   string
		irr     string
		npv     string
		payback int
	}{
		{name: "zero", term: 0, field: "termMonths"},
		{name: "negative", term: -1, field: "termMonths"},
		{name: "over ten years", term: 121, field: "termMonths"},
		// -1000 then +1100: 10% a month, 1.1^12 - 1 = 2.138428376721.
		{name: "one month", term: 1, irr: "2.138428", npv: "100", payback: 1},
		// -1000 then +1100 a month: 110% a month, found outside Go.
		{name: "ten years", term: 120, irr: "7354.827511", npv: "131000", payback: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Evaluate(Input{TermMonths: tt.term, MRC: amount(t, "1100"), Capex: amount(t, "1000")})
			if tt.field != "" {
				assertInvalid(t, err, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.CashFlows) != tt.term+1 || res.CashFlows[0] != amount(t, "-1000") || res.CashFlows[tt.term] != amount(t, "1100") {
				t.Errorf("cash flows = %v", res.CashFlows)
			}
			if res.IRR == nil || *res.IRR != rate(t, tt.irr) {
				t.Errorf("IRR = %v, %q; want %s", res.IRR, res.IRRReason, tt.irr)
			}
			if res.NPV != amount(t, tt.npv) {
				t.Errorf("NPV = %s; want %s", res.NPV, tt.npv)
			}
			if res.PaybackMonth == nil || *res.PaybackMonth != tt.payback {
				t.Errorf("payback = %v; want %d", res.PaybackMonth, tt.payback)
			}
			if res.TCV != amount(t, "1100")*money.Amount(tt.term) {
				t.Errorf("TCV = %s", res.TCV)
			}
		})
	}
}

func TestIRROutOfRange(t *testing.T) {
	// -0.01 then +10,000: a rate of a million percent a month is beyond the
	// search, and is reported as not found rather than clipped.
	res, err := Evaluate(Input{TermMonths: 1, MRC: amount(t, "10000"), Capex: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.IRR != nil || res.IRRReason != ReasonNoRateFound {
		t.Fatalf("IRR = %v, %q; want none, %q", res.IRR, res.IRRReason, ReasonNoRateFound)
	}
}

func TestNoPayback(t *testing.T) {
	in := workedExample(t)
	in.TermMonths = 25 // one month short
	res, err := Evaluate(in)
	if err != nil {
		t.Fatal(err)
	}
	if res.PaybackMonth != nil {
		t.Errorf("payback = %d; want none within 25 months", *res.PaybackMonth)
	}
	if res.IRR == nil || *res.IRR >= 0 {
		t.Errorf("IRR = %v; want a negative rate for a deal that never pays back", res.IRR)
	}
}

func TestHugeValues(t *testing.T) {
	t.Run("a billion a month for ten years", func(t *testing.T) {
		in := Input{
			TermMonths:         120,
			MRC:                amount(t, "1000000000"),
			NRC:                amount(t, "0.01"),
			Capex:              amount(t, "50000000000"),
			MonthlyOpex:        amount(t, "0.01"),
			AnnualDiscountRate: rate(t, "0.1"),
		}
		res, err := Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		if res.CashFlows[0] != amount(t, "-49999999999.99") || res.CashFlows[120] != amount(t, "999999999.99") {
			t.Errorf("months 0, 120 = %s, %s", res.CashFlows[0], res.CashFlows[120])
		}
		if res.TCV != amount(t, "120000000000.01") {
			t.Errorf("TCV = %s; want 120000000000.01", res.TCV)
		}
		if want := annuityNPV(t, res.CashFlows[0], res.CashFlows[1], 120, in.AnnualDiscountRate); res.NPV != want {
			t.Errorf("NPV = %s; want %s", res.NPV, want)
		}
		if res.PaybackMonth == nil || *res.PaybackMonth != 51 {
			t.Errorf("payback = %v; want 51", res.PaybackMonth)
		}
	})
	t.Run("money.Max everywhere", func(t *testing.T) {
		in := Input{
			TermMonths: 120, MRC: money.Max, NRC: money.Max, Capex: money.Max, OneTimeCost: money.Max,
			MonthlyOpex: money.Max / 4, MonthlyOffNetCost: money.Max / 4,
			MonthlyChurn: rate(t, "0.000001"), AnnualDiscountRate: rate(t, "0.000001"),
		}
		res, err := Evaluate(in)
		if err != nil {
			t.Fatal(err)
		}
		if res.TCV != money.Max*121 {
			t.Errorf("TCV = %s; want %s", res.TCV, money.Max*121)
		}
		var sum money.Amount
		for _, cf := range res.CashFlows {
			sum += cf
		}
		// At 0.0001% a year the discount on ~6e15 cents is a few hundred
		// thousand cents: NPV sits just below the plain sum.
		if res.NPV >= sum || sum-res.NPV > sum/100000 {
			t.Errorf("NPV = %s; want just below the sum %s", res.NPV, sum)
		}
	})
	t.Run("amounts that would overflow", func(t *testing.T) {
		for _, tt := range []struct {
			field string
			in    Input
		}{
			{"mrc", Input{TermMonths: 120, MRC: math.MaxInt64 / 100}},
			{"mrc", Input{TermMonths: 120, MRC: money.Max + 1}},
			{"capex", Input{TermMonths: 1, Capex: math.MaxInt64}},
			{"monthlyOffNetCost", Input{TermMonths: 1, MonthlyOffNetCost: money.Max * 1000}},
		} {
			res, err := Evaluate(tt.in)
			assertInvalid(t, err, tt.field)
			if res.CashFlows != nil || res.TCV != 0 {
				t.Errorf("%s: result %+v alongside an error", tt.field, res)
			}
		}
	})
}

func TestValidation(t *testing.T) {
	ok := workedExample(t)
	tests := []struct {
		field  string
		change func(*Input)
	}{
		{"termMonths", func(in *Input) { in.TermMonths = 0 }},
		{"mrc", func(in *Input) { in.MRC = -1 }},
		{"nrc", func(in *Input) { in.NRC = -1 }},
		{"capex", func(in *Input) { in.Capex = -1 }},
		{"oneTimeCost", func(in *Input) { in.OneTimeCost = -1 }},
		{"monthlyOpex", func(in *Input) { in.MonthlyOpex = -1 }},
		{"monthlyOffNetCost", func(in *Input) { in.MonthlyOffNetCost = -1 }},
		{"monthlyChurn", func(in *Input) { in.MonthlyChurn = -1 }},
		{"monthlyChurn", func(in *Input) { in.MonthlyChurn = RateScale }},
		{"annualDiscountRate", func(in *Input) { in.AnnualDiscountRate = -1 }},
		{"annualDiscountRate", func(in *Input) { in.AnnualDiscountRate = 10 * RateScale }},
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			in := ok
			tt.change(&in)
			_, err := Evaluate(in)
			assertInvalid(t, err, tt.field)
		})
	}
	t.Run("edges accepted", func(t *testing.T) {
		in := ok
		in.MonthlyChurn = RateScale - 1
		in.AnnualDiscountRate = 10*RateScale - 1
		if _, err := Evaluate(in); err != nil {
			t.Fatal(err)
		}
	})
}

func assertInvalid(t *testing.T, err error, field string) {
	t.Helper()
	f, ok := fault.As(err)
	if !ok || f.Kind != fault.Invalid || f.Field != field {
		t.Fatalf("error = %v; want fault.Invalid on %s", err, field)
	}
	if !errors.Is(err, f) || f.Msg == "" {
		t.Fatalf("error %v has no message", err)
	}
}

func FuzzEvaluate(f *testing.F) {
	f.Add(36, int64(600000), int64(500000), int64(12000000), int64(0), int64(150000), int64(0), int64(0), int64(100000))
	f.Add(24, int64(10000000), int64(0), int64(5000000), int64(0), int64(2000000), int64(0), int64(300000), int64(0))
	f.Add(1, int64(110000), int64(0), int64(100000), int64(0), int64(0), int64(0), int64(0), int64(0))
	f.Add(120, int64(money.Max), int64(money.Max), int64(money.Max), int64(money.Max), int64(money.Max), int64(money.Max), int64(999999), int64(9999999))
	f.Add(0, int64(-1), int64(0), int64(0), int64(0), int64(0), int64(0), int64(-5), int64(0))
	f.Fuzz(func(t *testing.T, term int, mrc, nrc, capex, oneTime, opex, offNet, churn, discount int64) {
		raw := Input{term, money.Amount(mrc), money.Amount(nrc), money.Amount(capex), money.Amount(oneTime),
			money.Amount(opex), money.Amount(offNet), Rate(churn), Rate(discount)}
		checkEvaluate(t, raw)
		// The same values folded into range, so most runs exercise the model.
		fold := func(v, n int64) int64 { return ((v % n) + n) % n }
		m := int64(money.Max) + 1
		checkEvaluate(t, Input{
			int(fold(int64(term), MaxTermMonths)) + 1,
			money.Amount(fold(mrc, m)), money.Amount(fold(nrc, m)), money.Amount(fold(capex, m)), money.Amount(fold(oneTime, m)),
			money.Amount(fold(opex, m)), money.Amount(fold(offNet, m)),
			Rate(fold(churn, int64(RateScale))), Rate(fold(discount, int64(10*RateScale))),
		})
	})
}

func checkEvaluate(t *testing.T, in Input) {
	res, err := Evaluate(in)
	if err != nil {
		if f, ok := fault.As(err); !ok || f.Kind != fault.Invalid || f.Field == "" {
			t.Fatalf("Evaluate(%+v): error %v is not fault.Invalid on a field", in, err)
		}
		return
	}
	if len(res.CashFlows) != in.TermMonths+1 {
		t.Fatalf("%d cash flows for %d months", len(res.CashFlows), in.TermMonths)
	}
	if res.TCV != in.MRC*money.Amount(in.TermMonths)+in.NRC {
		t.Fatalf("TCV = %s", res.TCV)
	}
	var cum, scale money.Amount
	pos, neg := false, false
	payback := -1
	for m, cf := range res.CashFlows {
		cum += cf
		scale += max(cf, -cf)
		pos, neg = pos || cf > 0, neg || cf < 0
		if payback < 0 && cum >= 0 {
			payback = m
		}
	}
	if (res.PaybackMonth == nil) != (payback < 0) || (payback >= 0 && *res.PaybackMonth != payback) {
		t.Fatalf("payback = %v; cumulative flows say %d", res.PaybackMonth, payback)
	}
	if (res.IRR == nil) == (res.IRRReason == "") {
		t.Fatalf("IRR = %v with reason %q", res.IRR, res.IRRReason)
	}
	if !(pos && neg) && res.IRR != nil {
		t.Fatalf("IRR %s for flows that never change sign", res.IRR)
	}
	conventional := res.CashFlows[0] < 0
	for _, cf := range res.CashFlows[1:] {
		conventional = conventional && cf >= 0
	}
	if !conventional || !pos {
		return
	}
	// One sign change: NPV falls with the rate, so its sign at 0% says
	// which side of zero the IRR is, and payback within the term means the
	// undiscounted sum is >= 0.
	if res.IRR == nil {
		if res.IRRReason != ReasonNoRateFound {
			t.Fatalf("conventional flows without IRR: %q", res.IRRReason)
		}
		return
	}
	if (cum > 0) != (*res.IRR > 0) && cum != 0 && *res.IRR != 0 {
		t.Fatalf("IRR %s but undiscounted sum %s", res.IRR, cum)
	}
	if *res.IRR <= 0 || *res.IRR >= 10*RateScale {
		return
	}
	at := in
	at.AnnualDiscountRate = *res.IRR
	check, err := Evaluate(at)
	if err != nil {
		t.Fatal(err)
	}
	// Rounding the IRR to millionths moves NPV by at most about 5e-6 of
	// the flows' size.
	if tol := scale/100000 + 1; check.NPV > tol || check.NPV < -tol {
		t.Fatalf("NPV at IRR %s = %s; want within %s of zero (flows %v)", res.IRR, check.NPV, tol, res.CashFlows)
	}
}

func BenchmarkEvaluate(b *testing.B) {
	in := workedExample(b)
	in.TermMonths = MaxTermMonths
	in.MonthlyChurn = 15000
	in.AnnualDiscountRate = 100000
	for b.Loop() {
		if _, err := Evaluate(in); err != nil {
			b.Fatal(err)
		}
	}
}
