package main

import (
	"github.com/basis-crm/basis/demo"
	"github.com/basis-crm/basis/web"
)

// demoMailbox shows the demo servers to the web UI's "Demo mailbox" page:
// the mail the SMTP catcher caught, and inquiries dropped into the inbox.
type demoMailbox struct{ d *demo.Demo }

// Caught returns what the demo SMTP server accepted, oldest first.
func (m demoMailbox) Caught() []web.CaughtMail {
	msgs := m.d.SMTP.Messages()
	out := make([]web.CaughtMail, len(msgs))
	for i, msg := range msgs {
		out[i] = web.CaughtMail{From: msg.From, To: msg.To, Raw: msg.Raw, Received: msg.Received}
	}
	return out
}

// Drop puts an inquiry into the demo inbox for the IMAP poller to find.
func (m demoMailbox) Drop(name, email, subject, body string) error {
	return m.d.Drop(demo.Inquiry{Name: name, Email: email, Subject: subject, Body: body})
}
