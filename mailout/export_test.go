package mailout

// ExpireNoticeSweep makes the next tick sweep every contact, as it does once
// an hour.
func (m *Mailer) ExpireNoticeSweep() {
	m.sweep.mu.Lock()
	defer m.sweep.mu.Unlock()
	m.sweep.fullAt = m.sweep.fullAt.AddDate(-1, 0, 0)
}

// InlineParams is inlineParams, for its test.
var InlineParams = inlineParams
