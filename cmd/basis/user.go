package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"golang.org/x/term"
)

func userAdd(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("user add")
	role := fs.String("role", "", "admin, staff or auditor")
	pos, err := parsePositional(fs, args, 1, "EMAIL")
	if err != nil {
		return err
	}
	if *role == "" {
		return usagef("--role is required")
	}
	password, generated, err := readPassword(env)
	if err != nil {
		return err
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.store.AddUser(ctx, pos[0], *role, password, a.actor)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "added %s (%s)\n", u.Email, u.Role)
	if generated {
		fmt.Fprintf(env.stdout, "password (shown once): %s\n", password)
	}
	return nil
}

// readPassword takes the password from standard input when it is not a
// terminal, and otherwise generates one to print once.
func readPassword(env *cli) (string, bool, error) {
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) || env.stdin == nil {
		return rand.Text(), true, nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil && err.Error() != "EOF" {
			return "", false, fmt.Errorf("read password from stdin: %w", err)
		}
		return rand.Text(), true, nil
	}
	return line, false, nil
}
