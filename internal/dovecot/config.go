package dovecot

import (
	"fmt"
	"os"
	osuser "os/user"
	"path/filepath"
	"strconv"
)

// mailUID and mailGID own the Maildir when Dovecot runs as root: Dovecot
// refuses to run mail processes as root, so they run as nobody:nogroup.
const (
	mailUID = 65534
	mailGID = 65534
)

// configTemplate is a minimal private instance: IMAP only, on loopback,
// plaintext auth, no TLS, a passwd-file user and a static userdb.
// Arguments: dir, port, user/mail uid, gid, extra settings for a non-root run.
const configTemplate = `# private Dovecot for Basis tests; everything lives under %[1]s
instance_name = basis-test-%[2]d
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
info_log_path = %[1]s/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
login_trusted_networks = 127.0.0.0/8
mail_location = maildir:%[1]s/mail/Maildir
mail_fsync = never
mail_max_userip_connections = 200
%[5]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/users
}
userdb {
  driver = static
  args = uid=%[3]d gid=%[4]d home=%[1]s/mail
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = 256
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`

// writeConfig lays out dir (config, passwd-file, mail home) for an instance
// listening on port and returns the config file's path.
func writeConfig(dir string, port int, user, password string) (string, error) {
	uid, gid, extra := mailUID, mailGID, ""
	if os.Geteuid() != 0 {
		// an unprivileged run: every process runs as the current user
		uid, gid = os.Getuid(), os.Getgid()
		name := strconv.Itoa(uid)
		if u := os.Getenv("USER"); u != "" {
			name = u
		}
		extra = fmt.Sprintf("default_internal_user = %[1]s\ndefault_login_user = %[1]s\ndefault_internal_group = %[2]d\n", name, gid)
	}
	for _, sub := range []string{"run", "state", "mail"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", fmt.Errorf("dovecot: %w", err)
		}
	}
	if err := os.Chown(filepath.Join(dir, "mail"), uid, gid); err != nil {
		return "", fmt.Errorf("dovecot: chown mail home: %w", err)
	}
	if err := writeUsers(filepath.Join(dir, "users"), user, password); err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "dovecot.conf")
	text := fmt.Sprintf(configTemplate, dir, port, uid, gid, extra)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		return "", fmt.Errorf("dovecot: %w", err)
	}
	return conf, nil
}

// writeUsers writes the passwd-file, readable by the auth process (which runs
// as the dovecot group when Dovecot runs as root).
func writeUsers(path, user, password string) error {
	line := fmt.Sprintf("%s:{PLAIN}%s::::\n", user, password)
	if err := os.WriteFile(path, []byte(line), 0o640); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	if os.Geteuid() != 0 {
		return nil
	}
	g, err := osuser.LookupGroup("dovecot")
	if err != nil {
		return fmt.Errorf("dovecot: group dovecot missing (apt-get install dovecot-imapd): %w", err)
	}
	gid, _ := strconv.Atoi(g.Gid)
	if err := os.Chown(path, 0, gid); err != nil {
		return fmt.Errorf("dovecot: %w", err)
	}
	return nil
}
