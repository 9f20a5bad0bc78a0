package mailout

import (
	"context"
	"crypto/tls"
	"net"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// dial opens a connection ready for MAIL FROM: connected, greeted, secured
// as configured and authenticated. The pipe is nil unless the server
// pipelines and the connection is not upgraded by STARTTLS.
func (s *Sender) dial(ctx context.Context) (*smtp.Client, *pipe, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	conn, err := s.dialConn(ctx)
	if err != nil {
		return nil, nil, classify(s.addr, stageDial, "", err)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, st, err := s.handshake(conn)
	if err != nil {
		conn.Close()
		return nil, nil, classify(s.addr, st, "", err)
	}
	var p *pipe
	if s.cfg.TLS != TLSStartTLS {
		p = newPipe(conn, c, s.cfg.Timeout, 2*s.cfg.Timeout)
	}
	s.log.Debug("smtp connected", "server", s.addr, "tls", string(s.cfg.TLS), "pipelining", p != nil)
	return c, p, nil
}

func (s *Sender) dialConn(ctx context.Context) (net.Conn, error) {
	d := &net.Dialer{}
	if s.cfg.TLS == TLSImplicit {
		td := &tls.Dialer{NetDialer: d, Config: s.cfg.TLSConfig}
		return td.DialContext(ctx, "tcp", s.addr)
	}
	return d.DialContext(ctx, "tcp", s.addr)
}

// handshake greets, upgrades with STARTTLS when configured, and logs in.
// go-smtp has no exported STARTTLS on an existing Client: NewClientStartTLS
// greets as "localhost" before TLS, and Hello then introduces us by name
// over the encrypted channel.
func (s *Sender) handshake(conn net.Conn) (*smtp.Client, stage, error) {
	var c *smtp.Client
	if s.cfg.TLS == TLSStartTLS {
		var err error
		if c, err = smtp.NewClientStartTLS(conn, s.cfg.TLSConfig); err != nil {
			return nil, stageTLS, err
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout = s.cfg.Timeout
	c.SubmissionTimeout = 2 * s.cfg.Timeout
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return nil, stageHello, err
	}
	if s.cfg.Username != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return nil, stageAuth, err
		}
	}
	return c, 0, nil
}
