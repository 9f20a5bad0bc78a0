package main

import (
	"flag"
	"io"
)

// newFlags returns a flag set for a subcommand that reports errors as usage
// errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseInterspersed parses flags that may come before or after positional
// arguments (`basis contacts add EMAIL --name N`) and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				return nil, err
			}
			return nil, usagef("%v", err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// parsePositional parses fs from args (flags and arguments in any order)
// and checks that exactly n arguments remain, described by what in the
// usage error.
func parsePositional(fs *flag.FlagSet, args []string, n int, what string) ([]string, error) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	return pos, exactly(n, pos, what)
}

// exactly checks the number of positional arguments.
func exactly(n int, positional []string, what string) error {
	if len(positional) != n {
		return usagef("expected %s, got %d arguments", what, len(positional))
	}
	return nil
}
