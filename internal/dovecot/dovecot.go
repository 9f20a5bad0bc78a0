// Package dovecot runs a private Dovecot IMAP server on loopback for
// integration tests: its own config, a Maildir under a temporary directory,
// one passwd-file user, plaintext login, no TLS. As root, mail processes run
// as nobody. It needs the Debian package dovecot-imapd (/usr/sbin/dovecot);
// tests fail, never skip, when it is missing.
package dovecot

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Binary is the Dovecot master binary.
var Binary = "/usr/sbin/dovecot"

// startTimeout bounds how long a starting Dovecot may take to greet.
const startTimeout = 20 * time.Second

// TB is the part of testing.TB the helpers use.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Dovecot is one running private instance.
type Dovecot struct {
	User, Password string

	dir  string
	conf string
	port int

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Start runs a fresh Dovecot for the test on a free loopback port, stopped
// and removed when the test ends.
func Start(t TB) *Dovecot {
	t.Helper()
	d, err := New("inbox@example.test", "secret")
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(d.Remove)
	if err := d.Launch(); err != nil {
		t.Fatalf("%v", err)
	}
	return d
}

// New prepares an instance (directory, config, user) without starting it.
func New(user, password string) (*Dovecot, error) {
	if _, err := os.Stat(Binary); err != nil {
		return nil, fmt.Errorf("dovecot: %s not found: apt-get install dovecot-imapd", Binary)
	}
	dir, err := os.MkdirTemp("", "basis-dovecot-")
	if err != nil {
		return nil, fmt.Errorf("dovecot: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // mail processes run as nobody
		return nil, fmt.Errorf("dovecot: %w", err)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	conf, err := writeConfig(dir, port, user, password)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Dovecot{User: user, Password: password, dir: dir, conf: conf, port: port}, nil
}

// Addr is the 127.0.0.1:port Dovecot listens on.
func (d *Dovecot) Addr() string { return net.JoinHostPort("127.0.0.1", fmt.Sprint(d.port)) }

// Host is always 127.0.0.1.
func (d *Dovecot) Host() string { return "127.0.0.1" }

// Port is the IMAP port.
func (d *Dovecot) Port() int { return d.port }

// Maildir is the user's Maildir (INBOX is its cur/new/tmp; other mailboxes
// are .Name subdirectories).
func (d *Dovecot) Maildir() string { return filepath.Join(d.dir, "mail", "Maildir") }

// Config is the path of the instance's dovecot.conf, for doveadm -c.
func (d *Dovecot) Config() string { return d.conf }

// Launch starts the Dovecot master in the foreground (as a child process) and
// waits until it greets on its port.
func (d *Dovecot) Launch() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd != nil {
		return nil
	}
	cmd := exec.Command(Binary, "-F", "-c", d.conf)
	out, err := os.OpenFile(filepath.Join(d.dir, "master.out"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("dovecot: start %s: %w", Binary, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); out.Close(); close(done) }()
	d.cmd, d.done = cmd, done
	if err := d.waitGreeting(done); err != nil {
		d.stopLocked()
		return err
	}
	return nil
}

// waitGreeting polls the port until Dovecot answers "* OK".
func (d *Dovecot) waitGreeting(exited <-chan struct{}) error {
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("dovecot: exited at start: %s", d.logTail())
		default:
		}
		c, err := net.DialTimeout("tcp", d.Addr(), time.Second)
		if err == nil {
			c.SetDeadline(time.Now().Add(5 * time.Second))
			line, rerr := bufio.NewReader(c).ReadString('\n')
			c.Close()
			if rerr == nil && strings.HasPrefix(line, "* OK") {
				return nil
			}
			err = fmt.Errorf("greeting %q: %v", line, rerr)
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("dovecot: no greeting on %s after %v (%v): %s", d.Addr(), startTimeout, last, d.logTail())
}

// Stop stops Dovecot (SIGTERM to the master and every session, as a service
// manager does) and waits for it to exit. The Maildir is kept: Launch serves it again.
func (d *Dovecot) Stop() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
}

// stopLocked stops the master; d.mu is held.
func (d *Dovecot) stopLocked() {
	if d.cmd == nil {
		return
	}
	// The whole process group, as systemd stops a service's cgroup: left
	// alone, sessions outlive the master for several seconds.
	pgid := d.cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-d.done:
	case <-time.After(15 * time.Second):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-d.done
	}
	syscall.Kill(-pgid, syscall.SIGKILL) // any straggler
	d.cmd = nil
}

// Restart stops and starts Dovecot on the same port, as an upgrade or a
// crash-and-restart of the server would.
func (d *Dovecot) Restart(t TB) {
	t.Helper()
	d.Stop()
	if err := d.Launch(); err != nil {
		t.Fatalf("%v", err)
	}
}

// Remove stops Dovecot and deletes its directory.
func (d *Dovecot) Remove() {
	d.Stop()
	os.RemoveAll(d.dir)
}

// logTail returns the end of the instance's logs, for error messages.
func (d *Dovecot) logTail() string {
	var b []byte
	for _, name := range []string{"master.out", "dovecot.log"} {
		if data, err := os.ReadFile(filepath.Join(d.dir, name)); err == nil {
			b = append(b, data...)
		}
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return strings.TrimSpace(string(b))
}

// freePort finds a loopback TCP port nobody listens on.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("dovecot: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
