package deal

import (
	"math"
	"math/rand/v2"
	"testing"

	"carrierdesk/internal/money"
)

func TestTmpCoverage(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	conv, missed := 0, 0
	for range 3000 {
		in := Input{TermMonths: 1 + r.IntN(120), MRC: money.Amount(r.Int64N(1e9)), NRC: money.Amount(r.Int64N(1e9)),
			Capex: money.Amount(r.Int64N(1e11)), MonthlyOpex: money.Amount(r.Int64N(5e8)), MonthlyChurn: Rate(r.Int64N(50000)), AnnualDiscountRate: Rate(r.Int64N(300000))}
		res, _ := Evaluate(in)
		if res.IRRReason != ReasonNoRateFound { continue }
		if res.CashFlows[len(res.CashFlows)-1] >= 0 { conv++ }
		s0 := exactSign(res.CashFlows, newFloat().SetFloat64(irrLowGrowth))
		for i := 1; i <= 20000; i++ {
			y := irrLowGrowth * math.Pow(irrHighGrowth/irrLowGrowth, float64(i)/20000)
			if exactSign(res.CashFlows, newFloat().SetFloat64(y)) != s0 { missed++; t.Log(res.CashFlows); break }
		}
	}
	t.Logf("conv %d missed %d", conv, missed)
}
