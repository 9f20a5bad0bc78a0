package crm

import "time"

// DueDate is the last day to answer a request received on received when the
// period is months calendar months (Art. 12(3): one month, extendable by two
// further months).
//
// The rule is that of Regulation (EEC, Euratom) No 1182/71, Art. 3(2)(c),
// which the EDPB applies to Art. 12(3) (Guidelines 01/2022, section 6.3): a
// period expressed in months ends on the day of the last month that bears
// the same date as the day the period started; when that month has no such
// date (31 January plus one month), it ends on the last day of that month
// (28 or 29 February). The period always counts from the day of receipt, so
// an extension of two months turns 31 January into 30 April, not into a
// chain of clipped months. Basis does not postpone a deadline that falls on
// a weekend or holiday (Art. 3(4) would allow it): answering earlier is
// always lawful.
func DueDate(received time.Time, months int) time.Time {
	y, m, d := received.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// civilDate is t's calendar day as midnight UTC, the form dates are stored in.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
