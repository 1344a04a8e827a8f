// Package deal is the IRR model of a quote: monthly cash flows from its
// prices and costs, their NPV at a discount rate, their IRR and the month the
// deal pays back. Money stays exact: cash flows and NPV are whole cents,
// computed with math/big and rounded half to even (banker's rounding) only
// where a value becomes money: each month's churned revenue, and the NPV.
package deal

import (
	"fmt"
	"math"
	"math/big"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
)

// MaxTermMonths is the longest term the model accepts: ten years.
const MaxTermMonths = 120

// Reasons there is no IRR, as Result.IRRReason reports them.
const (
	ReasonNoSignChange = "cash flows never change sign"
	ReasonNoRateFound  = "no rate found between -99.99% and 1000% a month"
)

// reasonNotUnique says why flows that change sign more than once have no
// single IRR: NPV may then be zero at several rates (Descartes' rule of
// signs), and no one of them is the deal's return.
func reasonNotUnique(changes int) string {
	return fmt.Sprintf("cash flows change sign %d times: the IRR is not unique", changes)
}

// Input is what the model needs to know about a deal.
type Input struct {
	TermMonths         int
	MRC                money.Amount // monthly recurring charge
	NRC                money.Amount // one-time charge, paid in month 0
	Capex              money.Amount // build cost, spent in month 0
	OneTimeCost        money.Amount // other one-time costs, in month 0
	MonthlyOpex        money.Amount
	MonthlyOffNetCost  money.Amount
	MonthlyChurn       Rate // share of MRC lost each month, in [0, 1)
	AnnualDiscountRate Rate // for NPV, in [0, 10)
}

// Result is what the model says about a deal.
type Result struct {
	CashFlows    []money.Amount // month 0 to month TermMonths
	NPV          money.Amount   // at the annual discount rate
	IRR          *Rate          // annualised; nil when there is none
	IRRMonthly   *Decimal       // the monthly rate r, (1+r)^12 - 1 = IRR; nil when there is none
	IRRReason    string         // why IRR is nil; empty when it is not
	PaybackMonth *int           // first month the cumulative cash flow is >= 0; nil if none within the term
	TCV          money.Amount   // MRC x term + NRC
}

// precision is the mantissa of every big.Float: far more than cents on
// 10^16-cent sums need, so rounding happens only where we say.
const precision = 256

// Evaluate runs the model. Bad input is a fault.Invalid error naming the field.
func Evaluate(in Input) (Result, error) {
	if err := validate(in); err != nil {
		return Result{}, err
	}
	flows := cashFlows(in)
	res := Result{
		CashFlows: flows,
		NPV:       npv(flows, in.AnnualDiscountRate),
		TCV:       in.MRC*money.Amount(in.TermMonths) + in.NRC,
	}
	var cum money.Amount
	for t, cf := range flows {
		cum += cf
		if cum >= 0 {
			res.PaybackMonth = &t
			break
		}
	}
	var growth *big.Float
	growth, res.IRRReason = irr(flows)
	if growth != nil {
		res.IRR = annualise(growth)
		monthly := decimalOf(newFloat().Sub(growth, newFloat().SetInt64(1)))
		res.IRRMonthly = &monthly
	}
	return res, nil
}

// validate keeps every amount within money.Max, the bound the API's parser
// enforces anyway. That bound is what makes int64 cents safe below: no sum
// in the model exceeds (MaxTermMonths+1) x 3 x money.Max, about 3.6e16.
func validate(in Input) error {
	if in.TermMonths < 1 || in.TermMonths > MaxTermMonths {
		return fault.InvalidField("termMonths", "must be between 1 and 120")
	}
	for _, f := range []struct {
		name string
		v    money.Amount
	}{
		{"mrc", in.MRC},
		{"nrc", in.NRC},
		{"capex", in.Capex},
		{"oneTimeCost", in.OneTimeCost},
		{"monthlyOpex", in.MonthlyOpex},
		{"monthlyOffNetCost", in.MonthlyOffNetCost},
	} {
		if f.v < 0 {
			return fault.InvalidField(f.name, "must not be negative")
		}
		if f.v > money.Max {
			return fault.InvalidField(f.name, "must be at most "+money.Max.String())
		}
	}
	if in.MonthlyChurn < 0 || in.MonthlyChurn >= RateScale {
		return fault.InvalidField("monthlyChurn", "must be at least 0 and less than 1")
	}
	if in.AnnualDiscountRate < 0 || in.AnnualDiscountRate >= 10*RateScale {
		return fault.InvalidField("annualDiscountRate", "must be at least 0 and less than 10")
	}
	return nil
}

// cashFlows computes month 0 and each month's flow. The churned revenue
// MRC x (1-c)^(t-1) is computed exactly as a fraction and rounded half to
// even to the cent; the costs are already whole cents.
func cashFlows(in Input) []money.Amount {
	flows := make([]money.Amount, in.TermMonths+1)
	flows[0] = in.NRC - in.Capex - in.OneTimeCost
	keep := big.NewInt(int64(RateScale - in.MonthlyChurn)) // (1-c) x 10^6
	scale := big.NewInt(int64(RateScale))
	num := big.NewInt(int64(in.MRC)) // MRC x (1-c)^k x 10^(6k)
	den := big.NewInt(1)             // 10^(6k)
	q, r, twice := new(big.Int), new(big.Int), new(big.Int)
	for t := 1; t <= in.TermMonths; t++ {
		if t > 1 && in.MonthlyChurn != 0 {
			num.Mul(num, keep)
			den.Mul(den, scale)
		}
		q.QuoRem(num, den, r) // num >= 0, so q is the floor
		switch twice.Lsh(r, 1).Cmp(den) {
		case 1:
			q.Add(q, big.NewInt(1))
		case 0:
			if q.Bit(0) == 1 {
				q.Add(q, big.NewInt(1))
			}
		}
		flows[t] = money.Amount(q.Int64()) - in.MonthlyOpex - in.MonthlyOffNetCost
	}
	return flows
}

// npv discounts the flows at the monthly rate m with (1+m)^12 = 1+d.
func npv(flows []money.Amount, annual Rate) money.Amount {
	growth := monthlyGrowth(annual)
	v := newFloat().Quo(newFloat().SetInt64(1), growth)
	sum, _ := horner(flows, v)
	return money.Amount(roundHalfEven(sum).Int64())
}

// monthlyGrowth returns 1+m = (1+d)^(1/12) by Newton's method from a float64
// guess; each step doubles the correct bits, so six steps pass 256.
func monthlyGrowth(annual Rate) *big.Float {
	a := newFloat().SetInt64(int64(RateScale + annual))
	a.Quo(a, newFloat().SetInt64(int64(RateScale)))
	af, _ := a.Float64()
	x := newFloat().SetFloat64(math.Pow(af, 1.0/12))
	for range 8 {
		// x = (11x + a/x^11) / 12
		p := newFloat().SetInt64(1)
		for range 11 {
			p.Mul(p, x)
		}
		next := newFloat().Quo(a, p)
		next.Add(next, newFloat().Mul(x, newFloat().SetInt64(11)))
		next.Quo(next, newFloat().SetInt64(12))
		if next.Cmp(x) == 0 {
			break
		}
		x = next
	}
	return x
}

// horner returns sum(CF_t x^t) and sum(|CF_t| x^t), the latter the scale
// against which a zero of the former is judged.
func horner(flows []money.Amount, x *big.Float) (sum, magnitude *big.Float) {
	sum, magnitude = newFloat(), newFloat()
	cf := newFloat()
	for t := len(flows) - 1; t >= 0; t-- {
		sum.Mul(sum, x)
		sum.Add(sum, cf.SetInt64(int64(flows[t])))
		magnitude.Mul(magnitude, x)
		magnitude.Add(magnitude, cf.Abs(cf))
	}
	return sum, magnitude
}

// The IRR search runs over the monthly growth factor y = 1+r, from r =
// -99.99% to r = +1000% a month; the annualised rate at the top, about
// 3.1e12, still fits a Rate.
const (
	irrLowGrowth  = 0.0001
	irrHighGrowth = 11.0
	irrGridSteps  = 2048 // geometric steps of about 0.57% in y
)

// irr finds the monthly growth factor 1+r where NPV is zero.
//
// Flows that change sign once have at most one such rate (Descartes' rule
// of signs); flows that change sign more than once may have several, and
// then none is reported, with the number of sign changes as the reason.
// A grid walks up from the lowest rate and the cell where NPV changes sign
// is bisected.
//
// The walk and the bisection use float64 wherever its sign is certain and
// big.Float where it is not; Newton steps in big.Float then polish the root
// to 2^-90 of its size, proven by the sign change either side, and the
// result is checked against the flows before it is reported.
func irr(flows []money.Amount) (*big.Float, string) {
	switch n := signChanges(flows); {
	case n == 0:
		return nil, ReasonNoSignChange
	case n > 1:
		return nil, reasonNotUnique(n)
	}
	step := math.Pow(irrHighGrowth/irrLowGrowth, 1.0/irrGridSteps)
	lo := irrLowGrowth
	sLo := npvSign(flows, lo)
	for i := 1; sLo != 0 && i <= irrGridSteps; i++ {
		hi := irrLowGrowth * math.Pow(step, float64(i))
		if i == irrGridSteps {
			hi = irrHighGrowth
		}
		sHi := npvSign(flows, hi)
		if sHi != 0 && sHi != sLo {
			lo, hi = bisect(flows, lo, hi, sLo)
			y := polish(flows, lo, hi, sLo)
			if !isRoot(flows, y) {
				return nil, ReasonNoRateFound
			}
			return y, ""
		}
		lo, sLo = hi, sHi
	}
	if sLo == 0 {
		return newFloat().SetFloat64(lo), ""
	}
	return nil, ReasonNoRateFound
}

// signChanges counts how often the flows change sign, skipping zero flows.
func signChanges(flows []money.Amount) int {
	n, last := 0, 0
	for _, cf := range flows {
		s := 0
		switch {
		case cf > 0:
			s = 1
		case cf < 0:
			s = -1
		}
		if s != 0 && last != 0 && s != last {
			n++
		}
		if s != 0 {
			last = s
		}
	}
	return n
}

// npvSign is the sign of NPV at growth factor y, from floatSign where that
// is certain and from big.Float where it is not.
func npvSign(flows []money.Amount, y float64) int {
	if s, ok := floatSign(flows, y); ok {
		return s
	}
	return exactSign(flows, newFloat().SetFloat64(y))
}

// floatSign is the sign of NPV at y in float64. The sums are scaled so that
// no term exceeds its flow (by y^T below y = 1, which keeps the sign), and
// trusted only when they stand clear of their rounding error, about
// 2T x 2^-53 of the magnitude.
func floatSign(flows []money.Amount, y float64) (int, bool) {
	var sum, magnitude float64
	if y >= 1 {
		x := 1 / y
		for t := len(flows) - 1; t >= 0; t-- {
			sum = sum*x + float64(flows[t])
			magnitude = magnitude*x + math.Abs(float64(flows[t]))
		}
	} else {
		for _, cf := range flows {
			sum = sum*y + float64(cf)
			magnitude = magnitude*y + math.Abs(float64(cf))
		}
	}
	switch {
	case sum > magnitude*1e-10:
		return 1, true
	case sum < -magnitude*1e-10:
		return -1, true
	}
	return 0, false
}

func exactSign(flows []money.Amount, y *big.Float) int {
	sum, _ := horner(flows, newFloat().Quo(newFloat().SetInt64(1), y))
	return sum.Sign()
}

// bisect narrows [lo, hi] while float64 can tell the sign of NPV: to about
// 10^-10 of y for a simple root, close enough for Newton's method.
func bisect(flows []money.Amount, lo, hi float64, sLo int) (float64, float64) {
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		s, ok := floatSign(flows, mid)
		switch {
		case !ok:
			return lo, hi
		case s == sLo:
			lo = mid
		default:
			hi = mid
		}
	}
	return lo, hi
}

// polish refines a root bracketed by [lo, hi]: Newton steps from their
// midpoint, y += y S/D with S = sum(CF_t y^-t), D = sum(t CF_t y^-t),
// then proof that NPV changes sign within 2^-90 of y either side. Where the
// proof fails (a root of even multiplicity hiding an odd one, say) plain
// bisection in big.Float takes over.
func polish(flows []money.Amount, lo, hi float64, sLo int) *big.Float {
	y := newFloat().SetFloat64(lo + (hi-lo)/2)
	bottom, top := newFloat().SetFloat64(lo), newFloat().SetFloat64(hi)
	for range 8 {
		x := newFloat().Quo(newFloat().SetInt64(1), y)
		s, d := newFloat(), newFloat()
		cf := newFloat()
		for t := len(flows) - 1; t >= 0; t-- {
			s.Mul(s, x)
			s.Add(s, cf.SetInt64(int64(flows[t])))
			d.Mul(d, x)
			d.Add(d, cf.SetInt64(int64(t)*int64(flows[t])))
		}
		if s.Sign() == 0 {
			return y
		}
		if d.Sign() == 0 {
			break
		}
		step := newFloat().Quo(newFloat().Mul(y, s), d)
		y.Add(y, step)
		if y.Cmp(bottom) < 0 || y.Cmp(top) > 0 {
			return bisectExact(flows, bottom, top, sLo)
		}
		if step.Sign() == 0 || step.MantExp(nil)-y.MantExp(nil) < -100 {
			break
		}
	}
	delta := newFloat().SetMantExp(newFloat().SetInt64(1), y.MantExp(nil)-90)
	below := exactSign(flows, newFloat().Sub(y, delta))
	above := exactSign(flows, newFloat().Add(y, delta))
	if below == sLo && above == -sLo {
		return y
	}
	return bisectExact(flows, bottom, top, sLo)
}

// bisectExact narrows [lo, hi] in big.Float until it is 2^-100 of hi wide.
func bisectExact(flows []money.Amount, lo, hi *big.Float, sLo int) *big.Float {
	half := newFloat().SetFloat64(0.5)
	for range 400 {
		mid := newFloat().Add(lo, hi)
		mid.Mul(mid, half)
		width := newFloat().Sub(hi, lo)
		if width.Sign() == 0 || width.MantExp(nil)-hi.MantExp(nil) < -100 || mid.Cmp(lo) == 0 || mid.Cmp(hi) == 0 {
			return mid
		}
		switch s := exactSign(flows, mid); {
		case s == 0:
			return mid
		case s == sLo:
			lo = mid
		default:
			hi = mid
		}
	}
	return newFloat().Mul(newFloat().Add(lo, hi), half)
}

// isRoot checks the found rate: NPV there must vanish against the size of
// the discounted flows, to one part in 10^12.
func isRoot(flows []money.Amount, y *big.Float) bool {
	sum, magnitude := horner(flows, newFloat().Quo(newFloat().SetInt64(1), y))
	tolerance := newFloat().Mul(magnitude, newFloat().SetFloat64(1e-12))
	return sum.Abs(sum).Cmp(tolerance) <= 0
}

// annualise turns growth factor y = 1+r into the annual rate y^12 - 1,
// rounded half to even to millionths.
func annualise(y *big.Float) *Rate {
	a := newFloat().SetInt64(1)
	for range 12 {
		a.Mul(a, y)
	}
	a.Sub(a, newFloat().SetInt64(1))
	a.Mul(a, newFloat().SetInt64(int64(RateScale)))
	r := Rate(roundHalfEven(a).Int64())
	return &r
}

// roundHalfEven rounds x to the nearest integer, ties to even.
func roundHalfEven(x *big.Float) *big.Int {
	i, _ := x.Int(nil) // truncates toward zero
	frac := newFloat().Sub(x, newFloat().SetInt(i))
	frac.Abs(frac)
	switch frac.Cmp(newFloat().SetFloat64(0.5)) {
	case 1:
		i.Add(i, big.NewInt(int64(x.Sign())))
	case 0:
		if i.Bit(0) == 1 {
			i.Add(i, big.NewInt(int64(x.Sign())))
		}
	}
	return i
}

func newFloat() *big.Float { return new(big.Float).SetPrec(precision) }
