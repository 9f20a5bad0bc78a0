package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/demo"
)

// demoWanted reports whether serve runs in demo mode: asked for with
// --demo, or nothing to talk to (no IMAP account and no SMTP server).
func demoWanted(cfg config.Config, flag bool) bool {
	return flag || (len(cfg.Mailin.Accounts) == 0 && cfg.Mailout.SMTP.Host == "")
}

// startDemo starts the demo inbox and catcher and points the configuration
// at them, before the components read it.
func startDemo(a *app, out io.Writer) (*demo.Demo, error) {
	d, err := demo.Start(time.Now())
	if err != nil {
		return nil, err
	}
	imapHost, imapPort := hostPort(d.IMAP.Addr())
	smtpHost, smtpPort := hostPort(d.SMTP.Addr())
	c := &a.cfg
	c.Mailin.Accounts = []config.MailinAccount{{Name: "demo", Host: imapHost, Port: imapPort, TLS: "none",
		Username: demo.User, Password: demo.Password, Mailbox: demo.Mailbox, After: "flag"}}
	c.Mailin.PollInterval = 2 * time.Second
	c.Mailout.SMTP = config.SMTP{Host: smtpHost, Port: smtpPort, TLS: "none"}
	if c.Mailout.From == "" {
		c.Mailout.From = c.Organization.Name + " <info@" + firstOr(c.Organization.StaffDomains, "example.com") + ">"
	}
	if c.Mailout.UnsubscribeMailto == "" {
		c.Mailout.UnsubscribeMailto = "unsubscribe@" + firstOr(c.Organization.StaffDomains, "example.com")
	}
	c.Mailout.RatePerSecond = 0
	line := strings.Repeat("-", 72)
	fmt.Fprintf(out, "%s\nDEMO MODE: the shared inbox and outgoing mail are simulated inside Basis.\n"+
		"  %d sample messages are in the demo inbox; mail Basis sends is caught, not delivered.\n"+
		"  Open \"Demo mailbox\" in the UI to read caught mail and drop in new inquiries.\n"+
		"  For real mail, set mailin.accounts and mailout.smtp in basis.yaml (see config.example.yaml).\n%s\n",
		line, d.Seeded, line)
	return d, nil
}

func hostPort(addr string) (string, int) {
	host, port, _ := net.SplitHostPort(addr)
	p, _ := strconv.Atoi(port)
	return host, p
}

func firstOr(list []string, fallback string) string {
	if len(list) > 0 {
		return list[0]
	}
	return fallback
}
