// Money for the grpc-go peer: currencies, rates, and the one conversion
// rule, all on math/big integers.
//
// An amount is a *big.Int count of the currency's minor units (cents for
// USD, yen for JPY, fils for KWD); a rate is a decimal, a *big.Int mantissa
// and a scale. A conversion multiplies the two exactly and rounds once,
// half to even, to the target's minor units:
//
//	converted = round_half_even(minor × mantissa / 10^(from units + scale − to units))
//
// Lifecycle: the currency table and every pair's rate are built once, when
// the program starts (package initialisation), and only read afterwards,
// so any number of calls may use them at once without a lock.
package main

import (
	"fmt"
	"math/big"
	"strings"
)

// maxIntegerDigits: an amount must be below 10^15 units of its currency,
// as the contract says (AMOUNT_TOO_LARGE).
const maxIntegerDigits = 15

// rateSignificantDigits: rates carry 10 significant digits, as the Rust
// server publishes them.
const rateSignificantDigits = 10

// currency is one supported ISO 4217 currency.
type currency struct {
	code       string
	name       string
	minorUnits int
	// index is the currency's position in currencies, its row and column
	// in the rate table.
	index int
}

// baseline says how one unit of a currency is valued in US dollars, in
// the words markets quote it with; exactly one field is set (none for USD).
type baseline struct {
	inUSD    string // one unit costs this many US dollars (EUR, GBP)
	perUSD   string // one US dollar costs this many units (JPY, CHF)
	peggedTo string // the anchor currency of a fixed parity...
	perPeg   string // ...and how many units one anchor unit buys
}

// currencyTable is the Rust server's table (domain/currency.rs): the same
// codes, names, minor units and baselines, sorted by code. The peer prices
// every tick at these baselines; it has no random walk.
var currencyTable = []struct {
	code, name string
	minorUnits int
	value      baseline
}{
	{"AED", "UAE Dirham", 2, baseline{perUSD: "3.6725"}},
	{"AUD", "Australian Dollar", 2, baseline{inUSD: "0.6550"}},
	{"BHD", "Bahraini Dinar", 3, baseline{perUSD: "0.376"}},
	{"BRL", "Brazilian Real", 2, baseline{perUSD: "5.45"}},
	{"CAD", "Canadian Dollar", 2, baseline{perUSD: "1.3650"}},
	{"CDF", "Congolese Franc", 2, baseline{perUSD: "2850"}},
	{"CHF", "Swiss Franc", 2, baseline{perUSD: "0.8850"}},
	{"CLP", "Chilean Peso", 0, baseline{perUSD: "945"}},
	{"CNY", "Yuan Renminbi", 2, baseline{perUSD: "7.2400"}},
	{"CZK", "Czech Koruna", 2, baseline{perUSD: "23.10"}},
	{"DKK", "Danish Krone", 2, baseline{perUSD: "6.8700"}},
	{"DZD", "Algerian Dinar", 2, baseline{perUSD: "134.50"}},
	{"EGP", "Egyptian Pound", 2, baseline{perUSD: "48.60"}},
	{"EUR", "Euro", 2, baseline{inUSD: "1.0850"}},
	{"GBP", "Pound Sterling", 2, baseline{inUSD: "1.2700"}},
	{"GNF", "Guinean Franc", 0, baseline{perUSD: "8600"}},
	{"HKD", "Hong Kong Dollar", 2, baseline{perUSD: "7.8100"}},
	{"HTG", "Gourde", 2, baseline{perUSD: "131.50"}},
	{"HUF", "Forint", 2, baseline{perUSD: "362.00"}},
	{"IDR", "Rupiah", 2, baseline{perUSD: "15750"}},
	{"ILS", "New Israeli Sheqel", 2, baseline{perUSD: "3.7200"}},
	{"INR", "Indian Rupee", 2, baseline{perUSD: "83.50"}},
	{"ISK", "Iceland Krona", 0, baseline{perUSD: "138"}},
	{"JOD", "Jordanian Dinar", 3, baseline{perUSD: "0.709"}},
	{"JPY", "Yen", 0, baseline{perUSD: "149.50"}},
	{"KMF", "Comorian Franc", 0, baseline{peggedTo: "EUR", perPeg: "491.96775"}},
	{"KRW", "Won", 0, baseline{perUSD: "1370"}},
	{"KWD", "Kuwaiti Dinar", 3, baseline{perUSD: "0.3075"}},
	{"MAD", "Moroccan Dirham", 2, baseline{perUSD: "9.9500"}},
	{"MGA", "Malagasy Ariary", 2, baseline{perUSD: "4550"}},
	{"MXN", "Mexican Peso", 2, baseline{perUSD: "17.90"}},
	{"NOK", "Norwegian Krone", 2, baseline{perUSD: "10.75"}},
	{"NZD", "New Zealand Dollar", 2, baseline{inUSD: "0.6050"}},
	{"OMR", "Rial Omani", 3, baseline{perUSD: "0.3845"}},
	{"PLN", "Zloty", 2, baseline{perUSD: "3.9800"}},
	{"RWF", "Rwanda Franc", 0, baseline{perUSD: "1310"}},
	{"SAR", "Saudi Riyal", 2, baseline{perUSD: "3.7500"}},
	{"SEK", "Swedish Krona", 2, baseline{perUSD: "10.45"}},
	{"SGD", "Singapore Dollar", 2, baseline{perUSD: "1.3450"}},
	{"THB", "Baht", 2, baseline{perUSD: "35.80"}},
	{"TND", "Tunisian Dinar", 3, baseline{perUSD: "3.1200"}},
	{"TRY", "Turkish Lira", 2, baseline{perUSD: "32.50"}},
	{"USD", "US Dollar", 2, baseline{}},
	{"VND", "Dong", 0, baseline{perUSD: "24500"}},
	{"XAF", "CFA Franc BEAC", 0, baseline{peggedTo: "EUR", perPeg: "655.957"}},
	{"XOF", "CFA Franc BCEAO", 0, baseline{peggedTo: "EUR", perPeg: "655.957"}},
	{"ZAR", "Rand", 2, baseline{perUSD: "18.60"}},
}

// rate is an exact decimal, mantissa / 10^scale, with its text.
type rate struct {
	mantissa *big.Int
	scale    int
	text     string
}

var (
	// currencies lists every supported currency, sorted by code.
	currencies []*currency
	// byCode finds a supported currency by its code.
	byCode = map[string]*currency{}
	// rates[from.index][to.index] is the mid rate of from/to.
	rates [][]rate
	// powersOfTen[n] is 10^n, for every scale a conversion can need.
	powersOfTen []*big.Int
)

func init() {
	powersOfTen = make([]*big.Int, 64)
	powersOfTen[0] = big.NewInt(1)
	for n := 1; n < len(powersOfTen); n++ {
		powersOfTen[n] = new(big.Int).Mul(powersOfTen[n-1], big.NewInt(10))
	}
	for index, row := range currencyTable {
		c := &currency{code: row.code, name: row.name, minorUnits: row.minorUnits, index: index}
		currencies = append(currencies, c)
		byCode[c.code] = c
	}
	usd := make([]*big.Rat, len(currencyTable))
	for index := range currencyTable {
		usd[index] = usdValue(index)
	}
	rates = make([][]rate, len(currencies))
	for from := range currencies {
		rates[from] = make([]rate, len(currencies))
		for to := range currencies {
			rates[from][to] = roundSignificant(new(big.Rat).Quo(usd[from], usd[to]), rateSignificantDigits)
		}
	}
}

// usdValue is one unit of currencyTable[index] in US dollars, exactly.
func usdValue(index int) *big.Rat {
	value := currencyTable[index].value
	switch {
	case value.inUSD != "":
		return mustRat(value.inUSD)
	case value.perUSD != "":
		return new(big.Rat).Inv(mustRat(value.perUSD))
	case value.peggedTo != "":
		return new(big.Rat).Quo(usdValue(byCode[value.peggedTo].index), mustRat(value.perPeg))
	default:
		return big.NewRat(1, 1)
	}
}

// mustRat reads a constant of currencyTable; a bad one is a programming
// error, found the first time the program starts.
func mustRat(text string) *big.Rat {
	value, ok := new(big.Rat).SetString(text)
	if !ok || value.Sign() <= 0 {
		panic(fmt.Sprintf("bad baseline %q in the currency table", text))
	}
	return value
}

// roundSignificant rounds a positive value half to even to `digits`
// significant digits, keeping trailing zeros ("1.000000000").
func roundSignificant(value *big.Rat, digits int) rate {
	lowest, highest := powersOfTen[digits-1], powersOfTen[digits]
	scale := digits
	scaled := func() *big.Int {
		numerator := new(big.Int).Mul(value.Num(), powersOfTen[scale])
		return quoHalfEven(numerator, value.Denom())
	}
	mantissa := scaled()
	for mantissa.Cmp(highest) >= 0 {
		scale--
		mantissa = scaled()
	}
	for mantissa.Cmp(lowest) < 0 {
		scale++
		mantissa = scaled()
	}
	if scale < 0 {
		panic("a rate of 10^10 or more: the table's baselines are wrong")
	}
	return rate{mantissa: mantissa, scale: scale, text: formatMinor(mantissa, scale)}
}

// quoHalfEven is numerator / denominator for non-negative operands,
// rounded half to even.
func quoHalfEven(numerator, denominator *big.Int) *big.Int {
	quotient, remainder := new(big.Int).QuoRem(numerator, denominator, new(big.Int))
	switch remainder.Lsh(remainder, 1).Cmp(denominator) {
	case 1:
		quotient.Add(quotient, powersOfTen[0])
	case 0:
		if quotient.Bit(0) == 1 {
			quotient.Add(quotient, powersOfTen[0])
		}
	}
	return quotient
}

// inputError is a request field the contract refuses: its reason is the
// google.rpc.ErrorInfo reason of the contract.
type inputError struct {
	field, reason, message string
}

func (e *inputError) Error() string { return e.message }

// parseCurrency accepts exactly three uppercase ASCII letters naming a
// supported currency.
func parseCurrency(field, code string) (*currency, *inputError) {
	if len(code) != 3 || !allBetween(code, 'A', 'Z') {
		return nil, &inputError{field, "CURRENCY_CODE_MALFORMED", field + " is not three uppercase letters"}
	}
	c, ok := byCode[code]
	if !ok {
		return nil, &inputError{field, "CURRENCY_NOT_SUPPORTED", field + " is not a supported currency"}
	}
	return c, nil
}

// parseAmount reads an amount of c in minor units. It accepts exactly the
// contract's grammar `^(0|[1-9][0-9]*)(\.[0-9]+)?$`, no more fraction
// digits than c's minor units, below 10^15 units and above zero; nothing
// is rounded or guessed ("1e5", "+1", ".5", "1.0" JPY are refused).
func parseAmount(text string, c *currency) (*big.Int, *inputError) {
	integer, fraction, hasPoint := strings.Cut(text, ".")
	wellFormed := integer != "" && allBetween(integer, '0', '9') &&
		(integer == "0" || integer[0] != '0') &&
		(!hasPoint || (fraction != "" && allBetween(fraction, '0', '9')))
	if !wellFormed {
		return nil, &inputError{"amount", "AMOUNT_NOT_DECIMAL", "amount is not a plain decimal number"}
	}
	if len(integer) > maxIntegerDigits {
		return nil, &inputError{"amount", "AMOUNT_TOO_LARGE", "amount is 10^15 units or more"}
	}
	if len(fraction) > c.minorUnits {
		return nil, &inputError{"amount", "AMOUNT_TOO_PRECISE", "amount has more decimals than " + c.code + " allows"}
	}
	digits := integer + fraction + strings.Repeat("0", c.minorUnits-len(fraction))
	minor, ok := new(big.Int).SetString(digits, 10)
	if !ok || minor.Sign() == 0 {
		return nil, &inputError{"amount", "AMOUNT_NOT_POSITIVE", "amount is zero"}
	}
	return minor, nil
}

// allBetween says whether every byte of text is within [low, high].
func allBetween(text string, low, high byte) bool {
	for i := 0; i < len(text); i++ {
		if text[i] < low || text[i] > high {
			return false
		}
	}
	return true
}

// convert is minor units of from times r, rounded once, half to even, to
// the minor units of to.
func convert(minor *big.Int, from, to *currency, r rate) *big.Int {
	product := new(big.Int).Mul(minor, r.mantissa)
	excess := from.minorUnits + r.scale - to.minorUnits
	if excess < 0 {
		return product.Mul(product, powersOfTen[-excess])
	}
	return quoHalfEven(product, powersOfTen[excess])
}

// formatMinor writes minor units with scale decimals (12345, 2: "123.45").
func formatMinor(minor *big.Int, scale int) string {
	digits := minor.String()
	if scale == 0 {
		return digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale+1-len(digits)) + digits
	}
	cut := len(digits) - scale
	return digits[:cut] + "." + digits[cut:]
}
