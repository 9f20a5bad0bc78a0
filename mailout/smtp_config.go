package mailout

import (
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"time"
)

// TLSMode is how the sender secures its SMTP connections.
type TLSMode string

// The TLS modes of mailout.smtp.tls.
const (
	TLSImplicit TLSMode = "implicit" // TLS from the first byte (port 465)
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (port 587)
	TLSNone     TLSMode = "none"     // no TLS; only for a server on a loopback address
)

// SMTPConfig configures a Sender; the names follow mailout.* in the config.
type SMTPConfig struct {
	Host     string  // mailout.smtp.host
	Port     int     // mailout.smtp.port
	TLS      TLSMode // mailout.smtp.tls
	Username string  // mailout.smtp.username; "" for no AUTH
	Password string  // mailout.smtp.password

	Concurrency   int     // mailout.concurrency: connections kept open; 1 if 0
	RatePerSecond float64 // mailout.rate_per_second: 0 means unlimited

	// HelloName is the name sent with EHLO; "localhost" if empty.
	HelloName string
	// Timeout bounds connecting and each SMTP command; 1 minute if 0.
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (e.g. a private CA); ServerName
	// defaults to Host.
	TLSConfig *tls.Config
}

// Addr is host:port.
func (c SMTPConfig) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// Validate checks the settings a person writes, naming the one to fix.
func (c SMTPConfig) Validate() error {
	if c.Host == "" {
		return fmt.Errorf("mailout.smtp.host is empty (set the SMTP submission server, e.g. smtp.example.com)")
	}
	if c.Port <= 0 || c.Port > 65535 {
		return fmt.Errorf("mailout.smtp.port: %d is not a TCP port (use 587 with tls: starttls, 465 with tls: implicit)", c.Port)
	}
	switch c.TLS {
	case TLSImplicit, TLSStartTLS:
	case TLSNone:
		if !isLoopback(c.Host) {
			return fmt.Errorf("mailout.smtp.tls: \"none\" is only allowed for a loopback host, not %q (use starttls or implicit)", c.Host)
		}
	default:
		return fmt.Errorf("mailout.smtp.tls: %q is not one of implicit, starttls, none (implicit for port 465, starttls for 587)", c.TLS)
	}
	if c.Password != "" && c.Username == "" {
		return fmt.Errorf("mailout.smtp.password is set but mailout.smtp.username is empty (set the username, or remove the password)")
	}
	if c.Concurrency < 0 {
		return fmt.Errorf("mailout.concurrency: %d must be at least 1 (the number of SMTP connections, e.g. 4)", c.Concurrency)
	}
	if c.RatePerSecond < 0 {
		return fmt.Errorf("mailout.rate_per_second: %g must be 0 (unlimited) or more", c.RatePerSecond)
	}
	return nil
}

// isLoopback reports whether host is "localhost" or a loopback IP. Other
// names are not resolved: what a name points to can change.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c SMTPConfig) withDefaults() SMTPConfig {
	if c.Concurrency == 0 {
		c.Concurrency = 1
	}
	if c.HelloName == "" {
		c.HelloName = "localhost"
	}
	if c.Timeout == 0 {
		c.Timeout = time.Minute
	}
	if c.TLSConfig == nil {
		c.TLSConfig = &tls.Config{}
	} else {
		c.TLSConfig = c.TLSConfig.Clone()
	}
	if c.TLSConfig.ServerName == "" {
		c.TLSConfig.ServerName = c.Host
	}
	return c
}
