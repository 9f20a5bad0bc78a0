package smtpsink

import (
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"
)

// Stage is the point of an SMTP transaction where a Rule answers.
type Stage int

// The stages a Rule can answer at.
const (
	AtMail Stage = iota // MAIL FROM
	AtRcpt              // RCPT TO
	AtData              // after the whole message was received, instead of 250
)

// Rule makes the sink answer with an error instead of accepting.
type Rule struct {
	Stage Stage
	// Recipient limits the rule to transactions for this address (compared
	// without regard to case); "" matches any.
	Recipient string
	Code      int    // e.g. 451
	Enhanced  string // e.g. "4.7.1"; "" for none
	Message   string
	// Close hangs up right after the reply, as a server does with 421.
	Close bool
	// Times is how many times the rule answers before it expires; 0 means
	// for ever.
	Times int
}

// AddRule installs r; rules are tried in the order they were added.
func (s *Server) AddRule(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &r)
}

// FailNext makes the next n messages fail after DATA with the given reply
// (code 421 also closes the connection).
func (s *Server) FailNext(code int, enhanced, msg string, n int) {
	s.AddRule(Rule{Stage: AtData, Code: code, Enhanced: enhanced, Message: msg, Close: code == 421, Times: n})
}

// RejectRecipient makes RCPT TO addr fail with the given reply n times (0:
// for ever); code 421 also closes the connection.
func (s *Server) RejectRecipient(addr string, code int, enhanced, msg string, n int) {
	s.AddRule(Rule{Stage: AtRcpt, Recipient: addr, Code: code, Enhanced: enhanced, Message: msg, Close: code == 421, Times: n})
}

// DropDuringData makes the next n DATA commands end with the connection
// closed after the first bytes of the message, with no reply.
func (s *Server) DropDuringData(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.drops += n
}

// RequireAuth makes the sink advertise AUTH PLAIN and refuse MAIL FROM
// until the client authenticated as user with pass.
func (s *Server) RequireAuth(user, pass string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user, s.pass, s.authOn = user, pass, true
}

// Reset removes every rule, pending drop and recorded message; the auth
// requirement stays.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules, s.drops, s.msgs = nil, 0, nil
}

// match consumes and returns the first live rule for stage and the
// transaction's recipients, or nil.
func (s *Server) match(stage Stage, rcpts []string) *Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.Stage != stage || !r.matches(rcpts) {
			continue
		}
		if r.Times > 0 {
			r.Times--
			if r.Times == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		}
		return r
	}
	return nil
}

func (r *Rule) matches(rcpts []string) bool {
	if r.Recipient == "" {
		return true
	}
	for _, to := range rcpts {
		if strings.EqualFold(to, r.Recipient) {
			return true
		}
	}
	return false
}

func (s *Server) takeDrop() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.drops == 0 {
		return false
	}
	s.drops--
	return true
}

// reply turns r into the error go-smtp writes to the client.
func (r *Rule) reply() *smtp.SMTPError {
	e := &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.NoEnhancedCode, Message: r.Message}
	if r.Enhanced != "" {
		e.EnhancedCode = parseEnhanced(r.Enhanced)
	}
	if e.Message == "" {
		e.Message = "Refused by smtpsink rule"
	}
	return e
}

func parseEnhanced(s string) smtp.EnhancedCode {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.NoEnhancedCode
	}
	var code smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return smtp.NoEnhancedCode
		}
		code[i] = n
	}
	return code
}
