// Unit tests of the peer's money rules, the same cases as the Rust
// domain's (domain/money.rs, domain/conversion.rs): the grammar, and one
// rounding, half to even. Run by `scripts/grpc-go-peer.sh --check`.
package main

import (
	"math/big"
	"testing"
)

func converted(t *testing.T, amount, from, to, rateText string) string {
	t.Helper()
	source, target := byCode[from], byCode[to]
	minor, bad := parseAmount(amount, source)
	if bad != nil {
		t.Fatalf("%s %s: %v", amount, from, bad)
	}
	value, ok := new(big.Rat).SetString(rateText)
	if !ok {
		t.Fatalf("rate %s", rateText)
	}
	return formatMinor(convert(minor, source, target, roundSignificant(value, rateSignificantDigits)), target.minorUnits)
}

func TestResultsAreRoundedOnceHalfToEvenToTheTargetMinorUnits(t *testing.T) {
	for _, c := range []struct{ amount, from, to, rate, want string }{
		{"100", "USD", "EUR", "0.9230769231", "92.31"},
		{"100", "USD", "JPY", "149.5012345", "14950"},
		{"1", "EUR", "KWD", "0.3336000000", "0.334"},
		{"0.25", "USD", "EUR", "0.5", "0.12"},
		{"0.27", "USD", "EUR", "0.5", "0.14"},
		{"5", "JPY", "KRW", "0.5", "2"},
		{"7", "JPY", "KRW", "0.5", "4"},
		{"15023", "JPY", "KWD", "1", "15023.000"},
	} {
		if got := converted(t, c.amount, c.from, c.to, c.rate); got != c.want {
			t.Errorf("%s %s to %s at %s: %s, want %s", c.amount, c.from, c.to, c.rate, got, c.want)
		}
	}
}

func TestAmountsOutsideTheGrammarAreRefusedWithTheirReason(t *testing.T) {
	for _, c := range []struct{ amount, code, reason string }{
		{"1e5", "USD", "AMOUNT_NOT_DECIMAL"},
		{"+1", "USD", "AMOUNT_NOT_DECIMAL"},
		{".5", "USD", "AMOUNT_NOT_DECIMAL"},
		{"1.", "USD", "AMOUNT_NOT_DECIMAL"},
		{"01", "USD", "AMOUNT_NOT_DECIMAL"},
		{"", "USD", "AMOUNT_NOT_DECIMAL"},
		{"1.0", "JPY", "AMOUNT_TOO_PRECISE"},
		{"1000000000000000", "USD", "AMOUNT_TOO_LARGE"},
		{"0.00", "USD", "AMOUNT_NOT_POSITIVE"},
	} {
		if _, bad := parseAmount(c.amount, byCode[c.code]); bad == nil || bad.reason != c.reason {
			t.Errorf("%q %s: %v, want %s", c.amount, c.code, bad, c.reason)
		}
	}
	if minor, bad := parseAmount("999999999999999.999", byCode["KWD"]); bad != nil || minor.String() != "999999999999999999" {
		t.Errorf("the largest KWD amount: %v %v", minor, bad)
	}
}

func TestRatesCarryTenSignificantDigits(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"USD", "USD", "1.000000000"},
		{"EUR", "USD", "1.085000000"},
		{"USD", "EUR", "0.9216589862"},
		{"EUR", "XOF", "655.9570000"},
		{"KWD", "VND", "79674.79675"},
	} {
		if got := rates[byCode[c.from].index][byCode[c.to].index].text; got != c.want {
			t.Errorf("%s/%s: %s, want %s", c.from, c.to, got, c.want)
		}
	}
}
