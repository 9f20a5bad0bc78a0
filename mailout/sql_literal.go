package mailout

import (
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// inlineParams writes args into q in place of its placeholders $1, $2, …,
// as SQL literals, in one pass (a literal's own text is never read as a
// placeholder). It is for statements whose values are fixed for as long
// as the statement is kept prepared: without parameters PostgreSQL plans
// a prepared statement once. q must not contain '$' other than in
// placeholders.
func inlineParams(q string, args []any) (string, error) {
	var b strings.Builder
	b.Grow(len(q) + 64*len(args))
	for i := 0; i < len(q); i++ {
		if q[i] != '$' {
			b.WriteByte(q[i])
			continue
		}
		j := i + 1
		for j < len(q) && q[j] >= '0' && q[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(q[i+1 : j])
		if err != nil || n < 1 || n > len(args) {
			return "", fmt.Errorf("placeholder %q at byte %d: %d values given", q[i:j], i, len(args))
		}
		lit, err := sqlLiteral(args[n-1])
		if err != nil {
			return "", fmt.Errorf("placeholder $%d: %w", n, err)
		}
		b.WriteString(lit)
		i = j - 1
	}
	return b.String(), nil
}

// sqlLiteral is v as an SQL literal: strings quoted and escaped, integers
// as digits, times as timestamptz, and driver.Valuer values (pq.Array) by
// their text form.
func sqlLiteral(v any) (string, error) {
	if vr, ok := v.(driver.Valuer); ok {
		var err error
		if v, err = vr.Value(); err != nil {
			return "", err
		}
	}
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return pq.QuoteLiteral(x), nil
	case []byte:
		return pq.QuoteLiteral(string(x)), nil
	case int:
		return intLiteral(int64(x)), nil
	case int64:
		return intLiteral(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case time.Time:
		return pq.QuoteLiteral(x.UTC().Format(time.RFC3339Nano)) + "::timestamptz", nil
	default:
		return "", fmt.Errorf("no SQL literal for a %T", v)
	}
}

// intLiteral writes a negative number in parentheses: after a "-" in the
// statement, "--5" would start a comment.
func intLiteral(n int64) string {
	if n < 0 {
		return "(" + strconv.FormatInt(n, 10) + ")"
	}
	return strconv.FormatInt(n, 10)
}
