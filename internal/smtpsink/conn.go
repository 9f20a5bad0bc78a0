package smtpsink

import (
	"crypto/tls"
	"net"
	"sync/atomic"
)

// countingListener numbers the connections it accepts.
type countingListener struct {
	net.Listener
	sink *Server
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, sink: l.sink}
	l.sink.opened(tc)
	return tc, nil
}

// trackedConn is an accepted connection that knows its number and can be
// told to close right after the next reply is written, the way a server
// answers 421 and hangs up.
type trackedConn struct {
	net.Conn
	id          int
	sink        *Server
	closeAfter  atomic.Bool
	closeBefore atomic.Bool
}

func (c *trackedConn) Write(p []byte) (int, error) {
	if c.closeBefore.Load() {
		c.Conn.Close()
		return 0, net.ErrClosed
	}
	n, err := c.Conn.Write(p)
	if c.closeAfter.Load() {
		c.Conn.Close()
	}
	return n, err
}

// tracked finds the trackedConn under c, looking through TLS.
func tracked(c net.Conn) *trackedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	t, _ := c.(*trackedConn)
	return t
}

func (c *trackedConn) Close() error {
	c.sink.closed(c)
	return c.Conn.Close()
}
