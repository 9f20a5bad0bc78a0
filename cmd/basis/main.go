// Command basis is the one binary of Basis: the web UI, the IMAP pollers,
// the outbox sender and every administrative command. It holds no business
// logic: it parses flags, loads the configuration and calls the packages.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one subcommand: run gets the arguments after its name.
type command struct {
	usage string
	run   func(ctx context.Context, env *cli, args []string) error
}

// commands is the command-line contract of DESIGN.md.
var commands = map[string]command{}

func register(name, usage string, run func(ctx context.Context, env *cli, args []string) error) {
	commands[name] = command{usage: usage, run: run}
}

// cli carries what every command needs: streams and the config location.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configFile     string
	configRequired bool
	getenv         func(string) string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status.
func run(ctx context.Context, args []string, env *cli) int {
	global := flag.NewFlagSet("basis", flag.ContinueOnError)
	global.SetOutput(env.stderr)
	global.StringVar(&env.configFile, "c", "", "configuration file (default basis.yaml, or $BASIS_CONFIG)")
	global.Usage = func() { usage(env.stderr) }
	if err := global.Parse(args); err != nil {
		return 2
	}
	env.configRequired = env.configFile != ""
	if env.configFile == "" {
		if env.configFile = env.getenv("BASIS_CONFIG"); env.configFile != "" {
			env.configRequired = true
		} else {
			env.configFile = "basis.yaml"
		}
	}
	rest := global.Args()
	if len(rest) == 0 {
		usage(env.stderr)
		return 2
	}
	name, rest := rest[0], rest[1:]
	if len(rest) > 0 {
		if _, ok := commands[name+" "+rest[0]]; ok {
			name, rest = name+" "+rest[0], rest[1:]
		}
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(env.stderr, "basis: unknown command %q (run `basis help`)\n", name)
		return 2
	}
	if err := cmd.run(ctx, env, rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(env.stderr, "basis %s: %s\nusage: basis %s %s\n", name, ue.msg, name, cmd.usage)
			return 2
		}
		fmt.Fprintf(env.stderr, "basis: %s\n", oneLine(err))
		return 1
	}
	return 0
}

func init() {
	register("help", "", func(_ context.Context, env *cli, _ []string) error {
		usage(env.stdout)
		return nil
	})
}

func usage(w io.Writer) {
	names := make([]string, 0, len(commands))
	for name := range commands {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: basis [-c FILE] COMMAND [ARGS]\n\ncommands:")
	for _, name := range names {
		fmt.Fprintf(w, "  %s %s\n", name, commands[name].usage)
	}
}

// usageError is a mistake in the command line itself.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// oneLine folds a (possibly joined) error into one line for stderr.
func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
